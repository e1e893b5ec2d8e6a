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
