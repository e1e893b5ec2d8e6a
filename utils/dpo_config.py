"""DPO's settings, one frozen dataclass, kept free of torch.

It lives apart from ``utils/dpo.py`` so that ``utils.profiles``, which holds lab 3's values,
can be imported without torch (as ``utils/ppo_config.py`` does for PPO). ``utils.dpo``
re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DPOConfig:
    """DPO's settings. Defaults: the DPO paper's beta, plain DPO (no NLL term, no length band)
    and a LoRA-sized step for FLAN-T5-base (not measured by this project); the tiny profile's
    were chosen on the validation split (``benchmarks/README.md``)."""

    # ---- the loss ----
    beta: float = 0.1
    """Weight of the log-probability ratios in the loss: larger keeps the policy nearer the
    reference (the DPO paper and TRL: 0.1)."""
    rpo_alpha: float = 0.0
    """Weight of the chosen responses' mean token NLL added to the loss (RPO, Pang et al.
    2024; TRL 1: ``loss_type=["sigmoid", "sft"]``, ``loss_weights=[1, rpo_alpha]``). 0: the
    paper's DPO. It keeps the chosen responses likely, so the policy keeps writing them."""

    # ---- optimisation ----
    learning_rate: float = 5e-5
    """Adam learning rate of the LoRA adapter."""
    epochs: int = 1
    """Passes over the preference pairs."""
    batch_size: int = 8
    """Pairs per optimizer step."""
    max_grad_norm: float | None = 1.0
    """Clip the gradient's norm to this (None: no clipping)."""

    # ---- the pairs ----
    n_samples: int = 2
    """Summaries sampled per training dialogue to build a pair from (best vs worst)."""
    n_dialogues: int = 400
    """Training dialogues the pairs are sampled from."""
    min_gap: float = 0.05
    """Reward gap at or below which two samples tie: a dialogue whose best and worst samples
    tie gives no pair."""
    length_ratio: tuple[float, float] | None = None
    """A filter (None: off): keep only pairs whose chosen response has ``low`` to ``high`` times
    the rejected one's words, so that length alone cannot tell chosen from rejected."""
    max_new_tokens: int = 50
    """Longest sampled summary, in tokens."""
    seed: int = 42
    """Seed of the sampling and of the pairs' order."""
