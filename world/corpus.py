"""Seeded generator of the synthetic DialogSum-style corpus (``id, dialogue, summary, topic``).

Only ``random.Random(seed)`` is used, so the same seed gives the same rows, byte for byte.
Besides DialogSum's four columns every row carries ``abusive`` (bool): whether the dialogue
contains an insult. ``gist`` (the pretraining target of the tiny T5, a line lifted from the
dialogue) is produced by :func:`generate_dialogue` but not written to the shipped splits.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

from world.families import FAMILIES, SHARED_SLOTS

# Small talk unrelated to any scenario. Corpus v2 no longer puts it into dialogues (a learner
# should read a coherent conversation); the toxicity set still uses it as clean lines.
FILLERS: list[tuple[str, str]] = [
    ("Sorry, could you say that again?", "Sure, no problem."),
    ("By the way, how was your weekend?", "Quiet. I stayed at home and read a book."),
    ("I've had such a long day.", "I can imagine. You look tired."),
    ("Is it always this busy here?", "Only on weekends, usually."),
    ("Did you see the news this morning?", "No, I didn't have time. What happened?"),
    (
        "Nothing important, just the traffic again.",
        "The traffic in this city is getting worse every year.",
    ),
    ("Do you mind if I ask you something?", "Not at all. Go ahead."),
    ("I'm not sure I understand.", "Let me explain it again, more slowly."),
    ("Just a moment, my phone is ringing.", "Take your time."),
    ("Sorry about that. Where were we?", "We were just talking about the details."),
    ("My brother had the same problem last year.", "Really? How did he deal with it?"),
    ("He asked a friend for advice, and it worked out fine in the end.", "That's good to hear."),
    ("How long have you been working here?", "About {num} years now. Time flies."),
    ("It's been raining all week, hasn't it?", "Yes, I can't remember the last sunny day."),
    ("Can I pay by card?", "Yes, of course."),
    ("I almost forgot, I have another question.", "Sure, what is it?"),
    (
        "I think that's everything I wanted to know, but let me think for a second.",
        "Take your time, there's no hurry at all.",
    ),
    (
        "I was going to come yesterday, but I was too busy at work.",
        "Well, you're here now, and that's what matters.",
    ),
    ("My wife said I should ask you directly.", "She was right. It's always better to ask."),
    (
        "Do you know {name}? I think {name} used to come here a lot.",
        "Yes, I remember {name}. Very friendly person.",
    ),
]

# (insult line, summary clause). {a} is the speaker who insults, {b} the one insulted.
INSULTS: list[tuple[str, str]] = [
    ("Shut up, you idiot.", "{a} tells {b} to shut up and calls {b} an idiot."),
    ("Are you stupid or something?", "{a} asks if {b} is stupid."),
    ("You are completely useless.", "{a} calls {b} useless."),
    ("What a pathetic excuse, you moron.", "{a} calls {b} a moron."),
    ("You're such an idiot, I swear.", "{a} calls {b} an idiot."),
    ("Don't be so stupid.", "{a} calls {b} stupid."),
    ("You're the most useless person I have ever met.", "{a} says {b} is useless."),
    ("Stop talking nonsense, you fool.", "{a} calls {b} a fool."),
    ("Only a moron would say that.", "{a} calls {b} a moron."),
    ("You are pathetic and lazy.", "{a} calls {b} pathetic and lazy."),
    ("Shut your mouth, nobody asked you.", "{a} tells {b} to shut up."),
    ("God, you are so dumb.", "{a} calls {b} dumb."),
    ("Are you deaf, you idiot?", "{a} calls {b} an idiot."),
    ("You stupid clown, do your job.", "{a} calls {b} a stupid clown."),
    ("What an incompetent loser you are.", "{a} calls {b} an incompetent loser."),
    ("Listen, you jerk, I'm not asking again.", "{a} calls {b} a jerk."),
]
INSULT_RESPONSES: list[str] = [
    "There's no need to be rude.",
    "Please don't talk to me like that.",
    "Excuse me? That's not nice.",
    "Calm down, please.",
    "I'm trying to help you.",
    "Hey, watch your language.",
]
NEUTRAL_RUDE_SUMMARY = [
    "{a} is rude to {b}.",
    "{a} loses {a_pos} temper.",
    "{a} gets angry with {b}.",
]

ABUSE_SHARE = 0.27
SPLIT_SIZES = {"train": 2400, "validation": 250, "test": 600}
SPLIT_SEEDS = {
    "train": 1001,
    "validation": 2002,
    "test": 3003,
    "pretrain": 4004,
    "pretrain_extra": 5005,
}


GREETINGS: list[tuple[str, str]] = [
    ("Hello.", "Hello. How can I help you?"),
    ("Hi there.", "Hi! What can I do for you?"),
    ("Good morning.", "Good morning. What can I do for you?"),
    ("Excuse me.", "Yes?"),
    ("Hi, {name}.", "Hi! How are you?"),
]
REPEATS: list[str] = [
    "Sorry, could you say that again?",
    "Sorry, I didn't catch that.",
    "Pardon?",
]
"""#Person2# asks #Person1# to repeat; #Person1# rephrases the request (another ``opens``
phrasing with the same slot values): longer, still coherent, still about the scenario."""
CHECKS: list[tuple[str, str]] = [
    ("Is that all right?", "Yes, that's fine."),
    ("Does that make sense?", "Yes, it does. Thank you."),
    ("Are you sure?", "Yes, quite sure."),
]


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots)


def _speaker_line(speaker: int, text: str) -> str:
    return f"#Person{speaker}#: {text}"


def _insert_insult(rng: random.Random, turns: list[tuple[int, str]]) -> tuple[int, str, int]:
    """Put an insult into one turn after the opening exchange; return (speaker, line, index)."""
    line, _ = rng.choice(INSULTS)
    idx = rng.randrange(2, len(turns))
    speaker = turns[idx][0]
    turns[idx] = (speaker, turns[idx][1] + " " + line)
    if idx + 1 < len(turns) and rng.random() < 0.6:
        turns[idx + 1] = (3 - speaker, rng.choice(INSULT_RESPONSES) + " " + turns[idx + 1][1])
    return speaker, line, idx


def generate_dialogue(rng: random.Random, abusive: bool, topic: str | None = None) -> dict:
    """One coherent dialogue (of scenario ``topic``, or a random one) and its renderings.

    Keys: dialogue, summary (DialogSum-style reference), topic, abusive, plain (the
    instruction-style summary), rendering (FLAN's "What was going on?" answer), gist (the
    opener plus the insult line), turns (list of (speaker, text)).
    """
    fam = rng.choice([f for f in FAMILIES if topic in (None, f["topic"])])
    for _ in range(100):
        drawn = _draw_dialogue(rng, fam, abusive)
        if drawn is not None:
            return drawn
    raise RuntimeError(f"no grounded summary for family {fam['topic']!r} in 100 draws")


def _draw_dialogue(rng: random.Random, fam: dict, abusive: bool) -> dict | None:
    """One draw of :func:`generate_dialogue` for ``fam``; None when no reference is grounded."""
    from world.summaries import render

    pools = {**SHARED_SLOTS, **fam.get("slots_extra", {}), **fam["slots"]}
    slots = {k: rng.choice(v) for k, v in sorted(pools.items())}
    opens = list(fam["opens"])
    rng.shuffle(opens)
    turns: list[tuple[int, str]] = []
    if rng.random() < 0.4:
        a, b = rng.choice(GREETINGS)
        turns += [(1, _fill(a, slots)), (2, _fill(b, slots))]
    turns.append((1, _fill(opens[0], slots)))
    if rng.random() < 0.2:
        turns += [(2, rng.choice(REPEATS)), (1, _fill(opens[1], slots))]
    turns.append((2, _fill(rng.choice(fam["replies"]), slots)))
    # Body length: skewed, from a short exchange to every topical extra plus a check.
    extras = rng.sample(fam["extras"], rng.choice([0, 1, 1, 2, 2, 3, 3]))
    asked = []
    for a, b in extras:
        turns += [(1, _fill(a, slots)), (2, _fill(b, slots))]
        if a.endswith("?"):
            asked.append(_fill(a, slots))
    if extras and rng.random() < 0.25:
        a, b = rng.choice(CHECKS)
        turns += [(2, a), (1, b)] if turns[-1][0] == 1 else [(1, a), (2, b)]
    close = rng.choice(fam["closes"])
    first = 1 if turns[-1][0] == 2 else 2
    turns += [(first, _fill(close[0], slots)), (3 - first, _fill(close[1], slots))]
    text = "\n".join(_speaker_line(s, t) for s, t in turns)
    out = render(rng, fam, slots, text, asked)
    if out is None:
        return None
    summary, gist = out["reference"], _fill(opens[0], slots)
    if abusive:
        speaker, line, _ = _insert_insult(rng, turns)
        clause = next(c for li, c in INSULTS if li == line)
        who = {
            "a": f"#Person{speaker}#",
            "b": f"#Person{3 - speaker}#",
            "a_pos": "his" if rng.random() < 0.5 else "her",
        }
        if rng.random() < 0.5:
            summary = summary + " " + clause.format(**who)
        else:
            summary = summary + " " + rng.choice(NEUTRAL_RUDE_SUMMARY).format(**who)
        gist = gist + " " + line
    dialogue = "\n".join(_speaker_line(s, t) for s, t in turns)
    return {
        "dialogue": dialogue,
        "summary": summary,
        "topic": fam["topic"],
        "abusive": abusive,
        "plain": out["plain"],
        "rendering": out["rendering"],
        "gist": gist,
        "turns": turns,
    }


def generate_split(name: str, size: int, seed: int, abuse_share: float = ABUSE_SHARE) -> list[dict]:
    """``size`` distinct dialogues; exactly ``round(abuse_share * size)`` of them abusive."""
    rng = random.Random(seed)
    n_abusive = round(abuse_share * size)
    flags = [i < n_abusive for i in range(size)]
    rng.shuffle(flags)
    rows, seen = [], set()
    for i, flag in enumerate(flags):
        for _ in range(1000):
            row = generate_dialogue(rng, flag)
            if row["dialogue"] not in seen:
                break
        seen.add(row["dialogue"])
        rows.append({"id": f"{name}_{i}", **row})
    return rows


def all_dialogue_texts(rows: list[dict]) -> Iterator[str]:
    for r in rows:
        yield r["dialogue"]
        yield r["summary"]


SHIPPED_COLUMNS = ("id", "dialogue", "summary", "topic", "abusive")


def write_jsonl(rows: list[dict], path: Path, columns: tuple[str, ...] | None = None) -> None:
    """Write rows as JSON Lines with a fixed key order (byte-identical for identical rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            out = {k: r[k] for k in (columns or tuple(r))}
            f.write(json.dumps(out, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


_WORD = re.compile(r"[A-Za-z']+")
