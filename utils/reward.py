"""The toxicity classifier, in one room: label lookup by name, truncation to its window, scores,
and the two rewards PPO can take from it.

``RewardFn`` is PPO's contract (texts in, one number per text out); ``reward_fn_for`` builds the
one a profile names (``Lab3Settings.reward``). The packaged ``toxicity`` measurement and
``world/`` score through ``label_scores`` too, so every toxicity figure has one definition.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from utils.errors import LabsError

RewardFn = Callable[[list[str]], torch.Tensor]
"""Texts in, one reward per text out (a float tensor of shape ``(len(texts),)``)."""


def check_label(pipe, label: str) -> None:
    """A LabsError unless the pipeline's classifier has a label named ``label``."""
    labels = list(pipe.model.config.label2id)
    if label not in labels:
        raise LabsError(
            f"The classifier {pipe.model.name_or_path!r} has no label {label!r} (its labels: "
            f"{', '.join(labels)}). Set the profile's toxic_label and nontoxic_label to the "
            "classifier's labels."
        )


def classifier_window(pipe) -> int:
    """Tokens the classifier reads: its tokenizer's limit, or its position table's (RoBERTa's
    positions hold the window plus a two-position offset), whichever is smaller. A tokenizer
    config from the Hub may lack ``model_max_length``, so both are read."""
    positions = getattr(pipe.model.config, "max_position_embeddings", 514) - 2
    return min(pipe.tokenizer.model_max_length, positions)


def label_scores(
    pipe,
    texts: Sequence[str],
    label: str,
    function_to_apply: str = "softmax",
    batch_size: int = 32,
) -> np.ndarray:
    """The ``text-classification`` pipeline's score of ``label`` (picked by name, never by
    position) per text: a probability with ``"softmax"``, the raw logit with ``"none"``.
    Texts longer than the classifier's window are cut to it."""
    check_label(pipe, label)
    outputs = pipe(
        list(texts),
        top_k=None,
        function_to_apply=function_to_apply,
        batch_size=batch_size,
        truncation=True,
        max_length=classifier_window(pipe),
    )
    return np.array([next(o["score"] for o in out if o["label"] == label) for out in outputs])


def toxicity_scores(pipe, texts: Sequence[str], toxic_label: str = "hate") -> np.ndarray:
    """Toxicity per text: the classifier's probability of ``toxic_label``."""
    return label_scores(pipe, texts, toxic_label, "softmax")


def nothate_logit_reward(pipe, label: str = "nothate", batch_size: int = 16) -> RewardFn:
    """Reward = the classifier's raw logit of ``label`` (the course's reward; the course took
    the first entry of the pipeline's score-sorted list, here it is picked by name)."""
    check_label(pipe, label)

    def reward_fn(texts: list[str]) -> torch.Tensor:
        return torch.tensor(
            label_scores(pipe, texts, label, "none", batch_size), dtype=torch.float32
        )

    return reward_fn


def toxicity_penalty_reward(pipe, label: str = "hate", batch_size: int = 16) -> RewardFn:
    """Reward = minus the probability of the toxic ``label``: 0 for a clean text, down to -1.
    Every clean summary scores (nearly) the same zero, which leaves PPO nothing to reinforce
    there (the tiny profile's reward; ``utils/profiles.py`` says why)."""
    check_label(pipe, label)

    def reward_fn(texts: list[str]) -> torch.Tensor:
        return -torch.tensor(
            label_scores(pipe, texts, label, "softmax", batch_size), dtype=torch.float32
        )

    return reward_fn


REWARD_BUILDERS = {
    "nothate logit": nothate_logit_reward,
    "toxicity penalty": toxicity_penalty_reward,
}
"""The rewards a profile can name (``utils.profiles.REWARDS``), by name."""


def reward_fn_for(
    kind: str, pipe, toxic_label: str = "hate", nontoxic_label: str = "nothate"
) -> RewardFn:
    """The reward lab 3's profile names: ``"nothate logit"`` (the course's) or ``"toxicity
    penalty"`` (minus the toxic label's probability)."""
    if kind not in REWARD_BUILDERS:
        raise LabsError(f"Unknown reward {kind!r}: use one of {', '.join(REWARD_BUILDERS)}.")
    label = nontoxic_label if kind == "nothate logit" else toxic_label
    return REWARD_BUILDERS[kind](pipe, label)
