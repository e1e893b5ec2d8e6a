"""The committed notebooks keep outputs but no per-run metadata, and pytest runs them in the
profile that was asked for (root conftest.py)."""

import os
import subprocess
import sys

import nbformat
import pytest

from utils.paths import LABS_DIR, REPO_ROOT
from utils.runner import VOLATILE_CELL_METADATA

NOTEBOOKS = sorted(LABS_DIR.glob("*.ipynb"))


def test_the_labs_are_found():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_execution_timestamps_are_committed(path):
    notebook = nbformat.read(path, as_version=4)
    stamped = [
        number
        for number, cell in enumerate(notebook.cells, start=1)
        if any(key in cell.metadata for key in VOLATILE_CELL_METADATA)
    ]
    assert not stamped, (
        f"{path.name}: cells {stamped[:10]} (of {len(stamped)}) carry "
        f"execution timestamps; run `python -m utils clean labs/*.ipynb`"
    )


def _environment_under_conftest(**env: str) -> dict[str, str]:
    """The variables the root conftest.py leaves, given ``env`` (None-valued ones unset)."""
    child = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("LABS_PROFILE", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    child.update(env)
    code = (
        "import conftest, os; print(os.environ.get('LABS_PROFILE'), "
        "os.environ.get('HF_HUB_OFFLINE'), os.environ.get('TRANSFORMERS_OFFLINE'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=child,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return dict(zip(("LABS_PROFILE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"), out, strict=True))


def test_unset_profile_means_tiny_and_offline():
    assert _environment_under_conftest() == {
        "LABS_PROFILE": "tiny",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


def test_an_explicit_profile_is_respected_and_not_forced_offline():
    assert _environment_under_conftest(LABS_PROFILE="course") == {
        "LABS_PROFILE": "course",
        "HF_HUB_OFFLINE": "None",
        "TRANSFORMERS_OFFLINE": "None",
    }
    assert _environment_under_conftest(LABS_PROFILE="course", HF_HUB_OFFLINE="1") == {
        "LABS_PROFILE": "course",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "None",
    }
    assert _environment_under_conftest(LABS_PROFILE="tiny")["HF_HUB_OFFLINE"] == "1"


def test_pytest_header_names_the_profile():
    env = {**os.environ, "LABS_PROFILE": "course"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "tests/test_notebook_hygiene.py::test_the_labs_are_found",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "LABS_PROFILE=course (set explicitly)" in result.stdout, result.stdout[-2000:]
    assert "--nbval-lax" in result.stdout
