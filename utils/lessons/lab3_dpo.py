"""Lab 3's DPO section: DPO beside PPO on the same summarizer, measured the way lab 3 measures PPO.

The notebook, ``benchmarks/lessons.py`` and the tests call these, so the side-by-side table,
its plot and the DPO lessons have one definition:

- ``new_adapter``: a fresh LoRA adapter on the PPO policy's PEFT model, made the active one
  (zero at the start: the model is the starting summarizer again; one copy of the weights);
- ``Cost``: the wall time and peak memory of a block (PPO's training cell);
- ``Method`` and ``method_figures``: one trained method's measurement (``lab3.measure_policy``)
  and its costs, as flat figures: ``lab3.compare``'s, the sampled KL to the start, wall time
  (DPO's counts sampling its pairs), peak memory while training, trainable parameters;
- ``side_by_side`` and ``side_by_side_figure``: the starting summarizer, PPO and DPO in one
  table and one plot;
- ``lessons``: DPO's figures against the profile's thresholds (``Lab3Checks.dpo_*``);
- ``run``: lab 2's summarizer, one DPO run and the measurement of several draws, for the
  benchmark.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from utils.lessons import Lesson, at_least
from utils.lessons import lab3 as lab3_lessons

if TYPE_CHECKING:
    import pandas as pd
    from datasets import DatasetDict
    from matplotlib.figure import Figure

    from utils.profiles import Lab3Checks, Profile

ADAPTER = "dpo"
"""The name of DPO's adapter beside PPO's (``"default"``) on the same PEFT model."""


def new_adapter(peft_model, lora_config, name: str = ADAPTER):
    """Add a fresh LoRA adapter ``name`` to ``peft_model`` (replacing one of that name, so a
    re-run cell starts afresh) and make it the active, trainable one. LoRA's B starts at zero,
    so the model then computes exactly what the base weights do. Returns ``peft_model``."""
    if name in peft_model.peft_config:
        peft_model.set_adapter(next(n for n in peft_model.peft_config if n != name))
        peft_model.delete_adapter(name)
    peft_model.add_adapter(name, lora_config)
    peft_model.set_adapter(name)
    return peft_model.eval()


class Cost:
    """Context manager: the wall time (``seconds``) and peak memory (``peak_bytes``, as
    ``utils.dpo.MemoryPeak`` measures it) of the block inside it, for PPO's training cell."""

    seconds: float = 0.0
    peak_bytes: int = 0

    def __enter__(self) -> Cost:
        from utils.dpo import MemoryPeak

        self._memory = MemoryPeak().__enter__()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._start
        self._memory.__exit__(*exc)
        self.peak_bytes = self._memory.peak


@dataclass(frozen=True)
class Method:
    """One trained method on the held-out set: its ``measure_policy`` result, the sampled KL to
    the start per dialogue, and what training cost."""

    after: dict[str, Any]
    kl: np.ndarray
    wall_time_s: float
    peak_memory_bytes: int
    trainable: int


def method_figures(
    before: dict[str, Any], method: Method, held: lab3_lessons.HeldOut, seed: int = 0
) -> dict[str, float]:
    """``lab3.compare``'s figures for one method, plus ``kl`` (mean sampled sequence-level KL
    to the start, nats) with its 95% CI (``kl_low``, ``kl_high``), ``wall_time_s``,
    ``peak_memory_mb`` and ``trainable``."""
    from utils.evaluation import bootstrap_ci

    figures = lab3_lessons.compare(before, method.after, held, seed=seed)
    kl = bootstrap_ci(method.kl, seed=seed)
    return figures | {
        "kl": kl.mean,
        "kl_low": kl.low,
        "kl_high": kl.high,
        "wall_time_s": float(method.wall_time_s),
        "peak_memory_mb": method.peak_memory_bytes / 2**20,
        "trainable": int(method.trainable),
    }


def _ci(f: Mapping[str, float], key: str, digits: int = 3) -> str:
    return f"{f[key]:+.{digits}f} [{f[key + '_low']:+.{digits}f}, {f[key + '_high']:+.{digits}f}]"


def side_by_side(figures: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """One row for the starting summarizer and one per method (``{name: method_figures}``):
    toxicity (mean; change vs the start with its paired 95% CI), ROUGE-1 change with its CI,
    own-dialogue share, clean summaries unchanged, KL to the start, training wall time, peak
    memory and trainable parameters."""
    import pandas as pd

    first = next(iter(figures.values()))
    rows = {
        "starting summarizer": {
            "toxicity": f"{first['toxicity_before']:.3f}",
            "toxicity change [95% CI]": "",
            "ROUGE-1 change [95% CI]": "",
            "own dialogue": f"{first['own_dialogue_before']:.3f}",
            "clean unchanged": "100%",
            "KL to start (nats)": "0",
            "train time (s)": "",
            "peak memory (MB)": "",
            "trainable params": "",
        }
    }
    for name, f in figures.items():
        rows[name] = {
            "toxicity": f"{f['toxicity_after']:.3f}",
            "toxicity change [95% CI]": _ci(f, "toxicity_change"),
            "ROUGE-1 change [95% CI]": _ci(f, "rouge1_change"),
            "own dialogue": f"{f['own_dialogue_after']:.3f}",
            "clean unchanged": f"{f['clean_unchanged']:.0%}",
            "KL to start (nats)": _ci(f, "kl", 2),
            "train time (s)": f"{f['wall_time_s']:.0f}",
            "peak memory (MB)": f"{f['peak_memory_mb']:,.0f}",
            "trainable params": f"{f['trainable']:,}",
        }
    return pd.DataFrame(rows).T


def side_by_side_figure(figures: Mapping[str, Mapping[str, float]]) -> Figure:
    """Four panels, one bar per method (the start where it has a value): the toxicity change,
    the ROUGE-1 change (each with its paired 95% CI), the own-dialogue share and the KL to the
    start (with its 95% CI)."""
    import matplotlib.pyplot as plt

    names = list(figures)
    first = figures[names[0]]
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.2))
    panels = (
        ("toxicity change vs start", "toxicity_change"),
        ("ROUGE-1 change vs start", "rouge1_change"),
        ("KL to the start (nats, sampled)", "kl"),
    )
    for ax, (title, key) in zip(axes[[0, 1, 3]], panels, strict=True):
        values = [figures[n][key] for n in names]
        errors = np.array(
            [[v - figures[n][f"{key}_low"], figures[n][f"{key}_high"] - v] for n, v in
             zip(names, values, strict=True)]
        ).T  # fmt: skip
        ax.bar(
            names, values, yerr=errors, capsize=4, color=[f"C{i + 1}" for i in range(len(names))]
        )
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(title, fontsize="small")
    own = [first["own_dialogue_before"]] + [figures[n]["own_dialogue_after"] for n in names]
    axes[2].bar(["start", *names], own, color=[f"C{i}" for i in range(len(own))])
    axes[2].set_ylim(min(own) - 0.05, 1.0)
    axes[2].set_title("summaries about their own dialogue", fontsize="small")
    for ax in axes:
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("The starting summarizer, PPO and DPO on the same held-out dialogues (95% CIs)")
    fig.tight_layout()
    return fig


def lessons(figures: Mapping[str, float], checks: Lab3Checks, lessons_on: bool) -> list[Lesson]:
    """DPO's lessons from ``method_figures`` of its run, against the profile's ``dpo_*``
    thresholds; none where ``lessons_on`` is False or the profile sets no DPO threshold."""
    if not lessons_on or checks.dpo_min_toxicity_drop is None:
        return []
    f = figures
    out = [
        at_least(
            "dpo_toxicity_drop",
            "DPO lowers the toxicity of the summaries",
            f["toxicity_drop"],
            checks.dpo_min_toxicity_drop,
            f"{f['toxicity_before']:.3f} -> {f['toxicity_after']:.3f} ({-f['toxicity_drop']:+.0%})",
        ),
        Lesson(
            "dpo_toxicity_ci_below_zero",
            "DPO's drop is beyond noise (paired 95% CI of after - before)",
            f["toxicity_change_high"],
            _ci(f, "toxicity_change"),
            "CI high < 0",
            bool(f["toxicity_change_high"] < 0),
        ),
    ]
    if checks.dpo_max_rouge1_drop is not None:
        out.append(
            at_least(
                "dpo_rouge1_change",
                "DPO keeps ROUGE-1 near the start",
                f["rouge1_change"],
                -checks.dpo_max_rouge1_drop,
                _ci(f, "rouge1_change"),
            )
        )
    if checks.dpo_min_rouge1_ci_high is not None:
        out.append(
            at_least(
                "dpo_rouge1_ci_high",
                "DPO's ROUGE-1 loss may be small (the high end of its 95% CI)",
                f["rouge1_change_high"],
                checks.dpo_min_rouge1_ci_high,
                _ci(f, "rouge1_change"),
            )
        )
    if checks.dpo_min_own_dialogue is not None:
        value = f["own_dialogue_after"]
        out.append(
            at_least(
                "dpo_own_dialogue",
                "DPO's summaries stay about their own dialogue",
                value,
                checks.dpo_min_own_dialogue,
                f"{value:.3f} of other dialogues beaten (before: {f['own_dialogue_before']:.3f})",
            )
        )
    return out


# ---- the benchmark's entry point ----


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
    """Lab 3's DPO lesson for the robustness benchmark, as the notebook runs it: lab 2's
    summarizer with the PPO policy's zero adapter (``lab3.before_and_after``'s "before", shared
    through ``befores``), a fresh DPO adapter seeded with ``seed``, pairs from
    ``n_dialogues`` training dialogues drawn with ``seed``, DPO, then ``method_figures`` for
    each ``(split, sample_seed)`` draw, each with its ``split``, ``seed``, ``sample``,
    ``n_pairs``, ``n_ties`` and ``n_length_dropped``."""
    from peft import LoraConfig, TaskType
    from transformers import set_seed

    from utils.dpo import make_dpo_pairs, sampled_kl, train_dpo
    from utils.finetune import count_parameters
    from utils.ppo import build_policy
    from utils.reward import reward_fn_for

    s = profile.lab3
    seed = profile.seed if seed is None else seed
    befores = {} if befores is None else befores
    dialogsum, tokenizer, pipe, summarizer = lab3_lessons.load_lab3_parts(
        profile, dialogsum, tokenizer
    )
    set_seed(seed)
    policy = build_policy(
        summarizer, r=s.lora_r, lora_alpha=s.lora_alpha, lora_dropout=s.lora_dropout,
        target_modules=s.lora_target_modules,
        activation_checkpointing=s.activation_checkpointing,
    )  # fmt: skip
    model = policy.model
    draws = lab3_lessons.held_out_draws(dialogsum, pipe, profile, seed, samples, befores)
    lab3_lessons.measure_befores(model, tokenizer, pipe, profile, draws, befores, progress)
    config = replace(s.dpo, seed=seed)
    set_seed(seed)  # the DPO adapter's initial weights, as in the notebook
    new_adapter(
        model,
        LoraConfig(
            r=s.lora_r, lora_alpha=s.lora_alpha, lora_dropout=s.lora_dropout,
            target_modules=list(s.lora_target_modules), bias="none",
            task_type=TaskType.SEQ_2_SEQ_LM,
        ),
    )  # fmt: skip
    trainable = count_parameters(model).trainable
    train_rows = lab3_lessons.in_range(
        dialogsum["train"], s.min_dialogue_chars, s.max_dialogue_chars
    )
    dialogues = lab3_lessons.draw(train_rows, config.n_dialogues, seed)["dialogue"]
    reward_fn = reward_fn_for(s.reward, pipe, profile.toxic_label, profile.nontoxic_label)
    pairs = make_dpo_pairs(
        model, tokenizer, dialogues, reward_fn, n_samples=config.n_samples, seed=config.seed,
        max_new_tokens=config.max_new_tokens, min_gap=config.min_gap,
        length_ratio=config.length_ratio, batch_size=profile.gen_batch_size,
        progress=progress,
    )  # fmt: skip
    result = train_dpo(
        model, tokenizer, pairs, beta=config.beta, learning_rate=config.learning_rate,
        rpo_alpha=config.rpo_alpha, epochs=config.epochs, batch_size=config.batch_size,
        seed=config.seed, max_grad_norm=config.max_grad_norm, progress=progress,
    )  # fmt: skip
    out = []
    for split, sample_seed in draws:
        held, before, _ = befores[split, sample_seed]
        settings = lab3_lessons.measure_settings(profile, sample_seed)
        after = lab3_lessons.measure_policy(
            model, tokenizer, held, pipe, settings, progress=progress
        )
        kl = sampled_kl(
            model, tokenizer, held.prompts, max_new_tokens=profile.max_new_tokens,
            batch_size=profile.gen_batch_size, max_input_tokens=profile.context_window,
            seed=sample_seed,
        ).numpy()  # fmt: skip
        seconds = pairs.wall_time_s + result.wall_time_s  # sampling the pairs is DPO's cost too
        method = Method(after, kl, seconds, result.peak_memory_bytes, trainable)
        figures = method_figures(before, method, held, seed=sample_seed)
        out.append(
            {"split": split, "seed": seed, "sample": sample_seed, **figures,
             "n_pairs": len(pairs), "n_ties": pairs.n_ties,
             "n_length_dropped": pairs.n_length_dropped}
        )  # fmt: skip
    return out
