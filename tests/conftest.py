"""Fixtures: a socket blocker and the tiny profile. (The environment is set in ../conftest.py.)"""

from __future__ import annotations

import socket

import pytest


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
