"""utils/lessons/lab2.py: the measurement lab 2's check cell rests on, its lessons against
hand-made figures (each threshold reaching its own lesson), and one cheap run of the recipe."""

from __future__ import annotations

import errno
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from datasets import Dataset, DatasetDict
from rouge_score import rouge_scorer
from transformers import AutoTokenizer, Seq2SeqTrainer

from utils.errors import LabsError
from utils.evaluation import ConfidenceInterval
from utils.lessons import lab2
from utils.paths import TINY_T5_DIR
from utils.profiles import Lab2Checks

CHECKS = Lab2Checks(
    min_rouge1_gain=0.05,
    content_lessons=True,
    max_loop_share=0.02,
    min_own_dialogue=0.95,
    lora_vs_full=(-0.03, 0.01),
    max_adapter_share=0.1,
    max_lora_share=0.05,
)
"""Thresholds of these tests (not the profile's, which the benchmark sets)."""


def ci(mean: float, low: float, high: float) -> ConfidenceInterval:
    return ConfidenceInterval(mean, low, high)


def passing_figures() -> dict:
    """Figures where every lesson holds against CHECKS, each with room to spare."""
    gains = {
        "ROUGE-1": ci(0.2, 0.18, 0.22),
        "ROUGE-2": ci(0.2, 0.17, 0.23),
        "content-word ROUGE-1": ci(0.1, 0.08, 0.12),
    }
    quality = {"content_rouge1": 0.5, "loop_share": 0.01, "own_dialogue": 0.97}
    return {
        "gains": {"full": dict(gains), "LoRA": dict(gains)},
        "quality": {"base": dict(quality), "full": dict(quality), "LoRA": dict(quality)},
        "lora_minus_full": ci(0.0, -0.01, 0.01),
        "trainable_share": 0.04,
        "adapter_share": 0.04,
    }


ALL_KEYS = [
    "lora_trainable_share",
    "adapter_share",
    "full_rouge1_gain",
    "full_rouge2_gain",
    "full_content_gain",
    "full_loops",
    "full_own_dialogue",
    "lora_rouge1_gain",
    "lora_rouge2_gain",
    "lora_content_gain",
    "lora_loops",
    "lora_own_dialogue",
    "lora_minus_full",
]


def test_every_lesson_holds_on_passing_figures() -> None:
    lessons = lab2.lessons(passing_figures(), CHECKS, lessons_on=True)
    assert [lesson.key for lesson in lessons] == ALL_KEYS
    assert all(lesson.holds for lesson in lessons), [x.line() for x in lessons if not x.holds]
    by_key = {lesson.key: lesson for lesson in lessons}
    assert by_key["full_rouge1_gain"].value == 0.18  # the CI's low end
    assert by_key["full_rouge1_gain"].line() == (
        "✓ full fine-tuning beats the base model on ROUGE-1: gain +0.200 [+0.180, +0.220] "
        "(needs 95% CI above 0, from 0.05 up)"
    )
    assert by_key["lora_loops"].line() == (
        "✓ LoRA's summaries rarely loop: 1.0% repeat themselves (needs <= 0.02)"
    )


def _set(figures: dict, path: tuple, value) -> dict:
    *parents, last = path
    target = figures
    for key in parents:
        target = target[key]
    target[last] = value
    return figures


# each change breaks exactly one lesson: every threshold reaches its own lesson and no other
BREAKS = [
    (("trainable_share",), 0.06, "lora_trainable_share"),
    (("adapter_share",), 0.11, "adapter_share"),
    # above 0 but below min_rouge1_gain: the threshold, not only the sign, is checked
    (("gains", "full", "ROUGE-1"), ci(0.1, 0.04, 0.16), "full_rouge1_gain"),
    (("gains", "LoRA", "ROUGE-1"), ci(0.1, -0.01, 0.2), "lora_rouge1_gain"),
    (("gains", "full", "ROUGE-2"), ci(0.1, -0.001, 0.2), "full_rouge2_gain"),
    (("gains", "LoRA", "ROUGE-2"), ci(0.1, 0.0, 0.2), "lora_rouge2_gain"),  # 0 is not above 0
    (("gains", "full", "content-word ROUGE-1"), ci(0.0, -0.02, 0.02), "full_content_gain"),
    (("gains", "LoRA", "content-word ROUGE-1"), ci(0.0, -0.02, 0.02), "lora_content_gain"),
    (("quality", "full", "loop_share"), 0.021, "full_loops"),
    (("quality", "LoRA", "loop_share"), 0.03, "lora_loops"),
    (("quality", "full", "own_dialogue"), 0.949, "full_own_dialogue"),
    (("quality", "LoRA", "own_dialogue"), 0.9, "lora_own_dialogue"),
    (("lora_minus_full",), ci(0.011, 0.0, 0.02), "lora_minus_full"),
    (("lora_minus_full",), ci(-0.031, -0.04, -0.02), "lora_minus_full"),
    # the base model's quality is shown, never checked
    (("quality", "base", "loop_share"), 0.5, None),
]


@pytest.mark.parametrize("path, value, broken", BREAKS, ids=lambda x: str(x))
def test_each_threshold_breaks_its_own_lesson_only(path, value, broken) -> None:
    figures = _set(passing_figures(), path, value)
    lessons = lab2.lessons(figures, CHECKS, lessons_on=True)
    assert [x.key for x in lessons if not x.holds] == ([broken] if broken else [])


def test_thresholds_are_inclusive() -> None:
    figures = passing_figures()
    figures["gains"]["full"]["ROUGE-1"] = ci(0.1, 0.05, 0.15)  # exactly min_rouge1_gain
    figures["quality"]["full"]["loop_share"] = 0.02
    figures["quality"]["full"]["own_dialogue"] = 0.95
    figures["lora_minus_full"] = ci(0.01, 0.0, 0.02)
    assert all(x.holds for x in lab2.lessons(figures, CHECKS, lessons_on=True))


def test_at_smoke_scale_only_the_mechanics_are_checked() -> None:
    figures = passing_figures()
    figures["gains"]["full"]["ROUGE-1"] = ci(-0.1, -0.2, 0.0)  # random weights: no gain
    lessons = lab2.lessons(figures, CHECKS, lessons_on=False)
    assert [x.key for x in lessons] == ["lora_trainable_share", "adapter_share"]
    assert all(x.holds for x in lessons)


def test_switched_off_checks_give_no_lesson() -> None:
    checks = replace(CHECKS, content_lessons=False, lora_vs_full=None, min_rouge1_gain=0.0)
    keys = [x.key for x in lab2.lessons(passing_figures(), checks, lessons_on=True)]
    assert keys == [
        "lora_trainable_share",
        "adapter_share",
        "full_rouge1_gain",
        "full_rouge2_gain",
        "lora_rouge1_gain",
        "lora_rouge2_gain",
    ]
    line = lab2.lessons(passing_figures(), checks, lessons_on=True)[2].line()
    assert line.endswith("(needs 95% CI above 0)")


# ---- the measurement ----

DIALOGUES = [
    "#Person1#: I want to book a flight to Paris on Monday.\n#Person2#: Economy or business?",
    "#Person1#: My laptop screen is broken.\n#Person2#: We can repair the screen by Friday.",
    "#Person1#: Let's bake a chocolate cake.\n#Person2#: We need flour, eggs and sugar.",
    "#Person1#: The concert tickets are sold out.\n#Person2#: Maybe the band plays again soon.",
]
REFERENCES = [
    "#Person1# books a flight to Paris.",
    "#Person2# will repair #Person1#'s laptop screen.",
    "#Person1# and #Person2# bake a chocolate cake.",
    "The concert tickets are sold out.",
]
SUMMARIES = {
    "base": ["A flight.", "A laptop.", "A cake.", "Tickets."],
    "full": list(REFERENCES),  # perfect
    # one about another dialogue's scenario, one that loops (a sentence said twice)
    "LoRA": [
        "#Person1# books a flight to Paris.",
        "#Person1# bakes a chocolate cake with flour and eggs.",
        "They bake a cake. They bake a cake.",
        "The concert tickets are sold out.",
    ],
}


@pytest.fixture(scope="module")
def measured() -> dict:
    return lab2.measure(SUMMARIES, REFERENCES, DIALOGUES, seed=0)


def _rouge(kind: str, predictions: list[str]) -> np.ndarray:
    """ROUGE F-measures straight from the rouge_score package (no evaluate, no aggregation)."""
    scorer = rouge_scorer.RougeScorer([kind])
    return np.array(
        [scorer.score(r, p)[kind].fmeasure for p, r in zip(predictions, REFERENCES, strict=True)]
    )


def test_measure_scores_rouge_per_example_and_pairs_the_gains(measured) -> None:
    assert measured["n"] == 4
    for system, texts in SUMMARIES.items():
        for key, name in lab2.ROUGE_NAMES.items():
            np.testing.assert_allclose(measured["per_example"][system][name], _rouge(key, texts))
    np.testing.assert_allclose(measured["per_example"]["full"]["ROUGE-1"], 1.0)
    for system in ("full", "LoRA"):
        gain = _rouge("rouge1", SUMMARIES[system]) - _rouge("rouge1", SUMMARIES["base"])
        ci = measured["gains"][system]["ROUGE-1"]
        assert ci.mean == pytest.approx(gain.mean())
        assert ci.low <= gain.mean() <= ci.high
    diff = _rouge("rouge1", SUMMARIES["LoRA"]) - _rouge("rouge1", SUMMARIES["full"])
    assert measured["lora_minus_full"].mean == pytest.approx(diff.mean())


def test_measure_counts_loops_and_summaries_about_another_dialogue(measured) -> None:
    quality = measured["quality"]
    assert quality["full"]["loop_share"] == 0.0
    assert quality["LoRA"]["loop_share"] == 0.25  # "They bake a cake." twice
    # the perfect summaries each fit their own dialogue better than all 3 others; LoRA's second
    # summary (a cake, under the laptop dialogue) fits the cake dialogue better: 2 of 3 beat it
    assert quality["full"]["own_dialogue"] == 1.0
    assert quality["LoRA"]["own_dialogue"] == pytest.approx((1 + 0 + 1 + 1) / 4)
    assert quality["full"]["content_rouge1"] == 1.0


def test_quality_table_names_its_columns_in_words(measured) -> None:
    table = lab2.quality_table(measured)
    assert list(table.index) == list(lab2.SYSTEMS)
    assert list(table.columns) == [
        "content-word ROUGE-1",
        "in a loop",
        "about its own dialogue",
    ]
    assert table.loc["LoRA", "in a loop"] == 0.25


def test_evaluation_rows_are_the_whole_split_or_a_seeded_draw() -> None:
    split = Dataset.from_dict({"id": [str(i) for i in range(20)]})
    assert lab2.evaluation_rows(split, 20, seed=1)["id"] == split["id"]
    assert lab2.evaluation_rows(split, 50, seed=1)["id"] == split["id"]
    draw = lab2.evaluation_rows(split, 5, seed=1)["id"]
    assert len(draw) == 5 == len(set(draw)) and set(draw) <= set(split["id"])
    assert lab2.evaluation_rows(split, 5, seed=1)["id"] == draw
    assert lab2.evaluation_rows(split, 5, seed=2)["id"] != draw


# ---- one cheap run of the recipe ----

needs_tiny_model = pytest.mark.skipif(
    not (TINY_T5_DIR / "model.safetensors").is_file(), reason="the tiny model is not built"
)


@pytest.fixture(scope="module")
def small_dialogsum() -> DatasetDict:
    rows = {"id": [], "dialogue": [], "summary": [], "topic": []}
    for i in range(8):
        j = i % len(DIALOGUES)
        rows["id"].append(str(i))
        rows["dialogue"].append(DIALOGUES[j])
        rows["summary"].append(REFERENCES[j])
        rows["topic"].append("t")
    split = Dataset.from_dict(rows)
    return DatasetDict(train=split, validation=split, test=split)


@pytest.fixture
def two_steps(tiny_profile):
    return replace(tiny_profile, lab2=replace(tiny_profile.lab2, max_steps=2, train_batch_size=2))


@needs_tiny_model
@pytest.mark.filterwarnings("ignore:.*is_gradient_checkpointing:FutureWarning")
def test_run_trains_with_the_seed_and_measures_the_whole_split(small_dialogsum, two_steps):
    tokenizer = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    kwargs = dict(split="validation", dialogsum=small_dialogsum, tokenizer=tokenizer)
    first = lab2.run(two_steps, seed=7, **kwargs)
    assert (first["seed"], first["split"], first["n"]) == (7, "validation", 8)
    assert 0 < first["trainable_share"] < 0.05 and 0 < first["adapter_share"] < 0.1
    assert set(first["train_seconds"]) == {"full", "LoRA"}
    keys = [x.key for x in lab2.lessons(first, two_steps.checks.lab2, lessons_on=True)]
    assert keys == ALL_KEYS
    again = lab2.run(two_steps, seed=7, also=("test",), **kwargs)  # the seed fixes the run
    assert again["per_example"] == first["per_example"]
    # the same models score another split too (here its rows are the same, so its figures)
    assert again["also"]["test"]["split"] == "test"
    assert again["also"]["test"]["per_example"] == first["per_example"]


@needs_tiny_model
def test_run_stops_before_training_when_results_cannot_be_saved(
    small_dialogsum, two_steps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse_train(self, *args, **kwargs):
        raise AssertionError("training started")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Seq2SeqTrainer, "train", refuse_train)
    monkeypatch.setattr("utils.paths.tempfile.NamedTemporaryFile", read_only)
    with pytest.raises(LabsError, match="Read-only file system.*fine-tuned model and adapter"):
        lab2.run(two_steps, dialogsum=small_dialogsum, work_dir=tmp_path / "lab2")
    assert not (tmp_path / "lab2" / "full-model").exists()
