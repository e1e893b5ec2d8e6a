"""PPO for a seq2seq LoRA policy (CleanRL-style). Work in progress: only the config so far."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PPOConfig:
    """Every PPO hyper-parameter; defaults are the course's (TRL 0.4 PPOConfig in lab 3)."""

    learning_rate: float = 1.41e-5
    """Adam learning rate of the LoRA adapter and value head."""
    batch_size: int = 16
    """Dialogues per PPO step (one rollout)."""
    mini_batch_size: int = 4
    """Rollout samples per gradient step."""
    ppo_epochs: int = 1
    """Passes over each rollout."""
    max_ppo_steps: int = 10
    """Rollouts to train on."""
    init_kl_coef: float = 0.2
    """Starting weight of the per-token KL penalty against the reference."""
    target_kl: float = 6.0
    """KL the adaptive controller steers towards."""
    kl_horizon: int = 10_000
    """Horizon of the adaptive KL controller."""
    gamma: float = 1.0
    """Discount factor."""
    lam: float = 0.95
    """GAE lambda."""
    cliprange: float = 0.2
    """Policy-ratio clip."""
    cliprange_value: float = 0.2
    """Value clip."""
    vf_coef: float = 0.1
    """Weight of the value loss."""
    output_min_length: int = 100
    """Fewest new tokens the length sampler draws (course: 100)."""
    output_max_length: int = 400
    """Most new tokens the length sampler draws (course: 400)."""
    seed: int = 42
    """Seed of the rollout sampler."""
