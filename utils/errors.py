"""One error type for everything a learner can get wrong, printed as one clear paragraph."""

from __future__ import annotations


class LabsError(Exception):
    """A problem the user can fix: the message says what happened and what to do.

    In Jupyter/IPython the error prints as its message alone (no library traceback),
    because the message, not the stack, is what a learner needs.
    """

    def _render_traceback_(self) -> list[str]:  # IPython hook: replaces the traceback
        return [f"\033[31mLabsError:\033[0m {self}"]
