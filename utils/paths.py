"""Where the repository's folders are, independent of the current working directory."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = REPO_ROOT / "assets"
LABS_DIR = REPO_ROOT / "labs"
OUTPUTS_DIR = REPO_ROOT / "outputs"
METRICS_DIR = Path(__file__).resolve().parent / "metrics"

DIALOGSUM_DIR = ASSETS_DIR / "dialogsum"
TOXICITY_DATA_DIR = ASSETS_DIR / "toxicity"
TINY_T5_DIR = ASSETS_DIR / "models" / "flan-t5-tiny"
TINY_CLASSIFIER_DIR = ASSETS_DIR / "models" / "toxicity-classifier-tiny"
