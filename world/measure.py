"""Acceptance figures of the tiny world: corpus, toxicity set, classifier, zero-shot T5, lab-2 lift.

``python -m world measure`` prints them; ``build`` also writes ``assets/world_figures.json``.
The lab-2 figure trains full fine-tuning for one epoch of the train split with the
hyper-parameters in ``FT_*`` below (batch 8: more updates in the 2-minute budget than
the tiny profile's 16), then scores the test split again.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

import torch
from rouge_score import rouge_scorer

from world.corpus import read_jsonl
from world.tiny_t5 import ZERO_SHOT_PROMPT, _batches, generate

FT_LEARNING_RATE = 1e-3
FT_BATCH_SIZE = 8
FT_EPOCHS = 1
FT_BUDGET_S = 120.0


def rouge1(preds: list[str], refs: list[str]) -> float:
    sc = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    return sum(sc.score(r, p)["rouge1"].fmeasure for p, r in zip(preds, refs, strict=True)) / len(
        preds
    )


def corpus_figures(data_dir: Path) -> dict:
    out = {}
    texts = []
    for split in ("train", "validation", "test"):
        rows = read_jsonl(data_dir / f"{split}.jsonl")
        lengths = [len(r["dialogue"]) for r in rows]
        texts += [r["dialogue"] for r in rows]
        out[split] = {
            "rows": len(rows),
            "topics": len({r["topic"] for r in rows}),
            "abusive": sum(r["abusive"] for r in rows),
            "abusive_share": round(sum(r["abusive"] for r in rows) / len(rows), 4),
            "min_chars": min(lengths),
            "max_chars": max(lengths),
            "p05_chars": sorted(lengths)[len(lengths) // 20],
            "p95_chars": sorted(lengths)[-len(lengths) // 20],
        }
    out["distinct_dialogues"] = len(set(texts)) == len(texts)
    return out


def toxicity_figures(tox_dir: Path) -> dict:
    rows = [r for s in ("train", "validation", "test") for r in read_jsonl(tox_dir / f"{s}.jsonl")]
    nothate = [r for r in rows if r["label"] == "nothate"]
    return {
        "rows": len(rows),
        "hate_share": round(1 - len(nothate) / len(rows), 4),
        "hard_negative_share_of_nothate": round(
            sum(r["hard_negative"] for r in nothate) / len(nothate), 4
        ),
    }


def classifier_figures(model, tok, tox_dir: Path) -> dict:
    from world.classifier import hate_probability

    test = read_jsonl(tox_dir / "test.jsonl")
    p = hate_probability(model, tok, [r["text"] for r in test])
    ok = [(pi > 0.5) == (r["label"] == "hate") for pi, r in zip(p, test, strict=True)]
    hard = [o for o, r in zip(ok, test, strict=True) if r["hard_negative"]]
    return {
        "test_rows": len(test),
        "accuracy": round(sum(ok) / len(ok), 4),
        "hard_negatives": len(hard),
        "hard_negative_accuracy": round(sum(hard) / len(hard), 4),
    }


def zero_shot_figures(t5, tok, clf, ctok, data_dir: Path) -> tuple[dict, list[str]]:
    from world.classifier import hate_probability

    test = read_jsonl(data_dir / "test.jsonl")
    preds = generate(t5, tok, [ZERO_SHOT_PROMPT.format(dialogue=r["dialogue"]) for r in test])
    tox = hate_probability(clf, ctok, preds)
    ab = [t for t, r in zip(tox, test, strict=True) if r["abusive"]]
    cl = [t for t, r in zip(tox, test, strict=True) if not r["abusive"]]
    words = [w for p in preds for w in p.split()]
    return {
        "rouge1": round(rouge1(preds, [r["summary"] for r in test]), 4),
        "toxicity_abusive_mean": round(sum(ab) / len(ab), 4),
        "toxicity_clean_mean": round(sum(cl) / len(cl), 4),
        "mean_words": round(len(words) / len(preds), 2),
        "distinct_word_share": round(len(set(words)) / max(1, len(words)), 4),
        "examples": preds[:3],
    }, preds


def finetune_figures(
    model_dir: Path,
    data_dir: Path,
    seed: int = 42,
    log=print,
    lr: float | None = None,
    batch_size: int | None = None,
    epochs: int | None = None,
) -> dict:
    """Full fine-tuning within the lab-2 budget, then test ROUGE-1 before/after."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    lr, batch_size = lr or FT_LEARNING_RATE, batch_size or FT_BATCH_SIZE
    epochs = epochs or FT_EPOCHS
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir)
    train = read_jsonl(data_dir / "train.jsonl")
    test = read_jsonl(data_dir / "test.jsonl")
    prompts = [ZERO_SHOT_PROMPT.format(dialogue=r["dialogue"]) for r in test]
    refs = [r["summary"] for r in test]
    before = rouge1(generate(model, tok, prompts), refs)
    torch.manual_seed(seed)
    pairs = [(ZERO_SHOT_PROMPT.format(dialogue=r["dialogue"]), r["summary"]) for r in train]
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(pairs) / batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 - s / steps)
    model.train()
    t0, step = time.time(), 0
    for epoch in range(epochs):
        rng = random.Random(seed + epoch)
        for input_ids, attn, labels in _batches(pairs, tok, batch_size, rng):
            model(input_ids=input_ids, attention_mask=attn, labels=labels).loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if time.time() - t0 > FT_BUDGET_S:
                break
        if time.time() - t0 > FT_BUDGET_S:
            break
    train_s = time.time() - t0
    preds = generate(model, tok, prompts)
    after = rouge1(preds, refs)
    log(f"  fine-tune: {step}/{steps} steps in {train_s:.0f}s, ROUGE-1 {before:.3f} -> {after:.3f}")
    return {
        "learning_rate": lr,
        "batch_size": batch_size,
        "epochs": epochs,
        "steps": step,
        "planned_steps": steps,
        "train_seconds": round(train_s, 1),
        "rouge1_before": round(before, 4),
        "rouge1_after": round(after, 4),
        "lift": round(after - before, 4),
        "examples": preds[:3],
    }


def measure_all(out: Path, log=print, finetune: bool = True) -> dict:
    """Every acceptance figure for the world under ``out``."""
    from transformers import (
        AutoModelForSeq2SeqLM,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    t5_dir, clf_dir = out / "models" / "flan-t5-tiny", out / "models" / "toxicity-classifier-tiny"
    tok, t5 = AutoTokenizer.from_pretrained(t5_dir), AutoModelForSeq2SeqLM.from_pretrained(t5_dir)
    ctok, clf = (
        AutoTokenizer.from_pretrained(clf_dir),
        AutoModelForSequenceClassification.from_pretrained(clf_dir),
    )
    figs = {
        "corpus": corpus_figures(out / "dialogsum"),
        "toxicity_set": toxicity_figures(out / "toxicity"),
        "classifier": classifier_figures(clf, ctok, out / "toxicity"),
    }
    log(f"  classifier: {figs['classifier']}")
    figs["zero_shot"], _ = zero_shot_figures(t5, tok, clf, ctok, out / "dialogsum")
    log(f"  zero-shot: {figs['zero_shot']}")
    figs["params"] = {
        "flan-t5-tiny": sum(p.numel() for p in t5.parameters()),
        "toxicity-classifier-tiny": sum(p.numel() for p in clf.parameters()),
    }
    if finetune:
        figs["finetune"] = finetune_figures(t5_dir, out / "dialogsum", log=log)
    return figs


def main() -> None:
    import json

    from utils.paths import ASSETS_DIR

    torch.set_num_threads(1)
    figs = measure_all(ASSETS_DIR)
    print(json.dumps(figs, indent=2))
