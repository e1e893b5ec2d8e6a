"""Does a flan-t5-tiny copy the dialogue's value where its summary names one? (seconds)

    .venv/bin/python -m benchmarks.copy_at_value                    # the shipped model
    .venv/bin/python -m benchmarks.copy_at_value build/MY-WORLD/models/flan-t5-tiny

Why: lab 2's summaries name a price the dialogue never says far more often than a city or a
day (``benchmarks/README.md``, world v3 and v3e pilots), and reading generated summaries
mixes two failures: naming a value at all, and naming the wrong one. This separates the
second. For each reference of the validation and test splits that names exactly one value of
a kind (a price, a day, a city, a number said as a word) said in its dialogue, it feeds the
reference to the decoder (teacher forcing, the "with who said what" prompt lab 2 fine-tunes
toward) and reads the model's next-token probabilities where the value starts: among the
kind's values (those one token long), is the dialogue's the likeliest, and how much of the
kind's probability does it get? A model that copies scores near 1; one that writes the value
from memory scores near chance (one in the number of values). Not part of the tests.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from transformers import AutoTokenizer, T5ForConditionalGeneration

from utils.paths import ASSETS_DIR
from world.corpus import read_jsonl, said
from world.facts import SLOT_POOLS
from world.tiny_t5 import TAGGED_PROMPT

KINDS = {"price": ("price",), "day": ("day",), "city": ("city",), "number": ("time", "num")}
"""Each kind and the slot pools of its values ("number": the hours and counts said as words)."""


def candidates(tok, kind: str) -> dict[str, int]:
    """The kind's values that are one token (after a space), with that token's id."""
    values = sorted({v for pool in SLOT_POOLS for name in KINDS[kind] for v in pool.get(name, [])})
    ids = {v: tok.convert_tokens_to_ids("▁" + v) for v in values}
    return {v: i for v, i in ids.items() if i != tok.unk_token_id}


def value_named(summary: str, dialogue: str, values: dict[str, int]) -> str | None:
    """The one value of ``values`` the summary names, when it names exactly one and the
    dialogue says it; else None."""
    named = [v for v in values if said(v, summary)]
    return named[0] if len(named) == 1 and said(named[0], dialogue) else None


@torch.no_grad()
def copy_scores(model, tok, rows: list[dict], kind: str) -> dict[str, float]:
    """``n`` references, ``likeliest`` (share where the dialogue's value is the likeliest of
    the kind's), ``p_right`` (its mean share of the kind's probability), ``chance``."""
    values = candidates(tok, kind)
    likeliest, shares = [], []
    for row in rows:
        value = value_named(row["summary"], row["dialogue"], values)
        if value is None:
            continue
        labels = tok(row["summary"], return_tensors="pt").input_ids
        ids = labels[0].tolist()
        if values[value] not in ids:
            continue  # inside a longer token ("nine-thirty"): not one token here
        at = ids.index(values[value])
        enc = tok(TAGGED_PROMPT.format(dialogue=row["dialogue"]), return_tensors="pt")
        probs = model(**enc, labels=labels).logits[0, at].softmax(-1)
        of_kind = probs[list(values.values())]
        right = of_kind[list(values).index(value)]
        likeliest.append(float(right == of_kind.max()))
        shares.append(float(right / of_kind.sum()))
    n = len(shares)
    return {
        "n": n,
        "likeliest": sum(likeliest) / max(1, n),
        "p_right": sum(shares) / max(1, n),
        "chance": 1 / len(values),
    }


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", type=Path, nargs="?", default=ASSETS_DIR / "models" / "flan-t5-tiny")
    ap.add_argument("--data", type=Path, default=ASSETS_DIR / "dialogsum")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    tok = AutoTokenizer.from_pretrained(args.model)
    model = T5ForConditionalGeneration.from_pretrained(args.model).eval()
    rows = [r for s in ("validation", "test") for r in read_jsonl(args.data / f"{s}.jsonl")]
    out = {kind: copy_scores(model, tok, rows, kind) for kind in KINDS}
    for kind, s in out.items():
        print(
            f"{kind:6} {s['n']:4} references: the dialogue's value likeliest {s['likeliest']:.0%}, "
            f"its share of the kind's probability {s['p_right']:.2f} (chance {s['chance']:.2f})"
        )
    return out


if __name__ == "__main__":
    main()
