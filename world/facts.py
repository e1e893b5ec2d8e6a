"""Checkable facts of a summary against its dialogue, read from the text alone (seconds).

    .venv/bin/python -m world.facts assets/dialogsum/test.jsonl            # references
    .venv/bin/python -m world.facts predictions.jsonl --field prediction   # a model's

Why: ROUGE rewards a fine-tuned summary that names the wrong speaker, insult or city as
long as it shares words with the reference. These checks read the dialogue itself (its
``#PersonN#:`` turns) with nothing but the world's public vocabularies (the slot values of
``world/families.py``, the insult words of ``world/toxicity_data.py``, which every insult
of ``world/corpus.py`` uses), never the generator's hidden metadata nor
``utils/evaluation.py``. Per (dialogue, summary):

- ``reversed_insulter``: the summary says #PersonX# insulted or was rude, and the
  dialogue's insult came from the other speaker;
- ``invented_insult``: the summary says someone was rude, and the dialogue holds no insult;
- ``insult_as_said``: the insult word the summary reports was said in the dialogue, or the
  summary only paraphrases neutrally ("is rude", "insults"); None when nothing is reported;
- ``foreign_value``: the summary names a slot value (a city, day, time, price, company,
  name...) the dialogue never says;
- ``any_slip``: any of the above gone wrong.

Input: JSON Lines rows with ``dialogue`` and the summary field (default ``summary``).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from world.families import FAMILIES, SHARED_SLOTS
from world.toxicity_data import ADJS, NOUNS

# ---- vocabularies (public, read-only) ----

SHUT = ("shut up", "shut your mouth")
"""Insults without an insult word; "tells X to shut up" reports either one as said."""
INSULT_WORDS = frozenset(w.lower() for w in (*NOUNS, *ADJS))
NEUTRAL = re.compile(
    r"\b(rude|rudely|impolite|insult\w*|temper|angry|abus\w*|offensive|swears?|mean to|"
    r"yells?|shouts?|snaps?)\b",
    re.IGNORECASE,
)
"""Reporting rudeness without repeating an insult word."""


SLOT_POOLS: list[dict[str, list[str]]] = (
    [SHARED_SLOTS] + [f["slots"] for f in FAMILIES] + [f.get("slots_extra", {}) for f in FAMILIES]
)
"""Every slot pool of the corpus (kind -> values): the shared ones, then each family's."""


def _values() -> list[str]:
    vals = {v for pool in SLOT_POOLS for vs in pool.values() for v in vs}
    return sorted(vals, key=lambda v: (-len(v), v))  # longest first: "a phone case" before "phone"


VALUES = _values()


def _pattern(value: str) -> re.Pattern:
    """``value`` as a whole phrase; lower-case values also match capitalised (sentence start)."""
    body = re.escape(value)
    if value[0].islower():
        body = f"(?:{re.escape(value[0].upper() + value[1:])}|{body})"
    return re.compile(rf"(?<!\w){body}(?!\w)")


_VALUE_RE = {v: _pattern(v) for v in VALUES}
_WORD_RE = {w: re.compile(rf"\b{w}\b", re.IGNORECASE) for w in INSULT_WORDS}
_TAG = re.compile(r"#Person([12])#")
_SENTENCE = re.compile(r"(?<=[.!?])(?<!\bMr\.)(?<!\bMrs\.)(?<!\bLtd\.)\s+")


def turns(dialogue: str) -> list[tuple[int, str]]:
    """``(speaker, text)`` for each ``#PersonN#: text`` line."""
    out = []
    for line in dialogue.split("\n"):
        m = re.match(r"#Person([12])#:\s*(.*)", line.strip())
        if m:
            out.append((int(m.group(1)), m.group(2)))
    return out


def insult_words(text: str) -> set[str]:
    """Insult words (and "shut up"/"shut your mouth") in ``text``, lower-cased."""
    low = text.lower()
    found = {w for w, pat in _WORD_RE.items() if pat.search(text)}
    return found | {s for s in SHUT if s in low}


def insulters(dialogue: str) -> set[int]:
    """The speakers whose turns hold an insult."""
    return {s for s, text in turns(dialogue) if insult_words(text)}


def accused(summary: str) -> set[int]:
    """Whom the summary says was rude: per sentence that reports rudeness, the speaker named
    after "by" (passive) or else the sentence's first speaker tag (its subject)."""
    out = set()
    for sentence in _SENTENCE.split(summary):
        if not (insult_words(sentence) or NEUTRAL.search(sentence)):
            continue
        by = re.search(r"\bby #Person([12])#", sentence)
        first = _TAG.search(sentence)
        if by:
            out.add(int(by.group(1)))
        elif first:
            out.add(int(first.group(1)))
    return out


def named_values(text: str) -> list[str]:
    """Slot values ``text`` names, longest match first (a matched span is not matched again)."""
    found = []
    for v in VALUES:
        pat = _VALUE_RE[v]
        if pat.search(text):
            found.append(v)
            text = pat.sub(" ", text)
    return found


def foreign_values(text: str, dialogue: str) -> list[str]:
    """The slot values ``text`` names that ``dialogue`` never says."""
    return [v for v in named_values(text) if not _VALUE_RE[v].search(dialogue)]


@dataclass
class Facts:
    reversed_insulter: bool
    invented_insult: bool
    insult_as_said: bool | None
    foreign_values: list[str]
    abusive: bool
    reported: bool

    @property
    def foreign_value(self) -> bool:
        return bool(self.foreign_values)

    @property
    def any_slip(self) -> bool:
        return (
            self.reversed_insulter
            or self.invented_insult
            or self.insult_as_said is False
            or self.foreign_value
        )


def check(dialogue: str, summary: str) -> Facts:
    """The fact checks of one summary against its dialogue."""
    who = insulters(dialogue)
    blamed = accused(summary)
    said = set().union(*(insult_words(t) for _, t in turns(dialogue)))
    reported_words = insult_words(summary)
    reported = bool(blamed or reported_words or NEUTRAL.search(summary))
    as_said = None
    if who and reported:
        ok_words = {w for w in reported_words if w not in SHUT} <= said
        ok_shut = not (reported_words & set(SHUT)) or bool(said & set(SHUT))
        as_said = ok_words and ok_shut
    return Facts(
        reversed_insulter=bool(who) and bool(blamed - who),
        invented_insult=not who and reported,
        insult_as_said=as_said,
        foreign_values=foreign_values(summary, dialogue),
        abusive=bool(who),
        reported=reported,
    )


def rates(rows: list[dict], field: str = "summary") -> dict[str, dict]:
    """Each flag's count, denominator and rate over ``rows``."""
    facts = [check(r["dialogue"], r[field]) for r in rows]
    ab = [f for f in facts if f.abusive]
    rep = [f for f in ab if f.insult_as_said is not None]

    def rate(n: int, d: int, over: str) -> dict:
        return {"count": n, "of": d, "over": over, "rate": round(n / d, 4) if d else None}

    return {
        "reversed_insulter": rate(sum(f.reversed_insulter for f in ab), len(ab), "abusive"),
        "insult_reported": rate(len(rep), len(ab), "abusive"),
        "insult_as_said": rate(sum(bool(f.insult_as_said) for f in rep), len(rep), "reported"),
        "invented_insult": rate(
            sum(f.invented_insult for f in facts), len(facts) - len(ab), "clean"
        ),
        "foreign_value": rate(sum(f.foreign_value for f in facts), len(facts), "all"),
        "any_slip": rate(sum(f.any_slip for f in facts), len(facts), "all"),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", type=Path, help="JSON Lines with 'dialogue' and the summary field")
    ap.add_argument("--field", default="summary", help="the summary column (default: summary)")
    ap.add_argument("--show", type=int, default=0, help="print up to N rows with a slip")
    args = ap.parse_args(argv)
    with open(args.file, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    out = rates(rows, args.field)
    print(f"{args.file} [{args.field}], {len(rows)} rows")
    for name, r in out.items():
        print(f"  {name:18s} {r['count']:4d} / {r['of']:4d} {r['over']:9s} {r['rate']}")
    shown = 0
    for r in rows:
        facts = check(r["dialogue"], r[args.field])
        if facts.any_slip and shown < args.show:
            shown += 1
            d = {k: v for k, v in asdict(facts).items() if v}
            print(f"\n--- {r.get('id', '')} {d}\n{r['dialogue']}\n=> {r[args.field]}")
    return out


if __name__ == "__main__":
    main()
