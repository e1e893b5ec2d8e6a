"""Lab 2's measurement and the lessons its check cell asserts.

``measure`` scores base, fully fine-tuned and LoRA summaries of the same dialogues: ROUGE per
example and the paired 95% CI of each method's gain over the base model, content-word ROUGE-1,
loops, how plainly each summary is about its own dialogue, and LoRA minus full fine-tuning.
``lessons`` turns those figures (plus LoRA's trainable share and adapter size) into verdicts
against ``Lab2Checks``. ``run`` trains both methods with lab 2's recipe for one seed and
measures them on a whole split, for ``benchmarks/lessons.py``; ``world/measure.py`` calls
``train``, ``summaries_of`` and ``measure`` the same way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from datasets import Dataset, DatasetDict
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)
from transformers.trainer_callback import PrinterCallback

from utils.errors import explain_load_errors
from utils.evaluation import (
    ConfidenceInterval,
    about_own_dialogue,
    bootstrap_ci,
    content_rouge1,
    repeats_itself,
    rouge_scores,
)
from utils.finetune import (
    count_parameters,
    make_trainer,
    size_on_disk,
    subsample,
    weights_bytes,
)
from utils.generation import get_device, model_dtype, summarize
from utils.lessons import Lesson, at_least, at_most
from utils.paths import atomic_folder, check_writable
from utils.profiles import Lab2Checks, Profile
from utils.prompts import zero_shot_prompt

SYSTEMS = ("base", "full", "LoRA")
"""The three models lab 2 compares, by the names its tables use."""
METHOD_OF = {"full": "full", "LoRA": "lora"}
"""Each fine-tuned system's ``utils.finetune`` method."""
ROUGE_NAMES = {
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "rougeLsum": "ROUGE-Lsum",
}
"""The ROUGE metric keys, in words."""
QUALITY_NAMES = {
    "content_rouge1": "content-word ROUGE-1",
    "loop_share": "in a loop",
    "own_dialogue": "about its own dialogue",
}
"""The quality figures per system, in words (the columns of ``quality_table``)."""


def evaluation_rows(split: Dataset, n: int, seed: int) -> Dataset:
    """The rows lab 2 scores: all of ``split``, in order, when ``n`` covers it; else ``n`` rows
    drawn with ``seed`` (another seed, another held-out sample)."""
    if n >= len(split):
        return split
    return split.shuffle(seed=seed).select(range(n))


def measure(
    summaries: Mapping[str, Sequence[str]],
    references: Sequence[str],
    dialogues: Sequence[str],
    *,
    seed: int,
) -> dict:
    """Lab 2's figures from the base, full and LoRA summaries (``SYSTEMS``) of ``dialogues``.

    ``per_example``: ROUGE per system and metric (``ROUGE_NAMES``' values), for tables and
    charts; ``quality``: per system, mean content-word ROUGE-1, the share of summaries that
    repeat themselves, the mean share of other dialogues a summary's own dialogue beats;
    ``gains``: per fine-tuned system, the paired bootstrap CI (``seed``) of its gain over the
    base model in ROUGE-1, ROUGE-2 and content-word ROUGE-1; ``lora_minus_full``: the paired CI
    of LoRA's ROUGE-1 minus full fine-tuning's; ``n``: dialogues scored.
    """
    per_example, content, quality = {}, {}, {}
    for system in SYSTEMS:
        texts = list(summaries[system])
        rouge = rouge_scores(texts, references, per_example=True)
        per_example[system] = {name: rouge[key] for key, name in ROUGE_NAMES.items()}
        content[system] = content_rouge1(texts, references)
        quality[system] = {
            "content_rouge1": float(content[system].mean()),
            "loop_share": float(np.mean([repeats_itself(t) for t in texts])),
            "own_dialogue": float(about_own_dialogue(texts, dialogues).mean()),
        }
    base = per_example["base"]
    gains = {
        system: {
            "ROUGE-1": bootstrap_ci(per_example[system]["ROUGE-1"], base["ROUGE-1"], seed=seed),
            "ROUGE-2": bootstrap_ci(per_example[system]["ROUGE-2"], base["ROUGE-2"], seed=seed),
            "content-word ROUGE-1": bootstrap_ci(content[system], content["base"], seed=seed),
        }
        for system in METHOD_OF
    }
    lora_minus_full = bootstrap_ci(
        per_example["LoRA"]["ROUGE-1"], per_example["full"]["ROUGE-1"], seed=seed
    )
    return {
        "n": len(references),
        "per_example": per_example,
        "quality": quality,
        "gains": gains,
        "lora_minus_full": lora_minus_full,
    }


def quality_table(figures: dict) -> pd.DataFrame:
    """``figures["quality"]`` as a table: one row per system, the columns in words."""
    return pd.DataFrame(figures["quality"]).T.rename(columns=QUALITY_NAMES)


# ---- the lessons ----


def _gain(key: str, claim: str, ci: ConfidenceInterval, threshold: float = 0.0) -> Lesson:
    """A gain that holds when its 95% CI lies above 0 and starts at ``threshold`` or higher."""
    needs = "95% CI above 0" + (f", from {threshold:g} up" if threshold > 0 else "")
    holds = ci.low > 0 and ci.low >= threshold
    return Lesson(key, claim, ci.low, f"gain {ci}", needs, bool(holds))


def lessons(figures: dict, checks: Lab2Checks, lessons_on: bool) -> list[Lesson]:
    """Every fact lab 2's check cell asserts, as verdicts against ``checks``.

    ``figures``: ``measure``'s, plus ``trainable_share`` (LoRA's trainable fraction of the
    parameters) and ``adapter_share`` (the adapter's weights over the full model's, on disk).
    Without ``lessons_on`` (random weights at smoke scale) only those two mechanics, which
    hold with any weights.
    """
    trainable, adapter = figures["trainable_share"], figures["adapter_share"]
    out = [
        at_most(
            "lora_trainable_share",
            "LoRA trains a small share of the parameters",
            trainable,
            checks.max_lora_share,
            f"{trainable:.2%}",
        ),
        at_most(
            "adapter_share",
            "the LoRA adapter is a small fraction of the full model on disk",
            adapter,
            checks.max_adapter_share,
            f"{adapter:.1%}",
        ),
    ]
    if not lessons_on:
        return out
    for system, method in (("full", "full fine-tuning"), ("LoRA", "LoRA")):
        key, gains, quality = system.lower(), figures["gains"][system], figures["quality"][system]
        out += [
            _gain(
                f"{key}_rouge1_gain",
                f"{method} beats the base model on ROUGE-1",
                gains["ROUGE-1"],
                checks.min_rouge1_gain,
            ),
            _gain(
                f"{key}_rouge2_gain",
                f"{method} beats the base model on ROUGE-2",
                gains["ROUGE-2"],
            ),
        ]
        if checks.content_lessons:
            out += [
                _gain(
                    f"{key}_content_gain",
                    f"{method} gains on content words too (content-word ROUGE-1)",
                    gains["content-word ROUGE-1"],
                ),
                at_most(
                    f"{key}_loops",
                    f"{method}'s summaries rarely loop",
                    quality["loop_share"],
                    checks.max_loop_share,
                    f"{quality['loop_share']:.1%} repeat themselves",
                ),
                at_least(
                    f"{key}_own_dialogue",
                    f"{method}'s summaries are about their own dialogue",
                    quality["own_dialogue"],
                    checks.min_own_dialogue,
                    f"own dialogue fits better than {quality['own_dialogue']:.1%} of others",
                ),
            ]
    if checks.lora_vs_full is not None:
        low, high = checks.lora_vs_full
        diff = figures["lora_minus_full"]
        out.append(
            Lesson(
                "lora_minus_full",
                "LoRA gets about full fine-tuning's ROUGE-1",
                diff.mean,
                f"LoRA - full {diff}",
                f"a mean from {low:+g} to {high:+g}",
                bool(low <= diff.mean <= high),
            )
        )
    return out


# ---- one training seed, measured on a whole split (the robustness benchmark) ----


@dataclass
class Trained:
    """Both fine-tuned models of one seed and what they cost."""

    models: dict[str, PreTrainedModel]
    """``"full"``: the fine-tuned model; ``"LoRA"``: the base with its trained adapter."""
    seconds: dict[str, float]
    """Wall-clock seconds of each ``trainer.train()``."""
    trainable_share: float
    """LoRA's trainable fraction of the parameters."""
    adapter_share: float
    """The adapter's weights over the full model's, as saved."""


def load_base(profile: Profile, dtype: torch.dtype | None = None) -> PreTrainedModel:
    """The profile's base model in ``dtype`` (default: ``utils.generation.model_dtype``, for
    inference; training loads float32 and lets the trainer's ``bf16`` autocast)."""
    with explain_load_errors("model", profile.model_id):
        return AutoModelForSeq2SeqLM.from_pretrained(
            profile.model_id, dtype=dtype or model_dtype(profile)
        )


def train(
    profile: Profile,
    dialogsum: DatasetDict,
    tokenizer: PreTrainedTokenizerBase,
    work_dir: Path,
    *,
    progress: bool = False,
) -> Trained:
    """Full fine-tuning and LoRA with lab 2's recipe (``make_trainer``) and ``profile.seed``,
    each from a fresh base model; both saved in ``work_dir`` (checked for room before any
    training, written atomically) to weigh the adapter against the full model."""
    work_dir = Path(work_dir)
    train_rows = subsample(dialogsum, profile.lab2.train_every_nth)["train"]
    models, seconds = {}, {}
    for system, method in METHOD_OF.items():
        base = load_base(profile, torch.float32)
        if system == "full":  # room for the full model and the adapter, before any training
            check_writable(
                work_dir, "lab 2's fine-tuned model and adapter", 2 * weights_bytes(base)
            )
        trainer = make_trainer(
            profile,
            method,
            base,
            tokenizer,
            train_rows,
            work_dir / f"{method}-trainer",
            disable_tqdm=not progress,
            logging_strategy="no",  # changes nothing the weights depend on
        )
        if not progress:  # no metrics line either
            trainer.remove_callback(PrinterCallback)
        seconds[system] = trainer.train().metrics["train_runtime"]
        models[system] = trainer.model
    saved = {"full": work_dir / "full-model", "LoRA": work_dir / "lora-adapter"}
    for system, folder in saved.items():
        with atomic_folder(folder) as staging:
            models[system].save_pretrained(staging)
    full_bytes = size_on_disk(saved["full"] / "model.safetensors")
    adapter_bytes = size_on_disk(saved["LoRA"] / "adapter_model.safetensors")
    return Trained(
        models, seconds, count_parameters(models["LoRA"]).share, adapter_bytes / full_bytes
    )


def summaries_of(
    models: Mapping[str, PreTrainedModel],
    tokenizer: PreTrainedTokenizerBase,
    dialogues: Sequence[str],
    profile: Profile,
    *,
    progress: bool = False,
) -> dict[str, list[str]]:
    """Each model's greedy summaries of ``dialogues`` in the course's prompt, batched, as the
    notebook generates them."""
    greedy = GenerationConfig(max_new_tokens=profile.max_new_tokens, do_sample=False, num_beams=1)
    prompts = [zero_shot_prompt(d) for d in dialogues]
    device = get_device()
    return {
        name: summarize(
            model.to(device),
            tokenizer,
            prompts,
            greedy,
            batch_size=profile.gen_batch_size,
            max_input_tokens=profile.context_window,
            desc=name,
            progress=progress,
        )
        for name, model in models.items()
    }


def run(
    profile: Profile,
    *,
    split: str = "test",
    seed: int | None = None,
    dialogsum: DatasetDict | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
    work_dir: Path | None = None,
    also: Sequence[str] = (),
) -> dict:
    """Lab 2 for one training ``seed`` (default: the profile's), scored on every row of
    ``split``: ``measure``'s figures plus ``trainable_share``, ``adapter_share``,
    ``train_seconds``, ``seed`` and ``split``, ready for ``lessons``. Each split named in
    ``also`` is scored by the same models too, its figures under ``figures["also"][name]``
    (the benchmark trains once per seed and scores validation and test).

    The models are saved in ``work_dir`` (default: a temporary folder, removed after).
    """
    from utils.data import load_dialogsum

    profile = replace(profile, seed=profile.seed if seed is None else seed)
    dialogsum = dialogsum if dialogsum is not None else load_dialogsum(profile)
    if tokenizer is None:
        with explain_load_errors("tokenizer", profile.model_id):
            tokenizer = AutoTokenizer.from_pretrained(profile.model_id)
    folder = (
        tempfile.TemporaryDirectory(prefix="lab2-") if work_dir is None else nullcontext(work_dir)
    )
    with folder as work:
        trained = train(profile, dialogsum, tokenizer, Path(work))
        models = {"base": load_base(profile), **trained.models}

        def scored(name: str) -> dict:
            rows = dialogsum[name]
            summaries = summaries_of(models, tokenizer, rows["dialogue"], profile)
            figures = measure(summaries, rows["summary"], rows["dialogue"], seed=profile.seed)
            figures.update(
                trainable_share=trained.trainable_share,
                adapter_share=trained.adapter_share,
                train_seconds=trained.seconds,
                seed=profile.seed,
                split=name,
            )
            return figures

        figures = scored(split)
        if also:
            figures["also"] = {name: scored(name) for name in also}
    return figures
