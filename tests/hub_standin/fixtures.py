"""The ``hub_standin`` fixture: import ``hub_standin_fixture`` into a test module to use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import HubStandin


@pytest.fixture(scope="session", name="hub_standin")
def hub_standin_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubStandin]:
    """The Hub stand-in on 127.0.0.1 (built into the cache on first use, ~45 s), per session."""
    log_file = tmp_path_factory.mktemp("hub-standin") / "requests.jsonl"
    with HubStandin(log_file=log_file) as hub:
        yield hub
