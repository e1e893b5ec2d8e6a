"""One error type for everything a learner can get wrong, printed as one clear paragraph."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RESTORE_ASSETS = (
    "restore the shipped files with `git checkout -- assets` (seconds), or if they are still "
    "broken rebuild the offline world with `make assets` (about 2 hours on 2 CPU cores)"
)
"""The fix for a missing or damaged file under ``assets/``: the quick one first."""

OFFLINE_ENV_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


class LabsError(Exception):
    """A problem the user can fix: the message says what happened and what to do.

    In Jupyter/IPython the error prints as its message alone (no library traceback),
    because the message, not the stack, is what a learner needs.
    """

    def _render_traceback_(self) -> list[str]:  # IPython hook: replaces the traceback
        return [f"\033[31mLabsError:\033[0m {self}"]


def _offline_switches() -> list[str]:
    """The offline variables that are set and in force (read when the Hub library loaded)."""
    switches = [
        v
        for v in OFFLINE_ENV_VARS
        if os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
    ]
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover - ships with transformers
        return switches
    # set after the import, a variable changes nothing, and naming it would mislead
    return switches if constants.HF_HUB_OFFLINE else []


def timed_out(exc: BaseException | None) -> bool:
    """True when ``exc`` or an error it was raised from is a timeout (the Hub did not answer)."""
    seen = 0
    while exc is not None and seen < 20:  # a chain, never a cycle, but bounded all the same
        if isinstance(exc, TimeoutError) or "Timeout" in type(exc).__name__:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def hub_hint(source: str, exc: BaseException | None = None) -> str:
    """What to do when ``source`` (a Hub id) could not be fetched: names the offline switch
    when one is in force, since that, not the network, is then the cause, and says so when
    the Hub did not answer in time (``exc``, the library's error, shows it)."""
    offline = _offline_switches()
    if offline:
        return (
            f"{offline[0]}={os.environ[offline[0]]} is set, so the Hugging Face Hub is not asked "
            f"and {source!r} is not in the local cache. Either unset it (`unset "
            f"{' '.join(offline)}`) on a machine with internet access so the course profile can "
            f"download it once, or run the offline stand-ins with `LABS_PROFILE=tiny`"
        )
    if timed_out(exc):
        from huggingface_hub import constants

        return (
            f"the Hugging Face Hub at {constants.ENDPOINT} did not answer (it waited "
            f"{constants.HF_HUB_ETAG_TIMEOUT} s per request, with retries), and {source!r} is not "
            f"in the local cache. Check the internet connection and any proxy (HTTPS_PROXY), or "
            f"HF_ENDPOINT if you set it, then rerun; or run the offline stand-ins with "
            f"`LABS_PROFILE=tiny`"
        )
    return (
        f"the course profile downloads {source!r} from the Hugging Face Hub (or reads it from the "
        f"local cache), and neither worked. Check that the id is spelt as on the Hub, then the "
        f"internet connection (and HF_ENDPOINT if you set it), or run the offline stand-ins with "
        f"`LABS_PROFILE=tiny`"
    )


def library_reason(exc: BaseException, limit: int = 300) -> str:
    """The first line of a library error, short enough to end a one-paragraph message."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:limit]


@contextmanager
def explain_load_errors(what: str, source: str) -> Iterator[None]:
    """Turn a failed ``from_pretrained``/``pipeline`` load into one LabsError paragraph.

    Wrap the library call, so the notebook still shows it:

        with explain_load_errors("model", profile.model_id):
            model = AutoModelForSeq2SeqLM.from_pretrained(profile.model_id)
    """
    try:
        yield
    except LabsError:
        raise
    except Exception as exc:  # the library's own error, kept as the cause
        is_local = source.startswith(("/", ".")) or Path(source).exists()
        if is_local and not Path(source).exists():
            hint = f"that folder does not exist: {RESTORE_ASSETS}"
        elif is_local:
            hint = f"the folder exists but does not hold a loadable {what}: {RESTORE_ASSETS}"
        else:
            hint = hub_hint(source, exc)
        raise LabsError(
            f"Could not load the {what} from {source!r}: {hint}. "
            f"(The library said: {library_reason(exc)})"
        ) from exc
