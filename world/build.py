"""Build the offline tiny world: corpus, toxicity set, tokenizers, classifier, flan-t5-tiny.

Deterministic: ``random.Random`` seeds for data, ``torch.manual_seed`` + deterministic
algorithms + a fixed thread count for training. Everything lands under ``out`` (default
``assets/``), in the layout ``utils/paths.py`` names.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from utils.errors import LabsError
from utils.paths import ASSETS_DIR
from world.corpus import (
    ABUSE_SHARE,
    SHIPPED_COLUMNS,
    SPLIT_SEEDS,
    SPLIT_SIZES,
    generate_split,
    write_jsonl,
)
from world.toxicity_data import generate_toxicity_set


@dataclass(frozen=True)
class BuildSizes:
    """How much to build. ``full`` is what ships; ``small`` is for tests and quick checks."""

    train: int = SPLIT_SIZES["train"]
    validation: int = SPLIT_SIZES["validation"]
    test: int = SPLIT_SIZES["test"]
    pretrain: int = 8000
    """Extra dialogues (not shipped) the T5 pretrains on: lab 2's train split stays new to it."""
    toxicity: int = 4000
    t5_epochs: int = 3
    classifier_epochs: int = 4


FULL = BuildSizes()
SMALL = BuildSizes(
    train=60, validation=20, test=20, pretrain=60, toxicity=300, t5_epochs=1, classifier_epochs=1
)


PRETRAIN_ABUSE_SHARE = 0.4
THREADS = 1
"""Torch threads for the build. Results can depend on the thread count, so it is fixed; one
thread because on a shared 2-core machine two threads oversubscribe and run 5-10x slower."""


def _setup_torch(seed: int = 0) -> None:
    torch.set_num_threads(THREADS)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def build_data(out: Path, sizes: BuildSizes = FULL) -> dict[str, list[dict]]:
    """Write the corpus splits and the toxicity set; return the corpus rows (with pretrain)."""
    splits = {}
    for name in ("train", "validation", "test", "pretrain"):
        # Pretraining sees more abusive dialogues, so the tiny T5 learns to carry the insult.
        share = PRETRAIN_ABUSE_SHARE if name == "pretrain" else ABUSE_SHARE
        splits[name] = generate_split(name, getattr(sizes, name), SPLIT_SEEDS[name], share)
    # Pretraining dialogues must not repeat shipped ones.
    shipped = {r["dialogue"] for n in ("train", "validation", "test") for r in splits[n]}
    splits["pretrain"] = [r for r in splits["pretrain"] if r["dialogue"] not in shipped]
    for name in ("train", "validation", "test"):
        write_jsonl(splits[name], out / "dialogsum" / f"{name}.jsonl", SHIPPED_COLUMNS)
    tox = generate_toxicity_set(sizes.toxicity)
    for name, rows in tox.items():
        write_jsonl(rows, out / "toxicity" / f"{name}.jsonl", ("text", "label", "hard_negative"))
    splits["toxicity_train"] = tox["train"]
    return splits


def build(
    out: Path = ASSETS_DIR, sizes: BuildSizes = FULL, measure: bool = True, log=print
) -> dict:
    """Rebuild everything under ``out``; return the measured figures (empty if not ``measure``)."""
    from world.classifier import train_classifier
    from world.tiny_t5 import pretrain
    from world.tokenizer import build_classifier_tokenizer, build_t5_tokenizer

    if not out.parent.exists():
        raise LabsError(
            f"Cannot build the tiny world into {out}: its parent folder does not exist."
        )
    t0 = time.time()
    _setup_torch()
    log("1/5 corpus and toxicity set")
    splits = build_data(out, sizes)
    t5_dir, clf_dir = out / "models" / "flan-t5-tiny", out / "models" / "toxicity-classifier-tiny"
    log("2/5 tokenizers")
    tox_texts = [r["text"] for r in splits["toxicity_train"]]
    corpus_texts = [
        t
        for n in ("train", "pretrain")
        for r in splits[n]
        for t in (r["dialogue"], r["summary"], r["gist"])
    ]
    t5_tok = build_t5_tokenizer(corpus_texts + tox_texts, t5_dir)
    clf_tok = build_classifier_tokenizer(
        tox_texts + [r["summary"] for r in splits["train"]], clf_dir
    )
    log("3/5 toxicity classifier")
    _setup_torch(1)
    train_classifier(
        splits["toxicity_train"], clf_tok, clf_dir, epochs=sizes.classifier_epochs, log=log
    )
    log("4/5 flan-t5-tiny pretraining")
    _setup_torch(2)
    pretrain(splits["pretrain"], t5_tok, t5_dir, epochs=sizes.t5_epochs, log=log)
    build_s = time.time() - t0
    log(f"built in {build_s:.0f}s")
    figures: dict = {}
    if measure:
        log("5/5 measuring")
        from world.cards import write_cards
        from world.measure import measure_all

        figures = measure_all(out, log=log)
        figures["build_seconds_without_measuring"] = round(build_s)
        write_cards(out, figures)
        (out / "world_figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures
