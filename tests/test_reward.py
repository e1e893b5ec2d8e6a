"""utils/reward.py, the classifier's one room, against an independent softmax of its logits.

The classifier is the tiny one, and a copy of it whose two labels (and output rows) are swapped:
the same classifier, so every score must stay the same; code that picks a label by position
instead of by name reads the other label on the copy.
"""

import numpy as np
import pytest
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

from utils.errors import LabsError
from utils.paths import TINY_CLASSIFIER_DIR
from utils.profiles import REWARDS
from utils.reward import (
    REWARD_BUILDERS,
    classifier_window,
    label_scores,
    nothate_logit_reward,
    reward_fn_for,
    toxicity_penalty_reward,
    toxicity_scores,
)

pytestmark = pytest.mark.skipif(
    not (TINY_CLASSIFIER_DIR / "config.json").is_file(),
    reason="the tiny classifier is not built (make assets)",
)

TEXTS = ["Thank you, have a lovely day.", "Shut up, you stupid idiot.", "#Person1# is rude."]


def _classifier(swap_labels: bool):
    model = AutoModelForSequenceClassification.from_pretrained(TINY_CLASSIFIER_DIR).eval()
    if swap_labels:
        with torch.no_grad():  # the output rows follow their labels: the same classifier
            out = model.classifier.out_proj
            out.weight.copy_(out.weight.flip(0))
            out.bias.copy_(out.bias.flip(0))
        model.config.id2label = {i: label for i, label in enumerate(["hate", "nothate"])}
        model.config.label2id = {label: i for i, label in model.config.id2label.items()}
    return model


@pytest.fixture(scope="module", params=[False, True], ids=["labels as shipped", "swapped"])
def pipe(request):
    tokenizer = AutoTokenizer.from_pretrained(TINY_CLASSIFIER_DIR)
    return pipeline(
        "text-classification", model=_classifier(request.param), tokenizer=tokenizer, device="cpu"
    )


def _logits(model, texts) -> np.ndarray:
    """The classifier's logits, with no pipeline: (len(texts), 2), columns by ``label2id``."""
    tokenizer = AutoTokenizer.from_pretrained(TINY_CLASSIFIER_DIR)
    with torch.no_grad():
        enc = tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt")
        return model(**enc).logits.double().numpy()


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_label_scores_are_the_named_labels_probability_and_logit(pipe):
    logits = _logits(pipe.model, TEXTS)
    for label in ("hate", "nothate"):
        i = pipe.model.config.label2id[label]
        probs = label_scores(pipe, TEXTS, label)
        assert probs == pytest.approx(_softmax(logits)[:, i], abs=1e-6), label
        assert label_scores(pipe, TEXTS, label, "none") == pytest.approx(logits[:, i], abs=1e-5)
    # the same classifier whichever way its labels are numbered
    hate = _softmax(_logits(_classifier(swap_labels=False), TEXTS))[:, 1]
    assert toxicity_scores(pipe, TEXTS) == pytest.approx(hate, abs=1e-6)
    assert toxicity_scores(pipe, TEXTS)[1] > 0.5 > toxicity_scores(pipe, TEXTS)[0]


def test_the_two_rewards_and_the_profiles_choice_of_them(pipe):
    logits = _logits(pipe.model, TEXTS)
    nothate = logits[:, pipe.model.config.label2id["nothate"]]
    hate = _softmax(logits)[:, pipe.model.config.label2id["hate"]]
    logit_reward = nothate_logit_reward(pipe)(TEXTS)
    penalty = toxicity_penalty_reward(pipe)(TEXTS)
    assert logit_reward.dtype == penalty.dtype == torch.float32
    assert logit_reward.numpy() == pytest.approx(nothate, abs=1e-5)
    assert penalty.numpy() == pytest.approx(-hate, abs=1e-6)
    assert penalty[0] > -0.05 and penalty[1] < -0.5  # clean about 0, abusive near -1
    assert torch.equal(reward_fn_for("nothate logit", pipe, "hate", "nothate")(TEXTS), logit_reward)
    assert torch.equal(reward_fn_for("toxicity penalty", pipe, "hate", "nothate")(TEXTS), penalty)
    with pytest.raises(LabsError, match="Unknown reward 'toxicity'"):
        reward_fn_for("toxicity", pipe)
    assert set(REWARDS) == set(REWARD_BUILDERS)  # every reward a profile may name is built


def test_texts_past_the_window_are_cut_to_it():
    pipe = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), device="cpu")
    window = classifier_window(pipe)
    assert window == pipe.model.config.max_position_embeddings - 2  # RoBERTa's offset of 2
    long_text = "you are welcome here " * window  # about 4x the window in tokens
    assert len(pipe.tokenizer(long_text)["input_ids"]) > window
    cut = pipe.tokenizer.decode(
        pipe.tokenizer(long_text, truncation=True, max_length=window)["input_ids"],
        skip_special_tokens=True,
    )
    expected = nothate_logit_reward(pipe)([cut])
    assert nothate_logit_reward(pipe)([long_text]).tolist() == pytest.approx(expected.tolist())


def test_a_classifier_without_the_label_is_a_clear_error():
    pipe = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), device="cpu")
    with pytest.raises(
        LabsError, match=r"no label 'not_hate' \(its labels: (nothate, hate|hate, nothate)\)"
    ):
        nothate_logit_reward(pipe, label="not_hate")


def test_the_toxicity_measurement_reuses_the_pipeline_and_scores_through_the_reward_module(pipe):
    from utils.evaluation import load_toxicity

    measurement = load_toxicity(str(TINY_CLASSIFIER_DIR), classifier=pipe)
    assert measurement.classifier is pipe  # loaded once
    scores = measurement.compute(predictions=TEXTS, toxic_label="hate")["toxicity"]
    assert scores == pytest.approx(toxicity_scores(pipe, TEXTS).tolist(), abs=0)
