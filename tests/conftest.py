"""Test settings: the tiny profile, the Hugging Face libraries offline, a socket blocker."""

from __future__ import annotations

import os
import socket

import pytest

# Set before anything imports transformers/datasets, and inherited by nbval's kernels.
os.environ["LABS_PROFILE"] = "tiny"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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
