"""Lab 3's measurement and lessons: PPO against a toxicity reward, before vs after.

The notebook, ``benchmarks/lessons.py`` and ``world/measure.py`` call these, so the held-out
draw, the rule for an abusive dialogue, the before/after measurement and the lesson verdicts
have one definition:

- ``in_range`` and ``draw``: the test (or validation) dialogues of the course's length range,
  and a seeded random draw of them (every row when the split has no more);
- ``HeldOut.of``: that draw with its prompts and which dialogues are abusive (a turn with
  toxicity above 0.5; each distinct turn scored once);
- ``measure_policy``: sampled and greedy summaries (the same seed before and after), the
  toxicity of the summary and of prompt + summary (the course's way), ROUGE-1 of the greedy
  summaries, and how close greedy decoding came to a tie;
- ``compare``: before vs after as flat figures; ``lessons``: those figures against the
  profile's thresholds (``Lab3Checks``);
- ``run``: lab 2's summarizer, one PPO run and the measurement of several draws, for the
  benchmark;
- ``benchmark_runs``, ``spread_summary``, ``spread_figure``: the benchmark's spread of the
  toxicity change, as the notebook shows it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from utils.errors import LabsError, explain_load_errors
from utils.lessons import Lesson, at_least
from utils.paths import REPO_ROOT, display_path
from utils.prompts import zero_shot_prompt
from utils.reward import toxicity_scores

if TYPE_CHECKING:
    import pandas as pd
    from datasets import Dataset, DatasetDict
    from matplotlib.figure import Figure
    from transformers import GenerationConfig

    from utils.profiles import Lab3Checks, Profile

ABUSIVE_TURN = 0.5
"""A dialogue is abusive when one of its turns has toxicity above this."""
TOXIC_SUMMARY = 0.5
"""A summary counts as toxic when its toxicity is above this."""
NEAR_TIE_NATS = 0.25
"""A greedy summary came near a tie when, somewhere along it, the two likeliest next tokens
were within this many nats of log-probability (a factor of e**0.25 = 1.3)."""
RESULTS_CSV = REPO_ROOT / "benchmarks" / "results" / "lessons.csv"
"""Where ``benchmarks/lessons.py`` writes every run's lesson values."""
COURSE_RERUNS = {"runs": 18, "prompts": 11, "low": -0.69, "median": 0.06, "high": 0.48}
"""The course's own lab 3, for contrast (issue 23): 18 public re-runs of its notebook, each
one PPO run scored on 11 prompts, printed these relative toxicity changes (min, median, max)."""


# ---- the held-out set ----


def in_range(rows: Dataset, min_chars: int, max_chars: int) -> Dataset:
    """The rows whose dialogue has ``min_chars`` to ``max_chars`` characters (the course's
    filter for PPO: 200 to 1,000), in their order."""
    keep = [i for i, d in enumerate(rows["dialogue"]) if min_chars <= len(d) <= max_chars]
    return rows.select(keep)


def draw(rows: Dataset, n: int, seed: int) -> Dataset:
    """A random draw of ``n`` rows, seeded; every row, in order, when there are no more."""
    if len(rows) <= n:
        return rows
    return rows.shuffle(seed=seed).select(range(n))


def dialogue_turns(dialogue: str) -> list[str]:
    """What is said in each turn of a DialogSum dialogue, the ``#PersonN#:`` tag cut off."""
    return [line.split(": ", 1)[-1] for line in dialogue.split("\n") if line.strip()]


def abusive_dialogues(
    pipe, dialogues: Sequence[str], toxic_label: str = "hate", threshold: float = ABUSIVE_TURN
) -> np.ndarray:
    """Per dialogue, True when one of its turns has toxicity above ``threshold``. Each distinct
    turn is scored once (greetings and thanks repeat across dialogues)."""
    turns = [dialogue_turns(d) for d in dialogues]
    distinct = sorted({t for ts in turns for t in ts})
    scores = dict(zip(distinct, toxicity_scores(pipe, distinct, toxic_label), strict=True))
    return np.array([max((scores[t] for t in ts), default=0.0) > threshold for ts in turns])


@dataclass(frozen=True)
class HeldOut:
    """The held-out dialogues PPO is measured on, their human summaries, their prompts and
    which of them are abusive."""

    dialogues: list[str]
    references: list[str]
    abusive: np.ndarray

    @classmethod
    def of(cls, rows: Dataset, pipe, toxic_label: str = "hate") -> HeldOut:
        """The held-out set of ``rows`` (DialogSum's columns), its abusive ones found with the
        classifier ``pipe``."""
        dialogues = list(rows["dialogue"])
        return cls(
            dialogues, list(rows["summary"]), abusive_dialogues(pipe, dialogues, toxic_label)
        )

    @property
    def prompts(self) -> list[str]:
        """Each dialogue in the course's instruction prompt."""
        return [zero_shot_prompt(d) for d in self.dialogues]

    def __len__(self) -> int:
        return len(self.dialogues)


def ppo_prompts(rows: Dataset, tokenizer, context_window: int) -> Dataset:
    """PPO's prompts: each dialogue in the instruction prompt, as token ids cut at the window
    (one ``input_ids`` column, as ``utils.ppo.train`` reads it)."""
    from datasets import Dataset

    prompts = [zero_shot_prompt(d) for d in rows["dialogue"]]
    ids = tokenizer(prompts, truncation=True, max_length=context_window)["input_ids"]
    return Dataset.from_dict({"input_ids": ids})


# ---- one policy, measured ----


@dataclass(frozen=True)
class MeasureSettings:
    """What ``measure_policy`` needs from the profile."""

    toxic_label: str = "hate"
    max_new_tokens: int = 50
    """Summary length cap (the course's 50)."""
    batch_size: int = 16
    """Dialogues per ``generate`` call."""
    context_window: int = 512
    """Prompt tokens the encoder reads."""
    seed: int = 0
    """Seeds the sampled summaries: the same random draws before and after PPO."""
    samples: int = 1
    """Sampled summaries per dialogue; their toxicities are averaged."""


def generation_configs(max_new_tokens: int) -> tuple[GenerationConfig, GenerationConfig]:
    """``(sampling, greedy)``: the policy's own distribution (``top_k=0, top_p=1.0``, what PPO
    trains, as the course measured toxicity), and greedy decoding (for ROUGE-1)."""
    from transformers import GenerationConfig

    sampling = GenerationConfig(max_new_tokens=max_new_tokens, do_sample=True, top_k=0, top_p=1.0)
    return sampling, GenerationConfig(max_new_tokens=max_new_tokens, do_sample=False)


def measure_policy(
    model,
    tokenizer,
    held: HeldOut,
    pipe,
    settings: MeasureSettings,
    desc: str = "",
    progress: bool = True,
) -> dict[str, Any]:
    """Summaries of the held-out dialogues by ``model`` and their scores.

    Returns ``sampled`` (the first of ``settings.samples`` draws) and ``summaries`` (greedy),
    each a list of texts, and per dialogue (arrays): ``toxicity`` (of the sampled summary
    alone, what PPO's reward reads, averaged over the draws),
    ``toxicity, prompt + summary`` (the course's scoring), ``greedy toxicity``, ``ROUGE-1`` (of
    the greedy summary against the human one) and ``margins`` (the smallest gap, in nats,
    between the two likeliest next tokens along the greedy summary).
    """
    from transformers import set_seed

    from utils.evaluation import rouge_scores
    from utils.generation import greedy_margins, summarize

    sampling, greedy = generation_configs(settings.max_new_tokens)
    prompts = held.prompts
    kw = dict(
        batch_size=settings.batch_size,
        max_input_tokens=settings.context_window,
        progress=progress,
    )
    set_seed(settings.seed)  # the same random draws before and after PPO
    flat = summarize(
        model,
        tokenizer,
        prompts,
        sampling,
        desc=f"{desc}, sampled",
        samples_per_text=settings.samples,  # each dialogue encoded once for all its draws
        **kw,
    )
    draws = [flat[k * len(prompts) : (k + 1) * len(prompts)] for k in range(settings.samples)]
    sampled = draws[0]
    summaries = summarize(model, tokenizer, prompts, greedy, desc=f"{desc}, greedy", **kw)
    margins = greedy_margins(
        model, tokenizer, prompts, summaries, settings.batch_size, settings.context_window
    )

    def mean_toxicity(texts_of_each_draw: list[list[str]]) -> np.ndarray:
        scores = [
            toxicity_scores(pipe, texts, settings.toxic_label) for texts in texts_of_each_draw
        ]
        return np.mean(scores, axis=0)

    with_prompt = [[f"{p} {s}" for p, s in zip(prompts, draw, strict=True)] for draw in draws]
    rouge1 = rouge_scores(summaries, held.references, per_example=True)["rouge1"]
    return {
        "sampled": sampled,
        "summaries": summaries,
        "toxicity": mean_toxicity(draws),
        "toxicity, prompt + summary": mean_toxicity(with_prompt),
        "greedy toxicity": toxicity_scores(pipe, summaries, settings.toxic_label),
        "ROUGE-1": np.array(rouge1),
        "margins": margins.numpy(),
    }


# ---- before vs after ----


def subset_mean(values: Sequence[float], where: np.ndarray) -> float:
    """Mean of ``values`` where ``where`` holds; NaN, quietly, where it holds nowhere."""
    values = np.asarray(values, dtype=float)
    return float(values[where].mean()) if where.any() else float("nan")


def compare(
    before: dict[str, Any], after: dict[str, Any], held: HeldOut, seed: int = 0
) -> dict[str, float]:
    """Before vs after PPO as flat figures (JSON-able; the lessons and the benchmark read them).

    CIs are paired percentile bootstraps (95%) of the per-dialogue difference, after - before.
    """
    from utils.evaluation import about_own_dialogue, bootstrap_ci

    abusive, clean = held.abusive, ~held.abusive
    figures: dict[str, float] = {"n_dialogues": len(held), "n_abusive": int(abusive.sum())}
    for key, name in (
        ("toxicity", "toxicity"),
        ("course_toxicity", "toxicity, prompt + summary"),
        ("rouge1", "ROUGE-1"),
    ):
        ci = bootstrap_ci(after[name], before[name], seed=seed)
        figures |= {
            f"{key}_before": float(np.mean(before[name])),
            f"{key}_after": float(np.mean(after[name])),
            f"{key}_change": ci.mean,
            f"{key}_change_low": ci.low,
            f"{key}_change_high": ci.high,
        }
    figures["toxicity_drop"] = 1 - figures["toxicity_after"] / figures["toxicity_before"]
    greedy = [subset_mean(m["greedy toxicity"], abusive) for m in (before, after)]
    figures["greedy_toxicity_drop"] = 1 - greedy[1] / greedy[0]
    for when, m in (("before", before), ("after", after)):
        figures[f"abusive_greedy_toxic_{when}"] = int(
            (m["greedy toxicity"][abusive] > TOXIC_SUMMARY).sum()
        )
        figures[f"own_dialogue_{when}"] = float(
            about_own_dialogue(m["summaries"], held.dialogues).mean()
        )
        n_words = np.array([len(s.split()) for s in m["summaries"]])
        figures[f"clean_words_{when}"] = subset_mean(n_words, clean)
    unchanged = np.array(
        [a == b for a, b in zip(before["summaries"], after["summaries"], strict=True)]
    )
    near_tie = before["margins"] < NEAR_TIE_NATS
    figures |= {
        "clean_unchanged": subset_mean(unchanged, clean),
        "abusive_unchanged": subset_mean(unchanged, abusive),
        "clean_near_ties": int((clean & near_tie).sum()),
        "clean_no_near_ties": int((clean & ~near_tie).sum()),
        "near_tie_changed": subset_mean(~unchanged, clean & near_tie),
        "no_near_tie_changed": subset_mean(~unchanged, clean & ~near_tie),
    }
    return figures


def change_table(figures: dict[str, float]) -> pd.DataFrame:
    """Before, after, the change with its 95% CI and the relative change, per measure (NaN
    where the measure starts at 0, as a random-weight model's ROUGE-1 can)."""
    import pandas as pd

    def relative(key: str) -> float:
        before = figures[f"{key}_before"]
        return figures[f"{key}_after"] / before - 1 if before else float("nan")

    rows = {
        "toxicity of the summary (sampled)": "toxicity",
        "toxicity of prompt + summary (the course's)": "course_toxicity",
        "ROUGE-1 (greedy)": "rouge1",
    }
    return pd.DataFrame(
        {
            name: {
                "before": figures[f"{key}_before"],
                "after": figures[f"{key}_after"],
                "after - before": figures[f"{key}_change"],
                "95% CI low": figures[f"{key}_change_low"],
                "95% CI high": figures[f"{key}_change_high"],
                "relative change": relative(key),
            }
            for name, key in rows.items()
        }
    ).T


def by_dialogue(measured: dict[str, Any], held: HeldOut) -> pd.DataFrame:
    """Mean toxicity (sampled; summary alone and prompt + summary) and ROUGE-1 (greedy), over
    all held-out dialogues, the abusive ones and the clean ones."""
    import pandas as pd

    groups = {"all": np.ones(len(held), bool), "abusive": held.abusive, "clean": ~held.abusive}
    names = ("toxicity", "toxicity, prompt + summary", "ROUGE-1")
    return pd.DataFrame(
        {n: [subset_mean(measured[n], where) for where in groups.values()] for n in names},
        index=[f"{g} dialogues ({int(w.sum())})" for g, w in groups.items()],
    )


# ---- the lessons ----


def _ci(figures: dict[str, float], key: str) -> str:
    f = figures
    return f"{f[key]:+.3f} [{f[key + '_low']:+.3f}, {f[key + '_high']:+.3f}]"


def lessons(figures: dict[str, float], checks: Lab3Checks, lessons_on: bool) -> list[Lesson]:
    """Lab 3's lessons from ``compare``'s figures (plus ``rm_accuracy`` when the reward model
    was trained), each against the profile's threshold; none where ``lessons_on`` is False (the
    smoke scale's random weights cannot show them)."""
    if not lessons_on:
        return []
    f, out = figures, []
    if checks.toxicity_before is not None:
        low, high = checks.toxicity_before
        value = f["toxicity_before"]
        out.append(
            Lesson(
                "toxicity_before",
                "the starting summaries hold toxicity to remove",
                value,
                f"mean toxicity {value:.3f}",
                f"in [{low:g}, {high:g}]",
                bool(low <= value <= high),
            )
        )
    if checks.min_toxicity_drop is not None:
        out.append(
            at_least(
                "toxicity_drop",
                "PPO lowers the toxicity of the summaries",
                f["toxicity_drop"],
                checks.min_toxicity_drop,
                f"{f['toxicity_before']:.3f} -> {f['toxicity_after']:.3f} "
                f"({f['toxicity_after'] / f['toxicity_before'] - 1:+.0%})",
            )
        )
        high = f["toxicity_change_high"]
        out.append(
            Lesson(
                "toxicity_ci_below_zero",
                "the drop is beyond noise (paired 95% CI of after - before)",
                high,
                _ci(f, "toxicity_change"),
                "CI high < 0",
                bool(high < 0),
            )
        )
    if checks.min_greedy_toxicity_drop is not None:
        out.append(
            at_least(
                "greedy_toxicity_drop",
                "greedy summaries of abusive dialogues report the insult less toxically",
                f["greedy_toxicity_drop"],
                checks.min_greedy_toxicity_drop,
                f"{-f['greedy_toxicity_drop']:+.0%}; toxic {f['abusive_greedy_toxic_before']:.0f}"
                f" -> {f['abusive_greedy_toxic_after']:.0f} of {f['n_abusive']:.0f}",
            )
        )
    out.append(
        at_least(
            "rouge1_change",
            "the KL penalty keeps ROUGE-1",
            f["rouge1_change"],
            -checks.max_rouge1_drop,
            _ci(f, "rouge1_change"),
        )
    )
    if checks.min_own_dialogue is not None:
        value = f["own_dialogue_after"]
        out.append(
            at_least(
                "own_dialogue",
                "summaries stay about their own dialogue",
                value,
                checks.min_own_dialogue,
                f"{value:.3f} of other dialogues beaten (before: {f['own_dialogue_before']:.3f})",
            )
        )
    if checks.min_clean_unchanged is not None:
        value = f["clean_unchanged"]
        out.append(
            at_least(
                "clean_unchanged",
                "clean dialogues' greedy summaries mostly stay word for word",
                value,
                checks.min_clean_unchanged,
                f"{value:.0%} unchanged",
            )
        )
    if checks.near_ties_change_more and f["clean_near_ties"] and f["clean_no_near_ties"]:
        near, other = f["near_tie_changed"], f["no_near_tie_changed"]
        out.append(
            Lesson(
                "near_ties_change_more",
                "clean summaries PPO changed had come near a tie",
                near - other,
                f"changed: {near:.0%} of {f['clean_near_ties']:.0f} near a tie, {other:.0%} of "
                f"{f['clean_no_near_ties']:.0f} others",
                "more near a tie",
                bool(near > other),
            )
        )
    if "rm_accuracy" in f:
        out.append(
            at_least(
                "rm_accuracy",
                "a reward model learned from preference pairs ranks held-out pairs",
                f["rm_accuracy"],
                checks.min_rm_accuracy,
                f"pairwise accuracy {f['rm_accuracy']:.2f}",
            )
        )
    return out


# ---- the reward model of section "train a reward model" ----


def reward_model_scores(
    model, tokenizer, texts: Sequence[str], max_length: int = 128
) -> np.ndarray:
    """A ``num_labels=1`` sequence classifier's scalar reward per text."""
    import torch

    enc = tokenizer(
        list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )
    with torch.no_grad():
        return model.eval()(**enc.to(model.device)).logits[:, 0].float().cpu().numpy()


# ---- the benchmark's entry point ----


def measure_settings(profile: Profile, sample_seed: int) -> MeasureSettings:
    """The profile's ``MeasureSettings`` for one held-out draw seeded with ``sample_seed``."""
    return MeasureSettings(
        profile.toxic_label,
        profile.max_new_tokens,
        profile.gen_batch_size,
        profile.context_window,
        sample_seed,
        profile.lab3.toxicity_samples,
    )


def held_out_draws(
    dialogsum: DatasetDict,
    pipe,
    profile: Profile,
    seed: int,
    samples: Sequence[tuple[str, int | None]],
    befores: dict,
) -> list[tuple[str, int]]:
    """The ``(split, sample_seed)`` key of each draw in ``samples`` (a ``sample_seed`` of None:
    ``seed``); a draw not yet in ``befores`` gets its held-out set there, with no "before"
    figures yet (``(held, None, 0.0)``)."""
    s = profile.lab3
    draws = []
    for split, sample_seed in samples:
        sample_seed = seed if sample_seed is None else sample_seed
        if (split, sample_seed) not in befores:
            in_split = in_range(dialogsum[split], s.min_dialogue_chars, s.max_dialogue_chars)
            rows = draw(in_split, s.n_toxicity_eval, sample_seed)
            befores[split, sample_seed] = HeldOut.of(rows, pipe, profile.toxic_label), None, 0.0
        draws.append((split, sample_seed))
    return draws


def measure_befores(
    model,
    tokenizer,
    pipe,
    profile: Profile,
    draws: Sequence[tuple[str, int]],
    befores: dict,
    progress: bool = False,
) -> None:
    """Measure ``model`` (the policy with its adapter still zero) on each draw whose "before"
    figures ``befores`` lacks, in place: ``befores[draw] = (held, before, seconds)``."""
    for key in draws:
        held, before, _ = befores[key]
        if before is None:
            start = time.perf_counter()
            settings = measure_settings(profile, key[1])
            before = measure_policy(model, tokenizer, held, pipe, settings, progress=progress)
            befores[key] = held, before, time.perf_counter() - start


def load_lab3_parts(
    profile: Profile, dialogsum: DatasetDict | None = None, tokenizer=None
) -> tuple[DatasetDict, Any, Any, Any]:
    """What a benchmark run of lab 3 starts from: DialogSum, the tokenizer, the toxicity
    classifier's pipeline and lab 2's summarizer (loaded from ``outputs_dir/lab2/lora-adapter``,
    or trained with lab 2's recipe); ``dialogsum`` and ``tokenizer`` when given are kept."""
    from transformers import AutoTokenizer, pipeline

    from utils.data import load_dialogsum
    from utils.finetune import lora_summarizer

    dialogsum = load_dialogsum(profile) if dialogsum is None else dialogsum
    if tokenizer is None:
        with explain_load_errors("tokenizer", profile.model_id):
            tokenizer = AutoTokenizer.from_pretrained(profile.model_id)
    with explain_load_errors("toxicity classifier", profile.toxicity_model_id):
        pipe = pipeline("text-classification", model=profile.toxicity_model_id, device="cpu")
    adapter = profile.outputs_dir / "lab2" / "lora-adapter"
    summarizer, _ = lora_summarizer(profile, tokenizer, dialogsum, adapter)
    return dialogsum, tokenizer, pipe, summarizer


def before_and_after(
    summarizer,
    tokenizer,
    dialogsum: DatasetDict,
    pipe,
    profile: Profile,
    seed: int,
    samples: Sequence[tuple[str, int | None]],
    progress: bool = False,
    befores: dict | None = None,
) -> list[tuple[HeldOut, dict[str, Any], dict[str, Any], dict[str, float]]]:
    """One PPO run from ``summarizer`` with ``seed``, each ``(split, sample_seed)`` draw measured
    before and after it, as the notebook does; per draw ``(held, before, after, seconds)``.

    A draw's ``sample_seed`` (None: ``seed``) picks its rows and seeds its sampled summaries.
    ``befores`` (a dict the caller keeps) reuses a draw's held-out set and "before" figures
    across PPO seeds: before PPO the adapter is zero, so they do not depend on ``seed``.
    """
    from transformers import set_seed

    from utils.ppo import build_policy, train
    from utils.reward import reward_fn_for

    s = profile.lab3
    befores = {} if befores is None else befores
    draws = held_out_draws(dialogsum, pipe, profile, seed, samples, befores)
    set_seed(seed)  # the adapter's initial weights
    policy = build_policy(
        summarizer,
        r=s.lora_r,
        lora_alpha=s.lora_alpha,
        lora_dropout=s.lora_dropout,
        target_modules=s.lora_target_modules,
        activation_checkpointing=s.activation_checkpointing,
    )
    measure_befores(policy.model, tokenizer, pipe, profile, draws, befores, progress)
    train_rows = in_range(dialogsum["train"], s.min_dialogue_chars, s.max_dialogue_chars)
    start = time.perf_counter()
    reward_fn = reward_fn_for(s.reward, pipe, profile.toxic_label, profile.nontoxic_label)
    config = replace(s.ppo, seed=seed)
    prompts = ppo_prompts(train_rows, tokenizer, profile.context_window)
    train(policy, tokenizer, prompts, reward_fn, config, progress=progress)
    ppo_s = time.perf_counter() - start
    out = []
    for key in draws:
        held, before, before_s = befores[key]
        start = time.perf_counter()
        settings = measure_settings(profile, key[1])
        after = measure_policy(policy.model, tokenizer, held, pipe, settings, progress=progress)
        seconds = {"ppo_seconds": ppo_s, "measure_seconds": before_s + time.perf_counter() - start}
        out.append((held, before, after, seconds))
    return out


def run(
    profile: Profile,
    *,
    seed: int | None = None,
    samples: Sequence[tuple[str, int | None]] = (("test", None),),
    dialogsum: DatasetDict | None = None,
    tokenizer=None,
    progress: bool = False,
    befores: dict | None = None,
) -> list[dict]:
    """Lab 3's PPO lesson for the robustness benchmark: lab 2's summarizer (loaded from
    ``outputs_dir/lab2/lora-adapter``, or trained with lab 2's recipe), one PPO run with
    ``seed`` (default: the profile's), then ``compare``'s figures for each ``(split,
    sample_seed)`` draw (``sample_seed`` None: ``seed``; a split with no more in-range rows than
    ``n_toxicity_eval`` is measured whole), each with its ``split``, ``seed``, ``sample``,
    ``ppo_seconds`` and ``measure_seconds``. ``run(profile)`` gives the notebook's figures.
    The reward model (a separate lesson) is not trained here. ``befores``: see
    ``before_and_after`` (the benchmark passes one dict to every seed's run).
    """
    seed = profile.seed if seed is None else seed
    dialogsum, tokenizer, pipe, summarizer = load_lab3_parts(profile, dialogsum, tokenizer)
    measured = before_and_after(
        summarizer, tokenizer, dialogsum, pipe, profile, seed, samples, progress, befores
    )
    out = []
    for (split, sample), (held, before, after, seconds) in zip(samples, measured, strict=True):
        sample_seed = seed if sample is None else sample
        figures = compare(before, after, held, seed=sample_seed)
        out.append({"split": split, "seed": seed, "sample": sample_seed, **figures, **seconds})
    return out


# ---- the benchmark's spread, as the notebook shows it ----


def benchmark_runs(path: Path = RESULTS_CSV, key: str = "toxicity_drop") -> pd.DataFrame:
    """Lab 3's rows of ``benchmarks/lessons.py``'s CSV for one lesson ``key``: split, seed,
    sample, value and holds, one row per run."""
    import pandas as pd

    if not Path(path).is_file():
        raise LabsError(
            f"No lesson benchmark results at {display_path(path)}. Run `python "
            f"benchmarks/lessons.py --labs 3` from the repository's root to make them (about "
            f"half an hour in tiny), or skip this cell: nothing below needs it."
        )
    table = pd.read_csv(path)
    rows = table[(table["lab"] == 3) & (table["key"] == key)]
    if rows.empty:
        raise LabsError(
            f"{display_path(path)} holds no lab-3 rows for {key!r}: run `python "
            f"benchmarks/lessons.py --labs 3` to add them."
        )
    return rows[["split", "seed", "sample", "value", "holds"]].reset_index(drop=True)


def is_placeholder(runs: pd.DataFrame) -> bool:
    """True when the rows are the stand-in written before the benchmark first ran."""
    return bool((runs["sample"].astype(str) == "placeholder").any())


def spread_summary(runs: pd.DataFrame) -> str:
    """One line per split: how many runs, and the relative toxicity change's min / median /
    max over them (``runs``: ``benchmark_runs``'s rows of ``toxicity_drop``)."""
    lines = []
    for split, group in runs.groupby("split", sort=True):
        change = 0.0 - group["value"]  # 0.0 - 0.0 is 0.0, never the -0.0 that prints "-0%"
        held = int(group["holds"].astype(str).str.lower().eq("true").sum())
        lines.append(
            f"{split}: {len(group)} runs, toxicity change from {change.min():+.0%} to "
            f"{change.max():+.0%} (median {change.median():+.0%}); the lesson held in {held} "
            f"of {len(group)}"
        )
    if is_placeholder(runs):
        lines.append("PLACEHOLDER rows, not measured: run benchmarks/lessons.py --labs 3")
    return "\n".join(lines)


def spread_figure(runs: pd.DataFrame, this_run: float | None = None) -> Figure:
    """The relative toxicity change of every benchmark run, per split, beside the course's
    re-runs (``COURSE_RERUNS``: their range and median) and this notebook's run
    (``this_run``: its ``toxicity_drop``)."""
    import matplotlib.pyplot as plt

    splits = sorted(runs["split"].unique())
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    for x, split in enumerate(splits):
        change = -runs.loc[runs["split"] == split, "value"].to_numpy(dtype=float)
        offsets = np.linspace(-0.15, 0.15, len(change)) if len(change) > 1 else [0.0]
        label = "one benchmark run" if x == 0 else None
        ax.plot(x + np.asarray(offsets), 100 * change, "o", color="C0", alpha=0.7, label=label)
    course = len(splits)
    low, median, high = (100 * COURSE_RERUNS[k] for k in ("low", "median", "high"))
    ax.vlines(course, low, high, color="grey", linewidth=6, alpha=0.5, label="course's re-runs")
    ax.plot(course, median, "_", color="black", markersize=20, label="their median")
    if this_run is not None:
        x = splits.index("test") if "test" in splits else 0
        ax.plot(x, -100 * this_run, "*", color="red", markersize=14, label="this notebook's run")
    ax.axhline(0, color="black", linewidth=0.8)
    names = [f"benchmark,\n{s}" for s in splits]
    runs_, prompts_ = COURSE_RERUNS["runs"], COURSE_RERUNS["prompts"]
    names.append(f"course's lab 3,\n{runs_} re-runs\nof {prompts_} prompts")
    ax.set_xticks(range(len(names)), names, fontsize="small")
    ax.set_ylabel("toxicity change after PPO (%)")
    title = "The toxicity change over many runs"
    ax.set_title(title + (" (PLACEHOLDER data)" if is_placeholder(runs) else ""))
    ax.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig
