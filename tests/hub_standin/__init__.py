"""A local Hugging Face Hub stand-in for the course path's tests (see README.md)."""

from .builder import DIALOGSUM_ID, DIALOGSUM_ROWS, ROBERTA_ID, T5_ID, VERSION, build, cache_root
from .server import HubStandin, LoggedRequest

__all__ = [
    "DIALOGSUM_ID",
    "DIALOGSUM_ROWS",
    "ROBERTA_ID",
    "T5_ID",
    "VERSION",
    "HubStandin",
    "LoggedRequest",
    "build",
    "cache_root",
]
