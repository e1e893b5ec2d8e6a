"""Lab 1's measurement and lessons (utils/lessons/lab1.py): verdicts on hand-made figures, the
seeded held-out draw, the solved examples, and one real run on the tiny model."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from utils.evaluation import ConfidenceInterval, bootstrap_ci, distinct_n
from utils.lessons import lab1
from utils.profiles import Lab1Checks

# Thresholds that differ from each other and from the defaults, so that comparing a figure with
# another lesson's threshold, or the wrong way round, changes a verdict below.
CHECKS = Lab1Checks(
    min_distinct2_gain=0.3,
    prompt_lessons=True,
    max_no_prompt_same=0.15,
    min_template_differs=0.6,
    template_not_worse=True,
    min_no_prompt_distinct=0.35,
    min_no_prompt_own_dialogue=0.75,
    min_one_shot_style=0.7,
    max_zero_shot_style=0.08,
    max_copies_example=0.04,
    min_own_dialogue=0.85,
    max_non_words=0.03,
)

# Every figure exactly at its threshold (a lesson holds there), CIs just clear of theirs; the
# few-shot lesson compares its CI with one-shot's, so one step past either breaks it.
AT_THRESHOLDS = {
    "n_dialogues": 100,
    "top_temperature": 2.0,
    "distinct2_greedy": 0.2,
    "distinct2_top": 0.5,
    "distinct2_gain": 0.3,
    "non_word_share": 0.03,
    "no_prompt_same": 0.15,
    "instruction_vs_no_prompt": ConfidenceInterval(0.2, 0.01, 0.3),
    "no_prompt_distinct": 0.35,
    "no_prompt_own_dialogue": 0.75,
    "template_differs": 0.6,
    "template_vs_zero_shot": ConfidenceInterval(-0.02, -0.04, 0.0),  # reaches 0
    "one_shot_style": 0.7,
    "zero_shot_style": 0.08,
    "one_shot_copies": 0.04,
    "one_shot_own_dialogue": 0.85,
    "one_vs_zero_shot": ConfidenceInterval(0.2, 0.1, 0.3),
    "few_vs_one_shot": ConfidenceInterval(-0.05, -0.1, -0.01),  # below a one-shot CI at 0
}

# One step past each threshold: only that lesson breaks.
PAST_THRESHOLDS = {
    "n_dialogues": ("n_dialogues", 99),
    "distinct2_gain": ("distinct2_gain", 0.29),
    "non_words": ("non_word_share", 0.031),
    "no_prompt_same": ("no_prompt_same", 0.16),
    "instruction_vs_no_prompt": ("instruction_vs_no_prompt", ConfidenceInterval(0.2, -0.01, 0.3)),
    "no_prompt_distinct": ("no_prompt_distinct", 0.34),
    "no_prompt_own_dialogue": ("no_prompt_own_dialogue", 0.74),
    "template_differs": ("template_differs", 0.59),
    "template_vs_zero_shot": ("template_vs_zero_shot", ConfidenceInterval(-0.02, -0.04, -0.001)),
    "one_shot_style": ("one_shot_style", 0.69),
    "zero_shot_style": ("zero_shot_style", 0.09),
    "one_shot_copies": ("one_shot_copies", 0.05),
    "one_shot_own_dialogue": ("one_shot_own_dialogue", 0.84),
    "one_vs_zero_shot": ("one_vs_zero_shot", ConfidenceInterval(0.2, 0.0, 0.3)),
    "few_vs_one_shot": ("few_vs_one_shot", ConfidenceInterval(0.05, 0.0, 0.1)),
}


def test_every_lesson_holds_at_its_threshold():
    lessons = lab1.lessons(AT_THRESHOLDS, CHECKS, lessons_on=True)
    assert [lesson.key for lesson in lessons] == list(PAST_THRESHOLDS)
    assert all(lesson.holds for lesson in lessons), [x.line() for x in lessons if not x.holds]


@pytest.mark.parametrize("broken", list(PAST_THRESHOLDS))
def test_one_step_past_a_threshold_breaks_that_lesson_only(broken):
    name, value = PAST_THRESHOLDS[broken]
    lessons = lab1.lessons({**AT_THRESHOLDS, name: value}, CHECKS, lessons_on=True)
    assert [lesson.key for lesson in lessons if not lesson.holds] == [broken]


def test_more_examples_may_help_a_little_but_not_as_much_as_the_first():
    helps_a_little = ConfidenceInterval(0.03, 0.01, 0.05)
    lessons = lab1.lessons({**AT_THRESHOLDS, "few_vs_one_shot": helps_a_little}, CHECKS, True)
    assert all(lesson.holds for lesson in lessons)
    helps_as_much = ConfidenceInterval(0.2, 0.12, 0.28)  # overlaps one-shot's [0.1, 0.3]
    lessons = lab1.lessons({**AT_THRESHOLDS, "few_vs_one_shot": helps_as_much}, CHECKS, True)
    assert [lesson.key for lesson in lessons if not lesson.holds] == ["few_vs_one_shot"]


def test_lesson_lines_read_as_sentences_with_the_figures():
    lines = {x.key: x.line() for x in lab1.lessons(AT_THRESHOLDS, CHECKS, lessons_on=True)}
    assert lines["one_shot_style"] == (
        "✓ one solved example steers the summary to DialogSum's #PersonN# style: 70.0% of "
        "one-shot summaries in that style (needs >= 70%)"
    )
    assert lines["non_words"].endswith("3.0% of 100 samples (needs <= 3%)")
    assert (
        "distinct-2 0.500 vs greedy's 0.200, a gain of 0.300 (needs >= 0.3)"
        in lines["distinct2_gain"]
    )
    assert "ROUGE-1 +0.200 [+0.100, +0.300]" in lines["one_vs_zero_shot"]
    assert "at temperature 2.0 " in lines["distinct2_gain"]


def test_switched_off_lessons_are_left_out():
    assert lab1.lessons(AT_THRESHOLDS, CHECKS, lessons_on=False) == []
    no_prompts = replace(CHECKS, prompt_lessons=False, max_non_words=None)
    keys = [x.key for x in lab1.lessons(AT_THRESHOLDS, no_prompts, lessons_on=True)]
    assert keys == ["n_dialogues", "distinct2_gain"]
    unchecked = replace(
        CHECKS,
        template_not_worse=False,
        min_no_prompt_distinct=None,
        min_no_prompt_own_dialogue=None,
    )
    keys = {x.key for x in lab1.lessons(AT_THRESHOLDS, unchecked, lessons_on=True)}
    assert not keys & {"template_vs_zero_shot", "no_prompt_distinct", "no_prompt_own_dialogue"}


# ---- which rows ----


def test_the_draw_is_seeded_sized_sorted_and_skips_the_examples():
    split = [{}] * 600
    exclude = {3, 185, 470, 540}
    first = lab1.draw_eval_rows(split, 100, seed=42, exclude=exclude)
    assert first == lab1.draw_eval_rows(split, 100, seed=42, exclude=exclude)
    assert len(first) == len(set(first)) == 100 and first == sorted(first)
    assert not set(first) & exclude and set(first) <= set(range(600))
    others = [lab1.draw_eval_rows(split, 100, seed=s, exclude=exclude) for s in (101, 202)]
    assert first not in others and others[0] != others[1]
    assert first != list(range(100))  # a random sample, not the first rows
    # asked for more rows than there are: every row outside the examples, once
    assert lab1.draw_eval_rows([{}] * 10, 50, seed=1, exclude={0}) == list(range(1, 10))


def _row(chars: int, topic: str, abusive: bool = False) -> dict:
    return {"dialogue": "x" * chars, "summary": "s", "topic": topic, "abusive": abusive}


def test_pick_shots_takes_the_shortest_clean_dialogues_of_distinct_topics():
    split = [
        _row(150, "a"),  # 0: too short
        _row(170, "a"),  # 1
        _row(165, "b", abusive=True),  # 2: abusive
        _row(175, "a"),  # 3: topic a taken
        _row(180, "c"),  # 4
        _row(160, "d"),  # 5: excluded
        _row(200, "b"),  # 6
    ]
    assert lab1.pick_shots(split, 3, exclude={5}) == [1, 4, 6]
    assert lab1.pick_shots(split, 4) == [5, 1, 4, 6]


def test_the_tiny_profiles_shots_follow_the_rule(tiny_profile):
    from utils.data import load_dialogsum

    test = load_dialogsum(tiny_profile)["test"]
    few = lab1.pick_shots(test, 3, exclude=range(100))
    assert tuple(few) == tiny_profile.lab1.few_shot_indices
    assert few[:1] == list(tiny_profile.lab1.one_shot_indices)


def test_shots_for_test_another_split_and_another_one_shot(tiny_profile):
    split = [_row(170 + i, f"t{i % 7}") for i in range(20)]
    assert lab1.shots_for(tiny_profile, "test", split) == ((322,), (322, 201, 196))
    assert lab1.shots_for(tiny_profile, "test", split, 40) == ((40,), (40, 201, 196))
    assert lab1.shots_for(tiny_profile, "test", split, 201) == ((201,), (201, 196, 322))
    assert lab1.shots_for(tiny_profile, "validation", split) == ((0,), (0, 1, 2))
    assert lab1.shots_for(tiny_profile, "validation", split, 9) == ((9,), (9, 1, 2))


# ---- pieces of the measurement ----


def test_mean_distinct2_is_per_dialogue_then_averaged():
    # two dialogues, two samples each, stored sample by sample
    samples = ["a b c", "x y", "a b c", "x z"]
    expected = np.mean([distinct_n(["a b c", "a b c"]), distinct_n(["x y", "x z"])])
    assert lab1.mean_distinct2(samples, per_dialogue=2) == pytest.approx(expected)
    assert lab1.mean_distinct2(samples, per_dialogue=2) == pytest.approx((0.5 + 1.0) / 2)


def test_behaviour_table_counts_each_share():
    dialogues = [
        "#Person1#: I booked a flight to Paris.",
        "#Person1#: My laptop screen broke.",
        "#Person1#: The soup needs more salt.",
    ]
    references = ["#Person1# booked Paris.", "#Person1#'s laptop broke.", "Soup needs salt."]
    shots = [
        ("#Person1#: I love jazz concerts.", "#Person1# loves jazz concerts."),
        ("#Person1#: My cat is ill.", "#Person1#'s cat visits the vet."),
    ]
    predictions = {
        "zero-shot": ["A flight to Paris.", "A laptop broke.", "Soup needs salt."],
        "no prompt": ["#Person2#: Nice.", "A laptop broke.", "#Person2#: Ok."],
        "one-shot": ["#Person1# flies to Paris.", "#Person1# loves jazz concerts.", "Salt."],
        "few-shot": ["#Person1# flies to Paris.", "A laptop broke.", "The cat visits the vet."],
    }
    in_context = {"one-shot": shots[:1], "few-shot": shots}
    table = lab1.behaviour_table(predictions, dialogues, references, in_context)
    assert table.loc["no prompt", "same as zero-shot"] == pytest.approx(1 / 3)
    assert table.loc["zero-shot", "same as zero-shot"] == 1.0
    assert table.loc["one-shot", "#PersonN# style"] == pytest.approx(2 / 3)
    assert table.loc["one-shot", "summarizes an example"] == pytest.approx(1 / 3)
    assert np.isnan(table.loc["zero-shot", "summarizes an example"])
    assert table.loc["few-shot", "summarizes an example"] == pytest.approx(1 / 3)  # its 2nd shot
    assert table.loc["zero-shot", "about its own dialogue"] == 1.0  # each beats both others


def test_verdicts_follow_the_paired_ci():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.2, 0.4, 50)
    per_example = {
        "zero-shot": {"rouge1": base},
        "better": {"rouge1": base + 0.1},
        "worse": {"rouge1": base - 0.1},
        "same": {"rouge1": base + rng.normal(0, 0.05, 50) * np.resize([1, -1], 50)},
    }
    table = lab1.verdicts(per_example, seed=3)
    assert list(table.index) == ["better", "worse", "same"]
    assert table["verdict"].tolist() == [
        "better than zero-shot",
        "worse than zero-shot",
        "not distinguishable from zero-shot",
    ]
    same = bootstrap_ci(per_example["same"]["rouge1"], base, seed=3)
    assert same.low < 0 < same.high and table.loc["same", "rouge1 difference (95% CI)"] == str(same)


# ---- one real run on the tiny model ----


@pytest.fixture(scope="module")
def tiny_parts(tiny_profile):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from utils.data import load_dialogsum

    return (
        AutoModelForSeq2SeqLM.from_pretrained(tiny_profile.model_id).eval(),
        AutoTokenizer.from_pretrained(tiny_profile.model_id),
        load_dialogsum(tiny_profile),
    )


def test_a_small_real_run_measures_what_it_says(tiny_profile, tiny_parts):
    from transformers import GenerationConfig

    from utils.generation import summarize
    from utils.prompts import zero_shot_prompt

    model, tokenizer, dialogsum = tiny_parts
    profile = replace(
        tiny_profile, lab1=replace(tiny_profile.lab1, n_eval_dialogues=8, samples_per_setting=2)
    )
    test = dialogsum["test"]
    rows = lab1.draw_eval_rows(test, 8, profile.seed, exclude={322, 201, 196})
    scores = lab1.measure(
        model,
        tokenizer,
        test,
        rows,
        one_shot=(322,),
        few_shot=(322, 201, 196),
        known=lab1.known_words(tokenizer, dialogsum["train"]),
        profile=profile,
        progress=False,
    )
    figures = scores.figures
    assert list(scores.predictions) == list(lab1.STRATEGIES) and figures["n_dialogues"] == 8
    # zero-shot outputs are greedy summaries of the instruction prompt, one by one
    alone = summarize(
        model,
        tokenizer,
        [zero_shot_prompt(test[i]["dialogue"]) for i in rows[:2]],
        GenerationConfig(do_sample=False, max_new_tokens=profile.max_new_tokens),
        batch_size=1,
        progress=False,
    )
    assert scores.predictions["zero-shot"][:2] == alone
    one_shot = scores.predictions["one-shot"]
    styled = np.mean([bool(re.search(r"#Person\d#", p)) for p in one_shot])
    assert figures["one_shot_style"] == styled
    pairs = zip(scores.predictions["no prompt"], scores.predictions["zero-shot"], strict=True)
    assert figures["no_prompt_same"] == np.mean([a == b for a, b in pairs])
    assert figures["rouge1"]["one-shot"] == pytest.approx(
        np.mean(scores.per_example["one-shot"]["rouge1"])
    )
    assert len(scores.samples["temperature 2.0"]) == 16 and figures["samples_per_dialogue"] == 2
    assert figures["distinct2_greedy"] == pytest.approx(
        np.mean([distinct_n([p, p]) for p in scores.predictions["zero-shot"]])
    )
    assert figures["distinct2_gain"] > 0.2  # two samples at temperature 2.0 differ; greedy's not
    # run() draws the same rows from the profile's seed, and the same figures
    again = lab1.run(profile, model=model, tokenizer=tokenizer, dialogsum=dialogsum)
    assert again["rows"] == rows
    assert (
        again["rouge1"] == figures["rouge1"]
        and again["few_vs_one_shot"] == figures["few_vs_one_shot"]
    )
    assert again["sample_seed"] == profile.seed and again["one_shot"] == (322,)
