"""The benchmarks' own logic: the lab table from unit costs, and models and inputs on the
requested device (``meta`` stands in for a GPU: nothing is computed or allocated there)."""

from __future__ import annotations

import importlib.util
import math
import sys
from dataclasses import replace
from types import ModuleType

import pytest
import torch

from utils.paths import REPO_ROOT
from utils.profiles import COURSE

BENCHMARKS = REPO_ROOT / "benchmarks"
META = torch.device("meta")


def _load(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a module (they are scripts that import ``shapes`` beside
    them)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def course_costs() -> ModuleType:
    return _load("course_costs")


def _devices(*things) -> set[str]:
    """The device types of every parameter, buffer and tensor among ``things``."""
    found = set()
    for thing in things:
        if isinstance(thing, torch.nn.Module):
            found |= {t.device.type for t in (*thing.parameters(), *thing.buffers())}
        elif isinstance(thing, torch.Tensor):
            found.add(thing.device.type)
        else:  # a tokenizer's BatchEncoding
            found |= {v.device.type for v in thing.values()}
    return found


# ---- course_costs.lab_costs: unit costs in, the lab table out ----

UNITS = {  # seconds per unit, peak MB: distinct values, so a mixed-up unit shows
    "gen1": (3.0, 1500),
    "gen16": (1.0, 1600),
    "gen16_512": (2.0, 2200),
    "full_step": (10.0, 9800),
    "lora_step": (5.0, 8500),
    "rm_step": (7.0, 4700),
    "ppo": (100.0, 2800),
}


def _units() -> dict[str, dict]:
    return {k: {"per_unit_s": s, "peak_mb": mb} for k, (s, mb) in UNITS.items()}


def test_lab_costs_from_the_course_profile_counts(course_costs):
    rows = course_costs.lab_costs(_units(), "measured")
    assert [row[0] for row in rows] == ["lab 1", "lab 2", "lab 3"]
    (_, lab1_h, lab1_gb, lab1_how), (_, lab2_h, lab2_gb, lab2_how), (_, lab3_h, lab3_gb, how3) = (
        rows
    )
    # lab 1: 3 x 200 zero-shot-length + 2 x 200 512-token generations, 48 single calls
    assert lab1_h * 3600 == pytest.approx(600 * 1.0 + 400 * 2.0 + 48 * 3.0)
    assert lab1_how == "1000 batched + 48 single generations of 50 tokens"
    assert lab1_gb == pytest.approx(2.2)  # the heavier generation unit
    # lab 2: 12,460 rows at batch 8 = 1,558 steps of each method, then 3 x 200 summaries
    assert lab2_h * 3600 == pytest.approx(1558 * 10.0 + 1558 * 5.0 + 600 * 1.0)
    assert lab2_how == "1558 full + 1558 LoRA steps (batch 8), 3 x 200 summaries"
    assert lab2_gb == pytest.approx(9.8 + 1.0)  # the full step plus the base model kept
    # lab 3: 2 x 100 summaries, 10 + 1 PPO steps, 400 pairs / 16 = 25 reward-model steps
    assert lab3_h * 3600 == pytest.approx(200 * 1.0 + 11 * 100.0 + 25 * 7.0)
    assert how3.startswith("11 PPO steps (measured), 25 reward-model steps, 2 x 100 summaries")
    assert "+2.2 h if lab 2's adapter is absent" in how3  # 1,558 LoRA steps of 5 s
    assert lab3_gb == pytest.approx(4.7 + 0.5)


def test_lab_costs_reads_each_labs_own_counts(course_costs):
    """Lab 1 and lab 2 score different numbers of dialogues: each lab uses its own."""
    profile = replace(
        COURSE,
        lab1=replace(COURSE.lab1, n_eval_dialogues=10),
        lab2=replace(COURSE.lab2, n_eval_dialogues=20, train_every_nth=100),
        lab3=replace(COURSE.lab3, n_toxicity_eval=30),
    )
    lab1, lab2, lab3 = course_costs.lab_costs(_units(), "x", profile)
    assert lab1[1] * 3600 == pytest.approx(30 * 1.0 + 20 * 2.0 + 48 * 3.0)
    steps = math.ceil(12460 / 100 / 8)
    assert lab2[1] * 3600 == pytest.approx(steps * 15.0 + 60 * 1.0)
    assert lab3[1] * 3600 == pytest.approx(60 * 1.0 + 11 * 100.0 + 25 * 7.0)


# ---- every model and input on the requested device ----


def test_course_costs_units_build_on_the_requested_device(course_costs):
    model, ids, _ = course_costs.build_generation(META, 16, 200)
    assert _devices(model, ids) == {"meta"} and tuple(ids.shape) == (16, 200)
    for lora in (False, True):
        model, optimizer, inputs, labels = course_costs.build_train_step(META, lora)
        params = [p for group in optimizer.param_groups for p in group["params"]]
        assert _devices(model, inputs, labels, *params) == {"meta"}
    policy, optimizer, query, mask, _ = course_costs.build_ppo(META, 64)
    assert _devices(policy, query, mask) == {"meta"}  # LoRA weights and the value head too
    assert any("lora_" in name for name, _ in policy.named_parameters())
    model, optimizer, chosen, rejected = course_costs.build_rm_step(META)
    assert _devices(model, chosen, rejected) == {"meta"}


def test_course_costs_default_device_is_the_fastest_here(course_costs):
    from utils.generation import get_device

    assert course_costs.default_device() == get_device().type


def test_ppo_step_benchmark_builds_both_variants_on_the_requested_device():
    ppo_step = _load("ppo_step")
    policy, _, ref_model, query, mask, _ = ppo_step.build_variant("deep-copy", META)
    assert _devices(policy, ref_model, query, mask) == {"meta"}
    policy, _, ref_model, query, mask, _ = ppo_step.build_variant("adapter-off", META)
    assert ref_model is None and _devices(policy, query, mask) == {"meta"}


def test_generation_benchmark_puts_the_model_and_every_input_on_its_device(tiny_profile):
    from transformers import AutoTokenizer, GenerationConfig

    generation = _load("generation")
    tokenizer = AutoTokenizer.from_pretrained(tiny_profile.model_id)
    for base_shape in (True, False):
        model = generation.build_model(tiny_profile, len(tokenizer), base_shape, META)
        assert _devices(model) == {"meta"}
    assert _devices(generation.encode_one(tokenizer, "Summarize: hi", META)) == {"meta"}

    class Recorder:  # a model on the meta device that records where its inputs are
        device = META
        seen: set[str] = set()

        def generate(self, generation_config, **inputs):
            self.seen |= _devices(inputs)
            return torch.tensor([[0, 1]])

    recorder = Recorder()
    config = GenerationConfig(max_new_tokens=2)
    generation.one_at_a_time(recorder, tokenizer, ["Summarize: a", "Summarize: b"], config)
    assert recorder.seen == {"meta"}  # the course's loop left them on the CPU


def test_course_costs_prints_both_tables_to_the_end(course_costs, monkeypatch, capsys):
    """The whole default run with the measurements faked (the real one takes 15-25 minutes on
    a CPU): a PPO step too long to measure at 250 tokens is extrapolated, and the lab table
    comes out."""
    fake = {**{k: v for k, v in UNITS.items() if k != "ppo"}, "ppo_step64": (100.0, 2300)}
    fake["ppo_step128"] = (150.0, 2500)  # predicts 245 s at 250 tokens: over the 180 s limit

    def measure(name, threads, device, quick=False):
        assert name != "ppo_step250", "a step predicted over the limit must not be measured"
        seconds, peak = fake[name]
        return {"per_unit_s": seconds, "peak_mb": peak, "per": "unit", "memory": "RSS"}

    monkeypatch.setattr(course_costs, "measure", measure)
    monkeypatch.setattr(sys, "argv", ["course_costs.py", "--device", "cpu", "--threads", "1"])
    course_costs.main()
    out = capsys.readouterr().out
    assert "| ppo | 245.312 | PPO step, 250-token responses (extrapolated linearly" in out
    lab3 = next(line for line in out.splitlines() if line.startswith("| lab 3 |"))
    assert lab3.startswith("| lab 3 | 51 min | 5.2 | 11 PPO steps (extrapolated")  # 3,073 s
