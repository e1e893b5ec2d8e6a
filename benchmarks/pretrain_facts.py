"""Does a pretraining checkpoint of flan-t5-tiny copy the dialogue's facts? (about a minute)

    .venv/bin/python -m benchmarks.pretrain_facts build/world-ckpt/world-v3/t5 \\
        --tokenizer build/world-v3/models/flan-t5-tiny           # the latest checkpoint
    .venv/bin/python -m benchmarks.pretrain_facts build/world-v3/models/flan-t5-tiny

Why: a world build takes hours; this reads a checkpoint while the build goes on (one torch
thread) and says whether the model is learning who said what, before the later stages and
lab 2's fine-tuning. On ``--n`` validation dialogues of the shipped corpus layout (all
abusive ones first, then clean ones), with greedy decoding:

- ``rude``: the "Who was rude to whom?" drill over the whole dialogue; scored by
  ``world.facts`` (reversed insulter, insult as said, invented insult; "Nobody is
  rude." reports nothing);
- ``one-shot``: the course's one-shot prompt (a solved example of another scenario, then the
  dialogue): the facts of the summary it writes, the style lab 2 fine-tunes toward;
- ``instruction``: the course's instruction: values not in the dialogue.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import AutoTokenizer, T5ForConditionalGeneration

from utils.prompts import INSTRUCTION_TEMPLATE, in_context_prompt
from world.corpus import SPLIT_SEEDS, generate_split
from world.facts import rates
from world.tiny_t5 import NOBODY_RUDE, RUDE_PROMPT, generate, make_config


def load(path: Path, tokenizer: Path | None) -> tuple[T5ForConditionalGeneration, object]:
    """A saved model folder, or the latest checkpoint of a pretraining stage's folder."""
    tok = AutoTokenizer.from_pretrained(tokenizer or path)
    marker = path / "latest.json"
    if not marker.exists():
        return T5ForConditionalGeneration.from_pretrained(path), tok
    step = json.loads(marker.read_text())["step"]
    model = T5ForConditionalGeneration(make_config(len(tok)))
    model.load_state_dict(load_file(str(path / f"step_{step:06d}.safetensors")), strict=False)
    model.tie_weights()
    print(f"checkpoint step {step}")
    return model, tok


def probe(model, tok, n: int = 120) -> dict[str, dict]:
    rows = generate_split("validation", 250, SPLIT_SEEDS["validation"])
    rows = sorted(rows, key=lambda r: not r["abusive"])[:n]
    shot = next(r for r in rows[::-1] if len(r["dialogue"]) < 300)
    others = [r for r in rows if r["topic"] != shot["topic"]]
    prompts = {
        "rude": [RUDE_PROMPT.format(dialogue=r["dialogue"]) for r in rows],
        "one-shot": [in_context_prompt([(shot["dialogue"], shot["summary"])], r["dialogue"])
                     for r in others],
        "instruction": [INSTRUCTION_TEMPLATE.format(dialogue=r["dialogue"]) for r in rows],
    }  # fmt: skip
    out = {}
    for name, texts in prompts.items():
        said = generate(model, tok, texts)
        used = others if name == "one-shot" else rows
        if name == "rude":  # "Nobody is rude." reports no insult
            said = ["" if s == NOBODY_RUDE else s for s in said]
        out[name] = rates(
            [{"dialogue": r["dialogue"], "s": s} for r, s in zip(used, said, strict=True)], "s"
        )
        out[name]["examples"] = said[:3]
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", type=Path, help="a model folder or a stage's checkpoint folder")
    ap.add_argument("--tokenizer", type=Path, help="the tokenizer's folder (for a checkpoint)")
    ap.add_argument("--n", type=int, default=120, help="validation dialogues (abusive first)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    model, tok = load(args.path, args.tokenizer)
    for name, r in probe(model, tok, args.n).items():
        figures = {k: (v["count"], v["of"]) for k, v in r.items() if k != "examples"}
        print(f"{name}: " + "  ".join(f"{k} {c}/{o}" for k, (c, o) in figures.items()))
        for text in r["examples"]:
            print(f"    {text}")


if __name__ == "__main__":
    main()
