"""``LABS_PROFILE=auto``: offline switch first, then a GPU, then the cache or the endpoint."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from huggingface_hub import constants

from tests.hub_standin.fixtures import hub_standin_fixture  # noqa: F401 - the hub_standin fixture
from tests.hub_standin.server import HubStandin
from utils import hub
from utils.errors import LabsError
from utils.paths import REPO_ROOT
from utils.profiles import COURSE

SHA = "0" * 40


def _cache_file(cache: Path, repo_type: str, repo_id: str, filename: str) -> None:
    """Lay out one file as huggingface_hub's cache does (refs/main -> snapshots/<sha>/...)."""
    repo = cache / f"{repo_type}s--{repo_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(SHA)
    path = repo / "snapshots" / SHA / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")


def _cache_everything(cache: Path) -> None:
    for repo_id, weights in (
        (COURSE.model_id, "model.safetensors"),
        (COURSE.toxicity_model_id, "pytorch_model.bin"),
    ):
        for name in ("config.json", weights):
            _cache_file(cache, "model", repo_id, name)
    for split in ("train", "validation", "test"):
        _cache_file(cache, "dataset", COURSE.dataset_id, f"{split}.csv")


def _closed_port_endpoint() -> str:
    with socket.socket() as s:  # bind, read the port, close: nothing listens there now
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """An empty cache, online, no GPU, and an endpoint where nothing listens; tests change it."""
    from datasets import config as datasets_config

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # the root conftest sets it
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "ENDPOINT", _closed_port_endpoint())
    monkeypatch.setattr(datasets_config, "HF_DATASETS_CACHE", tmp_path / "datasets")
    monkeypatch.setattr(hub, "detect_accelerator", lambda: None)

    class World:
        cache = tmp_path / "hub"

        @staticmethod
        def gpu(name: str | None = "cuda") -> None:
            monkeypatch.setattr(hub, "detect_accelerator", lambda: name)

        @staticmethod
        def offline() -> None:
            monkeypatch.setenv("HF_HUB_OFFLINE", "1")

        @staticmethod
        def endpoint(url: str) -> None:
            monkeypatch.setattr(constants, "ENDPOINT", url)

        @staticmethod
        def forbid_network() -> None:
            def fail(*args, **kwargs):
                raise AssertionError("auto asked the endpoint although it should not")

            monkeypatch.setattr(hub, "endpoint_answers", fail)

    return World()


def test_standin_answering_without_gpu_picks_tiny_and_says_how_to_force(world, hub_standin):
    world.endpoint(hub_standin.endpoint)
    name, reason = hub.resolve_auto(COURSE)
    assert name == "tiny"
    assert "no GPU" in reason and "LABS_PROFILE=course" in reason
    assert "\n" not in reason


def test_standin_answering_with_gpu_picks_course(world, hub_standin: HubStandin):
    world.endpoint(hub_standin.endpoint)
    world.gpu("cuda")
    before = len(hub_standin.requests)
    name, reason = hub.resolve_auto(COURSE)
    assert name == "course"
    assert hub_standin.endpoint in reason and "cuda" in reason
    asked = hub_standin.requests[before:]
    assert [(r.method, r.path, r.status) for r in asked] == [
        ("GET", f"/api/models/{COURSE.model_id}", 200)
    ]


def test_endpoint_down_with_gpu_picks_tiny_within_the_timeout(world):
    world.gpu("mps")
    start = time.perf_counter()
    name, reason = hub.resolve_auto(COURSE)
    assert name == "tiny"
    assert time.perf_counter() - start < hub.ENDPOINT_TIMEOUT_S + 1
    for repo_id in (COURSE.model_id, COURSE.dataset_id, COURSE.toxicity_model_id):
        assert repo_id in reason


def test_only_the_model_config_cached_is_not_enough(world):
    """The old `auto` chose course on flan-t5-base's config.json alone."""
    world.gpu()
    _cache_file(world.cache, "model", COURSE.model_id, "config.json")
    assert hub.missing_from_cache(COURSE) == [
        COURSE.model_id,
        COURSE.toxicity_model_id,
        COURSE.dataset_id,
    ]
    assert hub.resolve_auto(COURSE)[0] == "tiny"


def test_offline_with_part_cached_picks_tiny_without_asking(world):
    world.gpu()
    world.offline()
    world.forbid_network()
    _cache_file(world.cache, "model", COURSE.model_id, "config.json")
    _cache_file(world.cache, "model", COURSE.model_id, "model.safetensors")
    name, reason = hub.resolve_auto(COURSE)
    assert name == "tiny"
    assert reason.startswith("HF_HUB_OFFLINE is set")
    assert COURSE.model_id not in reason and COURSE.dataset_id in reason


def test_offline_is_read_from_huggingface_hub_constants_too(world, monkeypatch):
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    assert hub.offline_setting() == "HF_HUB_OFFLINE"


def test_offline_with_everything_cached_and_a_gpu_picks_course(world):
    world.gpu()
    world.offline()
    world.forbid_network()
    _cache_everything(world.cache)
    assert hub.missing_from_cache(COURSE) == []
    assert hub.resolve_auto(COURSE) == (
        "course",
        "a GPU (cuda) and every course model and data set cached",
    )


def test_everything_cached_but_no_gpu_picks_tiny(world):
    _cache_everything(world.cache)
    world.forbid_network()
    assert hub.resolve_auto(COURSE)[0] == "tiny"


def test_data_set_counts_as_cached_through_its_arrow_cache(world, tmp_path):
    (tmp_path / "datasets" / COURSE.dataset_id.replace("/", "___")).mkdir(parents=True)
    assert COURSE.dataset_id not in hub.missing_from_cache(COURSE)


def test_hub_endpoint_follows_hf_endpoint(world):
    world.endpoint("http://mirror.example:8080/")
    assert hub.hub_endpoint() == "http://mirror.example:8080"


# ---- a Hub that accepts connections but never answers (a captive portal, a firewall) ----


@pytest.fixture
def silent_endpoint():
    """An endpoint on 127.0.0.1 that accepts every connection and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:  # closed at teardown
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for connection in held:
        connection.close()


def _course_env(endpoint: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment with the Hub online at ``endpoint``, an empty cache, LABS_PROFILE=course."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_OFFLINE")}
    env.pop("HF_HUB_ETAG_TIMEOUT", None)
    env.pop("HF_HUB_DOWNLOAD_TIMEOUT", None)
    return {
        **env,
        "LABS_PROFILE": "course",
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(tmp_path / "hf"),
        "PYTHONPATH": str(REPO_ROOT),
        **extra,
    }


def test_a_hub_that_never_answers_stops_the_course_profile_within_30_s(silent_endpoint, tmp_path):
    """The labs' first cell (``start_lab``) ends with the clear paragraph, not minutes of
    silence: the libraries alone retried each file for 6-7 minutes."""
    code = "from utils.notebook import start_lab\nstart_lab()\nprint('LOADED')"
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_course_env(silent_endpoint, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - start
    print(f"\n{seconds:.1f} s: {out.stderr.strip().splitlines()[-1]}")  # shown with `pytest -s`
    assert out.returncode != 0 and "LOADED" not in out.stdout
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("utils.errors.LabsError: The Hugging Face Hub at " + silent_endpoint)
    assert f"did not answer within {hub.HUB_TIMEOUT_S} s" in last
    assert "LABS_PROFILE=tiny" in last and COURSE.model_id in last
    assert seconds < 30


def test_bound_hub_wait_bounds_the_requests_sent_without_a_timeout(silent_endpoint, tmp_path):
    """``from_pretrained``'s revision lookup (``model_info``) passes no timeout at all."""
    code = """
import time
from utils.hub import bound_hub_wait
bound_hub_wait()
from huggingface_hub import HfApi
start = time.perf_counter()
try:
    HfApi().model_info("google/flan-t5-base")
except Exception as exc:
    print(type(exc).__name__, round(time.perf_counter() - start))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_course_env(
            silent_endpoint, tmp_path, HF_HUB_ETAG_TIMEOUT="2", HF_HUB_DOWNLOAD_TIMEOUT="2"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    kind, seconds = out.stdout.split()
    assert kind == "ReadTimeout" and int(seconds) <= 3, out.stdout


def test_require_hub_with_everything_cached_says_how_to_use_the_cache(
    world, silent_endpoint, monkeypatch
):
    world.endpoint(silent_endpoint)
    _cache_everything(world.cache)
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "1")
    monkeypatch.delenv("HF_HUB_DOWNLOAD_TIMEOUT", raising=False)
    with pytest.raises(LabsError) as info:
        hub.require_hub(COURSE)
    message = str(info.value)
    assert "did not answer within 1 s" in message and "HF_HUB_OFFLINE=1" in message
    assert "every course part is in the local cache" in message


def test_require_hub_never_asks_for_local_models_or_when_offline(world, no_network, tiny_profile):
    hub.require_hub(tiny_profile)  # tiny's models and data are folders in assets/
    world.offline()
    hub.require_hub(COURSE)  # the libraries will not ask the Hub: neither does this
    assert no_network == []


def test_an_answering_hub_passes(world, hub_standin: HubStandin):
    world.endpoint(hub_standin.endpoint)
    hub.require_hub(COURSE)


def test_a_library_timeout_becomes_one_paragraph_about_the_hub(world):
    import httpx2  # what huggingface_hub's client raises

    from utils.errors import explain_load_errors

    with pytest.raises(LabsError) as info, explain_load_errors("model", COURSE.model_id):
        try:
            raise httpx2.ReadTimeout("timed out")
        except httpx2.ReadTimeout as exc:
            raise OSError("We couldn't connect to the Hub to load the files") from exc
    message = str(info.value)
    assert "did not answer (it waited" in message and "LABS_PROFILE=tiny" in message
    assert COURSE.model_id in message and "\n" not in message
