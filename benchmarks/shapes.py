"""The course model's shape, for benchmarks that measure it with random weights."""

from __future__ import annotations


def flan_t5_base_config(vocab_size: int = 32128, **overrides):
    """A ``T5Config`` of google/flan-t5-base's shape (248 M parameters, untied ``lm_head``)."""
    from transformers import T5Config

    settings = dict(
        vocab_size=vocab_size,
        d_model=768,
        d_ff=2048,
        d_kv=64,
        num_layers=12,
        num_decoder_layers=12,
        num_heads=12,
        feed_forward_proj="gated-gelu",
        tie_word_embeddings=False,
        decoder_start_token_id=0,
        pad_token_id=0,
        eos_token_id=1,
    )
    return T5Config(**{**settings, **overrides})


def course_ppo(base, device, batch_size: int, mini_batch_size: int, response_len: int):
    """The course's PPO policy on ``base`` (LoRA r 32, alpha 32, dropout 0.05 on q and v, plus
    the value head, made on ``device``), its Adam at the course's 1.41e-5, and a one-epoch
    ``PPOConfig`` whose responses are exactly ``response_len`` tokens: (policy, optimizer, config).
    """
    import torch

    from utils.ppo import PPOConfig, build_policy

    with torch.device(device):  # LoRA weights and the value head beside the model's
        policy = build_policy(
            base, r=32, lora_alpha=32, lora_dropout=0.05, target_modules=("q", "v")
        )
    optimizer = torch.optim.Adam([p for p in policy.parameters() if p.requires_grad], lr=1.41e-5)
    config = PPOConfig(
        batch_size=batch_size,
        mini_batch_size=mini_batch_size,
        ppo_epochs=1,
        output_min_length=response_len,
        output_max_length=response_len + 1,
        min_new_tokens=response_len,
    )
    return policy, optimizer, config
