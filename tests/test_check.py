"""``python -m utils check``: one OK/FAIL line per requirement; exit 0 when tiny can run."""

from __future__ import annotations

import importlib.metadata

import pytest

from utils import check, hub
from utils.__main__ import main


def test_every_line_is_there_and_this_environment_is_ready(capsys, monkeypatch):
    monkeypatch.setattr(hub, "endpoint_status", lambda *args: "did not answer within 5 s")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # ask the (faked) endpoint
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    assert main(["check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line[6:].split(":")[0] for line in lines if line[:4] in ("OK  ", "FAIL", "SKIP")]
    pins = check.pinned_packages()
    assert {"torch", "transformers", "datasets", "peft", "trl", "nbval"} <= set(pins)
    assert names == [
        "Python",
        *pins,
        "torch device",
        "offline world",
        "outputs folder",
        "Hub",
        "profile",
    ]
    assert lines[0].startswith("OK    Python: 3.")
    assert "OK    torch: 2.13.0" in "\n".join(lines)
    assert any(line.startswith("OK    torch device: cpu") for line in lines)
    # the Hub only matters for course: its failure informs, the exit code stays 0
    assert "FAIL  Hub: https://huggingface.co did not answer within 5 s" in "\n".join(lines)
    assert any(line.startswith("OK    profile: auto would pick tiny: ") for line in lines)
    assert lines[-1].startswith("Ready:")


def test_a_package_off_its_pin_fails_with_exit_1(capsys, monkeypatch):
    real = importlib.metadata.version

    def version(name: str) -> str:
        return "0.0.1" if name == "peft" else real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  peft: 0.0.1, but requirements.txt pins {check.pinned_packages()['peft']}" in out
    assert "1 check(s) failed that the labs need (peft)" in out


def test_offline_skips_the_hub_without_asking(monkeypatch, no_network):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = check.check_hub()
    assert result.ok is None and result.line().startswith("SKIP  Hub: HF_HUB_OFFLINE=1")
    assert no_network == []


@pytest.mark.parametrize(
    ("version", "ok"), [((3, 11, 0), True), ((3, 13, 1), True), ((3, 10, 14), False)]
)
def test_python_version(version, ok):
    assert check.check_python(version).ok is ok


def test_a_missing_package_says_how_to_install(monkeypatch):
    result = check.check_package("no-such-package-here", "1.0")
    assert result.ok is False and "pip install -r requirements.txt" in result.detail
