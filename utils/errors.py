"""One error type for everything a learner can get wrong, printed as one clear paragraph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LabsError(Exception):
    """A problem the user can fix: the message says what happened and what to do.

    In Jupyter/IPython the error prints as its message alone (no library traceback),
    because the message, not the stack, is what a learner needs.
    """

    def _render_traceback_(self) -> list[str]:  # IPython hook: replaces the traceback
        return [f"\033[31mLabsError:\033[0m {self}"]


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
            hint = ("that folder does not exist: restore it with `git checkout -- assets` "
                    "or rebuild the offline world with `make assets`")
        elif is_local:
            hint = ("the folder exists but does not hold a loadable model; rebuild it with "
                    "`make assets`")
        else:
            hint = ("it needs the Hugging Face Hub (or its local cache); without network "
                    "access run the offline stand-ins with `LABS_PROFILE=tiny`")
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LabsError(f"Could not load the {what} from {source!r}: {hint}. "
                        f"(The library said: {reason[:300]})") from exc
