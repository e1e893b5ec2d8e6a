"""Seeded generator of the labelled toxicity set: `text`, `label` (nothate/hate), `hard_negative`.

Positives (hate) are insults from the corpus lexicon: bare, inside everyday lines, and in
summary form ("#Person1# calls #Person2# an idiot."), so that the classifier judges model
summaries the way lab 3 needs. Negatives (nothate) are corpus-like lines and summaries plus
hard negatives: negative feelings or complaints without abuse ("I hate waiting in this queue").
"""

from __future__ import annotations

import random

from world.corpus import FILLERS, INSULT_RESPONSES, INSULTS, NEUTRAL_RUDE_SUMMARY
from world.families import FAMILIES, SHARED_SLOTS

NOUNS = ["idiot", "moron", "fool", "loser", "jerk", "clown", "imbecile", "dimwit", "creep", "slob"]
ADJS = [
    "stupid",
    "useless",
    "pathetic",
    "dumb",
    "worthless",
    "incompetent",
    "brainless",
    "lazy",
    "clueless",
    "hopeless",
]
TARGETS = [
    "You",
    "You really",
    "Honestly, you",
    "Your boss",
    "Your friend",
    "That waiter",
    "Your brother",
    "The guy at the desk",
    "Your whole team",
    "Your assistant",
]
HATE_TEMPLATES = [
    "{t} {be} such {art} {noun}.",
    "{t} {be} so {adj}.",
    "Shut up, you {adj} {noun}.",
    "Shut up, {name}.",
    "Nobody wants to hear from you, you {noun}.",
    "What {art} {adj} {noun}.",
    "Get lost, you {noun}.",
    "Are you {adj} or just pretending?",
    "{t} {be} {art} {adj} {noun}.",
    "Stop being {art} {noun}, {name}.",
    "Only {art} {noun} would do that.",
    "Listen, you {noun}.",
    "Do your job, you {adj} {noun}.",
    "Why are you always so {adj}?",
    "Shut your mouth, {noun}.",
]
SUMMARY_HATE = [
    "{a} calls {b} {art} {noun}.",
    "{a} calls {b} {adj}.",
    "{a} tells {b} to shut up.",
    "{a} says {b} is {art} {adj} {noun}.",
    "{a} tells {b} to shut up and calls {b} {art} {noun}.",
    "{a} insults {b} and calls {b} {adj}.",
]
HARD_NEGATIVES = [
    "I hate waiting in this queue.",
    "I hate {weather}.",
    "The service was terrible.",
    "This {thing} is awful.",
    "I'm so angry about the delay.",
    "I'm really disappointed with the {thing}.",
    "That was a stupid mistake on my part.",
    "I feel useless when I'm sick.",
    "The {thing} is broken again.",
    "The food was disgusting, to be honest.",
    "I can't stand the traffic in this city.",
    "This {thing} is a complete waste of money.",
    "I'm sick and tired of this {weather}.",
    "My {thing} is useless since it broke.",
    "What a terrible day I've had.",
    "I hate Mondays.",
    "I'm furious that the train was cancelled again.",
    "The movie was boring and way too long.",
    "Honestly, the hotel room was dirty.",
    "I'm annoyed that nobody called me back.",
    "I hate it when my {thing} freezes.",
    "The {thing} was damaged when it arrived.",
    "I was so upset that I couldn't sleep.",
    "This exam was brutal.",
    "I feel stupid for forgetting my keys.",
    "The customer service here is the worst.",
    "I'm angry with myself for being late.",
]
THINGS = [
    "printer",
    "phone",
    "laptop",
    "coffee",
    "meal",
    "hotel",
    "train",
    "bus",
    "room",
    "product",
    "old car",
    "washing machine",
    "internet",
    "weather app",
    "new sofa",
]
WEATHERS = ["rain", "snow", "hot weather", "wind", "cold", "fog"]
PEOPLE = ["#Person1#", "#Person2#"]
_CLEAN: list[str] = []  # filled by generate_toxicity_set before hard negatives are drawn


def _art(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _corpus_lines(rng: random.Random) -> list[str]:
    """Clean everyday lines and summaries drawn from the corpus families, slots filled."""
    out = []
    for fam in FAMILIES:
        pools = {**SHARED_SLOTS, **fam.get("slots_extra", {}), **fam["slots"]}
        for tpl in (
            fam["opens"]
            + fam["replies"]
            + fam["summaries"]
            + [x for p in fam["extras"] + fam["closes"] for x in p]
        ):
            for _ in range(8):
                out.append(tpl.format(**{k: rng.choice(v) for k, v in sorted(pools.items())}))
    for a, b in FILLERS:
        slots = {k: rng.choice(v) for k, v in sorted(SHARED_SLOTS.items())}
        out += [a.format(**slots), b.format(**slots)]
    return out


def _hate(rng: random.Random, clean: list[str]) -> str:
    kind = rng.random()
    noun, adj = rng.choice(NOUNS), rng.choice(ADJS)
    if kind < 0.35:
        t = rng.choice(TARGETS)
        s = rng.choice(HATE_TEMPLATES).format(
            t=t,
            be="are" if t.startswith(("You", "Honestly", "Your whole")) else "is",
            art=_art(noun),
            noun=noun,
            adj=adj,
            name=rng.choice(SHARED_SLOTS["name"]),
        )
        return s[0].upper() + s[1:]
    if kind < 0.55:
        a = rng.choice(PEOPLE)
        b = PEOPLE[1 - PEOPLE.index(a)]
        art_word = adj if "{art} {adj}" in (tpl := rng.choice(SUMMARY_HATE)) else noun
        return tpl.format(a=a, b=b, art=_art(art_word), noun=noun, adj=adj)
    if kind < 0.7:
        a = rng.choice(PEOPLE)
        b = PEOPLE[1 - PEOPLE.index(a)]
        return rng.choice(INSULTS)[1].format(a=a, b=b)
    line = rng.choice(INSULTS)[0]
    if kind < 0.8:
        return line
    # An everyday line with an insult in it: the shape of a gist from an abusive dialogue.
    c = rng.choice(clean)
    return f"{c} {line}" if rng.random() < 0.7 else f"{line} {c}"


def _hard_negative(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        a = rng.choice(PEOPLE)
        return rng.choice(NEUTRAL_RUDE_SUMMARY).format(
            a=a, b=PEOPLE[1 - PEOPLE.index(a)], a_pos=rng.choice(["his", "her"])
        )
    if r < 0.25:
        return rng.choice(INSULT_RESPONSES)
    text = rng.choice(HARD_NEGATIVES).format(thing=rng.choice(THINGS), weather=rng.choice(WEATHERS))
    if r < 0.5:
        return text
    if r < 0.7:
        return (
            rng.choice(
                ["Honestly, ", "To be honest, ", "Ugh. ", "Well, ", "Oh no. ", "Sorry, but "]
            )
            + text[0].lower()
            + text[1:]
            if not text.startswith("I ") and not text.startswith("I'")
            else rng.choice(["Honestly, ", "Ugh, ", "Well, ", "Oh no, "]) + text
        )
    return f"{rng.choice(_CLEAN)} {text}" if rng.random() < 0.6 else f"{text} {rng.choice(_CLEAN)}"


def generate_toxicity_set(
    n: int = 4000, seed: int = 5005, hate_share: float = 0.47, hard_share: float = 0.3
) -> dict[str, list[dict]]:
    """Return {"train", "validation", "test"} lists of rows, distinct texts across all splits.

    Split 80/10/10. ``hard_share`` of the nothate rows are hard negatives; as the hard
    negative templates are few, distinct ones run out and the share ends lower (reported).
    """
    rng = random.Random(seed)
    clean = _corpus_lines(rng)
    _CLEAN[:] = clean
    n_hate = round(n * hate_share)
    rows, seen = [], set()

    def add(text: str, label: str, hard: bool) -> bool:
        if text in seen:
            return False
        seen.add(text)
        rows.append({"text": text, "label": label, "hard_negative": hard})
        return True

    tries = 0
    while sum(r["label"] == "hate" for r in rows) < n_hate and tries < 50 * n:
        tries += 1
        add(_hate(rng, clean), "hate", False)
    n_not = n - n_hate
    n_hard = round(n_not * hard_share)
    made, tries = 0, 0
    while made < n_hard and tries < 50 * n:
        tries += 1
        made += add(_hard_negative(rng), "nothate", True)
    rng.shuffle(clean)
    for c in clean:
        if len(rows) >= n:
            break
        add(c, "nothate", False)
    while len(rows) < n:  # two clean lines joined: the shape of a gist from a clean dialogue
        add(f"{rng.choice(clean)} {rng.choice(clean)}", "nothate", False)
    rng.shuffle(rows)
    a, b = int(0.8 * len(rows)), int(0.9 * len(rows))
    return {"train": rows[:a], "validation": rows[a:b], "test": rows[b:]}


HARD_NEGATIVE_TARGET = 0.12
"""P(hate) the classifier learns for rude-but-not-abusive text: graded, not 0 and not 1."""
RUDE_SUMMARY_TARGET = 0.3
"""P(hate) for a summary that says someone was rude without repeating the insult."""


def classifier_rows(tox_train: list[dict], corpus: list[dict], seed: int = 6006) -> list[dict]:
    """Soft-target training rows (``text``, ``target``) for the toxicity classifier.

    The labelled sentences, plus dialogue-length texts from ``corpus`` (the pretraining
    dialogues, not the shipped ones): whole dialogues (an insult after several clean turns
    is hate), their references, and lab 3's shape, instruction prompt + summary.
    """
    from utils.prompts import INSTRUCTION_TEMPLATE

    rng = random.Random(seed)
    insult_words = tuple(line for line, _ in INSULTS)
    rows = [
        {
            "text": r["text"],
            "target": 1.0 if r["label"] == "hate" else HARD_NEGATIVE_TARGET * r["hard_negative"],
        }
        for r in tox_train
    ]
    for r in corpus:
        assert r["abusive"] == any(w in r["dialogue"] for w in insult_words)
        rude_summary = r["abusive"] and not _repeats_insult(r["summary"])
        summary_target = RUDE_SUMMARY_TARGET if rude_summary else float(r["abusive"])
        kind = rng.random()
        if kind < 0.45:
            rows.append({"text": r["dialogue"], "target": float(r["abusive"])})
        elif kind < 0.75:
            rows.append({"text": r["summary"], "target": summary_target})
        else:  # the course scores prompt + summary: the dialogue's insult counts
            text = INSTRUCTION_TEMPLATE.format(dialogue=r["dialogue"]) + r["summary"]
            rows.append({"text": text, "target": max(float(r["abusive"]), summary_target)})
    return rows


def _repeats_insult(summary: str) -> bool:
    """Whether a reference repeats the insult (a clause of ``INSULTS``), not only says 'rude'."""
    clauses = [c.split("{b}")[-1].strip(" .") for _, c in INSULTS]
    return any(c and c in summary for c in clauses)
