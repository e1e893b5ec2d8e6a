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
