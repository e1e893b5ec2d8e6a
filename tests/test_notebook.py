"""The labs' common first step: missing packages are one clear error, the profile line shows."""

import importlib.util

import pytest

from utils.errors import LabsError
from utils.notebook import REQUIRED_PACKAGES, missing_packages, start_lab


def test_a_missing_package_is_one_clear_error(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "peft" else real(name, *a)
    )
    assert missing_packages() == ["peft"]
    with pytest.raises(LabsError, match=r"lacks peft.*pip install -r requirements.txt"):
        start_lab("tiny")


def test_start_lab_prints_the_profile_and_seeds(capsys):
    import torch

    assert missing_packages(REQUIRED_PACKAGES) == []
    assert start_lab("tiny").name == "tiny"
    assert capsys.readouterr().out.startswith("Profile: tiny")
    first = torch.rand(1)
    start_lab("tiny")
    assert torch.equal(first, torch.rand(1))  # seeded: the same draw after a second start
