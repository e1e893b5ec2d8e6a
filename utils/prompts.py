"""The course's prompt shapes for dialogue summarization, and a check against the context window.

Templates are plain strings, visible and editable: a notebook prints them before using them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from utils.errors import LabsError

INSTRUCTION_TEMPLATE = "Summarize the following conversation.\n\n{dialogue}\n\nSummary: "
"""Zero-shot instruction prompt (labs 1 and 2, and the PPO prompt of lab 3)."""

FLAN_TEMPLATE = "Dialogue:\n\n{dialogue}\n\nWhat was going on?"
"""One of FLAN-T5's own training templates for dialogue summarization."""

SHOT_TEMPLATE = FLAN_TEMPLATE + "\n{summary}\n\n\n"
"""One solved example inside a one-/few-shot prompt (the course's ``make_prompt``)."""


def no_prompt(dialogue: str) -> str:
    """The dialogue alone: the model must guess the task."""
    return dialogue


def zero_shot_prompt(dialogue: str) -> str:
    """The instruction zero-shot prompt."""
    return INSTRUCTION_TEMPLATE.format(dialogue=dialogue)


def template_prompt(dialogue: str) -> str:
    """FLAN-T5's own "What was going on?" template."""
    return FLAN_TEMPLATE.format(dialogue=dialogue)


def in_context_prompt(examples: Sequence[tuple[str, str]], dialogue: str) -> str:
    """One-/few-shot prompt: solved (dialogue, summary) examples, then the dialogue to summarize."""
    shots = "".join(SHOT_TEMPLATE.format(dialogue=d, summary=s) for d, s in examples)
    return shots + FLAN_TEMPLATE.format(dialogue=dialogue)


PROMPT_STYLES: dict[str, Callable[[str], str]] = {
    "no prompt": no_prompt,
    "zero-shot": zero_shot_prompt,
    "template": template_prompt,
}
"""Prompt styles that need only the dialogue; one-/few-shot also need examples."""


@dataclass(frozen=True)
class PromptLength:
    """How a prompt's token count compares with the model's context window."""

    n_tokens: int
    context_window: int

    @property
    def overflow(self) -> int:
        """Tokens past the window: cut by truncation, never seen by the model."""
        return max(0, self.n_tokens - self.context_window)

    @property
    def fits(self) -> bool:
        return self.overflow == 0

    def __str__(self) -> str:
        status = "fits" if self.fits else f"OVERFLOWS by {self.overflow} tokens"
        return f"{self.n_tokens} tokens / {self.context_window}-token window: {status}"


def prompt_length(tokenizer, prompt: str, context_window: int, warn: bool = True) -> PromptLength:
    """Count the prompt's tokens (special tokens included) against ``context_window``.

    With ``warn``, an overflowing prompt raises a warning that says how much is cut and
    which text the model will not see.
    """
    if not prompt or not prompt.strip():
        raise LabsError(
            "The prompt is empty: there is nothing to summarize. Check that the "
            "dialogue text was passed in."
        )
    ids = tokenizer(prompt, add_special_tokens=True)["input_ids"]
    length = PromptLength(n_tokens=len(ids), context_window=context_window)
    if warn and not length.fits:
        cut_text = tokenizer.decode(ids[context_window:], skip_special_tokens=True)
        warnings.warn(
            f"Prompt is {length.n_tokens} tokens but the context window is {context_window}: "
            f"the last {length.overflow} tokens are cut and the model never sees them "
            f"(they start: {cut_text[:80]!r}). Use fewer or shorter examples.",
            stacklevel=2,
        )
    return length


def truncated_tail(tokenizer, prompt: str, context_window: int) -> str:
    """The text that truncation at ``context_window`` tokens removes from ``prompt``."""
    ids = tokenizer(prompt, add_special_tokens=True)["input_ids"]
    return tokenizer.decode(ids[context_window:], skip_special_tokens=True)
