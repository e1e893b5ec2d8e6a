"""Where the repository's folders are, independent of the current working directory."""

from __future__ import annotations

import os
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
    resolved = Path(path).resolve()
    if resolved.is_relative_to(REPO_ROOT):
        return str(resolved.relative_to(REPO_ROOT))
    return str(path)
