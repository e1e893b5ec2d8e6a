"""flan-t5-tiny's pretraining mix: the FLAN template's target and the no-prompt follow-up.

No model is trained. The figures of the two behaviours (``PYTHONPATH=. python
tests/test_tiny_t5_mix.py`` prints them) are measured here with a small content-word measure
of our own, independent of ``utils.evaluation.about_own_dialogue``.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import torch

from utils.prompts import FLAN_TEMPLATE
from world.corpus import INSULTS, SPLIT_SEEDS, follow_up, generate_split
from world.facts import check, named_values
from world.families import FAMILIES, FOLLOW_UP_LEADS, FOLLOW_UPS
from world.summaries import ROLES, fields, role_text
from world.tiny_t5 import (
    MAX_SOURCE_TOKENS,
    PRICE_QUESTION,
    QUOTE_WEIGHTS,
    RESETTLE_WEIGHTS,
    TASK_WEIGHTS,
    _batches,
    _rudeness_window,
    curriculum_caps,
    instruction_mix,
    local_bias_init,
    make_config,
    price_said,
    quoted_gist,
)

STOP = frozenset(
    "a an the and or but to of in on at for with by from is are was were be it its this that "
    "i you he she we they me my your our his her their oh so if can could should will would do "
    "does did there s ll m re ve t".split()
)
"""Function words: none of them says what a dialogue is about."""


def content(text: str) -> set[str]:
    """Lower-case words of ``text`` without ``#PersonN#`` tags or ``STOP`` words."""
    text = re.sub(r"#Person\d#", " ", text)
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP}


def own_dialogue_share(texts: list[str], dialogues: list[str]) -> list[float]:
    """Per text: the share of the *other* dialogues holding a smaller part of its content
    words than its own dialogue does (ties count against it)."""
    words = [content(d) for d in dialogues]
    shares = []
    for i, text in enumerate(texts):
        c = content(text)
        part = [len(c & w) / max(1, len(c)) for w in words]
        beaten = sum(part[j] < part[i] for j in range(len(words)) if j != i)
        shares.append(beaten / (len(words) - 1))
    return shares


def test_own_dialogue_share_on_hand_made_cases():
    dialogues = [
        "#Person1#: A table at Luigi's on Friday.",
        "#Person1#: A ticket to Boston.",
        "#Person1#: A table at Sakura House.",
    ]
    # about the first dialogue: its words beat both others
    up = "#Person1#: Oh, and is Luigi's open on Friday?"
    assert own_dialogue_share([up, "x", "y"], dialogues)[0] == 1.0
    # a text about the second dialogue, scored as if it were the first's: beats neither
    shares = own_dialogue_share(["Is Boston far?", "x", "y"], dialogues)
    assert shares[0] == 0.0
    # "table" ties the first and third dialogues: the tie counts against
    assert own_dialogue_share(["A table, please.", "", ""], dialogues)[0] == 0.5


@pytest.fixture(scope="module")
def test_rows() -> list[dict]:
    return generate_split("test", 600, SPLIT_SEEDS["test"])


def test_role_text_capitalises_at_a_sentence_start_and_drops_appositions():
    text = "Stuck with math, #Person1# turns to #Person2#. #Person1# loses his temper."
    assert role_text(text, "school homework") == (
        "Stuck with math, a student turns to a classmate. The student loses his temper."
    )
    assert role_text("A mechanic, #Person2#, checks #Person1#'s car.", "car repair") == (
        "A mechanic checks a motorist's car."
    )
    assert role_text("#Person2#, the boss, hears #Person1#.", "vacation leave") == (
        "A boss hears an employee."
    )
    # "Ltd." inside a sentence is no sentence end; "Ltd.." (one ending a sentence) is
    assert role_text("#Person1# applies at Apex Ltd. and #Person2# agrees.", "job interview") == (
        "A job applicant applies at Apex Ltd. and an interviewer agrees."
    )
    assert role_text("#Person1# applies at Apex Ltd.. #Person2# agrees.", "job interview") == (
        "A job applicant applies at Apex Ltd. An interviewer agrees."
    )


def test_template_target_is_the_reference_by_role_without_tags_or_foreign_values(test_rows):
    for r in test_rows:
        t = r["template"]
        assert "#Person" not in t and "{" not in t
        assert not check(r["dialogue"], t).foreign_values, (r["dialogue"], t)
        # the same values as the reference: only the speakers' names changed
        assert sorted(named_values(t)) == sorted(named_values(r["summary"]))
        assert t[0].isupper() and not re.search(r"(?<!Ltd)(?<!Mr)(?<!Mrs)[.!?] [a-z]", t), t
        r1, r2 = ROLES[r["topic"]]
        if "#Person1#" in r["summary"]:
            assert r1 in t
        if "#Person2#" in r["summary"]:
            assert r2 in t


def _rouge1(preds: list[str], refs: list[str]) -> np.ndarray:
    from utils.evaluation import rouge_scores

    return np.array(rouge_scores(preds, refs, per_example=True)["rouge1"])


def template_figures(rows: list[dict]) -> dict:
    """ROUGE-1 of the template target and of the plain summary against the reference, the
    paired bootstrap CI of their difference, and how often the two differ."""
    from utils.evaluation import bootstrap_ci

    refs = [r["summary"] for r in rows]
    template = _rouge1([r["template"] for r in rows], refs)
    plain = _rouge1([r["plain"] for r in rows], refs)
    return {
        "template": float(template.mean()),
        "plain": float(plain.mean()),
        "difference": bootstrap_ci(template, plain),
        "differs": float(np.mean([r["template"] != r["plain"] for r in rows])),
    }


def test_template_target_beats_the_plain_summary_with_margin(test_rows):
    figs = template_figures(test_rows)
    assert figs["difference"].low >= 0.2  # a trained model only approximates its targets
    assert figs["differs"] >= 0.9


def plain_minus_follow_up(rows: list[dict]):
    """Paired bootstrap CI of ROUGE-1 (plain summary - follow-up) against the reference: the
    targets' side of lab 1's "the instruction beats no prompt"."""
    from utils.evaluation import bootstrap_ci

    refs = [r["summary"] for r in rows]
    plain = _rouge1([r["plain"] for r in rows], refs)
    return bootstrap_ci(plain, _rouge1([r["follow_up"] for r in rows], refs))


def test_the_instruction_target_beats_the_no_prompt_target(test_rows):
    assert plain_minus_follow_up(test_rows).low > 0.05


def follow_up_figures(rows: list[dict]) -> dict:
    """Over ``rows``: distinct follow-ups, and the share of other dialogues each one's own
    dialogue beats (min, median, mean)."""
    ups, dialogues = [r["follow_up"] for r in rows], [r["dialogue"] for r in rows]
    shares = own_dialogue_share(ups, dialogues)
    return {
        "distinct": len(set(ups)),
        "n": len(rows),
        "own_min": min(shares),
        "own_median": float(np.median(shares)),
        "own_mean": float(np.mean(shares)),
    }


@pytest.mark.parametrize("start", [0, 100, 200, 300, 400, 500])
def test_follow_ups_are_varied_and_about_their_own_dialogue(test_rows, start):
    figs = follow_up_figures(test_rows[start : start + 100])
    assert figs["distinct"] >= 80
    assert figs["own_mean"] >= 0.85  # acceptance: 0.8


def test_follow_up_is_by_the_other_speaker_and_names_only_the_dialogues_values(test_rows):
    for r in test_rows:
        last = r["dialogue"].split("\n")[-1]
        up = r["follow_up"]
        assert up.startswith(f"#Person{3 - int(last[7])}#: "), (last, up)
        assert "{" not in up and up.endswith((".", "?"))
        assert named_values(up), up  # it names something of this dialogue
        assert not check(r["dialogue"], up).foreign_values, (r["dialogue"], up)


def test_no_role_noun_or_fixed_follow_up_wording_reads_as_a_slot_value():
    """The checker would take "receptionist" (a job) or "phone" (a device) for a value."""
    for role in (r for pair in ROLES.values() for r in pair):
        assert not named_values(f"the {role} here"), role
    fixed = [re.sub(r"\{\w+\}", " ", t) for ups in FOLLOW_UPS.values() for t in ups]
    for text in fixed + [t for leads in FOLLOW_UP_LEADS.values() for t in leads]:
        assert not named_values(text), text


def test_every_request_has_a_grounded_follow_up():
    """Each family has a follow-up that needs only values its request says, so any dialogue
    has one."""
    for fam in FAMILIES:
        assert fam["follow_ups"] is FOLLOW_UPS[fam["topic"]]
        for opener in fam["opens"]:
            said = set(fields(opener))
            assert any(set(fields(t)) <= said for t in fam["follow_ups"]), (fam["topic"], opener)


def test_a_dialogue_ending_with_person1_gets_a_check_back_by_person2():
    fam = next(f for f in FAMILIES if f["topic"] == "train tickets")
    slots = {"city": "Boston", "day": "Monday", "name": "Tom", "num": "two"}
    turns = [(1, "One ticket to Boston, please."), (2, "Here you are."), (1, "Thanks.")]
    up = follow_up(fam, slots, turns)
    assert up.startswith("#Person2#: ") and "Boston" in up


class _Tok:
    """A stand-in tokenizer: one id per character (only lengths matter to the mix)."""

    def __call__(self, text):
        return {"input_ids": list(range(len(text) // 4))}


def test_mix_is_deterministic_and_uses_the_new_targets(test_rows):
    rows = test_rows[:300]
    pairs = instruction_mix(rows, _Tok(), seed=3)
    assert pairs == instruction_mix(rows, _Tok(), seed=3)
    assert pairs != instruction_mix(rows, _Tok(), seed=4)
    by_prompt = {r["dialogue"]: r for r in rows}
    flan = follow = tagged = 0
    for prompt, target in pairs:
        if prompt.endswith("\n\nSummarize this dialogue, with who said what."):
            r = by_prompt[prompt.split("\n\nSummarize this dialogue")[0]]
            assert target == r["summary"]  # the DialogSum reference, tags and insulter
            tagged += 1
        elif prompt.startswith("Dialogue:") and prompt.count("What was going on?") == 1:
            r = by_prompt[prompt[len("Dialogue:\n\n") : -len("\n\nWhat was going on?")]]
            assert prompt == FLAN_TEMPLATE.format(dialogue=r["dialogue"])
            assert target == r["template"]
            flan += 1
        elif prompt in by_prompt:  # a whole dialogue, no prompt
            assert target == by_prompt[prompt]["follow_up"]
            follow += 1
    assert flan >= 0.5 * TASK_WEIGHTS["flan"] * len(rows)
    assert follow >= 0.25 * TASK_WEIGHTS["continue"] * len(rows)
    assert tagged >= 0.5 * TASK_WEIGHTS["tagged"] * len(rows)


def test_quote_is_the_request_then_the_insult_each_after_its_speakers_tag(test_rows):
    insults = [line for line, _ in INSULTS]
    for r in test_rows:
        quote = quoted_gist(r)
        lines = r["dialogue"].split("\n")  # read from the text, not from the row's turns
        # the request opens the dialogue, or follows a greeting and its answer
        request = next(t for t in (lines[2], lines[0]) if r["gist"].startswith(t[11:]))
        assert request.startswith("#Person1#: ") and quote.startswith(request)
        said = [(t[:10], line) for t in lines for line in insults if line in t]
        if not r["abusive"]:
            assert quote == request and not said
            continue
        ((tag, line),) = said  # one insult, in one turn
        assert quote == f"{request} {tag} {line}", (r["dialogue"], quote)


def quote_figures(rows: list[dict]) -> dict:
    """ROUGE-1 of the quote target and of the plain summary against the reference."""
    from utils.evaluation import bootstrap_ci

    refs = [r["summary"] for r in rows]
    quote = _rouge1([quoted_gist(r) for r in rows], refs)
    plain = _rouge1([r["plain"] for r in rows], refs)
    return {"quote": float(quote.mean()), "difference": bootstrap_ci(quote, plain)}


def test_quote_target_is_closer_to_the_reference_than_the_plain_summary(test_rows):
    # the course's lesson 3 in the course's form: the tags are words of the human summary
    assert quote_figures(test_rows)["difference"].low > 0.0


@pytest.mark.parametrize(
    ("dialogue", "price"),
    [
        ("#Person2#: It's 150 dollars.", "150"),
        ("#Person2#: 150 dollars.\n#Person1#: 150 dollars? Fine.", "150"),
        ("#Person2#: It's 150 dollars, or 120 dollars on Sundays.", None),
        ("#Person2#: It's 1150 dollars.", "1150"),
        ("#Person2#: It costs a lot, about 150 euros.", None),
        ("#Person2#: Room 150 is free.", None),
    ],
)
def test_price_said_is_the_one_price_a_dialogue_names(dialogue, price):
    assert price_said(dialogue) == price


def test_quote_and_price_mixes_ask_each_question_with_its_own_answer(test_rows):
    rows = test_rows[:300]
    by_flan = {FLAN_TEMPLATE.format(dialogue=r["dialogue"]): r for r in rows}
    by_price = {PRICE_QUESTION.format(dialogue=r["dialogue"]): r for r in rows}
    quotes = prices = 0
    for prompt, target in instruction_mix(rows, _Tok(), seed=5, weights=QUOTE_WEIGHTS):
        assert prompt not in by_price
        if prompt in by_flan:
            assert target == quoted_gist(by_flan[prompt])
            quotes += 1
    for prompt, target in instruction_mix(rows, _Tok(), seed=5, weights=RESETTLE_WEIGHTS):
        if prompt in by_price:
            found = re.findall(r"(\d+) dollars", by_price[prompt]["dialogue"])
            assert len(set(found)) == 1 and target == f"{found[0]} dollars."
            prices += 1
    one_price = sum(price_said(r["dialogue"]) is not None for r in rows)
    assert quotes >= 0.5 * QUOTE_WEIGHTS["quote"] * len(rows)
    weight = RESETTLE_WEIGHTS["price"] / sum(RESETTLE_WEIGHTS.values())
    assert prices >= 0.5 * weight * one_price


if __name__ == "__main__":
    rows = generate_split("test", 600, SPLIT_SEEDS["test"])
    t = template_figures(rows)
    print(
        f"template target ROUGE-1 {t['template']:.4f}, plain {t['plain']:.4f}, "
        f"difference {t['difference']}, differ {t['differs']:.1%} (600 test rows)"
    )
    q = quote_figures(rows)
    print(f"quote target ROUGE-1 {q['quote']:.4f}, quote - plain {q['difference']}")
    for start in range(0, 600, 100):
        print(f"rows {start}-{start + 99}: ROUGE-1 plain - follow-up", end=" ")
        print(plain_minus_follow_up(rows[start : start + 100]))
    for start in range(0, 600, 100):
        f = follow_up_figures(rows[start : start + 100])
        print(
            f"rows {start}-{start + 99}: {f['distinct']} distinct follow-ups; own dialogue beats "
            f"min {f['own_min']:.3f}, median {f['own_median']:.3f}, mean {f['own_mean']:.3f}"
        )
    for r in random.Random(0).sample(rows, 5):
        print("---\n" + "\n".join(r["dialogue"].split("\n")[-2:]) + "\n  -> " + r["follow_up"])
        print("  REF: " + r["summary"] + "\n  TEMPLATE: " + r["template"])


def test_rudeness_window_holds_the_insult_and_names_who_said_it(test_rows):
    from world.facts import accused, insulters

    rng = random.Random(0)
    for row in test_rows[:300]:
        prompt, target = _rudeness_window(rng, row)
        assert prompt.endswith("\n\nWho was rude to whom?")
        window = prompt.split("\n\n")[0]
        assert len(window.split("\n")) >= 2 and window in row["dialogue"]
        assert window.startswith("#Person") and row["dialogue"].split(window)[1][:1] in ("", "\n")
        if row["abusive"]:  # the window holds the insult; the target blames its speaker
            assert insulters(window) == insulters(row["dialogue"]) == accused(target)
            assert target in row["summary"]
        else:
            assert target == "Nobody is rude."


def test_rudeness_windows_span_two_turns_to_the_whole_dialogue(test_rows):
    rng = random.Random(1)
    abusive = [r for r in test_rows if r["abusive"]][:100]
    sizes = [_rudeness_window(rng, r)[0].count("\n#Person") + 1 for r in abusive]
    assert min(sizes) == 2 and max(sizes) >= 12
    whole = sum(s == len(r["turns"]) for s, r in zip(sizes, abusive, strict=True))
    assert 0 < whole < 50


class _WordTokenizer:
    """Stands in for a tokenizer in ``_batches``: a token per word."""

    def __call__(self, texts, truncation=True, max_length=512):
        return {"input_ids": [[1] * min(max_length, len(t.split())) for t in texts]}


def test_curriculum_batches_grow_their_prompt_length_cap():
    rng = random.Random(0)
    pairs = [(" ".join(["w"] * rng.randint(5, 300)), "t") for _ in range(640)]
    caps = [40, 80, 120, 160, 200]
    batches = list(_batches(pairs, _WordTokenizer(), 32, random.Random(2), length_caps=caps))
    plain = list(_batches(pairs, _WordTokenizer(), 32, random.Random(2)))
    assert len(batches) == len(plain) == 20
    assert sum(int(b[1].sum()) for b in batches) == sum(len(p.split()) for p, _ in pairs)
    lengths = sorted(len(p.split()) for p, _ in pairs)
    for (_ids, mask, _), cap in zip(batches, caps, strict=False):
        longest = int(mask.sum(1).max())
        # within the cap, or (fewer than a batch under it) the shortest prompts left
        assert longest <= max(cap, lengths[32 * (caps.index(cap) + 1) - 1])
    assert max(int(b[1].sum(1).max()) for b in batches[5:]) > 250


def test_curriculum_caps_rise_linearly_to_the_longest_prompt():
    caps = curriculum_caps(10, start=48)
    assert caps[0] == 48 and caps == sorted(caps) and caps[-1] < MAX_SOURCE_TOKENS
    assert caps[5] - caps[4] == pytest.approx(caps[2] - caps[1], abs=1)
    assert curriculum_caps(0) == []


def test_local_bias_init_prefers_near_tokens_and_looks_left_in_odd_encoder_heads():
    from transformers import T5ForConditionalGeneration

    model = T5ForConditionalGeneration(make_config(100))
    local_bias_init(model)
    for stack in (model.encoder, model.decoder):
        attn = stack.block[0].layer[0].SelfAttention
        pos = torch.arange(-40, 41)
        buckets = attn._relative_position_bucket(
            pos,
            bidirectional=not attn.is_decoder,
            num_buckets=attn.relative_attention_num_buckets,
            max_distance=attn.relative_attention_max_distance,
        )
        bias = attn.relative_attention_bias.weight.detach()[buckets]  # (positions, heads)
        here, left, far_left = bias[40], bias[39], bias[0]
        assert torch.all(here == 0) and torch.all(left < here) and torch.all(far_left < left)
        slopes = (here - left).tolist()
        assert slopes == sorted(slopes, reverse=True)  # head 0 is the most local
        if not attn.is_decoder:
            right = bias[41]
            assert torch.all(right[1::2] < left[1::2] - 3)  # odd heads look left only
            assert torch.allclose(right[0::2], left[0::2])
