"""Can flan-t5-tiny's architecture learn to find a value in its input and copy it? (1-4 min)

    .venv/bin/python -m benchmarks.copy_probe --task content --fillers 30   # from the repo root
    .venv/bin/python -m benchmarks.copy_probe --task position --fillers 8 --steps 1500
    .venv/bin/python -m benchmarks.copy_probe --task context --fillers 4 --steps 1000

Why: flan-t5-tiny names some scenarios' values from memory (``value_copy`` in
``assets/world_figures.json``), and rebuilding the world to try a fix takes two hours. This
probe trains a fresh model of the same config (``world.tiny_t5.make_config``, the shipped
tokenizer, AdamW, batch 32) on one synthetic retrieval task and prints the exact-match share
of its greedy answers on fresh examples, so a change of architecture or optimizer can be
tried in minutes. Not part of the tests.

Tasks (the answer is always one whole word of the input):

- ``identity``: the input is one word; copy it;
- ``content``: one city among ``--fillers`` random words; the city is found by *what* it is;
- ``position``: "Example: <fillers with a city> . Dialogue: <fillers with another city> .
  Which city?"; the answer is the second city, found by *where* it stands (as a one-shot
  prompt whose example shares the scenario);
- ``context``: "<fillers> city is <word> <fillers> . Which city?"; the answer is found by its
  neighbours only.

Measured with this script on the reference machine (2 CPU cores, one thread, learning rate
1e-3, the shipped tokenizer, November 2026):

- identity: 93% at step 120, 100% from step 160;
- content, 30 fillers: 85% at step 40, 100% from step 80;
- context, no fillers: 71% at step 180, 100% at step 300; 2 fillers: 13% at step 1000;
  4 fillers: 0% through step 200 (pilots: 0% through steps 1000-2000 with 4 or 8 fillers,
  also at learning rates 3e-3 and 1e-2, with Adafactor, without dropout, with untied
  embeddings, with d_model 256, and for a BART of the same size);
- position, 8 fillers: 51-55% through step 1500, a coin toss between the two cities; 2
  fillers: 47-62% through step 600 (a pilot with another tokenizer and seed: 100% by 600).

The tiny model copies what stands out by content within a hundred steps, and fails, at this
budget, to copy what only its place or its neighbours single out. flan-t5-tiny's summaries
need the second kind whenever the example of a one-shot prompt has a value of the same kind.
"""

from __future__ import annotations

import argparse
import random
import time

import torch
from transformers import AutoTokenizer, T5ForConditionalGeneration

from utils.paths import TINY_T5_DIR
from world.tiny_t5 import make_config

CITIES = (
    "Paris Tokyo London Rome Sydney Beijing Boston Chicago Manchester Lyon Osaka Berlin Madrid "
    "Vienna Prague Dublin Lisbon Seoul Toronto Oslo Athens Milan Munich Seattle Denver"
).split()
TASKS = ("identity", "content", "position", "context")


class Probe:
    """Draws examples of one task from the tokenizer's whole words."""

    def __init__(self, tok, task: str, fillers: int, seed: int = 0):
        single = {w for w in tok.get_vocab() if w.startswith("\u2581")}
        self.cities = [c for c in CITIES if "\u2581" + c in single]
        self.words = sorted(
            w[1:] for w in single if w[1:].isalpha() and len(w) > 3 and w[1:] not in CITIES
        )
        self.task, self.fillers, self.rng = task, fillers, random.Random(seed)

    def _with(self, word: str) -> str:
        ws = self.rng.sample(self.words, self.fillers)
        ws.insert(self.rng.randrange(self.fillers + 1), word)
        return " ".join(ws)

    def example(self) -> tuple[str, str]:
        rng = self.rng
        if self.task == "identity":
            word = rng.choice(self.words)
            return word, word
        if self.task == "content":
            city = rng.choice(self.cities)
            return f"{self._with(city)} . Which city?", city
        if self.task == "position":
            first, city = rng.sample(self.cities, 2)
            prompt = f"Example: {self._with(first)} . Dialogue: {self._with(city)} . Which city?"
            return prompt, city
        word = rng.choice(self.words)
        return f"{self._with('city is ' + word)} . Which city?", word


def batch(tok, probe: Probe, size: int):
    pairs = [probe.example() for _ in range(size)]
    enc = tok([p for p, _ in pairs], return_tensors="pt", padding=True)
    labels = tok([a for _, a in pairs], return_tensors="pt", padding=True).input_ids
    labels[labels == tok.pad_token_id] = -100
    return enc, labels, [a for _, a in pairs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=TASKS, default="content")
    parser.add_argument("--fillers", type=int, default=8, help="random words around the answer")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    probe = Probe(tok, args.task, args.fillers)
    model = T5ForConditionalGeneration(make_config(len(tok)))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    t0 = time.time()
    for step in range(1, args.steps + 1):
        model.train()
        enc, labels, _ = batch(tok, probe, 32)
        loss = model(**enc, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        if step % max(1, args.steps // 5) == 0:
            model.eval()
            enc, _, answers = batch(tok, probe, 128)
            with torch.no_grad():
                ids = model.generate(**enc, max_new_tokens=8, do_sample=False)
            said = [s.strip() for s in tok.batch_decode(ids, skip_special_tokens=True)]
            exact = sum(s == a for s, a in zip(said, answers, strict=True)) / len(answers)
            print(
                f"{args.task} fillers={args.fillers} step {step}: loss {loss.item():.3f}, "
                f"exact {exact:.0%} ({time.time() - t0:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
