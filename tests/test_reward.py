"""The PPO reward reads the classifier's label by name and survives texts past its window."""

import pytest
from transformers import pipeline

from utils.paths import TINY_CLASSIFIER_DIR
from utils.ppo import reward_fn_from_pipeline

pytestmark = pytest.mark.skipif(
    not (TINY_CLASSIFIER_DIR / "config.json").is_file(),
    reason="the tiny classifier is not built (make assets)",
)


def test_reward_is_the_named_logit_and_long_texts_are_truncated():
    pipe = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), device="cpu")
    window = pipe.model.config.max_position_embeddings
    long_text = "you are welcome here " * window  # ~4x the classifier's window in tokens
    assert len(pipe.tokenizer(long_text)["input_ids"]) > window
    texts = ["Thank you, have a lovely day.", long_text]
    rewards = reward_fn_from_pipeline(pipe, label="nothate")(texts)
    logits = pipe(texts, top_k=None, function_to_apply="none", truncation=True)
    expected = [next(o["score"] for o in out if o["label"] == "nothate") for out in logits]
    assert rewards.tolist() == pytest.approx(expected)


def test_a_classifier_without_the_label_is_a_clear_error():
    from utils.errors import LabsError

    pipe = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), device="cpu")
    with pytest.raises(
        LabsError, match=r"no label 'not_hate' \(its labels: (nothate, hate|hate, nothate)\)"
    ):
        reward_fn_from_pipeline(pipe, label="not_hate")


def test_toxicity_penalty_is_minus_the_probability_of_hate():
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from utils.ppo import toxicity_penalty_from_pipeline

    texts = ["Thank you, have a lovely day.", "Shut up, you stupid idiot.", "#Person1# is rude."]
    pipe = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), device="cpu")
    penalties = toxicity_penalty_from_pipeline(pipe, label="hate")(texts)
    # independently: the classifier's softmax, read at the label's index
    model = AutoModelForSequenceClassification.from_pretrained(TINY_CLASSIFIER_DIR).eval()
    tokenizer = AutoTokenizer.from_pretrained(TINY_CLASSIFIER_DIR)
    with torch.no_grad():
        logits = model(**tokenizer(texts, padding=True, return_tensors="pt")).logits
    hate = logits.softmax(-1)[:, model.config.label2id["hate"]]
    assert penalties.tolist() == pytest.approx((-hate).tolist(), abs=1e-6)
    assert penalties[0] > -0.05 and penalties[1] < -0.5  # clean ~0, abusive near -1


def test_the_profile_names_which_reward_is_built():
    from utils.ppo import reward_fn_for, toxicity_penalty_from_pipeline

    texts = ["Thank you, have a lovely day.", "Shut up, you stupid idiot."]
    pipe = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), device="cpu")
    logit = reward_fn_for("nothate logit", pipe, "hate", "nothate")(texts)
    penalty = reward_fn_for("toxicity penalty", pipe, "hate", "nothate")(texts)
    assert logit.tolist() == reward_fn_from_pipeline(pipe, label="nothate")(texts).tolist()
    assert penalty.tolist() == toxicity_penalty_from_pipeline(pipe, label="hate")(texts).tolist()
