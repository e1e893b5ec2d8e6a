"""The course path, offline: all three labs with ``LABS_PROFILE=course LABS_SCALE=smoke``.

The kernels load ``google/flan-t5-base``, ``knkarthick/dialogsum`` and Meta's hate-speech
RoBERTa by id, from a local Hub stand-in (tests/hub_standin: the real formats and shapes,
random weights) into an empty Hugging Face cache, as a new learner's first run would. The
stand-in is also every kernel's HTTP(S) proxy, so a request meant for any other host reaches
it and is logged (and refused): the last test shows that nothing else was asked.

Executed notebooks go to a temporary folder; the committed ones are never written.
Wall time on 2 shared CPU cores: see the README's test section.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.hub_standin import DIALOGSUM_ID, ROBERTA_ID, T5_ID
from tests.hub_standin.fixtures import hub_standin_fixture  # noqa: F401 - the hub_standin fixture
from tests.hub_standin.server import HubStandin
from utils.paths import LABS_DIR, REPO_ROOT

LABS = sorted(LABS_DIR.glob("lab[0-9]*_*.ipynb"))
CELL_TIMEOUT_S = 900
OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")


@pytest.fixture(scope="module")
def course_env(hub_standin: HubStandin, tmp_path_factory) -> Iterator[Path]:
    """The kernels' environment: course at smoke scale, the stand-in as Hub and proxy.

    Yields the folder the executed notebooks are written to.
    """
    root = tmp_path_factory.mktemp("course-smoke")
    (REPO_ROOT / "outputs").mkdir(exist_ok=True)
    outputs = tempfile.mkdtemp(prefix="test-course-smoke-", dir=REPO_ROOT / "outputs")
    with pytest.MonkeyPatch.context() as mp:
        for name in OFFLINE_SWITCHES:  # the root conftest turns them on for the tiny tests
            mp.delenv(name, raising=False)
        env = {
            "LABS_PROFILE": "course",
            "LABS_SCALE": "smoke",
            "HF_ENDPOINT": hub_standin.endpoint,
            # an empty cache, as on a new learner's machine: everything is downloaded
            "HF_HOME": str(root / "hf-home"),
            "HF_HUB_CACHE": str(root / "hf-home" / "hub"),
            "HF_DATASETS_CACHE": str(root / "hf-home" / "datasets"),
            # anything meant for another host goes to the stand-in, which logs and refuses it
            "HTTPS_PROXY": hub_standin.endpoint,
            "HTTP_PROXY": hub_standin.endpoint,
            "https_proxy": hub_standin.endpoint,
            "http_proxy": hub_standin.endpoint,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            # datasets' download counter pings s3.amazonaws.com whatever HF_ENDPOINT says
            "HF_UPDATE_DOWNLOAD_COUNTS": "0",
            # lab 2's checkpoints and adapter (for lab 3), apart from any other run's; inside
            # the repository's git-ignored outputs/, as the notebooks print paths relative to it
            "LABS_OUTPUTS_DIR": outputs,
            "LABS_WIDGETS": "0",
            # one torch thread: on a shared 2-core machine two threads ran flan-t5-base's
            # generation 4-7x slower than one (measured: 37.9 s vs 5.1 s for a batch of 4)
            "OMP_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
        }
        for name, value in env.items():
            mp.setenv(name, value)
        try:
            yield root / "executed"
        finally:
            shutil.rmtree(outputs, ignore_errors=True)  # ~1 GB of smoke checkpoints


def _execute(notebook_path: Path, out_dir: Path) -> float:
    """Run one notebook on a fresh kernel (cwd: labs/, as nbval and the runner); return seconds.

    The executed copy is written to ``out_dir``; what the labs save goes to LABS_OUTPUTS_DIR.
    """
    notebook = nbformat.read(notebook_path, as_version=4)
    out_dir.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook_path.parent)}},
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        pytest.fail(f"{notebook_path.name} failed in the course profile at smoke scale:\n{exc}")
    finally:
        nbformat.write(notebook, out_dir / notebook_path.name)
    return time.perf_counter() - start


@pytest.mark.parametrize("notebook_path", LABS, ids=[p.stem for p in LABS])
def test_lab_runs_in_the_course_profile_at_smoke_scale(
    notebook_path: Path, course_env: Path, record_property
) -> None:
    seconds = _execute(notebook_path, course_env)
    record_property("wall_s", round(seconds, 1))
    executed = nbformat.read(course_env / notebook_path.name, as_version=4)
    outputs = "".join(
        out.get("text", "")
        for cell in executed.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    assert "Profile: course" in outputs and "smoke" in outputs  # the visible profile line


def test_the_labs_asked_only_the_standin(hub_standin: HubStandin, course_env: Path) -> None:
    """Every course artefact came from the stand-in, and no request went to another host."""
    host = hub_standin.endpoint.removeprefix("http://")
    requests = hub_standin.requests
    gets = {r.path for r in requests if r.method == "GET" and r.status == 200}
    for file in (
        f"/{T5_ID}/resolve/",
        f"/{ROBERTA_ID}/resolve/",
        f"/datasets/{DIALOGSUM_ID}/resolve/",
    ):
        assert any(file in path for path in gets), f"nothing downloaded from {file}"
    foreign = {r.host for r in requests if r.host != host}
    # datasets asks its dataset viewer at "datasets-server." + the HF_ENDPOINT host (no switch
    # turns it off); through the proxy it reaches the stand-in, which refuses it
    assert foreign <= {f"datasets-server.{host}"}, foreign
    assert all(r.status == 403 for r in requests if r.host != host)


# ---- the stand-in answers as the Hub does where the libraries depend on it ----


def _head(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urlopen(Request(url, method="HEAD"), timeout=10) as response:
            return response.status, dict(response.headers)
    except HTTPError as error:
        return error.code, dict(error.headers)


def test_standin_headers_match_the_hubs(hub_standin: HubStandin) -> None:
    base = hub_standin.endpoint
    status, headers = _head(f"{base}/{T5_ID}/resolve/main/model.safetensors")
    assert status == 200
    assert len(headers["X-Repo-Commit"]) == 40 and headers["ETag"].startswith('"')
    assert headers["Content-Length"] == "990345064"  # flan-t5-base's real file size
    status, headers = _head(f"{base}/{T5_ID}/resolve/main/spiece.model")
    assert (status, headers["X-Error-Code"]) == (404, "EntryNotFound")
    assert "X-Repo-Commit" in headers  # lets huggingface_hub cache the file's absence
    status, headers = _head(f"{base}/google/flan-t5-bogus/resolve/main/config.json")
    assert (status, headers["X-Error-Code"]) == (404, "RepoNotFound")
    status, headers = _head(f"{base}/datasets/{DIALOGSUM_ID}/resolve/v9/train.csv")
    assert (status, headers["X-Error-Code"]) == (404, "RevisionNotFound")


def test_auto_picks_course_with_the_standin_and_a_gpu_else_tiny(
    hub_standin: HubStandin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Through get_profile, as the notebooks call it (empty cache, online)."""
    from huggingface_hub import constants

    from utils import hub
    from utils.profiles import get_profile

    monkeypatch.delenv("LABS_SCALE", raising=False)
    for name in OFFLINE_SWITCHES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(constants, "ENDPOINT", hub_standin.endpoint)
    monkeypatch.setattr(hub, "detect_accelerator", lambda: "cuda")
    profile = get_profile("auto", verbose=False)
    assert profile.name == "course" and hub_standin.endpoint in profile.reason
    monkeypatch.setattr(hub, "detect_accelerator", lambda: None)
    profile = get_profile("auto", verbose=False)
    assert profile.name == "tiny" and "LABS_PROFILE=course" in profile.reason


def test_labs_found() -> None:
    assert [p.name[:5] for p in LABS] == ["lab1_", "lab2_", "lab3_"]


# ---- a wrong id, label or column fails with the project's clear error ----

_ERROR_PROBE = r"""
import json, sys
from dataclasses import replace
from transformers import AutoModelForSeq2SeqLM, pipeline
from utils.data import load_dialogsum
from utils.errors import LabsError, explain_load_errors
from utils.evaluation import load_toxicity
from utils.profiles import COURSE
from utils.reward import nothate_logit_reward

def outcome(call):
    try:
        call()
    except Exception as exc:
        return [type(exc).__name__, str(exc)]
    return ["no error", ""]

def bad_id():
    with explain_load_errors("model", "google/flan-t5-bsae"):
        AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-bsae")

pipe = pipeline("text-classification", model=sys.argv[2], device="cpu")
print(json.dumps({
    "id": outcome(bad_id),
    "column": outcome(lambda: load_dialogsum(replace(COURSE, dataset_id=sys.argv[1]))),
    "toxicity label": outcome(lambda: load_toxicity(sys.argv[2]).compute(
        predictions=["hello"], toxic_label=COURSE.toxic_label)),
    "reward label": outcome(lambda: nothate_logit_reward(pipe, COURSE.nontoxic_label)(["hi"])),
}))
"""


@pytest.fixture(scope="module")
def broken_outcomes(course_env: Path) -> dict[str, list[str]]:
    """What the labs' own calls raise on a misspelt id, a data set without ``summary`` and a
    classifier without ``nothate``/``hate`` (served by the stand-in as extra repositories)."""
    import subprocess
    import sys

    from tests.hub_standin import NO_SUMMARY_ID, OTHER_LABELS_ID

    out = subprocess.run(
        [sys.executable, "-c", _ERROR_PROBE, NO_SUMMARY_ID, OTHER_LABELS_ID],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "LABS_SCALE": ""},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_misspelt_course_id_says_so(broken_outcomes) -> None:
    kind, message = broken_outcomes["id"]
    print(f"\nmisspelt id -> {kind}: {message}")  # shown with `pytest -s`
    assert kind == "LabsError" and "'google/flan-t5-bsae'" in message


def test_a_data_set_without_summary_names_the_column(broken_outcomes) -> None:
    kind, message = broken_outcomes["column"]
    print(f"\nno summary column -> {kind}: {message}")
    assert kind == "LabsError" and "no 'summary' column" in message


@pytest.mark.parametrize("use", ["toxicity label", "reward label"])
def test_a_classifier_without_the_course_labels_names_them(broken_outcomes, use) -> None:
    kind, message = broken_outcomes[use]
    print(f"\nclassifier without nothate/hate ({use}) -> {kind}: {message}")
    assert kind in ("LabsError", "ValueError"), (kind, message)
    assert "LABEL_0" in message and ("nothate" in message or "hate" in message)


def test_display_path_is_relative_inside_the_repository_only(tmp_path: Path) -> None:
    from utils.paths import display_path

    assert display_path(REPO_ROOT / "outputs" / "lab2") == "outputs/lab2"
    assert display_path(tmp_path / "lab2") == str(tmp_path / "lab2")


def test_display_path_leaves_a_hub_id_as_it_is(monkeypatch) -> None:
    from utils.paths import display_path

    monkeypatch.chdir(REPO_ROOT / "labs")  # where Jupyter runs the notebooks
    assert display_path("google/flan-t5-base") == "google/flan-t5-base"
    assert display_path("../assets") == "assets"  # a relative folder that exists is resolved
