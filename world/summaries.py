"""The written renderings of one synthetic dialogue: reference, plain summary, FLAN answer.

Each rendering is a *different* trained-in behaviour of flan-t5-tiny (see ``tiny_t5.py``):

- ``reference``: DialogSum's style (``#Person1# asks #Person2# about ...``), one to three
  sentences built from the family's summary templates, a clause for a question asked in the
  dialogue, and (abusive dialogues) the insult clause. This is the shipped ``summary``.
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
    "hotel check-in": ("guest", "receptionist"),
    "lost luggage": ("passenger", "airline clerk"),
    "car repair": ("driver", "mechanic"),
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

FIELD = re.compile(r"\{(\w+)\}")
PRONOUNS = re.compile(r"\b(I|I'm|I've|I'll|me|my|you|your|you're|we|us|our)\b", re.IGNORECASE)


def fields(template: str) -> list[str]:
    """The slot names a template uses."""
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def grounded(template: str, slots: dict[str, str], dialogue: str) -> bool:
    """True when every slot value ``template`` names is said in ``dialogue``."""
    return all(slots[f] in dialogue for f in fields(template))


_QUESTION_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^Do you have (.+)\?$"), "asks if #Person2# has {0}"),
    (re.compile(r"^Is there (.+)\?$"), "asks if there is {0}"),
    (re.compile(r"^Is it (.+)\?$"), "asks if it is {0}"),
    (re.compile(r"^Can I (.+)\?$"), "asks if #Person1# can {0}"),
    (re.compile(r"^Can we (.+)\?$"), "asks if they can {0}"),
    (re.compile(r"^Can you (.+)\?$"), "asks #Person2# to {0}"),
    (re.compile(r"^Could you (.+)\?$"), "asks #Person2# to {0}"),
    (re.compile(r"^Where is (.+)\?$"), "asks where {0} is"),
    (re.compile(r"^Do I need (.+)\?$"), "asks if #Person1# needs {0}"),
    (re.compile(r"^How much is (.+)\?$"), "asks how much {0} costs"),
    (re.compile(r"^How long (.+)\?$"), "asks how long {0}"),
    (re.compile(r"^What about (.+)\?$"), "asks about {0}"),
]


def question_clause(question: str) -> str | None:
    """``#Person1# asks ...`` for a question turn, or None when no rule reads it cleanly."""
    for pattern, template in _QUESTION_RULES:
        m = pattern.match(question.strip())
        if m:
            body = m.group(1)
            if template.startswith("asks how much") and body == "it":
                return "asks about the price"
            if PRONOUNS.search(body):
                return None
            return template.format(body)
    return None


def _role_text(text: str, topic: str) -> str:
    """Replace ``#Person1#``/``#Person2#`` by role nouns: "a caller" first, "the caller" after."""
    r1, r2 = ROLES[topic]
    seen: set[str] = set()

    def sub(m: re.Match) -> str:
        tag, poss = m.group(1), m.group(2) or ""
        role = r1 if tag == "1" else r2
        art = "the" if tag in seen else ("an" if role[0] in "aeiou" else "a")
        seen.add(tag)
        return f"{art} {role}{poss}"

    out = re.sub(r"#Person([12])#('s)?", sub, text)
    return out[0].upper() + out[1:]


def render(
    rng: random.Random,
    family: dict,
    slots: dict[str, str],
    dialogue: str,
    asked: list[str],
) -> dict[str, str] | None:
    """The reference (DialogSum style), plain (instruction style) and FLAN renderings.

    ``asked``: the question turns of #Person1# in the dialogue, for a detail clause.
    None when no summary template of the family is grounded in this dialogue.
    """
    ok = [t for t in family["summaries"] if grounded(t, slots, dialogue)]
    if not ok:  # the caller draws the dialogue again
        return None
    rng.shuffle(ok)
    main = ok[0].format(**slots)
    parts = [main]
    if len(ok) > 1 and rng.random() < 0.35:
        parts.append(ok[1].format(**slots))
    clauses = [c for c in (question_clause(q) for q in asked) if c]
    if clauses and rng.random() < 0.7:
        clause = rng.choice(clauses)
        lead = rng.choice(["#Person1# also {c}.", "#Person1# {c}.", "Then #Person1# {c}."])
        parts.append(lead.format(c=clause))
        if len(clauses) > 1 and rng.random() < 0.3:
            other = next(c for c in clauses if c != clause)
            parts.append(f"#Person1# {other}, too.")
    reference = " ".join(parts)
    plain_src = ok[1] if len(ok) > 1 else ok[0]
    plain = _role_text(plain_src.format(**slots), family["topic"])
    r1, r2 = ROLES[family["topic"]]
    art = "An" if r1[0] in "aeiou" else "A"
    art2 = "an" if r2[0] in "aeiou" else "a"
    rendering = rng.choice(
        [
            f"{art} {r1} and {art2} {r2} are talking about {family['topic']}.",
            f"{art} {r1} talks to {art2} {r2}. The topic is {family['topic']}.",
        ]
    )
    return {"reference": reference, "plain": plain, "rendering": rendering}
