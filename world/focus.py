"""The fourth to sixth T5 stages: more practice on the scenarios whose values flan-t5-tiny
names from memory.

After three stages the tiny T5 copies most scenarios' slot values from the dialogue, but names
a few from memory: "learn German" for a dialogue about Japanese (``value_copy`` per family in
``assets/world_figures.json``). Pilots showed why: it learns to copy one scenario at a time,
and a scenario it meets in 1 of 31 rows gets too few steps. From the third stage's model, 200
steps on two such scenarios alone took their values from chance to 100%, and the copying
stayed through 300 more steps of the full mix. So this stage draws half its dialogues from
the scenarios by how often the model misses their values (measured on fresh dialogues before
the stage), half from all scenarios, and trains on the grounding mix, with no in-context
example of the last dialogue's scenario: two languages in one prompt can only be told apart
by their place, which the tiny model does not learn (``benchmarks/copy_probe.py``); a first
run with them (a third of the examples, as before) left languages at 11%.

The fourth stage still left three scenarios' values mostly from memory (learning a language,
travel plans, train tickets: 18-29% right). In the grounding mix their instruction rows were
too few and too spread: pilots of 300 steps with half the rows on those three scenarios got
20-47% of them right zero-shot. Alone, the instruction task taught them in 200 steps (98%).
So two more stages follow: the fifth drills the instruction task on the scenarios still missed
at least half the time (``drill_topics``), the sixth runs the grounding mix once more over
fresh dialogues of every scenario, so the other behaviours settle back (a pilot of both:
values right zero-shot 97%, 77% and 100%; one-shot value copy on fresh dialogues 80% -> 86%;
the build: value copy on the test split 85% -> 88%, no scenario under half).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from world.corpus import generate_dialogue
from world.families import FAMILIES

DRILL_MIN_MISS = 0.5
"""The fifth stage drills the scenarios whose values the model still misses at least this often."""
FOCUS_SHARE = 0.5
"""Share of the stage's dialogues drawn by the measured misses; the rest are drawn as usual."""
MIN_MISS = 0.02
"""A scenario the model already gets right still gets a little of the focused half."""


def measure_misses(t5, tok, seed: int, per_topic: int = 20) -> dict[str, float]:
    """Per scenario: the share of its values the model misses (``value_copy`` on fresh
    dialogues of ``seed``, not on any shipped split), floored at ``MIN_MISS``."""
    from world.measure import value_copy_figures

    rng = random.Random(seed)
    rows = [generate_dialogue(rng, False, f["topic"]) for f in FAMILIES for _ in range(per_topic)]
    shot = min((r for r in rows if len(r["dialogue"]) >= 160), key=lambda r: len(r["dialogue"]))
    hits = value_copy_figures(t5, tok, rows, shot)["by_family"]
    return {f["topic"]: max(MIN_MISS, round(1 - hits.get(f["topic"], 1.0), 3)) for f in FAMILIES}


def focus_rows(
    n: int, misses: dict[str, float], seed: int, abuse_share: float, exclude: set[str]
) -> list[dict]:
    """``n`` fresh dialogues: ``FOCUS_SHARE`` of them of a scenario drawn by ``misses``, the
    rest of a random scenario; none of them in ``exclude`` (the shipped dialogues)."""
    topics, weights = zip(*sorted(misses.items()), strict=True)

    def draw(rng: random.Random) -> tuple[bool, str | None]:
        topic = rng.choices(topics, weights)[0] if rng.random() < FOCUS_SHARE else None
        return rng.random() < abuse_share, topic

    return _draw_rows(n, seed, draw, exclude, "focus")


def load_or_measure_misses(
    path: Path, t5_dir: Path, seed: int, per_topic: int = 20
) -> dict[str, float]:
    """The misses the stage was planned with: measured once on the model in ``t5_dir``, kept
    in ``path``, so a resumed stage draws the same dialogues."""
    if path.exists():
        return json.loads(path.read_text())
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    t5 = T5ForConditionalGeneration.from_pretrained(t5_dir)
    misses = measure_misses(t5, AutoTokenizer.from_pretrained(t5_dir), seed, per_topic)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(misses, indent=2) + "\n")
    return misses


def drill_topics(misses: dict[str, float]) -> list[str]:
    """The scenarios the fifth stage drills: those missed at least ``DRILL_MIN_MISS`` of the
    time, or else the one missed most (a stage always has rows)."""
    worst = [t for t, m in sorted(misses.items()) if m >= DRILL_MIN_MISS]
    return worst or [max(sorted(misses), key=misses.get)]


def fresh_rows(
    n: int, topics: list[str], seed: int, abuse_share: float, exclude: set[str], prefix: str
) -> list[dict]:
    """``n`` fresh dialogues, each of a scenario drawn uniformly from ``topics``; none of them
    in ``exclude`` (the shipped dialogues)."""
    return _draw_rows(
        n, seed, lambda rng: (rng.random() < abuse_share, rng.choice(topics)), exclude, prefix
    )


def _draw_rows(
    n: int,
    seed: int,
    draw: Callable[[random.Random], tuple[bool, str | None]],
    exclude: set[str],
    prefix: str,
) -> list[dict]:
    """``n`` dialogues of ``generate_dialogue``, each from ``draw(rng)``'s (abusive, scenario),
    skipping those in ``exclude``; ids ``<prefix>_<i>``. The order of the random draws is
    each caller's own, so the rows a stage trained on stay the same."""
    rng = random.Random(seed)
    rows: list[dict] = []
    while len(rows) < n:
        abusive, topic = draw(rng)
        row = generate_dialogue(rng, abusive, topic)
        if row["dialogue"] not in exclude:
            rows.append({"id": f"{prefix}_{len(rows)}", **row})
    return rows
