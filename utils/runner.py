"""Execute the lab notebooks headless (nbclient) and report one line per lab.

A run never replaces a good result with a bad one. Each notebook is executed with its committed
outputs cleared (so nothing stale survives), written to a temporary file, and moved onto
``outputs/executed/<lab>.ipynb`` only when every cell passed; a failed or interrupted run is
saved beside it as ``<lab>.failed.ipynb``. Ctrl-C stops the whole run, shuts the kernel down,
and ``python -m utils run`` exits with 130.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from utils.errors import LabsError
from utils.paths import LABS_DIR, OUTPUTS_DIR

DEFAULT_CELL_TIMEOUT_S = 1800
"""Seconds one cell may run when the profile does not say (``Profile.cell_timeout_s``)."""

VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")
"""Cell metadata that changes on every run: nbclient's and the classic notebook's timestamps.
(Widget model ids in outputs stay: the saved widget state refers to them.)"""

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


@dataclass
class LabRun:
    """The outcome of executing one notebook."""

    lab: str
    profile: str
    seconds: float
    status: str
    """``ok``, ``FAILED``, ``INTERRUPTED`` or ``not run``."""
    output: Path | None = None
    error: str = ""
    """The error message, whole and without terminal colour codes."""
    cell: int | None = None
    """Which cell failed or was running when interrupted (from 1, markdown cells counted)."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour/cursor codes (IPython colours its tracebacks)."""
    return _ANSI.sub("", text)


def strip_volatile_metadata(notebook: nbformat.NotebookNode) -> int:
    """Remove per-run timestamps from every cell's metadata, in place; returns cells changed."""
    changed = 0
    for cell in notebook.cells:
        found = [key for key in VOLATILE_CELL_METADATA if key in cell.metadata]
        for key in found:
            del cell.metadata[key]
        changed += bool(found)
    return changed


def clear_outputs(notebook: nbformat.NotebookNode) -> None:
    """Empty every code cell's outputs and execution count, in place."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def check_writable(folder: Path) -> None:
    """Create ``folder`` if needed and prove a file can be written there, or raise LabsError."""
    blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise LabsError(
            f"Cannot save executed notebooks in {folder}: {blocking} is a file, not a folder. "
            f"Move or delete that file (or pass another `--output-dir`), then rerun; nothing "
            f"was executed."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        existing = next(p for p in (folder, *folder.parents) if p.exists())  # what to chmod
        raise LabsError(
            f"Cannot write to {folder} ({exc.strerror or type(exc).__name__}), where the runner "
            f"saves executed notebooks. Make it writable (`chmod -R u+w {existing}`) or pass "
            f"another `--output-dir`, then rerun; nothing was executed."
        ) from None


def find_labs(lab_numbers: list[int] | None = None, labs_dir: Path = LABS_DIR) -> list[Path]:
    """The notebooks ``labs/labN_*.ipynb``, all or only the numbers asked for."""
    notebooks = sorted(labs_dir.glob("lab[0-9]*_*.ipynb"))
    if lab_numbers:
        wanted = {f"lab{n}_" for n in lab_numbers}
        chosen = [nb for nb in notebooks if any(nb.name.startswith(w) for w in wanted)]
        found = {int(nb.name[3:].split("_")[0]) for nb in chosen}
        missing = sorted(set(lab_numbers) - found)
        if missing:
            raise LabsError(
                f"No notebook for lab(s) {missing} in {labs_dir}; available: "
                f"{', '.join(nb.name for nb in notebooks) or 'none'}."
            )
        return chosen
    return notebooks


def _write_atomically(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Write to a temporary file beside ``path``, then rename: a reader never sees half a file."""
    # a plain open (not mkstemp, which makes 0600 files) keeps the user's usual permissions
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        nbformat.write(notebook, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


async def _execute(client: NotebookClient, state: dict) -> None:
    """Run every cell on a fresh kernel; on SIGINT cancel, kill the kernel and re-raise.

    nbclient's own ``execute`` installs a SIGINT handler that only shuts the kernel down and
    lets the run go on to the next lab, so the kernel is driven here instead.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def on_sigint() -> None:
        state["interrupted"] = True
        if not state["closing"]:  # never cancel the kernel shutdown itself
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    except (RuntimeError, NotImplementedError):  # not the main thread, or Windows
        pass
    client.km = client.create_kernel_manager()
    try:
        await client.async_start_new_kernel()
        await client.async_start_new_kernel_client()
        reply = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
        if reply and "language_info" in reply["content"]:
            client.nb.metadata["language_info"] = reply["content"]["language_info"]
        for index, cell in enumerate(client.nb.cells):
            state["cell"] = index + 1
            await client.async_execute_cell(
                cell, index, execution_count=client.code_cells_executed + 1
            )
        client.set_widgets_metadata()
    finally:
        state["closing"] = True
        km, kc = client.km, client.kc
        try:
            if km.has_kernel:  # interrupted: kill now; else let it exit cleanly
                await ensure_async(km.shutdown_kernel(now=state["interrupted"]))
        except RuntimeError:  # "No kernel is running!": it already died
            pass
        finally:
            if kc is not None:
                kc.stop_channels()
            try:
                loop.remove_signal_handler(signal.SIGINT)
            except (RuntimeError, NotImplementedError):
                pass


def run_notebook(
    path: Path, profile: str, output_dir: Path, timeout_s: int = DEFAULT_CELL_TIMEOUT_S
) -> LabRun:
    """Execute one notebook on a fresh kernel with ``LABS_PROFILE=profile``.

    Success replaces ``output_dir/<name>.ipynb``; a failure or Ctrl-C leaves that file as it
    was and saves the partial run as ``output_dir/<name>.failed.ipynb``. ``timeout_s`` bounds
    each cell.
    """
    check_writable(output_dir)  # before the work, not after it
    notebook = nbformat.read(path, as_version=4)
    clear_outputs(notebook)
    os.environ["LABS_PROFILE"] = profile  # the kernel inherits this process's environment
    client = NotebookClient(
        notebook,
        timeout=timeout_s,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,  # timestamps would differ on every run
        # the kernel's only startup log line is a warning that its local
        # loopback TCP is unencrypted: harmless here, so not printed
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    state = {"interrupted": False, "closing": False, "cell": None}
    status, error = "ok", ""
    start = time.perf_counter()
    try:
        asyncio.run(_execute(client, state))
    except asyncio.CancelledError:
        pass  # only our SIGINT handler cancels; classified below
    except CellExecutionError as exc:
        status, error = "FAILED", f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # the kernel died, a cell timed out, ...
        status, error = "FAILED", f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    if state["interrupted"]:  # the cancelled cell may surface as "Kernel died": it did not
        status, error = "INTERRUPTED", "stopped by Ctrl-C (SIGINT)"
    strip_volatile_metadata(notebook)
    good, failed = output_dir / path.name, output_dir / f"{path.stem}.failed.ipynb"
    if status == "ok":
        _write_atomically(notebook, good)
        failed.unlink(missing_ok=True)  # an old failure no longer describes this lab
        return LabRun(path.stem, profile, seconds, status, good)
    _write_atomically(notebook, failed)
    return LabRun(
        path.stem, profile, seconds, status, failed, strip_ansi(error).strip(), state["cell"]
    )


def run_labs(
    lab_numbers: list[int] | None = None,
    profile: str | None = None,
    output_dir: Path = OUTPUTS_DIR / "executed",
    timeout_s: int | None = None,
    labs_dir: Path = LABS_DIR,
) -> list[LabRun]:
    """Run the chosen labs in order, printing a progress line per lab and a summary table.

    ``timeout_s`` (per cell) defaults to the profile's ``cell_timeout_s``. Ctrl-C stops the
    lab that runs and skips the rest (their status is ``not run``).
    """
    from utils.profiles import get_profile

    resolved = get_profile(profile, verbose=False)
    if timeout_s is None:
        timeout_s = getattr(resolved, "cell_timeout_s", DEFAULT_CELL_TIMEOUT_S)
    notebooks = find_labs(lab_numbers, labs_dir)
    check_writable(output_dir)
    results: list[LabRun] = []
    for i, path in enumerate(notebooks, start=1):
        print(f"[{i}/{len(notebooks)}] {path.name} ({resolved.name}) ...", flush=True)
        result = run_notebook(path, resolved.name, output_dir, timeout_s)
        print(f"      {result.status} in {result.seconds:.0f} s -> {result.output}", flush=True)
        results.append(result)
        if result.status == "INTERRUPTED":
            results += [LabRun(p.stem, resolved.name, 0.0, "not run") for p in notebooks[i:]]
            break
    print(format_summary(results))
    return results


def format_summary(results: list[LabRun]) -> str:
    """A plain-text table (lab, profile, wall time, status), then each error message whole."""
    header = f"{'lab':<36} {'profile':<8} {'wall':>7}  status"
    lines = [header, "-" * len(header)]
    for r in results:
        where = f" at cell {r.cell}" if r.cell is not None and not r.ok else ""
        lines.append(f"{r.lab:<36} {r.profile:<8} {r.seconds:>6.0f}s  {r.status}{where}")
    for r in results:
        if r.error:
            lines += ["", f"{r.lab} (cell {r.cell}, saved as {r.output}):", r.error]
    stopped = [r for r in results if r.status == "INTERRUPTED"]
    if stopped:
        skipped = [r.lab for r in results if r.status == "not run"]
        lines += [
            "",
            f"Interrupted: stopped {stopped[0].lab} at cell {stopped[0].cell}"
            + (f"; not run: {', '.join(skipped)}" if skipped else "")
            + ". The last good executed notebooks are unchanged.",
        ]
    return "\n".join(lines)
