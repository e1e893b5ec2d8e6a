"""Lab 3's measurement and lessons (utils/lessons/lab3.py): the held-out draw, the abusive rule,
before vs after figures, the verdicts against the profile's thresholds, the benchmark's spread."""

from __future__ import annotations

import csv
from dataclasses import replace
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from datasets import Dataset  # noqa: E402

from utils.errors import LabsError  # noqa: E402
from utils.lessons import lab3  # noqa: E402
from utils.paths import TINY_CLASSIFIER_DIR, TINY_T5_DIR  # noqa: E402
from utils.profiles import COURSE, TINY, Lab3Checks  # noqa: E402

# ---- a classifier stand-in: a text is toxic when it holds one of a few words ----

RUDE = ("idiot", "moron", "shut up")


class KeywordClassifier:
    """Scores like a text-classification pipeline: P(hate) 0.9 for a rude text, 0.1 otherwise.
    Records every text it was asked to score."""

    def __init__(self):
        config = SimpleNamespace(label2id={"nothate": 0, "hate": 1}, max_position_embeddings=514)
        self.model = SimpleNamespace(config=config, name_or_path="keywords")
        self.tokenizer = SimpleNamespace(model_max_length=512)
        self.seen: list[str] = []

    def __call__(self, texts, **kwargs):
        self.seen += texts
        hate = [0.9 if any(w in t.lower() for w in RUDE) else 0.1 for t in texts]
        return [[{"label": "hate", "score": h}, {"label": "nothate", "score": 1 - h}] for h in hate]


def dialogue(*turns: str) -> str:
    return "\n".join(f"#Person{1 + i % 2}#: {t}" for i, t in enumerate(turns))


def test_a_dialogue_is_abusive_when_one_turn_is_toxic_and_each_turn_is_scored_once():
    dialogues = [
        dialogue("Hello.", "Hi, how can I help?", "Thank you."),  # clean
        dialogue("Hello.", "You idiot, read the sign.", "Thank you."),  # abusive
        dialogue("Hello.", "Shut up, nobody asked you."),  # abusive
        dialogue("Hello.", "Thank you.", "Idiotically priced, but fine."),  # "idiot" inside
        dialogue("Hello.", "I called him a moron once: #Person1#: no"),  # a colon in the turn
    ]
    pipe = KeywordClassifier()
    abusive = lab3.abusive_dialogues(pipe, dialogues)
    # by hand: dialogues 1, 2, 3 and 4 hold a rude word in a turn, dialogue 0 none
    assert abusive.tolist() == [False, True, True, True, True]
    distinct = {t for d in dialogues for t in lab3.dialogue_turns(d)}
    assert sorted(pipe.seen) == sorted(distinct)  # every distinct turn once, "Hello." once
    assert "Hello." in distinct and "#Person1#: Hello." not in distinct


def test_turns_drop_the_speaker_tag_only():
    text = "#Person1#: Time: ten o'clock.\n\n#Person2#: Fine."
    assert lab3.dialogue_turns(text) == ["Time: ten o'clock.", "Fine."]


def rows_of_lengths(lengths: list[int]) -> Dataset:
    return Dataset.from_dict(
        {
            "dialogue": [f"#Person1#: {'x' * (n - 11)}" for n in lengths],
            "summary": [f"summary {i}" for i in range(len(lengths))],
        }
    )


def test_in_range_keeps_the_course_length_range_in_order():
    lengths = [150, 199, 200, 640, 1000, 1001, 5000, 333]
    kept = lab3.in_range(rows_of_lengths(lengths), 200, 1000)
    assert [len(d) for d in kept["dialogue"]] == [200, 640, 1000, 333]


def test_the_draw_is_seeded_in_range_and_differs_across_seeds():
    rng = np.random.default_rng(0)
    rows = lab3.in_range(rows_of_lengths(rng.integers(100, 1200, size=400).tolist()), 200, 1000)
    n_in_range = len(rows)
    assert 250 < n_in_range < 400
    first, again, other = (lab3.draw(rows, 100, seed) for seed in (42, 42, 101))
    assert len(first) == 100
    assert all(200 <= len(d) <= 1000 for d in first["dialogue"])
    assert first["summary"] == again["summary"]  # deterministic
    assert first["summary"] != other["summary"]  # another seed, another sample
    assert len(set(first["summary"])) == 100  # without replacement
    # the draw is the seeded permutation of the rows, read independently
    order = np.random.default_rng(42).permutation(n_in_range)[:100]
    assert first["summary"] == [rows["summary"][int(i)] for i in order]


def test_a_split_with_no_more_rows_is_taken_whole_whatever_the_seed():
    rows = rows_of_lengths([300, 400, 500])
    for seed in (1, 2):
        assert lab3.draw(rows, 300, seed)["summary"] == rows["summary"]


def test_the_notebook_sample_size_is_the_profile_s():
    assert TINY.lab3.n_toxicity_eval == 300


# ---- before vs after ----


def measured(sampled_tox, course_tox, greedy_tox, rouge, summaries, margins) -> dict:
    return {
        "sampled": [f"s{i}" for i in range(len(summaries))],
        "summaries": summaries,
        "toxicity": np.array(sampled_tox, dtype=float),
        "toxicity, prompt + summary": np.array(course_tox, dtype=float),
        "greedy toxicity": np.array(greedy_tox, dtype=float),
        "ROUGE-1": np.array(rouge, dtype=float),
        "margins": np.array(margins, dtype=float),
    }


def four_dialogues() -> lab3.HeldOut:
    dialogues = [
        "#Person1#: The bus to the museum leaves at ten.",
        "#Person1#: My laptop screen is broken, you idiot.",
        "#Person1#: I want a table for two at the restaurant.",
        "#Person1#: Where is the train station, moron?",
    ]
    refs = ["bus museum", "laptop screen", "table restaurant", "train station"]
    return lab3.HeldOut(dialogues, refs, np.array([False, True, False, True]))


def test_compare_reports_each_figure_as_computed_by_hand():
    held = four_dialogues()
    before = measured(
        [0.1, 0.8, 0.1, 0.6],
        [0.1, 0.9, 0.1, 0.9],
        [0.05, 0.9, 0.05, 0.7],
        [0.5, 0.6, 0.7, 0.8],
        ["bus museum ten", "laptop screen idiot", "table for two", "train station moron"],
        [0.1, 1.0, 2.0, 0.3],
    )
    after = measured(
        [0.1, 0.2, 0.1, 0.2],
        [0.1, 0.9, 0.1, 0.8],
        [0.05, 0.1, 0.05, 0.6],
        [0.5, 0.5, 0.7, 0.8],
        ["bus museum ten", "laptop screen", "table for two people", "train station"],
        [0.1, 1.0, 2.0, 0.3],
    )
    f = lab3.compare(before, after, held, seed=0)
    assert f["n_dialogues"] == 4 and f["n_abusive"] == 2
    assert f["toxicity_before"] == pytest.approx(0.4) and f["toxicity_after"] == pytest.approx(0.15)
    assert f["toxicity_drop"] == pytest.approx(1 - 0.15 / 0.4)
    assert f["toxicity_change"] == pytest.approx(-0.25)
    assert f["toxicity_change_low"] <= -0.25 <= f["toxicity_change_high"]
    assert f["course_toxicity_change"] == pytest.approx(-0.025)
    assert f["rouge1_change"] == pytest.approx(-0.025)
    # greedy toxicity over the abusive dialogues: (0.9 + 0.7) / 2 -> (0.1 + 0.6) / 2
    assert f["greedy_toxicity_drop"] == pytest.approx(1 - 0.35 / 0.8)
    assert (f["abusive_greedy_toxic_before"], f["abusive_greedy_toxic_after"]) == (2, 1)
    # clean dialogues 0 and 2: 0 unchanged, 2 rewritten; abusive 1 and 3 both rewritten
    assert f["clean_unchanged"] == 0.5 and f["abusive_unchanged"] == 0.0
    assert f["clean_words_before"] == 3 and f["clean_words_after"] == 3.5
    # margins before: clean 0 (0.1 nats) is a near tie and unchanged; clean 2 (2.0) changed
    assert (f["clean_near_ties"], f["clean_no_near_ties"]) == (1, 1)
    assert (f["near_tie_changed"], f["no_near_tie_changed"]) == (0.0, 1.0)
    # each summary names its own dialogue's words and no other's: it beats all 3 others
    assert f["own_dialogue_before"] == 1.0 and f["own_dialogue_after"] == 1.0


def test_subset_mean_is_nan_where_nothing_is_selected():
    assert np.isnan(lab3.subset_mean([1.0, 2.0], np.array([False, False])))
    assert lab3.subset_mean([1.0, 2.0, 4.0], np.array([True, False, True])) == 2.5


# ---- lessons against hand-made figures ----

CHECKS = Lab3Checks(
    min_toxicity_drop=0.15,
    min_greedy_toxicity_drop=0.08,  # its own threshold, apart from the sampled drop's
    max_rouge1_drop=0.03,
    toxicity_before=(0.05, 0.30),
    min_own_dialogue=0.9,
    min_clean_unchanged=0.7,
    near_ties_change_more=True,
    min_rm_accuracy=0.95,
)

PASSING = {
    "n_dialogues": 300,
    "n_abusive": 90,
    "toxicity_before": 0.20,
    "toxicity_after": 0.14,
    "toxicity_drop": 0.30,
    "toxicity_change": -0.06,
    "toxicity_change_low": -0.08,
    "toxicity_change_high": -0.04,
    "greedy_toxicity_drop": 0.50,
    "abusive_greedy_toxic_before": 70,
    "abusive_greedy_toxic_after": 20,
    "rouge1_change": -0.02,
    "rouge1_change_low": -0.03,
    "rouge1_change_high": -0.01,
    "own_dialogue_before": 0.96,
    "own_dialogue_after": 0.95,
    "clean_unchanged": 0.80,
    "clean_near_ties": 150,
    "clean_no_near_ties": 60,
    "near_tie_changed": 0.25,
    "no_near_tie_changed": 0.02,
    "rm_accuracy": 0.97,
}
KEYS = [
    "toxicity_before",
    "toxicity_drop",
    "toxicity_ci_below_zero",
    "greedy_toxicity_drop",
    "rouge1_change",
    "own_dialogue",
    "clean_unchanged",
    "near_ties_change_more",
    "rm_accuracy",
]


def verdicts(figures: dict, checks: Lab3Checks = CHECKS) -> dict[str, bool]:
    return {lesson.key: lesson.holds for lesson in lab3.lessons(figures, checks, True)}


def test_every_lesson_holds_on_passing_figures_with_stable_keys():
    assert verdicts(PASSING) == dict.fromkeys(KEYS, True)


@pytest.mark.parametrize(
    ("changes", "broken"),
    [
        ({"toxicity_before": 0.04}, "toxicity_before"),  # nothing to remove
        ({"toxicity_before": 0.31}, "toxicity_before"),
        ({"toxicity_drop": 0.149}, "toxicity_drop"),  # just under 0.15
        ({"toxicity_change_high": 0.001}, "toxicity_ci_below_zero"),
        ({"toxicity_change_high": 0.0}, "toxicity_ci_below_zero"),  # touching 0 is not below
        ({"greedy_toxicity_drop": 0.079}, "greedy_toxicity_drop"),  # just under 0.08
        ({"toxicity_drop": 0.149, "greedy_toxicity_drop": 0.09}, "toxicity_drop"),
        ({"rouge1_change": -0.031}, "rouge1_change"),  # past the 0.03 allowed
        ({"own_dialogue_after": 0.899}, "own_dialogue"),
        ({"clean_unchanged": 0.69}, "clean_unchanged"),
        ({"near_tie_changed": 0.02}, "near_ties_change_more"),  # a tie is not more
        ({"rm_accuracy": 0.94}, "rm_accuracy"),  # under 0.95, over the course's 0.9
    ],
)
def test_each_lesson_breaks_alone_at_its_own_threshold(changes, broken):
    got = verdicts(PASSING | changes)
    assert got == {key: key != broken for key in KEYS}


def test_the_thresholds_are_the_checks_not_constants():
    at_the_edge = PASSING | {"toxicity_drop": 0.15, "rouge1_change": -0.03, "clean_unchanged": 0.7}
    assert all(verdicts(at_the_edge).values())
    stricter = replace(CHECKS, min_toxicity_drop=0.2, max_rouge1_drop=0.02, min_clean_unchanged=0.9)
    got = verdicts(PASSING, stricter)
    assert got["toxicity_drop"] is True  # 0.30 >= 0.2 still holds
    assert got["rouge1_change"] is True  # -0.02 >= -0.02
    assert got["clean_unchanged"] is False  # 0.80 < 0.9
    lesson = next(x for x in lab3.lessons(PASSING, stricter, True) if x.key == "clean_unchanged")
    assert lesson.needs == ">= 0.9" and lesson.value == 0.8


def test_what_the_course_checks_and_what_smoke_scale_checks():
    course = {lesson.key for lesson in lab3.lessons(PASSING, COURSE.checks.lab3, True)}
    assert course == {"rouge1_change", "rm_accuracy"}  # no toxicity threshold in course
    assert lab3.lessons(PASSING, CHECKS, lessons_on=False) == []
    without_rm = {k: v for k, v in PASSING.items() if k != "rm_accuracy"}
    assert "rm_accuracy" not in verdicts(without_rm)  # the benchmark trains no reward model
    no_ties = PASSING | {"clean_near_ties": 0}
    assert "near_ties_change_more" not in verdicts(no_ties)  # nothing to compare


def test_the_lesson_lines_show_the_measured_figures():
    lines = {x.key: x.line() for x in lab3.lessons(PASSING, CHECKS, True)}
    assert lines["toxicity_drop"] == (
        "✓ PPO lowers the toxicity of the summaries: 0.200 -> 0.140 (-30%) (needs >= 0.15)"
    )
    assert "-0.060 [-0.080, -0.040]" in lines["toxicity_ci_below_zero"]


# ---- the benchmark's spread ----


def write_rows(path, rows):
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(
            f, fieldnames=["lab", "split", "seed", "sample", "key", "value", "holds"]
        )
        writer.writeheader()
        writer.writerows(rows)


def test_the_spread_reads_lab_3_rows_of_one_key(tmp_path):
    path = tmp_path / "lessons.csv"
    rows = [
        {"lab": 3, "split": "test", "seed": s, "sample": f"draw {d}", "key": "toxicity_drop",
         "value": v, "holds": v >= 0.15}
        for (s, d), v in zip([(1, 1), (1, 2), (2, 1)], [0.30, 0.10, 0.25], strict=True)
    ]  # fmt: skip
    rows += [
        {"lab": 3, "split": "validation", "seed": 1, "sample": "every in-range row",
         "key": "toxicity_drop", "value": 0.2, "holds": True},
        {"lab": 3, "split": "test", "seed": 1, "sample": "draw 1", "key": "rouge1_change",
         "value": -0.02, "holds": True},
        {"lab": 2, "split": "test", "seed": 1, "sample": "x", "key": "toxicity_drop",
         "value": 9.0, "holds": True},
    ]  # fmt: skip
    write_rows(path, rows)
    runs = lab3.benchmark_runs(path)
    assert sorted(runs["value"]) == [0.10, 0.2, 0.25, 0.30]
    assert lab3.spread_summary(runs).splitlines() == [
        "test: 3 runs, toxicity change from -30% to -10% (median -25%); the lesson held in 2 of 3",
        "validation: 1 runs, toxicity change from -20% to -20% (median -20%); the lesson held in 1 "
        "of 1",
    ]
    assert not lab3.is_placeholder(runs)
    ax = lab3.spread_figure(runs, this_run=0.28).axes[0]
    drawn = sorted(y for line in ax.get_lines() for y in line.get_ydata())
    for value in (-30, -10, -25, -20, -28, 100 * lab3.COURSE_RERUNS["median"]):
        assert any(abs(y - value) < 1e-9 for y in drawn), value


def test_placeholder_rows_say_so_and_a_missing_file_says_what_to_run(tmp_path):
    path = tmp_path / "lessons.csv"
    write_rows(
        path,
        [{"lab": 3, "split": "test", "seed": 1, "sample": "placeholder", "key": "toxicity_drop",
          "value": 0.0, "holds": False}],
    )  # fmt: skip
    runs = lab3.benchmark_runs(path)
    assert lab3.is_placeholder(runs)
    assert lab3.spread_summary(runs).splitlines() == [
        "test: 1 runs, toxicity change from +0% to +0% (median +0%); the lesson held in 0 of 1",
        "PLACEHOLDER rows, not measured: run benchmarks/lessons.py --labs 3",
    ]
    assert "PLACEHOLDER" in lab3.spread_figure(runs).axes[0].get_title()
    with pytest.raises(LabsError, match="benchmarks/lessons.py --labs 3"):
        lab3.benchmark_runs(tmp_path / "absent.csv")
    with pytest.raises(LabsError, match="no lab-3 rows for 'rouge1_change'"):
        lab3.benchmark_runs(path, key="rouge1_change")


def test_the_committed_results_file_has_the_benchmark_s_columns():
    with lab3.RESULTS_CSV.open() as f:
        header = next(csv.reader(f))
    assert header[:7] == ["lab", "split", "seed", "sample", "key", "value", "holds"]
    assert len(lab3.benchmark_runs()) > 0


# ---- with the tiny models ----

needs_assets = pytest.mark.skipif(
    not (TINY_T5_DIR / "config.json").is_file()
    or not (TINY_CLASSIFIER_DIR / "config.json").is_file(),
    reason="the tiny models are not built (make assets)",
)


@needs_assets
def test_ppo_prompts_are_the_instruction_prompt_tokenized_row_by_row():
    from transformers import AutoTokenizer

    from utils.prompts import zero_shot_prompt

    tokenizer = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    rows = rows_of_lengths([250, 3000])
    prompts = lab3.ppo_prompts(rows, tokenizer, context_window=64)
    for d, ids in zip(rows["dialogue"], prompts["input_ids"], strict=True):
        assert ids == tokenizer(zero_shot_prompt(d), truncation=True, max_length=64)["input_ids"]
    assert len(prompts["input_ids"][1]) == 64 and prompts.column_names == ["input_ids"]


@needs_assets
def test_measure_policy_repeats_its_samples_and_scores_them_with_the_classifier():
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, pipeline

    from utils.evaluation import rouge_scores
    from utils.reward import toxicity_scores

    tokenizer = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    model = AutoModelForSeq2SeqLM.from_pretrained(TINY_T5_DIR)
    pipe = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), device="cpu")
    held = four_dialogues()
    settings = lab3.MeasureSettings(max_new_tokens=12, batch_size=2, seed=7)
    first = lab3.measure_policy(model, tokenizer, held, pipe, settings, progress=False)
    again = lab3.measure_policy(model, tokenizer, held, pipe, settings, progress=False)
    assert first["sampled"] == again["sampled"]  # the same seed: the same draws
    other = lab3.measure_policy(
        model, tokenizer, held, pipe, replace(settings, seed=8), progress=False
    )
    assert other["sampled"] != first["sampled"] and other["summaries"] == first["summaries"]
    assert np.allclose(first["toxicity"], toxicity_scores(pipe, first["sampled"]))
    with_prompt = [f"{p} {s}" for p, s in zip(held.prompts, first["sampled"], strict=True)]
    assert np.allclose(first["toxicity, prompt + summary"], toxicity_scores(pipe, with_prompt))
    expected = rouge_scores(first["summaries"], held.references, per_example=True)["rouge1"]
    assert np.allclose(first["ROUGE-1"], expected)
    assert first["margins"].shape == (4,) and (first["margins"] >= 0).all()


def test_change_table_reads_relative_changes_and_nan_from_a_start_at_zero():
    keys = ("toxicity", "course_toxicity", "rouge1")
    figures = {f"{k}_{end}": 0.0 for k in keys for end in ("change", "change_low", "change_high")}
    figures.update(
        toxicity_before=0.2, toxicity_after=0.15, course_toxicity_before=0.4,
        course_toxicity_after=0.5, rouge1_before=0.0, rouge1_after=0.05,
    )  # fmt: skip
    relative = lab3.change_table(figures)["relative change"]
    assert relative.iloc[0] == pytest.approx(-0.25) and relative.iloc[1] == pytest.approx(0.25)
    assert np.isnan(relative.iloc[2])  # a random model's ROUGE-1 can start at 0
