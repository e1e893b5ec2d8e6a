"""Execute the lab notebooks headless (nbclient) and report one line per lab."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from utils.errors import LabsError
from utils.paths import LABS_DIR, OUTPUTS_DIR


@dataclass
class LabRun:
    """The outcome of executing one notebook."""

    lab: str
    profile: str
    seconds: float
    status: str
    output: Path | None = None


def find_labs(lab_numbers: list[int] | None = None, labs_dir: Path = LABS_DIR) -> list[Path]:
    """The notebooks ``labs/labN_*.ipynb``, all or only the numbers asked for."""
    notebooks = sorted(labs_dir.glob("lab[0-9]*_*.ipynb"))
    if lab_numbers:
        wanted = {f"lab{n}_" for n in lab_numbers}
        chosen = [nb for nb in notebooks if any(nb.name.startswith(w) for w in wanted)]
        found = {int(nb.name[3:].split("_")[0]) for nb in chosen}
        missing = sorted(set(lab_numbers) - found)
        if missing:
            raise LabsError(f"No notebook for lab(s) {missing} in {labs_dir}; available: "
                            f"{', '.join(nb.name for nb in notebooks) or 'none'}.")
        return chosen
    return notebooks


def run_notebook(path: Path, profile: str, output_dir: Path, timeout_s: int = 1800) -> LabRun:
    """Execute one notebook on a fresh kernel with ``LABS_PROFILE=profile``; save it executed."""
    notebook = nbformat.read(path, as_version=4)
    os.environ["LABS_PROFILE"] = profile  # the kernel inherits this process's environment
    client = NotebookClient(notebook, timeout=timeout_s, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            # the kernel's only startup log line is a warning that its local
                            # loopback TCP is unencrypted: harmless here, so not printed
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    start = time.perf_counter()
    status = "ok"
    try:
        client.execute()
    except CellExecutionError as exc:
        status = "FAILED: " + (str(exc).strip().splitlines() or ["cell error"])[-1][:120]
    except Exception as exc:  # kernel died, timeout, ...
        status = f"FAILED: {type(exc).__name__}: {str(exc)[:120]}"
    seconds = time.perf_counter() - start
    output_dir.mkdir(parents=True, exist_ok=True)
    output = output_dir / path.name
    nbformat.write(notebook, output)
    return LabRun(path.stem, profile, seconds, status, output)


def run_labs(lab_numbers: list[int] | None = None, profile: str | None = None,
             output_dir: Path = OUTPUTS_DIR / "executed") -> list[LabRun]:
    """Run the chosen labs in order, printing a progress line per lab and a summary table."""
    from utils.profiles import get_profile

    chosen = get_profile(profile).name
    notebooks = find_labs(lab_numbers)
    results = []
    for i, path in enumerate(notebooks, start=1):
        print(f"[{i}/{len(notebooks)}] {path.name} ({chosen}) ...", flush=True)
        result = run_notebook(path, chosen, output_dir)
        print(f"      {result.status} in {result.seconds:.0f} s -> {result.output}", flush=True)
        results.append(result)
    print(format_summary(results))
    return results


def format_summary(results: list[LabRun]) -> str:
    """A plain-text table: lab, profile, wall time, status."""
    header = f"{'lab':<36} {'profile':<8} {'wall':>7}  status"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.lab:<36} {r.profile:<8} {r.seconds:>6.0f}s  {r.status}")
    return "\n".join(lines)
