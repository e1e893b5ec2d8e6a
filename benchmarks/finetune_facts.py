"""Fine-tune a candidate flan-t5-tiny as lab 2 does and read its summaries' facts (3-5 min).

    .venv/bin/python -m benchmarks.finetune_facts build/world-v3/models/flan-t5-tiny \\
        --data build/world-v3/dialogsum --method full --n 300

Why: what lab 2's learners read is the fine-tuned summaries, and a pretraining checkpoint
that names the insulter right under its own drill may not after fine-tuning
(``benchmarks/README.md``, world v3 pilots). This runs lab 2's recipe (``utils.finetune.
make_trainer`` with the tiny profile's settings, one method) on the data folder's train
split, then greedy summaries of the first ``--n`` dialogues of ``--split`` (test; choose
settings on validation) in the course's prompt, and prints ``world.facts``' counts and ROUGE-1;
``--set FIELD=VALUE`` overrides a numeric lab 2 setting; ``--save`` writes the rows for a
spot-read.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path

import torch
from datasets import load_dataset
from transformers import AutoTokenizer

from utils.evaluation import rouge_scores
from utils.finetune import make_trainer
from utils.lessons import lab2
from utils.profiles import get_profile
from world.facts import rates


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", type=Path, help="a flan-t5-tiny folder (weights and tokenizer)")
    ap.add_argument("--data", type=Path, default=None, help="a dialogsum folder (default: tiny's)")
    ap.add_argument("--method", choices=("full", "lora"), default="full")
    ap.add_argument("--n", type=int, default=300, help="dialogues to summarize")
    ap.add_argument(
        "--split", default="test", choices=("validation", "test"), help="which to summarize"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a lab 2 setting, e.g. full_ft_learning_rate=1e-4 (repeatable)",
    )
    ap.add_argument("--seed", type=int, default=None, help="the trainer's seed (default: 42)")
    ap.add_argument("--save", type=Path, help="write dialogue, summary, reference as JSON")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    profile = replace(get_profile("tiny", verbose=False), model_id=str(args.model))
    if args.data:
        profile = replace(profile, dataset_id=str(args.data))
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        kind = type(getattr(profile.lab2, name, None))
        try:
            if kind not in (int, float):
                raise ValueError
            overrides[name] = kind(value)
        except ValueError:
            ap.error(f"--set {item}: give a numeric lab 2 setting as FIELD=VALUE")
    profile = replace(profile, lab2=replace(profile.lab2, **overrides))
    data = Path(profile.dataset_id)
    files = {s: str(data / f"{s}.jsonl") for s in ("train", "validation", "test")}
    dialogsum = load_dataset("json", data_files=files)
    tok = AutoTokenizer.from_pretrained(args.model)
    base = lab2.load_base(profile, torch.float32)
    train_rows = lab2.subsample(dialogsum, profile.lab2.train_every_nth)["train"]
    with tempfile.TemporaryDirectory() as tmp:
        trainer = make_trainer(
            profile,
            args.method,
            base,
            tok,
            train_rows,
            Path(tmp),
            disable_tqdm=True,
            seed=profile.seed if args.seed is None else args.seed,
        )
        trainer.train()
    test = dialogsum[args.split].select(range(min(args.n, len(dialogsum[args.split]))))
    said = lab2.summaries_of({"m": trainer.model}, tok, test["dialogue"], profile)["m"]
    rows = [
        {"dialogue": d, "summary": s, "reference": r}
        for d, s, r in zip(test["dialogue"], said, test["summary"], strict=True)
    ]
    out = rates(rows)
    rouge1 = rouge_scores(said, test["summary"])["rouge1"]
    print(f"{args.model} ({args.method}, {data}, {overrides}), {len(rows)} {args.split} dialogues")
    for name, r in out.items():
        print(f"  {name:18s} {r['count']:4d} / {r['of']:4d} {r['over']:9s} {r['rate']}")
    print(f"  ROUGE-1 {rouge1:.3f}")
    if args.save:
        args.save.write_text(json.dumps(rows, indent=1) + "\n")
    return out


if __name__ == "__main__":
    main()
