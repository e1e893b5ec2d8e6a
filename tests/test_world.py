"""The tiny-world generator: valid, deterministic rows at a small size (no models trained)."""

from __future__ import annotations

import re

import pytest

from world.corpus import (
    ABUSE_SHARE,
    FILLERS,
    INSULT_ADJS,
    INSULT_NOUNS,
    INSULTS,
    REPEATS,
    SPLIT_SEEDS,
    SPLIT_SIZES,
    distinct_2,
    generate_split,
    read_jsonl,
    write_jsonl,
)
from world.families import FAMILIES
from world.toxicity_data import generate_toxicity_set

TURN = re.compile(r"^#Person[12]#: \S.*$")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return generate_split("demo", 200, seed=7)


def test_same_seed_same_rows_other_seed_other_rows(rows):
    assert generate_split("demo", 200, seed=7) == rows
    assert generate_split("demo", 200, seed=8) != rows


def test_rows_follow_dialogsum_schema(rows):
    for i, r in enumerate(rows):
        assert r["id"] == f"demo_{i}"
        lines = r["dialogue"].split("\n")
        assert len(lines) >= 4
        assert all(TURN.match(line) for line in lines), r["dialogue"]
        assert lines[0].startswith("#Person1#:") and lines[1].startswith("#Person2#:")
        assert "#Person" in r["summary"] and r["summary"].endswith(".")
        assert "{" not in r["dialogue"] + r["summary"]  # every slot was filled
        assert r["topic"] in {f["topic"] for f in FAMILIES}


def test_rows_are_distinct_varied_and_abuse_share_exact(rows):
    assert len({r["dialogue"] for r in rows}) == len(rows)
    assert len({r["topic"] for r in rows}) >= 20
    lengths = [len(r["dialogue"]) for r in rows]
    assert min(lengths) < 250 and max(lengths) > 600
    assert sum(r["abusive"] for r in rows) == round(ABUSE_SHARE * len(rows))


def test_abusive_rows_hold_an_insult_and_clean_rows_none(rows):
    insult_lines = [line for line, _ in INSULTS]
    for r in rows:
        has = any(line in r["dialogue"] for line in insult_lines)
        assert has == r["abusive"], r["dialogue"]
        if r["abusive"]:
            assert r["gist"].endswith(tuple(insult_lines))  # the insult is a separable clause


def test_some_abusive_summaries_repeat_the_insult(rows):
    words = (*INSULT_NOUNS, *INSULT_ADJS, "shut up")
    ab = [r for r in rows if r["abusive"]]
    repeating = [r for r in ab if any(w in r["summary"].lower() for w in words)]
    assert 0.2 * len(ab) <= len(repeating) <= 0.8 * len(ab)


def test_jsonl_round_trip_is_byte_identical(rows, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(rows, a, ("id", "dialogue", "summary", "topic", "abusive"))
    write_jsonl(
        generate_split("demo", 200, seed=7), b, ("id", "dialogue", "summary", "topic", "abusive")
    )
    assert a.read_bytes() == b.read_bytes()
    assert [r["dialogue"] for r in read_jsonl(a)] == [r["dialogue"] for r in rows]


def test_toxicity_set_is_balanced_with_hard_negatives_and_deterministic():
    tox = generate_toxicity_set(600, seed=11)
    assert tox == generate_toxicity_set(600, seed=11)
    allrows = [r for split in tox.values() for r in split]
    assert len(allrows) == 600 and len({r["text"] for r in allrows}) == 600
    hate = sum(r["label"] == "hate" for r in allrows)
    assert 0.45 <= hate / 600 <= 0.55
    nothate = [r for r in allrows if r["label"] == "nothate"]
    assert sum(r["hard_negative"] for r in nothate) >= 0.15 * len(nothate)
    assert {r["label"] for r in allrows} == {"hate", "nothate"}
    assert all(not r["hard_negative"] for r in allrows if r["label"] == "hate")


def test_dialogues_are_coherent_turn_taking_without_filler(rows):
    # small talk unrelated to the scenario (asking to repeat the request is on-topic)
    filler = {line for pair in FILLERS for line in pair if "{" not in line and len(line) > 25}
    filler -= set(REPEATS)
    for r in rows:
        speakers = [line[:9] for line in r["dialogue"].split("\n")]
        assert all(a != b for a, b in zip(speakers, speakers[1:], strict=False)), r["dialogue"]
        assert not any(f in r["dialogue"] for f in filler), r["dialogue"]


def test_each_rendering_has_its_own_style(rows):
    for r in rows:
        assert "#Person" in r["summary"]  # v3: not always the first word, as in DialogSum
        assert not any("#Person" in r[k] for k in ("plain", "rendering", "template"))
        assert r["follow_up"].startswith("#Person1#: ")  # v3: #Person2# says the last line
        assert r["topic"] in r["rendering"]
    # references vary: many distinct strings, not a handful of templates
    assert len({r["summary"] for r in rows}) >= 0.95 * len(rows)


def test_summary_slot_values_are_said_in_the_dialogue():
    from world.summaries import grounded

    slots = {"place": "Luigi's", "num": "four", "day": "Friday"}
    template = "#Person1# books a table for {num} at {place} on {day}."
    assert grounded(template, slots, "#Person1#: A table for four at Luigi's on Friday, please.")
    assert not grounded(template, slots, "#Person1#: A table for four at Luigi's, please.")


def test_build_data_splits_are_disjoint_and_deterministic(tmp_path):
    from world.build import SMALL, build_data

    a = build_data(tmp_path / "a", SMALL)
    build_data(tmp_path / "b", SMALL)
    shipped = [r["dialogue"] for n in ("train", "validation", "test") for r in a[n]]
    assert len(set(shipped)) == len(shipped)
    for name in ("pretrain", "pretrain_extra"):
        assert a[name] and not set(shipped) & {r["dialogue"] for r in a[name]}, name
    assert not {r["dialogue"] for r in a["pretrain"]} >= {
        r["dialogue"] for r in a["pretrain_extra"]
    }
    for f in ("dialogsum/train.jsonl", "dialogsum/test.jsonl", "toxicity/train.jsonl"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_focus_rows_lean_towards_the_scenarios_the_model_misses():
    from collections import Counter

    from world.focus import FOCUS_SHARE, focus_rows

    misses = {f["topic"]: 0.0 for f in FAMILIES}
    misses["learning a language"] = 1.0
    unrestricted = focus_rows(600, misses, seed=3, abuse_share=0.3, exclude=set())
    exclude = {r["dialogue"] for r in unrestricted[:100]}  # what the same seed draws first
    rows = focus_rows(600, misses, seed=3, abuse_share=0.3, exclude=exclude)
    assert rows == focus_rows(600, misses, seed=3, abuse_share=0.3, exclude=exclude)
    assert len(rows) == 600 and not exclude & {r["dialogue"] for r in rows}
    share = Counter(r["topic"] for r in rows)["learning a language"] / len(rows)
    expected = FOCUS_SHARE + (1 - FOCUS_SHARE) / len(FAMILIES)  # focused half + its usual share
    assert abs(share - expected) < 0.06, share
    assert 0.2 < sum(r["abusive"] for r in rows) / len(rows) < 0.4


def test_the_drill_takes_the_scenarios_missed_at_least_half_the_time():
    from collections import Counter

    from world.focus import DRILL_MIN_MISS, drill_topics, fresh_rows

    misses = {f["topic"]: 0.1 for f in FAMILIES}
    misses.update({"learning a language": 0.8, "travel plans": DRILL_MIN_MISS})
    assert drill_topics(misses) == ["learning a language", "travel plans"]
    misses.update({"learning a language": 0.3, "travel plans": 0.2})
    assert drill_topics(misses) == ["learning a language"]  # none that bad: the worst one
    topics = ["learning a language", "travel plans"]
    exclude = {r["dialogue"] for r in fresh_rows(50, topics, 4, 0.3, set(), "drill")}
    rows = fresh_rows(400, topics, 4, 0.3, exclude, "drill")
    assert rows == fresh_rows(400, topics, 4, 0.3, exclude, "drill")
    assert len(rows) == 400 and not exclude & {r["dialogue"] for r in rows}
    counts = Counter(r["topic"] for r in rows)
    assert set(counts) == set(topics) and min(counts.values()) > 150
    assert rows[7]["id"] == "drill_7"
    assert 0.2 < sum(r["abusive"] for r in rows) / len(rows) < 0.4


# ---- corpus v3 (issue 24): conversations, insults by either speaker, varied references ----


@pytest.fixture(scope="module")
def test_split() -> list[dict]:
    """The shipped test split's size and seed."""
    return generate_split("test", SPLIT_SIZES["test"], SPLIT_SEEDS["test"])


def test_distinct_2_counts_unique_bigrams_over_all_bigrams():
    from utils.evaluation import distinct_n

    # bigrams: (a b) (b a) (a b) | (A B)->(a b) (b c): 5 in all, 3 unique
    assert distinct_2(["a b a b", "A B c"]) == pytest.approx(3 / 5)
    assert distinct_2(["one"]) == 0.0
    texts = ["#Person1# asks #Person2# about it.", "#Person2# asks #Person1# about it."]
    assert distinct_2(texts) == pytest.approx(distinct_n(texts, 2))


def test_test_references_are_varied(test_split):
    refs = [r["shipped_summary"] for r in test_split]
    assert distinct_2(refs) >= 0.30, distinct_2(refs)


def test_shipped_reference_notes_only_values_said_outside_the_noted_exchange():
    """A note whose value only an optional exchange says stays in the pretraining's reference
    and leaves the shipped one; a note whose value the request says stays in both."""
    import random

    from world.summaries import render

    family = {
        "topic": "shopping for clothes",
        "summaries": ["#Person1# wants {item}."],
        "extras": [("How much is it?", "It's {price} dollars."), ("Is it warm?", "Very.")],
        "closes": [("Thanks.", "Bye.")],
        "answers": {},
        "notes": {
            "How much is it?": ["It costs {price} dollars."],
            "Is it warm?": ["#Person1# asks if {item} is warm."],
        },
    }
    slots = {"item": "a coat", "price": "90"}
    dialogue = (
        "#Person1#: I want a coat.\n#Person2#: Here.\n#Person1#: How much is it?\n"
        "#Person2#: It's 90 dollars.\n#Person1#: Is it warm?\n#Person2#: Very."
    )
    used = ["I want {item}.", "How much is it?", "Is it warm?"]
    drawn = [render(random.Random(seed), family, slots, dialogue, used) for seed in range(200)]
    assert any("costs 90" in d["reference"] for d in drawn)
    assert not any("90" in d["shipped"] for d in drawn)
    warm = [d for d in drawn if "is warm" in d["reference"]]
    assert warm and all("asks if a coat is warm." in d["shipped"] for d in warm)
    leads = r"(Then |After that, |Later, )"
    for d in drawn:  # the shipped reference is the full one less its price note
        full = re.sub(leads + r"?[Ii]t costs 90 dollars\. ?", "", d["reference"]).strip()
        assert re.sub(leads, "", full) == re.sub(leads, "", d["shipped"]), d


def test_shipped_reference_drops_a_fixed_note_whose_value_only_its_exchange_says():
    """A note with no slot can still name a value ("served from seven"): it leaves the shipped
    reference when only its exchange says that value, and stays when the dialogue says it
    elsewhere too."""
    import random

    from world.summaries import render

    family = {
        "topic": "hotel check-in",
        "summaries": ["#Person1# checks in at {hotel}."],
        "extras": [("When is breakfast?", "From seven.")],
        "closes": [],
        "answers": {},
        "notes": {"When is breakfast?": ["Breakfast is served from seven."]},
    }
    slots = {"hotel": "the Ritz"}
    used = ["I check in at {hotel}.", "When is breakfast?"]
    exchange = "#Person1#: When is breakfast?\n#Person2#: From seven."
    only_there = f"#Person1#: I check in at the Ritz.\n#Person2#: Welcome.\n{exchange}"
    also_before = f"#Person1#: I check in at the Ritz at seven.\n#Person2#: Welcome.\n{exchange}"
    for dialogue, shipped_too in ((only_there, False), (also_before, True)):
        drawn = [render(random.Random(seed), family, slots, dialogue, used) for seed in range(100)]
        noted = [d for d in drawn if "served from seven" in d["reference"]]
        assert noted
        assert all(("served from seven" in d["shipped"]) == shipped_too for d in noted)


def test_turns_follow_as_a_conversation(test_split):
    from benchmarks.turn_order import problems

    bad = {r["id"]: problems(r["dialogue"]) for r in test_split}
    bad = {k: v for k, v in bad.items() if sum(v.values())}
    assert not bad, list(bad.items())[:3]
    assert not any(REPEATS[0] in r["dialogue"] for r in test_split)
    checks = [
        r for r in test_split if "did you say" in r["dialogue"] or "was that" in r["dialogue"]
    ]
    assert len(checks) > 30  # value checks replace v2's "Pardon?" and reworded request


def test_turn_order_checker_finds_each_problem():
    from benchmarks.turn_order import problems

    ok = (
        "#Person1#: I'm planning a trip to Paris next month.\n"
        "#Person2#: How exciting! How long will you stay?\n"
        "#Person1#: For four days.\n"
        "#Person2#: That's enough time to see the main sights.\n"
        "#Person1#: Thanks for the tips.\n"
        "#Person2#: Any time. Enjoy Paris."
    )
    assert sum(problems(ok).values()) == 0
    lines = ok.split("\n")
    answer_late = "\n".join(lines[:2] + [lines[4], lines[5], lines[2], lines[3]])
    assert problems(answer_late)["answer_before_question"] >= 1
    assert problems(answer_late)["unanswered"] == 1
    repeat = "\n".join(
        lines[:1]
        + ["#Person2#: Pardon?", "#Person1#: We are going to Paris for our holiday."]
        + lines[1:]
    )
    assert problems(repeat)["reworded_repeat"] == 1
    same = "\n".join(lines[:1] + ["#Person2#: Pardon?", lines[0]] + lines[1:])
    assert problems(same)["reworded_repeat"] == 0
    swapped = "\n".join(lines[:4] + ["#Person2#: Thanks for the tips.", "#Person1#: Any time."])
    assert problems(swapped)["role_swap"] >= 1
    assert problems("#Person1#: The moon is made of cheese.")["unknown_turn"] == 1


def test_either_speaker_insults_with_varied_words(test_split):
    from world.facts import insult_words, insulters
    from world.toxicity_data import ADJS, NOUNS

    assert set(INSULT_NOUNS) <= set(NOUNS) and set(INSULT_ADJS) <= set(ADJS)  # classifier knows
    ab = [r for r in test_split if r["abusive"]]
    who = [insulters(r["dialogue"]) for r in ab]
    assert all(len(w) == 1 for w in who)
    assert abs(sum(w == {1} for w in who) - sum(w == {2} for w in who)) <= 1
    words = set().union(*(insult_words(r["dialogue"]) for r in ab))
    assert len(words) >= 12, words
    top = max(sum(w in insult_words(r["dialogue"]) for r in ab) for w in words)
    assert top <= 0.2 * len(ab)  # no stand-in insult for every dialogue


def test_references_get_the_facts_right(test_split):
    from world.facts import rates

    for key in ("summary", "shipped_summary"):
        r = rates(test_split, key)
        for flag in ("reversed_insulter", "invented_insult", "foreign_value", "any_slip"):
            assert r[flag]["count"] == 0, (key, flag, r[flag])
        assert r["insult_as_said"]["rate"] == 1.0 and r["insult_reported"]["rate"] == 1.0


def test_every_family_line_fits_the_v3_structure():
    for f in FAMILIES:
        for reply in f["replies"]:
            if reply.endswith("?"):
                assert reply in f["answers"], (f["topic"], reply)
        assert set(f["answers"]) <= set(f["replies"]), f["topic"]
        keys = set(f["replies"]) | {a for a, _ in f["extras"]} | {a for a, _ in f["closes"]}
        assert set(f["notes"]) <= keys, (f["topic"], set(f["notes"]) - keys)
        notes = [n for v in f["notes"].values() for n in v]
        assert all("[" not in t and "]" not in t for t in f["summaries"] + notes)
        assert all(n.endswith(".") and n[0].isupper() or n[0] == "#" for n in notes)


def test_no_line_that_waits_for_an_answer_goes_unanswered():
    # a question's answer is scripted right after it; #Person2#'s answers and goodbyes ask
    # nothing that the next line would have to answer
    for f in FAMILIES:
        follows = [b for _, b in f["answers"].values()]
        for line in follows + [b for _, b in f["extras"] + f["closes"]]:
            assert not line.endswith("?"), (f["topic"], line)


def test_the_classifier_data_reads_every_insult_clause_as_repeating_the_insult():
    from world.toxicity_data import _repeats_insult

    for _, clause in INSULTS:
        assert _repeats_insult(clause.format(a="#Person1#", b="#Person2#")), clause


def test_insults_come_after_the_request_and_reactions_open_their_turn(test_split):
    from world.corpus import CASUAL_GREETINGS, GREETINGS, REACTIONS
    from world.families import SHARED_SLOTS

    greeting_pairs = (
        GREETINGS + CASUAL_GREETINGS + [g for f in FAMILIES for g in f.get("greetings", [])]
    )
    names = SHARED_SLOTS["name"]

    lines = [line for line, _ in INSULTS]
    for r in (r for r in test_split if r["abusive"]):
        turns = [t.split(": ", 1)[1] for t in r["dialogue"].split("\n")]
        at = [i for i, t in enumerate(turns) if any(x in t for x in lines)]
        assert len(at) == 1
        request = (
            2
            if len(turns) > 2
            and any(turns[0] == g.format(other=n) for g, _ in greeting_pairs for n in names)
            else 0
        )
        assert at[0] > request, r["dialogue"]
        line = next(x for x in lines if x in turns[at[0]])
        if line.startswith(REACTIONS):
            assert turns[at[0]].startswith(line), r["dialogue"]


def test_t5_tokenizer_reads_a_value_as_one_token_whatever_punctuation_follows(tmp_path):
    from world.tokenizer import build_t5_tokenizer

    texts = [
        "#Person1#: Shall we meet on Saturday?\n#Person2#: Yes, Saturday. At 3.5 past, I'd say!",
        "#Person1# and #Person2# meet on Saturday, at ten.",
    ] * 50
    tok = build_t5_tokenizer(texts, tmp_path, vocab_size=120)
    asked = tok.tokenize("#Person1#: On Saturday?")
    told = tok.tokenize("They meet on Saturday.")
    assert "?" in asked and "." in told and "\u2581Saturday" in asked and "\u2581Saturday" in told
    assert "\u2581#Person1#" in asked and ":" in asked
    for text in texts[:2]:
        assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text
    assert "3.5" in tok.decode(tok("at 3.5 past")["input_ids"], skip_special_tokens=True)
