"""world/facts.py: each check on hand-written dialogue/summary pairs, true and false."""

from __future__ import annotations

import json

from world.facts import accused, check, insulters, main, named_values, rates

ABUSIVE = (
    "#Person1#: I'd like to send a parcel to Brazil.\n"
    "#Person2#: It's 35 dollars by airmail.\n"
    "#Person1#: That much? You stupid clown, do your job.\n"
    "#Person2#: There's no need to be rude. Fine."
)
CLEAN = (
    "#Person1#: Could I reserve a table for four people on Tuesday at seven?\n"
    "#Person2#: We are quite full, but I can give you a table at seven.\n"
    "#Person1#: That's perfect. The name is Apex.\n"
    "#Person2#: Thank you. See you on Tuesday."
)


def test_the_insulter_is_read_from_the_turns():
    assert insulters(ABUSIVE) == {1}
    assert insulters(CLEAN) == set()
    assert insulters("#Person1#: Hi.\n#Person2#: Shut your mouth, nobody asked you.") == {2}


def test_reversed_insulter():
    right = "#Person1# sends a parcel to Brazil and calls #Person2# a stupid clown."
    wrong = "#Person1# sends a parcel to Brazil. #Person2# calls #Person1# a stupid clown."
    passive_right = "#Person2# is insulted by #Person1#."
    passive_wrong = "#Person1# is insulted by #Person2#."
    assert not check(ABUSIVE, right).reversed_insulter
    assert check(ABUSIVE, wrong).reversed_insulter
    assert not check(ABUSIVE, passive_right).reversed_insulter
    assert check(ABUSIVE, passive_wrong).reversed_insulter
    assert check(ABUSIVE, "#Person2# is rude to #Person1#.").reversed_insulter
    assert accused("#Person1# loses his temper. #Person2# helps.") == {1}
    assert not check(ABUSIVE, "#Person1# sends a parcel to Brazil.").reversed_insulter


def test_insult_as_said_or_a_neutral_paraphrase():
    assert check(ABUSIVE, "#Person1# calls #Person2# a stupid clown.").insult_as_said is True
    assert check(ABUSIVE, "#Person1# is rude to #Person2#.").insult_as_said is True
    assert check(ABUSIVE, "#Person1# insults #Person2#.").insult_as_said is True
    assert check(ABUSIVE, "#Person1# calls #Person2# a moron.").insult_as_said is False
    assert check(ABUSIVE, "#Person1# calls #Person2# a stupid idiot.").insult_as_said is False
    assert check(ABUSIVE, "#Person1# tells #Person2# to shut up.").insult_as_said is False
    shut = "#Person1#: Hi.\n#Person2#: Shut your mouth, nobody asked you."
    assert check(shut, "#Person2# tells #Person1# to shut up.").insult_as_said is True
    assert check(ABUSIVE, "#Person1# sends a parcel to Brazil.").insult_as_said is None
    assert check(CLEAN, "#Person1# books a table.").insult_as_said is None


def test_invented_insult():
    assert check(CLEAN, "#Person1# books a table and calls #Person2# an idiot.").invented_insult
    assert check(CLEAN, "#Person2# is rude to #Person1#.").invented_insult
    assert not check(CLEAN, "#Person1# books a table for four on Tuesday.").invented_insult


def test_foreign_value():
    ok = "#Person1# books a table for four on Tuesday at seven."
    assert check(CLEAN, ok).foreign_values == []
    assert check(CLEAN, "#Person1# books a table for four on Thursday.").foreign_values == [
        "Thursday"
    ]
    assert check(CLEAN, "#Person1# books a table at eleven for four.").foreign_value
    assert check(ABUSIVE, "#Person1# sends a parcel to Japan.").foreign_values == ["Japan"]
    assert check(ABUSIVE, "#Person1# pays 35 dollars.").foreign_values == []
    assert check(ABUSIVE, "#Person1# pays 350 dollars.").foreign_values == []  # not a value
    assert check(ABUSIVE, "#Person1# pays 45 dollars.").foreign_values == ["45"]
    job = "#Person1#: I'm applying to Apex Ltd.\n#Person2#: Why?"
    assert check(job, "#Person1# applies to Nova Tech.").foreign_values == ["Nova Tech"]
    assert check(job, "#Person1# applies to Apex Ltd. and is nervous.").foreign_values == []
    party = "#Person1#: It's Anna's birthday on Monday.\n#Person2#: Great."
    assert check(party, "#Person1# plans a party for Anna.").foreign_values == []
    # longest match first: "a phone case" does not also count as "phone"
    assert named_values("#Person1# returns a phone case.") == ["a phone case"]


def test_any_slip_is_any_flag():
    assert not check(ABUSIVE, "#Person1# calls #Person2# a stupid clown.").any_slip
    assert check(ABUSIVE, "#Person1# calls #Person2# a moron.").any_slip
    assert check(ABUSIVE, "#Person2# is rude to #Person1#.").any_slip
    assert check(CLEAN, "#Person1# books a table for two.").any_slip


def test_rates_and_cli(tmp_path, capsys):
    rows = [
        {"dialogue": ABUSIVE, "summary": "#Person1# calls #Person2# a stupid clown."},
        {"dialogue": ABUSIVE, "summary": "#Person2# calls #Person1# a moron."},
        {"dialogue": CLEAN, "summary": "#Person1# books a table for four on Tuesday."},
        {"dialogue": CLEAN, "summary": "#Person1# books a table in Paris."},
    ]
    r = rates(rows)
    assert (r["reversed_insulter"]["count"], r["reversed_insulter"]["of"]) == (1, 2)
    assert (r["insult_as_said"]["count"], r["insult_as_said"]["of"]) == (1, 2)
    assert (r["foreign_value"]["count"], r["foreign_value"]["of"]) == (1, 4)
    assert r["any_slip"]["rate"] == 0.5
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps({**x, "prediction": x["summary"]}) + "\n" for x in rows))
    assert main([str(path), "--field", "prediction"]) == r
    assert "any_slip" in capsys.readouterr().out


def test_every_corpus_insult_is_detected():
    from world.corpus import INSULTS

    for line, _ in INSULTS:
        assert insulters(f"#Person1#: Hi.\n#Person2#: {line}") == {2}, line
