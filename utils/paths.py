"""Where the repository's folders are, independent of the current working directory."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = REPO_ROOT / "assets"
LABS_DIR = REPO_ROOT / "labs"
# checkpoints, adapters and executed notebooks (git-ignored); LABS_OUTPUTS_DIR moves them, so a
# test run of another profile cannot leave its lab-2 adapter where the next run looks for one
OUTPUTS_DIR = Path(os.environ.get("LABS_OUTPUTS_DIR") or REPO_ROOT / "outputs")
METRICS_DIR = Path(__file__).resolve().parent / "metrics"

DIALOGSUM_DIR = ASSETS_DIR / "dialogsum"
TOXICITY_DATA_DIR = ASSETS_DIR / "toxicity"
TINY_T5_DIR = ASSETS_DIR / "models" / "flan-t5-tiny"
TINY_CLASSIFIER_DIR = ASSETS_DIR / "models" / "toxicity-classifier-tiny"


def display_path(path: str | Path) -> str:
    """``path`` relative to the repository when inside it (same text on every machine), else
    as given: LABS_OUTPUTS_DIR may put outputs elsewhere, where ``relative_to`` would raise."""
    if not Path(path).is_absolute() and not Path(path).exists():
        return str(path)  # a Hub id such as google/flan-t5-base, not a folder here
    resolved = Path(path).resolve()
    if resolved.is_relative_to(REPO_ROOT):
        return str(resolved.relative_to(REPO_ROOT))
    return str(path)


def check_writable(folder: Path, what: str, need_bytes: int = 0, fix: str = "") -> None:
    """Create ``folder`` if needed and prove that a file can be written there with room for
    ``need_bytes``, or raise a LabsError saying what to do, before any expensive work.

    ``what`` names what will be saved there ("lab 2's fine-tuned model"); ``fix`` adds the
    alternative the caller offers (another ``--output-dir``, say).
    """
    from utils.errors import LabsError  # errors imports nothing heavy; paths stays import-light

    other = fix or "set LABS_OUTPUTS_DIR to a writable folder with room"
    blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise LabsError(
            f"Cannot save {what} in {folder}: {blocking} is a file, not a folder. Move or delete "
            f"that file (or {other}), then rerun; nothing was lost."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        existing = next(p for p in (folder, *folder.parents) if p.exists())  # what to chmod
        make = (
            "It is on a read-only file system: mount it read-write"
            if exc.errno == errno.EROFS
            else f"Make it writable (`chmod -R u+w {existing}`)"
        )
        raise LabsError(
            f"Cannot write to {folder} ({exc.strerror or type(exc).__name__}), where the labs "
            f"save {what}. {make} or {other}, then rerun; nothing was lost."
        ) from None
    free = shutil.disk_usage(folder).free
    if free < need_bytes:
        raise LabsError(
            f"Not enough room in {folder} for {what}: it needs about {need_bytes / 1e6:.0f} MB "
            f"and {free / 1e6:.0f} MB are free. Free some space (or {other}), then rerun; "
            f"nothing was lost."
        )


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder beside ``target``; on success it replaces ``target`` in one
    rename, on any error it is removed: a reader never finds a half-written model folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
