"""PPO's hyper-parameters, one frozen dataclass (CleanRL's ``Args``), kept free of torch.

It lives apart from ``utils/ppo.py`` so that ``utils.profiles``, which holds lab 3's
values, can be imported without torch. ``utils.ppo`` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PPOConfig:
    """Every PPO hyper-parameter; defaults are the course's (TRL 0.4 PPOConfig in lab 3)."""

    # ---- optimisation ----
    learning_rate: float = 1.41e-5
    """Adam learning rate of the LoRA adapter and value head (course: 1.41e-5)."""
    batch_size: int = 16
    """Dialogues per PPO step (one rollout), over all processes (course: 16)."""
    mini_batch_size: int = 4
    """Rollout samples per gradient step, over all processes (course: 4)."""
    ppo_epochs: int = 1
    """Passes over each rollout (course: 1; 2-4 reuse samples harder)."""
    max_ppo_steps: int = 10
    """Rollouts to train on (course: 10)."""
    max_grad_norm: float | None = None
    """Clip the gradient norm to this; None leaves it (TRL 0.4 default)."""
    # ---- KL penalty against the reference ----
    init_kl_coef: float = 0.2
    """Starting weight of the per-token KL penalty (TRL 0.4: 0.2)."""
    adap_kl_ctrl: bool = True
    """Adapt the KL weight towards ``target_kl``; False keeps ``init_kl_coef``."""
    target_kl: float = 6.0
    """Summed-per-response KL the adaptive controller steers towards (TRL 0.4: 6)."""
    kl_horizon: int = 10_000
    """Horizon of the adaptive controller, in samples; larger moves the weight slower."""
    # ---- advantages ----
    gamma: float = 1.0
    """Discount factor over response tokens (1: the score counts fully at every token)."""
    lam: float = 0.95
    """GAE lambda: 0 is one-step TD, 1 is Monte Carlo."""
    whiten_advantages: bool = True
    """Normalise advantages to mean 0, std 1 over the real tokens."""
    whiten_per_mini_batch: bool = True
    """Whiten each mini-batch's advantages on its own (this process's rows), as the course's
    TRL 0.4 did; False whitens the rollout's at once (TRL from 0.5). With ``whiten_advantages``."""
    mask_first_token: bool = True
    """Leave each response's first token out of the KL and the losses, as the course's TRL did
    for encoder-decoder models (utils/README.md says why it did)."""
    # ---- clipped losses ----
    cliprange: float = 0.2
    """Policy-ratio clip epsilon (0.1-0.3)."""
    cliprange_value: float = 0.2
    """Value-prediction clip around the rollout's values."""
    vf_coef: float = 0.1
    """Weight of the value loss in the total loss; with the default detached value head and
    Adam it changes only the logged total loss (see utils/README.md)."""
    # ---- rollout ----
    output_min_length: int = 100
    """Fewest new tokens the length sampler draws (course: 100)."""
    output_max_length: int = 400
    """Most new tokens the length sampler draws, exclusive (course: 400)."""
    min_new_tokens: int = 4
    """New tokens sampled before eos may end a summary (course: ``min_length=5``, which for T5
    counts the decoder-start token: 4 new tokens, so eos at the 5th at the earliest)."""
    top_k: int = 0
    """Sampling top-k; 0 turns it off so the policy's own distribution is sampled."""
    top_p: float = 1.0
    """Sampling nucleus; 1.0 turns it off."""
    seed: int = 42
    """Seed of the rollout sampler and the mini-batch shuffles."""

    def __post_init__(self) -> None:
        if self.batch_size % self.mini_batch_size:
            raise ValueError(
                f"batch_size {self.batch_size} must be a multiple of "
                f"mini_batch_size {self.mini_batch_size}"
            )
        if not 0 < self.output_min_length < self.output_max_length:
            raise ValueError("need 0 < output_min_length < output_max_length")
