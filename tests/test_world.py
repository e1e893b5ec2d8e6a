"""The tiny-world generator: valid, deterministic rows at a small size (no models trained)."""

from __future__ import annotations

import re

import pytest

from world.corpus import (
    ABUSE_SHARE,
    FILLERS,
    INSULTS,
    REPEATS,
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
    words = ("idiot", "stupid", "useless", "moron", "shut up", "pathetic", "fool", "dumb")
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
        assert r["summary"].startswith("#Person")
        assert "#Person" not in r["plain"] and "#Person" not in r["rendering"]
        assert r["topic"] in r["rendering"]
    # references vary: many distinct strings, not a handful of templates
    assert len({r["summary"] for r in rows}) >= 0.95 * len(rows)


def test_summary_slot_values_are_said_in_the_dialogue():
    from world.summaries import grounded

    slots = {"place": "Luigi's", "num": "four", "day": "Friday"}
    template = "#Person1# books a table for {num} at {place} on {day}."
    assert grounded(template, slots, "#Person1#: A table for four at Luigi's on Friday, please.")
    assert not grounded(template, slots, "#Person1#: A table for four at Luigi's, please.")


def test_question_turns_become_reported_questions():
    from world.summaries import question_clause

    clause = question_clause("Is there a taxi stand nearby?")
    assert clause == "asks if there is a taxi stand nearby"
    assert question_clause("How much is it?") == "asks about the price"
    assert question_clause("Can I pay with my card?") is None  # "my" would read wrongly


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
