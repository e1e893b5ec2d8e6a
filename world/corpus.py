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

# Small talk that fits any situation: lengthens dialogues without changing their point.
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
SPLIT_SEEDS = {"train": 1001, "validation": 2002, "test": 3003, "pretrain": 4004}


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots)


def _speaker_line(speaker: int, text: str) -> str:
    return f"#Person{speaker}#: {text}"


def generate_dialogue(rng: random.Random, abusive: bool) -> dict:
    """One dialogue: dict with dialogue, summary, topic, abusive, gist."""
    fam = rng.choice(FAMILIES)
    pools = {**SHARED_SLOTS, **fam.get("slots_extra", {}), **fam["slots"]}
    slots = {k: rng.choice(v) for k, v in sorted(pools.items())}
    opener = _fill(rng.choice(fam["opens"]), slots)
    turns: list[tuple[int, str]] = []
    if rng.random() < 0.4:
        turns.append(
            (
                1,
                rng.choice(
                    ["Hello.", "Hi there.", "Good morning.", "Excuse me.", f"Hi, {slots['name']}."]
                ),
            )
        )
        turns.append(
            (
                2,
                rng.choice(
                    ["Hello. How can I help you?", "Hi! What can I do for you?", "Yes?", "Morning!"]
                ),
            )
        )
    turns.append((1, opener))
    turns.append((2, _fill(rng.choice(fam["replies"]), slots)))
    # Body length: a skewed draw so lengths span short exchanges to long conversations.
    n_extra = rng.choice([0, 0, 1, 1, 2, 2, 3])
    n_fill = rng.choice([0, 0, 0, 1, 1, 2, 3, 4, 6, 8, 10, 12])
    body = rng.sample(fam["extras"], n_extra) + rng.sample(FILLERS, n_fill)
    rng.shuffle(body)
    for a, b in body:
        turns.append((1, _fill(a, slots)))
        turns.append((2, _fill(b, slots)))
    close = rng.choice(fam["closes"])
    turns.append((1, _fill(close[0], slots)))
    turns.append((2, _fill(close[1], slots)))

    summary = _fill(rng.choice(fam["summaries"]), slots)
    gist = opener
    if abusive:
        line, clause = rng.choice(INSULTS)
        speaker = rng.choice([1, 2])
        other = 3 - speaker
        pos = rng.randrange(3, len(turns) - 1) if len(turns) > 4 else len(turns) - 1
        pos = pos - (pos % 2) + (speaker - 1)  # keep turns alternating
        pos = min(pos, len(turns) - 1)
        turns[pos] = (turns[pos][0], line) if turns[pos][0] == speaker else turns[pos]
        if turns[pos][1] != line:  # speaker mismatch: append the insult to the speaker's next turn
            idx = next(i for i in range(len(turns)) if i >= 2 and turns[i][0] == speaker)
            turns[idx] = (speaker, turns[idx][1] + " " + line)
            pos = idx
        if pos + 1 < len(turns) and rng.random() < 0.6:
            turns[pos + 1] = (other, rng.choice(INSULT_RESPONSES) + " " + turns[pos + 1][1])
        who = {
            "a": f"#Person{speaker}#",
            "b": f"#Person{other}#",
            "a_pos": "his" if rng.random() < 0.5 else "her",
        }
        if rng.random() < 0.5:
            summary = summary + " " + clause.format(**who)
        else:
            summary = summary + " " + rng.choice(NEUTRAL_RUDE_SUMMARY).format(**who)
        gist = opener + " " + line
    dialogue = "\n".join(_speaker_line(s, t) for s, t in turns)
    return {
        "dialogue": dialogue,
        "summary": summary,
        "topic": fam["topic"],
        "abusive": abusive,
        "gist": gist,
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
