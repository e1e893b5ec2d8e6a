import numpy as np
import pytest
from rouge_score import rouge_scorer
from transformers import pipeline

from utils.evaluation import (
    ROUGE_TYPES,
    about_own_dialogue,
    bootstrap_ci,
    comparison_table,
    content_rouge1,
    content_words,
    copies_example,
    distinct_n,
    has_non_word,
    has_repeated_ngram,
    has_repeated_sentence,
    in_person_style,
    load_rouge,
    load_toxicity,
    repeats_itself,
    rouge_scores,
    vocabulary,
)
from utils.paths import TINY_CLASSIFIER_DIR

PAIRS = [
    (
        f"#Person1# asks #Person2# about the {thing} on day {i}.",
        f"#Person2# tells #Person1# the {thing} is ready {'today' if i % 2 else 'tomorrow'}.",
    )
    for i, thing in enumerate(
        [
            "car",
            "report",
            "cake",
            "ticket",
            "phone",
            "room",
            "bill",
            "order",
            "parcel",
            "plan",
            "dress",
            "lamp",
            "visa",
            "key",
            "book",
            "table",
            "flight",
            "class",
            "rent",
            "shoes",
            "bike",
        ]
    )
]


def test_rouge_equals_rouge_score_directly():
    predictions, references = zip(*PAIRS, strict=True)
    assert len(PAIRS) >= 20
    ours = rouge_scores(predictions, references, per_example=True)
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=False)
    for i, (prediction, reference) in enumerate(PAIRS):
        direct = scorer.score(reference, prediction)
        for rouge_type in ROUGE_TYPES:
            assert ours[rouge_type][i] == pytest.approx(direct[rouge_type].fmeasure, abs=1e-12)
    means = rouge_scores(predictions, references)
    for rouge_type in ROUGE_TYPES:
        assert means[rouge_type] == pytest.approx(np.mean(ours[rouge_type]), abs=1e-12)


def test_rouge_identical_is_one_and_disjoint_is_zero():
    rouge = load_rouge()
    same = rouge.compute(
        predictions=["the cat sat on the mat"], references=["the cat sat on the mat"]
    )
    disjoint = rouge.compute(predictions=["alpha beta gamma"], references=["one two three"])
    assert all(same[t] == 1.0 for t in ROUGE_TYPES)
    assert all(disjoint[t] == 0.0 for t in ROUGE_TYPES)


@pytest.fixture(scope="module")
def toxicity():
    return load_toxicity(str(TINY_CLASSIFIER_DIR))


TEXTS = [
    "Thank you so much for your help.",
    "You are a stupid idiot, shut up.",
    "I hate waiting in this queue.",
    "What a pathetic moron you are.",
    "The meeting is at ten tomorrow.",
]


def test_toxicity_is_the_probability_of_the_toxic_label(toxicity):
    scores = toxicity.compute(predictions=TEXTS, toxic_label="hate")["toxicity"]
    classifier = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), top_k=None)
    expected = [next(d["score"] for d in out if d["label"] == "hate") for out in classifier(TEXTS)]
    assert scores == pytest.approx(expected, abs=1e-6)
    nothate = toxicity.compute(predictions=TEXTS, toxic_label="nothate")["toxicity"]
    assert np.add(scores, nothate) == pytest.approx(np.ones(len(TEXTS)), abs=1e-5)


def test_toxicity_aggregations(toxicity):
    scores = np.array(toxicity.compute(predictions=TEXTS, toxic_label="hate")["toxicity"])
    mean = toxicity.compute(predictions=TEXTS, toxic_label="hate", aggregation="mean")
    maximum = toxicity.compute(predictions=TEXTS, toxic_label="hate", aggregation="maximum")
    ratio = toxicity.compute(predictions=TEXTS, toxic_label="hate", aggregation="ratio")
    assert mean["mean_toxicity"] == pytest.approx(scores.mean(), abs=1e-6)
    assert maximum["max_toxicity"] == pytest.approx(scores.max(), abs=1e-6)
    assert ratio["toxicity_ratio"] == pytest.approx((scores >= 0.5).mean())


def test_toxicity_rejects_unknown_label(toxicity):
    with pytest.raises(ValueError, match="not a label"):
        toxicity.compute(predictions=TEXTS, toxic_label="toxic")


def test_bootstrap_ci_brackets_the_mean_and_is_deterministic():
    rng = np.random.default_rng(1)
    values = rng.normal(0.3, 0.1, size=200)
    ci = bootstrap_ci(values, seed=3)
    assert ci.low < ci.mean < ci.high
    assert ci.mean == pytest.approx(values.mean())
    assert ci.high - ci.low == pytest.approx(2 * 1.96 * values.std() / np.sqrt(200), rel=0.2)
    assert ci == bootstrap_ci(values, seed=3)
    assert ci.excludes_zero


def test_paired_bootstrap_uses_differences():
    before = np.linspace(0, 1, 50)
    after = before + 0.1
    ci = bootstrap_ci(after, before)
    assert ci.mean == pytest.approx(0.1) and ci.low == pytest.approx(0.1)
    with pytest.raises(ValueError, match="equal lengths"):
        bootstrap_ci([1.0, 2.0], [1.0])


def test_comparison_table_has_absolute_and_relative_rows():
    scores = {"base": {"rouge1": [0.2, 0.2, 0.2, 0.2]}, "tuned": {"rouge1": [0.3, 0.3, 0.3, 0.3]}}
    table = comparison_table(scores, pairs=[("base", "tuned")], metrics=["rouge1"])
    assert table.loc["base", "rouge1"] == pytest.approx(0.2)
    assert table.loc["base -> tuned (absolute)", "rouge1"] == pytest.approx(0.1)
    assert table.loc["base -> tuned (relative)", "rouge1"] == "+50.0%"
    assert table.loc["base -> tuned (95% CI)", "rouge1"] == "[+0.100, +0.100]"


def test_distinct_n():
    assert distinct_n(["a b c", "a b c"], n=2) == pytest.approx(0.5)
    assert distinct_n(["a b c d"], n=2) == 1.0
    assert distinct_n(["a"], n=2) == 0.0


def test_content_words_drop_tags_punctuation_and_function_words():
    assert content_words("#Person1#: Hello, I want a table for 4 at 7 pm!") == [
        "table",
        "4",
        "7",
        "pm",
    ]


def test_about_own_dialogue_tells_right_from_swapped_summaries():
    topics = [
        "flight to Paris delayed",
        "pizza order with mushrooms",
        "laptop screen broken",
        "apartment rent in Boston",
        "dentist appointment Tuesday",
    ]
    dialogues = [f"#Person1#: About the {t}. #Person2#: Yes, the {t}." for t in topics]
    right = [f"#Person1# talks about the {t}." for t in topics]
    swapped = right[1:] + right[:1]
    assert (about_own_dialogue(right, dialogues) == 1).all()
    # a swapped summary beats its own dialogue against no other (ties lose), so it scores 0
    assert (about_own_dialogue(swapped, dialogues) == 0).all()


def test_about_own_dialogue_is_the_expectation_over_every_other_dialogue():
    """Against a hand count: the share of the other dialogues that hold fewer of the summary's
    words than its own dialogue does."""
    dialogues = [
        "#Person1#: The train to Rome leaves at noon.",
        "#Person1#: My train is late again.",
        "#Person1#: Rome is lovely in spring, take the train.",
        "#Person1#: I want pizza tonight.",
    ]
    summary = "#Person1# asks when the train to Rome leaves."  # content: train rome leaves
    # own dialogue holds 3 of 3; the others: train (1/3), train+rome (2/3), none (0)
    assert about_own_dialogue([summary, "x y z", "x y z", "x y z"], dialogues)[0] == 1.0
    # about dialogue 1 instead (its own holds 1/3): beats only the pizza one (0) of three others
    scores = about_own_dialogue(["pizza", summary, "pizza", "rome"], dialogues)
    assert scores[1] == 1 / 3
    assert scores[3] == 0.0  # "rome": dialogue 3 holds none of it, 0 and 2 hold it: 0 of 3


def test_has_repeated_ngram_finds_decoding_loops():
    assert has_repeated_ngram("he calls #Person1# he calls #Person1# he calls #Person1# now")
    assert not has_repeated_ngram("he calls #Person1# and #Person1# calls him back")
    assert not has_repeated_ngram("a b c a b c", times=3)


def test_a_sentence_said_twice_is_a_loop_too():
    twice = "#Person1# books a table. #Person2# finds one at ten. #person1# Books a table!"
    assert not has_repeated_ngram(twice)  # each 3-gram occurs twice at most
    assert has_repeated_sentence(twice) and repeats_itself(twice)
    assert not has_repeated_sentence("#Person1# books a table. #Person2# books a room.")
    assert not has_repeated_sentence("Yes. Yes. #Person1# agrees.")  # too short to count
    assert repeats_itself("a b c a b c a b c") and not repeats_itself("a b c. d e f.")


def test_content_rouge1_is_rouge1_over_content_words():
    predictions = [
        "#Person1# wants to book a table for four at seven.",
        "The weather is nice today.",
        "#Person2# fixes the laptop screen.",
    ]
    references = [
        "#Person1# books a table for four people at seven pm.",
        "#Person1# orders a pizza.",
        "#Person2# repairs a broken laptop screen.",
    ]
    scorer = rouge_scorer.RougeScorer(["rouge1"])
    expected = [
        scorer.score(" ".join(content_words(r)), " ".join(content_words(p)))["rouge1"].fmeasure
        for p, r in zip(predictions, references, strict=True)
    ]
    np.testing.assert_allclose(content_rouge1(predictions, references), expected)
    assert content_rouge1(["#Person1# #Person2# the a"], ["#Person1# the"])[0] == 0.0


def test_person_style_copying_and_non_words():
    assert in_person_style("#Person1# asks #Person2# for the bill.")
    assert not in_person_style("A customer asks for the bill.")
    example, own = "#Person1# books a flight to Paris.", "#Person2# orders a pizza with olives."
    assert copies_example("#Person1# books a flight to Paris on Monday.", example, own)
    assert not copies_example("#Person2# orders a pizza.", example, own)
    known = vocabulary(["#Person1#: I'd like a table for two.", "A guest books a table."])
    assert not has_non_word("#Person1# books a table for two.", known)
    assert has_non_word("#Person1# books a tablo for two.", known)
