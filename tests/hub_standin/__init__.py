"""A local Hugging Face Hub stand-in for the course path's tests (see README.md)."""

from .builder import (
    DIALOGSUM_ID,
    DIALOGSUM_ROWS,
    NO_SUMMARY_ID,
    OTHER_LABELS_ID,
    ROBERTA_ID,
    T5_ID,
    VERSION,
    build,
    cache_root,
)
from .server import HubStandin, LoggedRequest

__all__ = [
    "DIALOGSUM_ID",
    "DIALOGSUM_ROWS",
    "ROBERTA_ID",
    "T5_ID",
    "VERSION",
    "NO_SUMMARY_ID",
    "OTHER_LABELS_ID",
    "HubStandin",
    "LoggedRequest",
    "build",
    "cache_root",
]
