import ast
import inspect
import re
import subprocess
import sys
from dataclasses import FrozenInstanceError, fields, is_dataclass
from pathlib import Path

import pytest

from utils import profiles
from utils.errors import LabsError
from utils.profiles import COURSE, TINY, get_profile, model_dtype_name


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


def test_auto_is_tiny_when_offline_and_says_why_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("utils.hub.missing_from_cache", lambda course: [course.model_id])
    profile = get_profile("auto")
    assert profile.name == "tiny"
    assert profile.reason.startswith("auto: HF_HUB_OFFLINE is set")
    assert capsys.readouterr().out.count("\n") == 1  # one visible line


def test_auto_is_tiny_without_a_gpu_even_with_everything_cached(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr("utils.hub.missing_from_cache", lambda course: [])
    monkeypatch.setattr("utils.hub.detect_accelerator", lambda: None)
    profile = get_profile("auto", verbose=False)
    assert profile.name == "tiny" and "LABS_PROFILE=course" in profile.reason


def test_auto_is_course_with_a_gpu_and_everything_cached(monkeypatch):
    monkeypatch.setattr("utils.hub.missing_from_cache", lambda course: [])
    monkeypatch.setattr("utils.hub.detect_accelerator", lambda: "cuda")
    assert get_profile("auto", verbose=False).name == "course"


def test_profiles_are_frozen_and_grouped_per_lab():
    with pytest.raises(FrozenInstanceError):
        TINY.name = "other"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        TINY.lab2.lora_r = 1  # type: ignore[misc]
    groups = {f.name for f in fields(COURSE) if is_dataclass(getattr(COURSE, f.name))}
    assert groups == {"lab1", "lab2", "lab3", "checks"}


def _tiny_keywords() -> list[tuple[tuple[str, ...], ast.keyword]]:
    """(path, keyword) for every value the TINY = Profile(...) call sets, nested calls
    (``lab1=replace(COURSE.lab1, ...)``, ``ppo=PPOConfig(...)``) opened up."""
    tree = ast.parse(inspect.getsource(profiles))
    call = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "TINY"
    )

    def walk(call: ast.Call, path: tuple[str, ...]):
        for keyword in call.keywords:
            if isinstance(keyword.value, ast.Call) and keyword.arg in (
                "lab1",
                "lab2",
                "lab3",
                "checks",
                "ppo",
            ):
                yield from walk(keyword.value, (*path, keyword.arg))
            else:
                yield path, keyword

    return list(walk(call, ()))


def _get(obj, path: tuple[str, ...]):
    for name in path:
        obj = getattr(obj, name)
    return obj


def test_tiny_lists_only_real_overrides_each_with_a_reason():
    """nanoGPT's override files: tiny sets only what differs, and says why next to it."""
    lines = inspect.getsource(profiles).splitlines()
    for path, keyword in _tiny_keywords():
        if keyword.arg == "name":
            continue
        where = ".".join((*path, keyword.arg))
        assert getattr(_get(TINY, path), keyword.arg) != getattr(_get(COURSE, path), keyword.arg), (
            f"tiny repeats the course's {where}"
        )
        # a comment on the line, or one heading the run of settings the line belongs to
        row = keyword.lineno - 1
        above = row - 1
        while re.match(r"\s+[a-z_0-9]+=", lines[above]) and "#" not in lines[above]:
            above -= 1
        reason = "#" in lines[row] or lines[above].strip().startswith("#")
        assert reason, f"no reason given for {where}"


def test_importing_the_profiles_imports_no_torch():
    code = "import sys, utils.profiles; assert 'torch' not in sys.modules, 'torch imported'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _utils_imports(path: Path) -> set[str]:
    """The utils.* modules a file imports, at any depth (function-level imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("utils"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("utils"))
    return found


def test_no_import_cycle_among_utils_modules():
    package = Path(profiles.__file__).parent
    modules = {f"utils.{p.stem}": p for p in package.glob("*.py") if p.stem != "__init__"}
    graph = {m: _utils_imports(p) & modules.keys() - {m} for m, p in modules.items()}

    def visit(module: str, stack: list[str]) -> None:
        if module in stack:
            raise AssertionError("import cycle: " + " -> ".join([*stack, module]))
        for dep in graph[module]:
            visit(dep, [*stack, module])

    for module in graph:
        visit(module, [])


def test_smoke_scale_shrinks_only_the_course(monkeypatch):
    monkeypatch.setenv("LABS_SCALE", "smoke")
    smoke = get_profile("course", verbose=False)
    assert (smoke.model_id, smoke.scale, smoke.checks.lessons) == (COURSE.model_id, "smoke", False)
    assert smoke.lab3.ppo.max_ppo_steps < COURSE.lab3.ppo.max_ppo_steps
    with pytest.raises(LabsError, match="LABS_SCALE=smoke"):
        get_profile("tiny", verbose=False)
    monkeypatch.setenv("LABS_SCALE", "huge")
    with pytest.raises(LabsError, match="'huge'"):
        get_profile("course", verbose=False)


def test_course_profile_keeps_the_course_values():
    assert COURSE.model_id == "google/flan-t5-base"
    assert COURSE.dataset_id == "knkarthick/dialogsum"
    assert COURSE.toxicity_model_id == "facebook/roberta-hate-speech-dynabench-r4-target"
    lab2, lab3 = COURSE.lab2, COURSE.lab3
    assert (lab2.lora_r, lab2.lora_alpha, lab2.lora_dropout) == (32, 32, 0.05)
    assert lab2.lora_target_modules == lab3.lora_target_modules == ("q", "v")
    assert (lab3.lora_r, lab3.lora_alpha) == (32, 32)
    assert lab2.train_every_nth == 1  # lab 2 trains for real on every row (see profiles.py)
    assert lab3.ppo.learning_rate == 1.41e-5
    assert (lab3.ppo.batch_size, lab3.ppo.mini_batch_size, lab3.ppo.ppo_epochs) == (16, 4, 1)


def test_tiny_profile_points_into_assets():
    for path in (TINY.model_id, TINY.dataset_id, TINY.toxicity_model_id):
        assert "/assets/" in path


def test_an_unknown_lab3_reward_is_a_clear_error():
    from utils.profiles import Lab3Settings

    with pytest.raises(LabsError, match="'nothate logit', 'toxicity penalty'"):
        Lab3Settings(reward="nothate")
    assert get_profile("course", verbose=False).lab3.reward == "nothate logit"  # the course's


def test_labs_seed_picks_the_seed_and_the_profile_line_says_it(monkeypatch, capsys):
    monkeypatch.setenv("LABS_SEED", "101")
    assert get_profile("tiny").seed == 101
    assert capsys.readouterr().out.rstrip().endswith("; seed 101.")
    assert get_profile("tiny", verbose=False, seed=7).seed == 7  # an argument wins
    monkeypatch.delenv("LABS_SEED")
    assert get_profile("tiny", verbose=False).seed == TINY.seed == 42


def test_a_labs_seed_that_is_not_a_number_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("LABS_SEED", "forty-two")
    with pytest.raises(LabsError, match="LABS_SEED='forty-two' is not a whole number"):
        get_profile("tiny", verbose=False)


def test_the_course_loads_bf16_only_on_a_gpu_that_has_it():
    assert model_dtype_name(COURSE, "cuda", bf16_supported=True) == "bfloat16"
    assert model_dtype_name(COURSE, "cuda", bf16_supported=False) == "float32"
    assert model_dtype_name(COURSE, "cpu", bf16_supported=True) == "float32"
    assert model_dtype_name(TINY, "cuda", bf16_supported=True) == "float32"
