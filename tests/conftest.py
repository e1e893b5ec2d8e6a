"""Fixtures: a socket blocker, the tiny profile and a factory of tiny random T5 models.

(The environment is set in ../conftest.py.)
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from transformers import T5ForConditionalGeneration


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Make every internet socket connection fail; returns the list of attempts."""
    attempts: list[tuple] = []
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError(f"network blocked by the test: connect to {address}")
        return real_connect(self, address)

    def guarded_create_connection(address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"network blocked by the test: create_connection to {address}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    return attempts


@pytest.fixture(scope="session")
def tiny_profile():
    from utils.profiles import get_profile

    return get_profile("tiny", verbose=False)


# A T5 small enough to run a forward pass in milliseconds, with T5's special ids: the decoder
# starts from pad (0), responses end at eos (1). Tests override what they depend on.
TINY_T5_SETTINGS = dict(
    vocab_size=96,
    d_model=32,
    d_ff=64,
    d_kv=8,
    num_heads=4,
    num_layers=1,
    decoder_start_token_id=0,
    pad_token_id=0,
    eos_token_id=1,
)


@pytest.fixture(scope="session")
def tiny_t5() -> Callable[..., T5ForConditionalGeneration]:
    """Factory of seeded random T5s: ``tiny_t5(seed=0, **T5Config_overrides)``, in eval mode.

    Each call builds a fresh model (tests change weights); the same arguments give the same
    weights. It seeds torch's global generator, so whatever a test initialises right after
    (a LoRA adapter, a value head) is the same on every run too.
    """
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    def build(seed: int = 0, **overrides) -> T5ForConditionalGeneration:
        torch.manual_seed(seed)
        config = T5Config(**{**TINY_T5_SETTINGS, **overrides})
        return T5ForConditionalGeneration(config).eval()

    return build
