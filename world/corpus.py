"""Seeded generator of the synthetic DialogSum-style corpus (``id, dialogue, summary, topic``).

Only ``random.Random(seed)`` is used, so the same seed gives the same rows, byte for byte.
Corpus v3: turns follow each other as a conversation (see ``_draw_dialogue``), either speaker
may insult, with one of many insults, and the reference reports it as said or neutrally.
Besides DialogSum's four columns every row carries ``abusive`` (bool): whether the dialogue
contains an insult. The shipped ``summary`` is ``shipped_summary``: the reference without the
notes whose values only an optional exchange says (``summaries.render``); the tiny T5's
pretraining reads the full reference (``summary``). Its other pretraining targets
(``plain``, ``rendering``, ``template``: the reference told with role nouns, ``follow_up``:
the next turn after the goodbye, ``gist``) are produced by :func:`generate_dialogue` but not
written to the shipped splits.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from world.families import CHECK_BACKS, FAMILIES, FOLLOW_UP_LEADS, SHARED_SLOTS

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

# Insult words; each is one of the toxicity set's (``world/toxicity_data.py``: ``NOUNS``,
# ``ADJS``), so the classifier sees every insult a dialogue holds.
INSULT_NOUNS = ["idiot", "moron", "fool", "loser", "jerk", "clown", "imbecile", "dimwit", "slob"]
INSULT_ADJS = ["stupid", "useless", "pathetic", "dumb", "incompetent", "brainless", "clueless"]

# (insult line, summary clause). {a} is the speaker who insults, {b} the one insulted; the
# clause names the insult word the line says, so a reference reports the insult as said.
_NOUN_INSULTS = [
    ("You're such {art} {w}, I swear.", "{a} calls {b} {art} {w}."),
    ("Listen, you {w}, I'm not asking again.", "{a} calls {b} {art} {w}."),
    ("Only {art} {w} would say that.", "{a} tells {b} only {art} {w} would say that."),
    ("Stop talking nonsense, you {w}.", "{a} calls {b} {art} {w} for talking nonsense."),
]
_ADJ_INSULTS = [
    ("Are you {w} or something?", "{a} asks if {b} is {w}."),
    ("Don't be so {w}.", "{a} calls {b} {w}."),
    ("God, you are so {w}.", "{a} says {b} is so {w}."),
    ("You are completely {w}.", "{a} calls {b} completely {w}."),
]
INSULTS: list[tuple[str, str]] = (
    [
        (line.format(w=w, art=_art), clause.replace("{art}", _art).replace("{w}", w))
        for w in INSULT_NOUNS
        for _art in ["an" if w[0] in "aeiou" else "a"]
        for line, clause in _NOUN_INSULTS
    ]
    + [
        (line.format(w=w), clause.replace("{w}", w))
        for w in INSULT_ADJS
        for line, clause in _ADJ_INSULTS
    ]
    + [
        ("Shut up, you idiot.", "{a} tells {b} to shut up and calls {b} an idiot."),
        ("Shut your mouth, nobody asked you.", "{a} tells {b} to shut up."),
        ("You stupid clown, do your job.", "{a} calls {b} a stupid clown."),
        ("What an incompetent loser you are.", "{a} calls {b} an incompetent loser."),
        ("You are pathetic and lazy.", "{a} calls {b} pathetic and lazy."),
        ("Are you deaf, you idiot?", "{a} calls {b} an idiot."),
    ]
)


def says_insult(text: str) -> bool:
    """True when ``text`` (a turn, a dialogue) holds one of ``INSULTS``' lines."""
    return any(line in text for line, _ in INSULTS)


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
    "{a} insults {b}.",
    "{a} is rude to {b} at one point.",
    "{a} loses {a_pos} temper with {b}.",
    "{a} speaks rudely to {b}.",
    "{a} is impolite to {b}.",
    "{a} snaps at {b}.",
    "{a} gets angry and insults {b}.",
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
]
"""Greetings of a service scene; ``CASUAL_GREETINGS`` between people who know each other
(``{other}``: #Person2#'s name, never #Person1#'s ``{name}``)."""
CASUAL_GREETINGS: list[tuple[str, str]] = [
    ("Hi, {other}.", "Hi! Nice to see you."),
    ("Hey, {other}. Got a minute?", "Sure."),
    ("Hello, {other}.", "Oh, hello."),
]
CLARIFY: list[tuple[str, str]] = [
    ("Sorry, did you say {v}?", "Yes, {v}."),
    ("Sorry, was that {v}?", "That's right, {v}."),
    ("{V}, did you say?", "Yes, {v}."),
]
"""#Person2# checks a value of the request (a day, a city, an item) and #Person1# confirms it
by saying it again: a conversation, where v2's "Pardon?" had #Person1# reword the request."""
REPEATS = ("Pardon?", "Sorry, could you say that again?", "Sorry, I didn't catch that.")
"""Requests to repeat: v3 dialogues hold none (``benchmarks/turn_order.py`` checks)."""


_GREETING_WORDS = ("Hello", "Hi,", "Hi ", "Good morning", "Good evening", "Excuse me")


def _fill(template: str, slots: dict[str, str]) -> str:
    text = template.format(**slots)
    return text[0].upper() + text[1:]


def _speaker_line(speaker: int, text: str) -> str:
    return f"#Person{speaker}#: {text}"


REACTIONS = ("Only", "Stop talking", "Are you", "Don't be", "Shut")
"""Insults that answer what the other speaker said: they open the turn."""


def _insert_insult(
    rng: random.Random, turns: list[tuple[int, str]], speaker: int, first: int
) -> tuple[str, int]:
    """Put an insult into one of ``speaker``'s turns from index ``first`` on (after the request),
    before the goodbye when the dialogue is long enough; return it and the turn's index. The
    other speaker often answers it at the start of the next turn."""
    line, _ = rng.choice(INSULTS)
    mine = [i for i, (s, _) in enumerate(turns) if s == speaker and i >= first]
    idx = rng.choice([i for i in mine if i < len(turns) - 2] or mine)
    text = turns[idx][1]
    after = rng.random() < 0.6 and not line.startswith(REACTIONS)
    turns[idx] = (speaker, f"{text} {line}" if after else f"{line} {text}")
    if idx + 1 < len(turns) and rng.random() < 0.6:
        turns[idx + 1] = (3 - speaker, rng.choice(INSULT_RESPONSES) + " " + turns[idx + 1][1])
    return line, idx


def generate_dialogue(
    rng: random.Random, abusive: bool, topic: str | None = None, insulter: int | None = None
) -> dict:
    """One coherent dialogue (of scenario ``topic``, or a random one) and its renderings.

    Keys: dialogue, summary (DialogSum-style reference, every note: the pretraining's),
    shipped_summary (the reference the shipped splits hold), topic, abusive, plain (the
    instruction-style summary), rendering (the who-and-what answer), template (FLAN's "What
    was going on?" answer: the reference told with role nouns), follow_up (the no-prompt
    continuation: a next turn about this dialogue), gist (the opener plus the insult line),
    turns (list of (speaker, text)). ``insulter``: who insults
    in an abusive dialogue (1 or 2; None: either, by chance).
    """
    fam = rng.choice([f for f in FAMILIES if topic in (None, f["topic"])])
    for _ in range(100):
        drawn = _draw_dialogue(rng, fam, abusive, insulter)
        if drawn is not None:
            return drawn
    raise RuntimeError(f"no grounded summary for family {fam['topic']!r} in 100 draws")


_NOT_CHECKED = {"name", "problem", "fault", "task"}
"""Slots not checked back: one's own name, and clauses ("was that it has a scratch?")."""


def _clarify(rng: random.Random, opener: str, slots: dict[str, str]) -> tuple[str, str] | None:
    """#Person2# checks one value the opening line names; None when it names none."""
    from world.summaries import fields

    names = [f for f in fields(opener) if f not in _NOT_CHECKED]
    if not names:
        return None
    v = slots[rng.choice(names)]
    ask, confirm = rng.choice(CLARIFY)
    return ask.format(v=v, V=v[0].upper() + v[1:]), confirm.format(v=v)


def _draw_dialogue(
    rng: random.Random, fam: dict, abusive: bool, insulter: int | None = None
) -> dict | None:
    """One draw of :func:`generate_dialogue` for ``fam``; None when no reference is grounded.

    The turns follow each other as a conversation: (greeting), #Person1#'s request, (a check
    of one of its values), #Person2#'s reply (when it is a question, #Person1# answers and
    #Person2# goes on), topical exchanges in the family's order, the goodbye. #Person1#
    always speaks the request and the closing line, #Person2# the replies.
    """
    from world.summaries import render, role_text

    pools = {**SHARED_SLOTS, **fam.get("slots_extra", {}), **fam["slots"]}
    slots = {k: rng.choice(v) for k, v in sorted(pools.items())}
    slots["other"] = rng.choice([n for n in SHARED_SLOTS["name"] if n != slots["name"]])
    turns: list[tuple[int, str]] = []
    used: list[str] = []  # the family's template lines, in dialogue order (for the reference)
    if rng.random() < 0.4:
        kinds = fam.get("greetings") or (CASUAL_GREETINGS if fam.get("casual") else GREETINGS)
        a, b = rng.choice(kinds)
        turns += [(1, _fill(a, slots)), (2, _fill(b, slots))]
    opens = [o for o in fam["opens"] if not (turns and o.startswith(_GREETING_WORDS))]
    opener = rng.choice(opens or fam["opens"])  # greeted already: not "Hello" again
    opened = len(turns)  # the request's index
    turns.append((1, _fill(opener, slots)))
    used.append(opener)
    if rng.random() < 0.2 and (check := _clarify(rng, opener, slots)):
        turns += [(2, check[0]), (1, check[1])]
    reply = rng.choice(fam["replies"])
    turns.append((2, _fill(reply, slots)))
    used.append(reply)
    if reply in fam["answers"]:
        answer, follow = fam["answers"][reply]
        turns += [(1, _fill(answer, slots)), (2, _fill(follow, slots))]
    # Body length: skewed, from a short exchange to every topical extra; the family's order.
    k = min(rng.choice([0, 1, 1, 2, 2, 3, 3]), len(fam["extras"]))
    extras = [fam["extras"][i] for i in sorted(rng.sample(range(len(fam["extras"])), k))]
    for a, b in extras:
        turns += [(1, _fill(a, slots)), (2, _fill(b, slots))]
        used.append(a)
    close = rng.choice(fam["closes"])
    turns += [(1, _fill(close[0], slots)), (2, _fill(close[1], slots))]
    used.append(close[0])
    text = "\n".join(_speaker_line(s, t) for s, t in turns)
    out = render(rng, fam, slots, text, used)
    if out is None:
        return None
    summary, gist = out["reference"], _fill(opener, slots)
    shipped = out["shipped"]
    if abusive:
        speaker = insulter or (1 if rng.random() < 0.5 else 2)
        line, _ = _insert_insult(rng, turns, speaker, first=opened + 1)
        clause = next(c for li, c in INSULTS if li == line)
        who = {
            "a": f"#Person{speaker}#",
            "b": f"#Person{3 - speaker}#",
            "a_pos": "his" if rng.random() < 0.5 else "her",
        }
        if rng.random() < 0.5:
            said_rude = clause.format(**who)
        else:
            said_rude = rng.choice(NEUTRAL_RUDE_SUMMARY).format(**who)
        summary, shipped = summary + " " + said_rude, shipped + " " + said_rude
        gist = gist + " " + line
    dialogue = "\n".join(_speaker_line(s, t) for s, t in turns)
    return {
        "dialogue": dialogue,
        "summary": summary,
        "shipped_summary": shipped,
        "topic": fam["topic"],
        "abusive": abusive,
        "plain": out["plain"],
        "rendering": out["rendering"],
        "gist": gist,
        "turns": turns,
        "template": role_text(summary, fam["topic"]),
        "follow_up": follow_up(fam, slots, turns),
    }


def said(value: str, text: str) -> bool:
    """True when ``text`` says ``value`` as a whole phrase ("two" not inside "twenty")."""
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None


def follow_up(fam: dict, slots: dict[str, str], turns: list[tuple[int, str]]) -> str:
    """The next turn after the dialogue's last line, by the speaker who did not say it: one of
    the family's ``follow_ups`` (#Person1#) or a check of a value (#Person2#), naming only
    values the dialogue says. Drawn with its own generator seeded by the dialogue's text, so
    the corpus's draws stay as they were."""
    dialogue = "\n".join(_speaker_line(s, t) for s, t in turns)
    rng = random.Random(zlib.crc32(dialogue.encode("utf-8")))
    speaker = 3 - turns[-1][0]
    from world.summaries import fields

    if speaker == 1:
        ok = [t for t in fam["follow_ups"] if all(said(slots[f], dialogue) for f in fields(t))]
        body = rng.choice(ok).format(**slots)
        text = rng.choice(FOLLOW_UP_LEADS[body[-1]]) + body
    else:
        names = sorted(
            f for f in slots if f not in (*_NOT_CHECKED, "other") and said(slots[f], dialogue)
        )
        text = rng.choice(CHECK_BACKS).format(v=slots[rng.choice(names)])
    return _speaker_line(speaker, text)


def generate_split(name: str, size: int, seed: int, abuse_share: float = ABUSE_SHARE) -> list[dict]:
    """``size`` distinct dialogues; exactly ``round(abuse_share * size)`` of them abusive, half
    of those (rounded) with the insult from #Person1#, half from #Person2#."""
    rng = random.Random(seed)
    n_abusive = round(abuse_share * size)
    flags = [i < n_abusive for i in range(size)]
    rng.shuffle(flags)
    # who insults: each speaker in half of the abusive dialogues, in a shuffled order
    who = [1 + i % 2 for i in range(n_abusive)]
    rng.shuffle(who)
    insulters = iter(who)
    rows, seen = [], set()
    for i, flag in enumerate(flags):
        insulter = next(insulters) if flag else None
        for _ in range(1000):
            row = generate_dialogue(rng, flag, insulter=insulter)
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


def distinct_2(texts: list[str]) -> float:
    """Unique bigrams / all bigrams over ``texts`` (lower-cased, split on whitespace)."""
    words = [t.lower().split() for t in texts]
    bigrams = [(w[i], w[i + 1]) for w in words for i in range(len(w) - 1)]
    return len(set(bigrams)) / len(bigrams) if bigrams else 0.0
