"""Lab 1's measurement and the lessons its check cell asserts.

``draw_eval_rows`` draws the held-out dialogues (seeded: ``LABS_SEED`` gives another sample);
``measure`` generates every prompting strategy's summaries for them in batches and computes the
figures; ``lessons`` turns the figures into verdicts against the profile's thresholds; ``run``
does all of it from a profile, for ``benchmarks/lessons.py`` and ``world/measure.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from transformers import GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase, set_seed

from utils.evaluation import (
    ConfidenceInterval,
    about_own_dialogue,
    bootstrap_ci,
    copies_example,
    distinct_n,
    has_non_word,
    in_person_style,
    rouge_scores,
    vocabulary,
)
from utils.generation import summarize
from utils.lessons import Lesson, at_least
from utils.profiles import Lab1Checks, Profile
from utils.prompts import (
    in_context_prompt,
    no_prompt,
    prompt_length,
    template_prompt,
    zero_shot_prompt,
)

STRATEGIES = ("no prompt", "zero-shot", "template", "one-shot", "few-shot")
"""The prompting strategies lab 1 scores, in the lab's order."""
METRICS = ("rouge1", "rouge2", "rougeL")
"""The ROUGE scores lab 1 reports."""
METRIC_NAMES = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}
"""How plots and tables name them."""
MIN_DIALOGUES = 100
"""Fewest scored dialogues for which the lab's confidence intervals mean something."""
MIN_SHOT_CHARS = 160
"""Shortest dialogue ``pick_shots`` takes as a solved example (a shorter one says too little)."""

Rows = Sequence[Mapping[str, Any]]
"""A split: a ``datasets.Dataset`` or a list of rows, each with ``dialogue`` and ``summary``."""


# ---- which rows: the solved examples and the held-out draw ----


def draw_eval_rows(split: Rows, n: int, seed: int, exclude: Iterable[int] = ()) -> list[int]:
    """A seeded random sample of ``n`` row indices of ``split`` (all of them when ``n`` is
    larger), never one of ``exclude`` (the solved examples of the prompts), in ascending order."""
    excluded = set(exclude)
    candidates = [i for i in range(len(split)) if i not in excluded]
    rng = np.random.default_rng(seed)
    chosen = rng.choice(candidates, size=min(n, len(candidates)), replace=False)
    return sorted(int(i) for i in chosen)


def pick_shots(split: Rows, n: int, exclude: Iterable[int] = ()) -> list[int]:
    """``n`` solved examples for in-context prompts: the shortest clean dialogues of at least
    ``MIN_SHOT_CHARS`` characters, each of another topic, outside ``exclude`` (short shots keep
    a few-shot prompt inside the window; the tiny profile's test shots follow this rule)."""
    excluded = set(exclude)
    candidates = sorted(
        (i for i in range(len(split)) if i not in excluded and not split[i].get("abusive")),
        key=lambda i: (len(split[i]["dialogue"]), i),
    )
    chosen: list[int] = []
    for i in candidates:
        if len(chosen) == n:
            break
        topic = split[i].get("topic")
        if len(split[i]["dialogue"]) >= MIN_SHOT_CHARS and all(
            split[j].get("topic") != topic for j in chosen
        ):
            chosen.append(i)
    return chosen


def shots_for(
    profile: Profile, split_name: str, split: Rows, one_shot_index: int | None = None
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The (one-shot, few-shot) example rows of ``split``: the profile's on the test split,
    ``pick_shots`` on another. With ``one_shot_index``, that row is the one-shot example and
    the few-shot prompt's first, followed by the other default examples."""
    if split_name == "test":
        default_few = tuple(profile.lab1.few_shot_indices)
        default_one = tuple(profile.lab1.one_shot_indices)
    else:
        default_few = tuple(pick_shots(split, len(profile.lab1.few_shot_indices)))
        default_one = default_few[:1]
    if one_shot_index is None:
        return default_one, default_few
    others = [i for i in (*default_few[1:], *default_few[:1]) if i != one_shot_index]
    return (one_shot_index,), (one_shot_index, *others[: len(default_few) - 1])


def examples_of(split: Rows, indices: Iterable[int]) -> list[tuple[str, str]]:
    """(dialogue, human summary) pairs of the rows at ``indices``: an in-context prompt's shots."""
    return [(split[i]["dialogue"], split[i]["summary"]) for i in indices]


def known_words(tokenizer: PreTrainedTokenizerBase, train: Rows) -> frozenset[str]:
    """The words the model can have learned: the whole words of its tokenizer (``▁word``
    pieces) and every word of the training split's dialogues and summaries."""
    whole_words = [piece[1:] for piece in tokenizer.get_vocab() if piece.startswith("▁")]
    texts = [text for row in train for text in (row["dialogue"], row["summary"])]
    return vocabulary([*texts, *whole_words])


# ---- the measurement ----


@dataclass(frozen=True)
class Lab1Scores:
    """Everything section 1.7 shows and the check cell asserts, for one draw of dialogues."""

    rows: list[int]
    """The scored rows of the split."""
    references: list[str]
    """Their human summaries."""
    prompt_tokens: dict[str, list[int]]
    """Per strategy, each prompt's length in tokens."""
    predictions: dict[str, list[str]]
    """Per strategy, the greedy summaries."""
    per_example: dict[str, dict[str, list[float]]]
    """Per strategy and ROUGE type, one score per dialogue."""
    behaviour: pd.DataFrame
    """Per strategy: shares the same as zero-shot, in #PersonN# style, about its own dialogue
    (mean share of the other dialogues that its own beats), summarizing an example."""
    samples: dict[str, list[str]]
    """Sampled zero-shot summaries: ``"temperature 1.0"`` one per dialogue, unfiltered; the
    highest temperature ``samples_per_setting`` per dialogue (sample k of every dialogue, then
    sample k + 1)."""
    figures: dict[str, Any]
    """The figures ``lessons`` reads: plain floats and ``ConfidenceInterval``s."""


def strategy_prompts(
    dialogues: Sequence[str],
    one_shot: Sequence[tuple[str, str]],
    few_shot: Sequence[tuple[str, str]],
) -> dict[str, list[str]]:
    """Each strategy's prompt for every dialogue (``one_shot``/``few_shot``: solved pairs)."""
    return {
        "no prompt": [no_prompt(d) for d in dialogues],
        "zero-shot": [zero_shot_prompt(d) for d in dialogues],
        "template": [template_prompt(d) for d in dialogues],
        "one-shot": [in_context_prompt(one_shot, d) for d in dialogues],
        "few-shot": [in_context_prompt(few_shot, d) for d in dialogues],
    }


def _share(flags: Iterable[bool]) -> float:
    flags = list(flags)
    return float(np.mean(flags)) if flags else float("nan")


def _copies_an_example(
    outputs: Sequence[str], references: Sequence[str], shots: Sequence[tuple[str, str]]
) -> float:
    """Share of ``outputs`` that say more of some example's summary than of their own."""
    return _share(
        any(copies_example(output, summary, reference) for _, summary in shots)
        for output, reference in zip(outputs, references, strict=True)
    )


def behaviour_table(
    predictions: Mapping[str, Sequence[str]],
    dialogues: Sequence[str],
    references: Sequence[str],
    shots: Mapping[str, Sequence[tuple[str, str]]],
) -> pd.DataFrame:
    """Per strategy: how its outputs behave, beyond ROUGE (``shots``: each in-context
    strategy's solved examples; the others get NaN in the last column)."""
    zero_shot = predictions["zero-shot"]
    table = {
        name: {
            "same as zero-shot": _share(p == z for p, z in zip(outputs, zero_shot, strict=True)),
            "#PersonN# style": _share(in_person_style(p) for p in outputs),
            "about its own dialogue": float(about_own_dialogue(outputs, dialogues).mean()),
            "summarizes an example": (
                _copies_an_example(outputs, references, shots[name])
                if name in shots
                else float("nan")
            ),
        }
        for name, outputs in predictions.items()
    }
    return pd.DataFrame(table).T


def mean_distinct2(samples: Sequence[str], per_dialogue: int) -> float:
    """Mean over dialogues of distinct-2 among each dialogue's ``per_dialogue`` samples;
    ``samples`` holds sample 0 of every dialogue, then sample 1, and so on."""
    n = len(samples) // per_dialogue
    groups = [samples[i::n] for i in range(n)]
    return float(np.mean([distinct_n(group, n=2) for group in groups]))


def measure(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    split: Rows,
    rows: Sequence[int],
    *,
    one_shot: Sequence[int],
    few_shot: Sequence[int],
    known: frozenset[str],
    profile: Profile,
    progress: bool = True,
) -> Lab1Scores:
    """Score every prompting strategy on ``split``'s ``rows``, greedy and batched; then sample
    zero-shot summaries at temperature 1.0 (non-words against ``known``) and at the highest
    temperature (``samples_per_setting`` per dialogue: distinct-2 against greedy's).

    Seeded with ``profile.seed``: the same call gives the same figures. The paired bootstrap
    CIs compare two strategies on the same dialogues (each resample draws dialogues, and takes
    both strategies' scores of each)."""
    settings, seed = profile.lab1, profile.seed
    dialogues = [split[i]["dialogue"] for i in rows]
    references = [split[i]["summary"] for i in rows]
    shots = {"one-shot": examples_of(split, one_shot), "few-shot": examples_of(split, few_shot)}
    prompts = strategy_prompts(dialogues, shots["one-shot"], shots["few-shot"])
    window = profile.context_window
    prompt_tokens = {
        name: [prompt_length(tokenizer, p, window, warn=False).n_tokens for p in texts]
        for name, texts in prompts.items()
    }

    def generate(texts: list[str], config: GenerationConfig, desc: str) -> list[str]:
        with warnings.catch_warnings():  # overflowing prompts are counted in the figures
            warnings.filterwarnings("ignore", message=r"\d+ of \d+ inputs exceed")
            return summarize(
                model,
                tokenizer,
                texts,
                config,
                batch_size=profile.gen_batch_size,
                max_input_tokens=window,
                desc=desc,
                progress=progress,
            )

    greedy = GenerationConfig(do_sample=False, max_new_tokens=profile.max_new_tokens)
    predictions = {name: generate(texts, greedy, name) for name, texts in prompts.items()}
    per_example = {
        name: {m: list(v) for m, v in rouge_scores(outputs, references, per_example=True).items()}
        for name, outputs in predictions.items()
    }
    behaviour = behaviour_table(predictions, dialogues, references, shots)

    set_seed(seed)
    unfiltered = GenerationConfig(
        do_sample=True, temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=profile.max_new_tokens
    )
    at_one = generate(prompts["zero-shot"], unfiltered, "temperature 1.0")
    top_t, k = float(max(settings.temperatures)), settings.samples_per_setting
    hot = GenerationConfig(
        do_sample=True, temperature=top_t, top_k=0, top_p=1.0, max_new_tokens=profile.max_new_tokens
    )
    at_top: list[str] = []
    for sample in range(k):
        set_seed(seed + sample)
        at_top += generate(prompts["zero-shot"], hot, f"temperature {top_t}, sample {sample + 1}")

    def rouge1_ci(name: str, baseline: str) -> ConfidenceInterval:
        return bootstrap_ci(per_example[name]["rouge1"], per_example[baseline]["rouge1"], seed=seed)

    distinct2_greedy = mean_distinct2(predictions["zero-shot"] * k, k)
    distinct2_top = mean_distinct2(at_top, k)
    figures = {
        "n_dialogues": len(rows),
        "rouge1": {name: float(np.mean(s["rouge1"])) for name, s in per_example.items()},
        "prompts_over_window": {
            name: sum(n > window for n in lengths) for name, lengths in prompt_tokens.items()
        },
        "no_prompt_same": float(behaviour.loc["no prompt", "same as zero-shot"]),
        "no_prompt_distinct": len(set(predictions["no prompt"])) / len(rows),
        "no_prompt_own_dialogue": float(behaviour.loc["no prompt", "about its own dialogue"]),
        "template_differs": 1 - float(behaviour.loc["template", "same as zero-shot"]),
        "one_shot_style": float(behaviour.loc["one-shot", "#PersonN# style"]),
        "zero_shot_style": float(behaviour.loc["zero-shot", "#PersonN# style"]),
        "one_shot_copies": float(behaviour.loc["one-shot", "summarizes an example"]),
        "one_shot_own_dialogue": float(behaviour.loc["one-shot", "about its own dialogue"]),
        "instruction_vs_no_prompt": rouge1_ci("zero-shot", "no prompt"),
        "template_vs_zero_shot": rouge1_ci("template", "zero-shot"),
        "one_vs_zero_shot": rouge1_ci("one-shot", "zero-shot"),
        "few_vs_one_shot": rouge1_ci("few-shot", "one-shot"),
        "top_temperature": float(top_t),
        "samples_per_dialogue": k,
        "distinct2_greedy": distinct2_greedy,
        "distinct2_top": distinct2_top,
        "distinct2_gain": distinct2_top - distinct2_greedy,
        "non_word_share": _share(has_non_word(s, known) for s in at_one),
        "non_word_share_top": _share(has_non_word(s, known) for s in at_top),
    }
    return Lab1Scores(
        rows=list(rows),
        references=references,
        prompt_tokens=prompt_tokens,
        predictions=predictions,
        per_example=per_example,
        behaviour=behaviour,
        samples={"temperature 1.0": at_one, f"temperature {top_t}": at_top},
        figures=figures,
    )


# ---- what the numbers say ----


def prompt_table(prompt_tokens: Mapping[str, Sequence[int]], window: int) -> pd.DataFrame:
    """Per strategy: mean and longest prompt in tokens, and how many overflow ``window``."""
    return pd.DataFrame(
        {
            "mean tokens": {name: float(np.mean(t)) for name, t in prompt_tokens.items()},
            "max tokens": {name: max(t) for name, t in prompt_tokens.items()},
            "prompts over the window": {
                name: sum(n > window for n in t) for name, t in prompt_tokens.items()
            },
        }
    ).round(1)


def verdicts(
    per_example: Mapping[str, Mapping[str, Sequence[float]]],
    baseline: str = "zero-shot",
    metric: str = "rouge1",
    seed: int = 0,
) -> pd.DataFrame:
    """One row per strategy other than ``baseline``: its ``metric`` difference from the
    baseline with the paired bootstrap 95% CI, and the verdict that CI allows ("better",
    "worse" or "not distinguishable": the CI holds zero)."""
    table = {}
    for name, scores in per_example.items():
        if name == baseline:
            continue
        ci = bootstrap_ci(scores[metric], per_example[baseline][metric], seed=seed)
        if ci.low > 0:
            verdict = f"better than {baseline}"
        elif ci.high < 0:
            verdict = f"worse than {baseline}"
        else:
            verdict = f"not distinguishable from {baseline}"
        table[name] = {f"{metric} difference (95% CI)": str(ci), "verdict": verdict}
    return pd.DataFrame(table).T


def _share_lesson(
    key: str, claim: str, value: float, threshold: float, shown: str, most: bool
) -> Lesson:
    """A lesson on a share (``shown`` holds ``{share}``), shown and judged in percent."""
    holds = value <= threshold if most else value >= threshold
    needs = f"{'<=' if most else '>='} {threshold:.0%}"
    return Lesson(key, claim, float(value), shown.format(share=f"{value:.1%}"), needs, holds)


def _ci_lesson(key: str, claim: str, ci: ConfidenceInterval) -> Lesson:
    """A lesson on a paired ROUGE-1 difference: it holds when the 95% CI lies above 0."""
    shown = f"ROUGE-1 {ci} (difference, 95% CI)"
    return Lesson(key, claim, ci.low, shown, "a CI above 0", bool(ci.low > 0))


def _not_worse_lesson(key: str, claim: str, ci: ConfidenceInterval) -> Lesson:
    """A lesson on a paired ROUGE-1 difference: it holds when the 95% CI reaches 0 or above
    (no evidence that the first is worse)."""
    shown = f"ROUGE-1 {ci} (difference, 95% CI)"
    return Lesson(key, claim, ci.high, shown, "a CI reaching 0", bool(ci.high >= 0))


def _adds_less_lesson(more: ConfidenceInterval, first: ConfidenceInterval) -> Lesson:
    """More examples add less than the first: the CI of few-shot's difference from one-shot
    lies wholly below the CI of one-shot's difference from zero-shot."""
    return Lesson(
        "few_vs_one_shot",
        "more examples add far less than the first one",
        first.low - more.high,
        f"few-shot vs one-shot ROUGE-1 {more}, one-shot vs zero-shot {first}",
        "the first CI wholly below the second",
        bool(more.high < first.low),
    )


def _no_prompt_lessons(f: Mapping[str, Any], checks: Lab1Checks) -> list[Lesson]:
    """Without a prompt the model continues *this* dialogue: varied outputs about their own
    dialogue (checked where ``checks`` sets the thresholds)."""
    found = []
    if checks.min_no_prompt_distinct is not None:
        found.append(
            _share_lesson(
                "no_prompt_distinct",
                "without a prompt each dialogue gets its own continuation",
                f["no_prompt_distinct"],
                checks.min_no_prompt_distinct,
                "{share} of no-prompt outputs are distinct",
                most=False,
            )
        )
    if checks.min_no_prompt_own_dialogue is not None:
        found.append(
            _share_lesson(
                "no_prompt_own_dialogue",
                "a no-prompt continuation is about its own dialogue",
                f["no_prompt_own_dialogue"],
                checks.min_no_prompt_own_dialogue,
                "a continuation's own dialogue beats {share} of the others, on average",
                most=False,
            )
        )
    return found


def lessons(figures: Mapping[str, Any], checks: Lab1Checks, lessons_on: bool) -> list[Lesson]:
    """Lab 1's lessons, judged on ``figures`` (``measure``'s) against ``checks``. None when
    ``lessons_on`` is False: random weights cannot show them."""
    if not lessons_on:
        return []
    f = figures
    n = f["n_dialogues"]
    t = float(f["top_temperature"])
    found = [
        at_least(
            "n_dialogues",
            "enough dialogues for the confidence intervals to mean something",
            n,
            MIN_DIALOGUES,
            f"{n} dialogues",
        ),
        at_least(
            "distinct2_gain",
            f"sampling at temperature {t} varies more than greedy decoding",
            f["distinct2_gain"],
            checks.min_distinct2_gain,
            f"distinct-2 {f['distinct2_top']:.3f} vs greedy's {f['distinct2_greedy']:.3f}, "
            f"a gain of {f['distinct2_gain']:.3f}",
        ),
    ]
    if checks.max_non_words is not None:
        found.append(
            _share_lesson(
                "non_words",
                "sampling at temperature 1 without filters rarely invents a word",
                f["non_word_share"],
                checks.max_non_words,
                f"{{share}} of {n} samples",
                most=True,
            )
        )
    if not checks.prompt_lessons:
        return found
    return found + [
        _share_lesson(
            "no_prompt_same",
            "without a prompt the model answers differently than with the instruction",
            f["no_prompt_same"],
            checks.max_no_prompt_same,
            "{share} of no-prompt outputs equal zero-shot's",
            most=True,
        ),
        _ci_lesson(
            "instruction_vs_no_prompt",
            "the instruction beats no prompt",
            f["instruction_vs_no_prompt"],
        ),
        *_no_prompt_lessons(f, checks),
        _share_lesson(
            "template_differs",
            "the model's own template gives another rendering",
            f["template_differs"],
            checks.min_template_differs,
            "{share} of template outputs differ from zero-shot's",
            most=False,
        ),
        *(
            [
                _not_worse_lesson(
                    "template_vs_zero_shot",
                    "the model's own template does at least as well as the instruction",
                    f["template_vs_zero_shot"],
                )
            ]
            if checks.template_not_worse
            else []
        ),
        _share_lesson(
            "one_shot_style",
            "one solved example steers the summary to DialogSum's #PersonN# style",
            f["one_shot_style"],
            checks.min_one_shot_style,
            "{share} of one-shot summaries in that style",
            most=False,
        ),
        _share_lesson(
            "zero_shot_style",
            "without an example the model seldom writes that style",
            f["zero_shot_style"],
            checks.max_zero_shot_style,
            "{share} of zero-shot summaries in that style",
            most=True,
        ),
        _share_lesson(
            "one_shot_copies",
            "one-shot summarizes the dialogue asked about, not the example",
            f["one_shot_copies"],
            checks.max_copies_example,
            "{share} of one-shot summaries summarize the example",
            most=True,
        ),
        _share_lesson(
            "one_shot_own_dialogue",
            "one-shot summaries are about their own dialogue",
            f["one_shot_own_dialogue"],
            checks.min_own_dialogue,
            "a summary's own dialogue beats {share} of the others, on average",
            most=False,
        ),
        _ci_lesson("one_vs_zero_shot", "one-shot beats zero-shot", f["one_vs_zero_shot"]),
        _adds_less_lesson(f["few_vs_one_shot"], f["one_vs_zero_shot"]),
    ]


# ---- end to end, for the benchmark ----


def run(
    profile: Profile,
    *,
    split: str = "test",
    sample_seed: int | None = None,
    one_shot_index: int | None = None,
    model: PreTrainedModel | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
    dialogsum=None,
) -> dict[str, Any]:
    """Lab 1's whole measurement: draw ``n_eval_dialogues`` rows of ``split`` (seeded by
    ``sample_seed``, default ``profile.seed``), outside the solved examples (``shots_for``:
    ``one_shot_index`` of the same split, default the profile's), and return ``measure``'s
    figures plus what was drawn. Loads the model, tokenizer and data unless given."""
    if dialogsum is None:
        from utils.data import load_dialogsum

        dialogsum = load_dialogsum(profile)
    if model is None or tokenizer is None:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        from utils.errors import explain_load_errors
        from utils.generation import get_device, model_dtype

        with explain_load_errors("tokenizer", profile.model_id):
            tokenizer = AutoTokenizer.from_pretrained(profile.model_id)
        with explain_load_errors("model", profile.model_id):
            model = AutoModelForSeq2SeqLM.from_pretrained(
                profile.model_id, dtype=model_dtype(profile)
            )
        model = model.to(get_device()).eval()
    data = dialogsum[split]
    one, few = shots_for(profile, split, data, one_shot_index)
    draw_seed = profile.seed if sample_seed is None else sample_seed
    rows = draw_eval_rows(data, profile.lab1.n_eval_dialogues, draw_seed, exclude={*one, *few})
    known = known_words(tokenizer, dialogsum["train"])
    scores = measure(
        model,
        tokenizer,
        data,
        rows,
        one_shot=one,
        few_shot=few,
        known=known,
        profile=profile,
        progress=False,
    )
    drawn = {"split": split, "sample_seed": draw_seed, "one_shot": one, "few_shot": few}
    return {**scores.figures, **drawn, "rows": rows}
