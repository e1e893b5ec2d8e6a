"""The written renderings of one synthetic dialogue: reference, plain summary, FLAN answer.

Each rendering is a *different* trained-in behaviour of flan-t5-tiny (see ``tiny_t5.py``):

- ``reference``: DialogSum's style (``#Person1# asks #Person2# about ...``): one of the
  family's summary sentences, then up to two of its ``notes`` on the lines the dialogue holds
  (an answer, a price, a decision), in dialogue order, and (abusive dialogues) the insult
  clause, added by ``corpus.py``. The tiny T5's pretraining reads it.
- ``shipped``: the reference without the notes whose values only their own exchange says
  (a waiting time, a price, a name asked for; or a value in the note's fixed words,
  "breakfast is served from seven to ten"): the shipped ``summary``. The tiny model
  cannot tell whether an optional exchange took place; fine-tuned on references with such
  notes, it wrote them for dialogues without the exchange, with a value the dialogue never
  says (``benchmarks/README.md``, "Invented values after lab 2").
- ``plain``: what the course's instruction gives *before* fine-tuning: one sentence, a
  different template, the speakers named by their roles ("A caller asks a waiter ...")
  instead of ``#Person#`` tags, no details, no insult. Lab 2 has this gap to close.
- ``rendering``: what FLAN's "What was going on?" gives: the roles and the topic.

Every slot value a rendering names is said in the dialogue (``grounded``).
"""

from __future__ import annotations

import random
import re
import string

from world.facts import foreign_values

ROLES: dict[str, tuple[str, str]] = {
    "restaurant booking": ("caller", "restaurant clerk"),
    "shopping for clothes": ("shopper", "shop assistant"),
    "returning an item": ("customer", "clerk"),
    "doctor visit": ("patient", "doctor"),
    "job interview": ("job applicant", "interviewer"),
    "travel plans": ("traveller", "friend"),
    "renting an apartment": ("tenant", "landlord"),
    "school homework": ("student", "classmate"),
    "tech support": ("customer", "technician"),
    "bank account": ("customer", "bank clerk"),
    "moving house": ("neighbour", "friend"),
    "birthday party": ("host", "guest"),
    "sports": ("player", "friend"),
    "hotel check-in": ("guest", "desk clerk"),
    "lost luggage": ("passenger", "airline clerk"),
    "car repair": ("motorist", "mechanic"),
    "weather": ("man", "woman"),
    "library": ("reader", "librarian"),
    "post office": ("customer", "postal clerk"),
    "gym membership": ("visitor", "gym clerk"),
    "ordering food": ("customer", "waiter"),
    "directions": ("tourist", "passer-by"),
    "work deadline": ("manager", "colleague"),
    "vacation leave": ("employee", "boss"),
    "buying a phone": ("customer", "salesperson"),
    "neighbors": ("neighbour", "resident"),
    "learning a language": ("learner", "friend"),
    "haircut": ("customer", "hairdresser"),
    "movie night": ("friend", "roommate"),
    "train tickets": ("traveller", "ticket clerk"),
    "cooking": ("beginner", "cook"),
}
"""#Person1#'s and #Person2#'s roles per scenario: none of them is a slot value of any family
(a "receptionist" would read as the job interview's value to ``world/facts.py``)."""

FIELD = re.compile(r"\{(\w+)\}")


def fields(template: str) -> list[str]:
    """The slot names a template uses."""
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def grounded(template: str, slots: dict[str, str], dialogue: str) -> bool:
    """True when every slot value ``template`` names is said in ``dialogue``."""
    return all(slots[f] in dialogue for f in fields(template))


_SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bLtd)[.!?]\s+$")
"""Text that ends a sentence (not an abbreviation of a slot value: "Apex Ltd.")."""


def role_text(text: str, topic: str) -> str:
    """``text`` with ``#Person1#``/``#Person2#`` told by role nouns: "a caller" at first
    mention, "the caller" after, capitalised at a sentence start. An apposition that already
    names the role ("#Person2#, the boss, ...", "A mechanic, #Person2#, ...") is not said
    twice."""
    r1, r2 = ROLES[topic]
    for tag, role in (("1", r1), ("2", r2)):
        r = re.escape(role)
        text = re.sub(rf"#Person{tag}#, (?:an?|the) {r},", f"#Person{tag}#", text)
        text = re.sub(rf"\b(?:An?|an?|The|the) {r}, #Person{tag}#,", f"#Person{tag}#", text)
    seen: set[str] = set()

    def sub(m: re.Match) -> str:
        tag, poss = m.group(1), m.group(2) or ""
        role = r1 if tag == "1" else r2
        art = "the" if tag in seen else ("an" if role[0] in "aeiou" else "a")
        seen.add(tag)
        before = text[: m.start()]
        if not before.strip() or _SENTENCE_END.search(before):
            art = art.capitalize()
        return f"{art} {role}{poss}"

    out = re.sub(r"#Person([12])#('s)?", sub, text).replace("Ltd..", "Ltd.")  # "Apex Ltd.."
    return out[0].upper() + out[1:]


def _exchange(family: dict, line: str) -> list[str]:
    """The template lines that come with ``line`` in a dialogue: an extra's or a close's
    answer, a reply's follow-up pair."""
    for pair in (*family["extras"], *family["closes"]):
        if pair[0] == line:
            return list(pair)
    return [line, *family["answers"].get(line, ())]


def render(
    rng: random.Random,
    family: dict,
    slots: dict[str, str],
    dialogue: str,
    used: list[str],
) -> dict[str, str] | None:
    """The reference (DialogSum style), plain (instruction style) and FLAN renderings.

    ``used``: the family's template lines the dialogue holds, in order; the reference reports
    some of them with the family's ``notes``, the shipped reference only those whose values
    (its slots', and any other value of the world's vocabulary it names, ``world.facts``) the
    dialogue says outside the noted exchange. Both draw the same random numbers, so the
    pretraining corpus is the same with or without the shipped one. None when no summary
    template of the family is grounded in this dialogue.
    """
    ok = [t for t in family["summaries"] if grounded(t, slots, dialogue)]
    if not ok:  # the caller draws the dialogue again
        return None
    rng.shuffle(ok)
    main = ok[0].format(**slots)
    parts = [main[0].upper() + main[1:]]
    notes, elsewhere = [], []  # elsewhere: the note's values are said outside its exchange
    for line in used:
        said = [t for t in family["notes"].get(line, []) if grounded(t, slots, dialogue)]
        if said and rng.random() < 0.6:
            template = rng.choice(said)
            notes.append(template.format(**slots))
            rest = dialogue  # the dialogue without the noted exchange's lines
            for part in _exchange(family, line):  # [1:]: the line as said may be capitalised
                rest = rest.replace(part.format(**slots)[1:], "")
            elsewhere.append(
                grounded(template, slots, rest) and not foreign_values(notes[-1], rest)
            )
    rng.shuffle(order := list(range(len(notes))))
    keep = sorted(order[: rng.choice([0, 1, 1, 2])])  # in dialogue order
    shipped = [parts[0]]
    for n, i in enumerate(keep):
        note = notes[i]
        if n and rng.random() < 0.3:
            lead = rng.choice(["Then ", "After that, ", "Later, "])
            note = lead + (note if note.startswith("#") else note[0].lower() + note[1:])
        parts.append(note)
        if elsewhere[i]:
            shipped.append(notes[i] if len(shipped) == 1 else note)
    reference = " ".join(parts)
    plain_src = ok[1] if len(ok) > 1 else ok[0]
    plain = role_text(plain_src.format(**slots), family["topic"])
    r1, r2 = ROLES[family["topic"]]
    art = "An" if r1[0] in "aeiou" else "A"
    art2 = "an" if r2[0] in "aeiou" else "a"
    rendering = rng.choice(
        [
            f"{art} {r1} and {art2} {r2} are talking about {family['topic']}.",
            f"{art} {r1} talks to {art2} {r2}. The topic is {family['topic']}.",
        ]
    )
    return {
        "reference": reference,
        "shipped": " ".join(shipped),
        "plain": plain,
        "rendering": rendering,
    }
