"""Do a corpus split's turns follow each other as a conversation? (seconds)

    .venv/bin/python -m benchmarks.turn_order build/scratch/test.jsonl

Reads each dialogue's ``#PersonN#:`` turns and matches them against the public phrasings of
``world/families.py`` (each family's request, replies and their answers, topical exchanges,
goodbyes) and ``world/corpus.py`` (greetings, value checks; insults and the replies to them
are set aside first). Problems counted per dialogue:

- ``reworded_repeat``: a request to repeat ("Pardon?") not followed by the same words again;
- ``answer_before_question``: a known answer whose question is not the turn right before;
- ``unanswered``: a known question whose next turn is none of its answers;
- ``role_swap``: a line only #Person1# says spoken by #Person2#, or the other way round;
- ``unknown_turn``: a turn no phrasing matches (a sign the checker cannot judge it).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from world.corpus import CASUAL_GREETINGS, CLARIFY, GREETINGS, INSULT_RESPONSES, INSULTS
from world.facts import turns as dialogue_turns
from world.families import FAMILIES

REPEAT = re.compile(r"^(pardon|sorry, (could you say that again|i didn.t catch that))[.?]?$", re.I)
PROBLEMS = ("reworded_repeat", "answer_before_question", "unanswered", "role_swap", "unknown_turn")


def _regex(template: str) -> re.Pattern:
    """A template with ``{slot}`` fields as a whole-turn pattern (first letter either case)."""
    parts = re.split(r"\{\w+\}", template)
    body = "(.+?)".join(re.escape(p) for p in parts)
    return re.compile(rf"(?i:{body[:1]}){body[1:]}" if body[:1].isalpha() else body)


def _pairs() -> list[tuple[str, str, int]]:
    """(question or lead line, its answer, who says the lead) for every scripted adjacency."""
    out = []
    for fam in FAMILIES:
        out += [(a, b, 1) for a, b in fam["extras"]]
        out += [(a, b, 1) for a, b in fam["closes"]]
        for reply, (answer, follow) in fam["answers"].items():
            out += [(reply, answer, 2), (answer, follow, 1)]
    out += [(a, b, 1) for a, b in GREETINGS + CASUAL_GREETINGS]
    out += [(a, b, 1) for fam in FAMILIES for a, b in fam.get("greetings", [])]
    out += [(a, b, 2) for a, b in CLARIFY]
    return out


PAIRS = _pairs()
_SIDE: dict[str, set[int]] = {}
for _fam in FAMILIES:
    for _t in _fam["opens"]:
        _SIDE.setdefault(_t, set()).add(1)
    for _t in _fam["replies"]:
        _SIDE.setdefault(_t, set()).add(2)
for _a, _b, _who in PAIRS:
    _SIDE.setdefault(_a, set()).add(_who)
    _SIDE.setdefault(_b, set()).add(3 - _who)
FREE = {t for fam in FAMILIES for t in fam["opens"] + fam["replies"]}
FREE |= {a for fam in FAMILIES for a, _ in fam["extras"] + fam["closes"]}
FREE |= {a for a, _ in GREETINGS + CASUAL_GREETINGS + CLARIFY}
FREE |= {a for fam in FAMILIES for a, _ in fam.get("greetings", [])}
"""Lines that may open an exchange: requests, replies, the first line of a scripted pair."""
LEADS: dict[str, set[str]] = {}
ANSWERS: dict[str, set[str]] = {}
"""Each scripted answer's questions; each question's (ending in "?") scripted answers."""
for _a, _b, _ in PAIRS:
    LEADS.setdefault(_b, set()).add(_a)
    if _a.endswith("?"):
        ANSWERS.setdefault(_a, set()).add(_b)
_RE = {t: _regex(t.replace("{V}", "{v}")) for t in _SIDE}
_ABUSE = sorted([line for line, _ in INSULTS] + INSULT_RESPONSES, key=len, reverse=True)


def _clean(text: str) -> str:
    """The turn without an inserted insult or a reply to one."""
    for s in _ABUSE:
        text = text.replace(s, "")
    return " ".join(text.split())


def _templates(text: str) -> set[str]:
    return {t for t, pat in _RE.items() if pat.fullmatch(text)}


def problems(dialogue: str) -> Counter:
    """The turn-order problems of one dialogue, counted by kind."""
    turns = dialogue_turns(dialogue)
    found: Counter = Counter()
    matched = [_templates(_clean(t)) for _, t in turns]
    for i, ((who, text), tpls) in enumerate(zip(turns, matched, strict=True)):
        if REPEAT.match(_clean(text)):
            before = turns[i - 1][1] if i else None
            after = turns[i + 1][1] if i + 1 < len(turns) else None
            found["reworded_repeat"] += before is None or after != before
            continue
        if not tpls:
            found["unknown_turn"] += 1
            continue
        if all(who not in _SIDE[t] for t in tpls):
            found["role_swap"] += 1
        prev = matched[i - 1] if i else set()
        nxt = matched[i + 1] if i + 1 < len(turns) else set()
        # some reading of the turn must fit: a line that may open an exchange, or an answer
        # whose question is the turn right before
        if not any(t in FREE or LEADS.get(t, set()) & prev for t in tpls):
            found["answer_before_question"] += 1
        if all(t in ANSWERS and not ANSWERS[t] & nxt for t in tpls):
            found["unanswered"] += 1
    return found


def check_file(path: Path) -> tuple[int, Counter, list[str]]:
    """(dialogues, problem counts, ids of dialogues with any problem) over a JSON Lines file."""
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    total: Counter = Counter()
    bad = []
    for r in rows:
        p = problems(r["dialogue"])
        total.update(p)
        if sum(p.values()):
            bad.append(r.get("id", ""))
    return len(rows), total, bad


def main(argv: list[str] | None = None) -> Counter:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", type=Path)
    args = ap.parse_args(argv)
    n, total, bad = check_file(args.file)
    print(f"{args.file}: {n} dialogues, {len(bad)} with a turn-order problem")
    for k in PROBLEMS:
        print(f"  {k:24s} {total[k]}")
    if bad:
        print("  e.g.", ", ".join(bad[:10]))
    return total


if __name__ == "__main__":
    main()
