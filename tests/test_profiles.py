from dataclasses import FrozenInstanceError, fields

import pytest

from utils.errors import LabsError
from utils.profiles import COURSE, TINY, get_profile


def test_env_var_selects_profile(monkeypatch, capsys):
    monkeypatch.setenv("LABS_PROFILE", "tiny")
    profile = get_profile()
    assert profile.name == "tiny"
    assert "Profile: tiny" in capsys.readouterr().out


def test_unknown_profile_lists_valid_names(monkeypatch):
    monkeypatch.setenv("LABS_PROFILE", "bogus")
    with pytest.raises(LabsError) as info:
        get_profile()
    message = str(info.value)
    assert "'bogus'" in message
    for name in ("course", "tiny", "auto"):
        assert name in message


def test_auto_is_tiny_when_offline(monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("utils.profiles._course_models_cached", lambda: False)
    profile = get_profile("auto")
    assert profile.name == "tiny"
    assert "auto:" in profile.reason
    assert capsys.readouterr().out.count("\n") == 1  # one visible line


def test_auto_prefers_cached_course_models(monkeypatch):
    monkeypatch.setattr("utils.profiles._course_models_cached", lambda: True)
    assert get_profile("auto", verbose=False).name == "course"


def test_profiles_are_frozen_and_share_fields():
    with pytest.raises(FrozenInstanceError):
        TINY.name = "other"  # type: ignore[misc]
    assert {f.name for f in fields(COURSE)} == {f.name for f in fields(TINY)}


def test_course_profile_keeps_the_course_values():
    assert COURSE.model_id == "google/flan-t5-base"
    assert COURSE.dataset_id == "knkarthick/dialogsum"
    assert COURSE.toxicity_model_id == "facebook/roberta-hate-speech-dynabench-r4-target"
    assert (COURSE.lora_r, COURSE.lora_alpha, COURSE.lora_dropout) == (32, 32, 0.05)
    assert COURSE.lora_target_modules == ("q", "v")
    assert COURSE.train_every_nth == 1  # lab 2 trains for real on every row (see profiles.py)
    assert COURSE.ppo.learning_rate == 1.41e-5
    assert (COURSE.ppo.batch_size, COURSE.ppo.mini_batch_size, COURSE.ppo.ppo_epochs) == (16, 4, 1)


def test_tiny_profile_points_into_assets():
    for path in (TINY.model_id, TINY.dataset_id, TINY.toxicity_model_id):
        assert "/assets/" in path
