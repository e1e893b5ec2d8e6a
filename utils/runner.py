"""Execute the lab notebooks headless (nbclient) and report one line per lab.

A run never replaces a good result with a bad one. Each notebook is executed with its committed
outputs cleared (so nothing stale survives), written to a temporary file, and moved onto
``outputs/executed/<lab>.ipynb`` only when every cell passed; a failed or interrupted run is
saved beside it as ``<lab>.failed.ipynb``. Ctrl-C stops the whole run, shuts the kernel down,
and ``python -m utils run`` exits with 130.

Before any lab starts, the folders the run writes to are checked (writable, with room), and
``run_lock`` keeps a second run off the same outputs folder. The summary lists, under each lab,
the lessons its check cell printed (``✓``/``✗`` lines, see ``utils.lessons``) and where the
executed notebook is.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from utils.errors import LabsError
from utils.lessons import FAIL, PASS
from utils.paths import LABS_DIR, OUTPUTS_DIR, check_writable, display_path

DEFAULT_CELL_TIMEOUT_S = 1800
"""Seconds one cell may run when the profile does not say (``Profile.cell_timeout_s``)."""

VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")
"""Cell metadata that changes on every run: nbclient's and the classic notebook's timestamps.
(Widget model ids in outputs stay: the saved widget state refers to them.)"""

LOCK_FILE = ".run.lock"
"""The file in the outputs folder that a run holds (``run_lock``)."""
ROOM_EXECUTED_BYTES = 50_000_000
"""Room to ask for where the executed notebooks go (each is a few MB with its plots)."""
ROOM_LOCAL_MODELS_BYTES = 300_000_000
"""Room to ask for in the profile's outputs folder when its models are local files (tiny: lab
2's full model, its adapter and lab 3's are tens of MB; the rest is margin)."""
ROOM_HUB_MODELS_BYTES = 3_000_000_000
"""The same for models from the Hub (course: lab 2's fully fine-tuned flan-t5-base alone is
1 GB in float32, plus the adapters and the trainers' working files)."""
OUTPUT_DIR_FIX = "pass another `--output-dir`"
SAVE_FAILED = "NOT SAVED"
"""The status of a lab whose executed notebook could not be written."""

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
    lessons: list[str] = field(default_factory=list)
    """The lesson lines the check cell printed (``✓ ...`` / ``✗ ...``), as printed."""

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


def lesson_lines(notebook: nbformat.NotebookNode) -> list[str]:
    """The lines the last code cell (the check cell) printed for its lessons: each starts with
    ``✓`` or ``✗`` (``utils.lessons.Lesson.line``); empty when it printed none."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code:
        return []
    text = "".join(
        out.get("text", "") for out in code[-1].get("outputs", []) if out.output_type == "stream"
    )
    return [line for line in text.splitlines() if line.startswith((f"{PASS} ", f"{FAIL} "))]


def _command_line() -> str:
    """This process's command as a user typed it (``python -m utils run --lab 2``)."""
    program = sys.argv[0] if sys.argv else ""
    shown = "python -m utils" if Path(program).name == "__main__.py" else f"python {program}"
    return " ".join([shown.strip(), *sys.argv[1:]])


def _lock_record() -> dict[str, object]:
    """Who holds the lock: this process, when it started, its command line and host."""
    return {
        "pid": os.getpid(),
        "started": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"),
        "command": _command_line(),
        "host": socket.gethostname(),
    }


def _read_record(text: str) -> dict:
    try:
        record = json.loads(text)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def _describe(record: dict) -> str:
    host = record.get("host")
    on = f" on {host}" if host and host != socket.gethostname() else ""
    return (
        f"pid {record.get('pid', '?')}{on}, started {record.get('started', 'at an unknown time')}, "
        f"command `{record.get('command', '?')}`"
    )


@contextmanager
def run_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder/.run.lock`` for a whole run, or stop at once with a LabsError naming the
    run that holds it: two runs on one outputs folder would share its executed notebooks and
    lab 2's models (one run's lab 3 could load the adapter the other is writing).

    The lock is the operating system's (``flock``), so it ends with its process however that
    ends; the file's record (pid, start time, command) is what the message shows. A file left
    by a run that no longer runs is taken over with a note. (Without ``fcntl``, on Windows,
    runs are not kept apart.)
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield folder / LOCK_FILE
        return
    check_writable(folder, "models, adapters and executed notebooks")
    path = folder / LOCK_FILE
    while True:
        handle = path.open("a+", encoding="utf-8")  # created if missing, never truncated here
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _read_record(handle.read())
            handle.close()
            pid = holder.get("pid", "PID")
            raise LabsError(
                f"Another run is using the outputs folder {display_path(folder)} "
                f"({_describe(holder)}). Two runs on one folder would share its executed "
                f"notebooks and lab 2's models, so this one stops; nothing was executed. Wait "
                f"for that run to end (or stop it: `kill {pid}`), or run in parallel with "
                f"another outputs folder: `LABS_OUTPUTS_DIR=/tmp/labs-2 python -m utils run`."
            ) from None
        try:  # the holder before us may have removed the file after we opened it: reopen
            same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    handle.seek(0)
    left = _read_record(handle.read())
    if left:
        print(
            f"Note: taking over {display_path(path)}, left by a run that no longer runs "
            f"({_describe(left)}).",
            flush=True,
        )
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(_lock_record()))
    handle.flush()
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)  # while still holding it: the next run starts clean
        handle.close()


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
    """Write to a temporary file beside ``path``, then rename: a reader never sees half a file,
    and on any error (a full disk) the temporary file is removed and ``path`` is untouched."""
    # a plain open (not mkstemp, which makes 0600 files) keeps the user's usual permissions
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            nbformat.write(notebook, handle)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _save_error(path: Path, exc: OSError, status: str, error: str) -> str:
    """One paragraph for an executed notebook that could not be written to ``path``."""
    what = "passed" if status == "ok" else f"ended {status} ({error.splitlines()[0][:200]})"
    return (
        f"The lab {what}, but its executed notebook could not be saved as "
        f"{display_path(path)}: {exc.strerror or exc} (errno {exc.errno}). Free some space "
        f"or make {display_path(path.parent)} writable (or {OUTPUT_DIR_FIX}), then rerun; "
        f"the last good executed notebook there is unchanged and nothing half-written was left."
    )


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
    each cell. A save that fails (a full disk) gives the status ``NOT SAVED`` and one paragraph.
    """
    check_writable(output_dir, "executed notebooks", fix=OUTPUT_DIR_FIX)  # before the work
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
    error = strip_ansi(error).strip()
    lessons = lesson_lines(notebook)
    good, failed = output_dir / path.name, output_dir / f"{path.stem}.failed.ipynb"
    target = good if status == "ok" else failed
    try:
        _write_atomically(notebook, target)
    except OSError as exc:
        message = _save_error(target, exc, status, error)
        return LabRun(path.stem, profile, seconds, SAVE_FAILED, None, message, None, lessons)
    if status == "ok":
        failed.unlink(missing_ok=True)  # an old failure no longer describes this lab
        return LabRun(path.stem, profile, seconds, status, good, lessons=lessons)
    return LabRun(path.stem, profile, seconds, status, failed, error, state["cell"], lessons)


def run_labs(
    lab_numbers: list[int] | None = None,
    profile: str | None = None,
    output_dir: Path = OUTPUTS_DIR / "executed",
    timeout_s: int | None = None,
    labs_dir: Path = LABS_DIR,
) -> list[LabRun]:
    """Run the chosen labs in order, printing a progress line per lab and a summary table.

    ``timeout_s`` (per cell) defaults to the profile's ``cell_timeout_s``. Before the first lab,
    ``output_dir`` and the profile's outputs folder (lab 2's models) are checked for writes and
    room. Ctrl-C, or an executed notebook that cannot be saved (a full disk), stops the lab that
    runs and skips the rest (their status is ``not run``).
    """
    from utils.hub import needs_hub
    from utils.profiles import get_profile

    resolved = get_profile(profile, verbose=False)
    if timeout_s is None:
        timeout_s = getattr(resolved, "cell_timeout_s", DEFAULT_CELL_TIMEOUT_S)
    notebooks = find_labs(lab_numbers, labs_dir)
    # every folder the labs write to, before any work (lab 2 would otherwise train first)
    check_writable(output_dir, "executed notebooks", ROOM_EXECUTED_BYTES, OUTPUT_DIR_FIX)
    room = ROOM_HUB_MODELS_BYTES if needs_hub(resolved) else ROOM_LOCAL_MODELS_BYTES
    check_writable(resolved.outputs_dir, "fine-tuned models and adapters", room)
    results: list[LabRun] = []
    for i, path in enumerate(notebooks, start=1):
        print(f"[{i}/{len(notebooks)}] {path.name} ({resolved.name}) ...", flush=True)
        result = run_notebook(path, resolved.name, output_dir, timeout_s)
        where = f" -> {display_path(result.output)}" if result.output else ""
        print(f"      {result.status} in {result.seconds:.0f} s{where}", flush=True)
        results.append(result)
        if result.status in ("INTERRUPTED", SAVE_FAILED):
            results += [LabRun(p.stem, resolved.name, 0.0, "not run") for p in notebooks[i:]]
            break
    print(format_summary(results))
    return results


def format_summary(results: list[LabRun]) -> str:
    """A plain-text table (lab, profile, wall time, status); under each lab the lessons its
    check cell printed and where its executed notebook is; then each error message whole."""
    header = f"{'lab':<36} {'profile':<8} {'wall':>7}  status"
    lines = [header, "-" * len(header)]
    for r in results:
        where = f" at cell {r.cell}" if r.cell is not None and not r.ok else ""
        lines.append(f"{r.lab:<36} {r.profile:<8} {r.seconds:>6.0f}s  {r.status}{where}")
        if r.status == "not run":
            continue
        lines += [f"    {line}" for line in r.lessons]
        if not r.lessons:
            lines.append("    lessons: none printed")
        if r.output is not None:
            lines.append(f"    executed notebook: {display_path(r.output)}")
    for r in results:
        if r.error:
            saved = f", saved as {display_path(r.output)}" if r.output else ""
            cell = f"cell {r.cell}" if r.cell is not None else "not saved"
            lines += ["", f"{r.lab} ({cell}{saved}):", r.error]
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
