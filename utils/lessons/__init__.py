"""Each lab's measurement and the lessons it checks, one module per lab.

``labN.measure...`` computes a lab's figures the way its notebook does; ``labN.lessons(figures,
checks)`` turns them into ``Lesson`` verdicts against the profile's thresholds. The notebook's
check cell, ``benchmarks/lessons.py`` (many seeds and samples) and ``world/measure.py`` call the
same functions, so every measure has one definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PASS, FAIL = "✓", "✗"
"""The marks that open each lesson line of a check cell (``utils.runner`` reads them)."""


@dataclass(frozen=True)
class Lesson:
    """One fact a lab teaches, as measured: ``value`` against the threshold ``needs``."""

    key: str
    """A short stable name (``"toxicity_drop"``): the benchmark's tables and plots use it."""
    claim: str
    """What the lab teaches, in words (``"PPO lowers toxicity"``)."""
    value: float
    """The measured figure the verdict rests on (for the benchmark's tables)."""
    shown: str
    """The figure as a learner reads it (``"-27%, CI -0.05 [-0.07, -0.03]"``)."""
    needs: str
    """The threshold in words (``"a drop of 15% or more, CI below 0"``)."""
    holds: bool

    def line(self) -> str:
        return f"{PASS if self.holds else FAIL} {self.claim}: {self.shown} (needs {self.needs})"


def at_least(key: str, claim: str, value: float, threshold: float, shown: str) -> Lesson:
    """A lesson that holds when ``value >= threshold``."""
    return Lesson(key, claim, float(value), shown, f">= {threshold:g}", bool(value >= threshold))


def at_most(key: str, claim: str, value: float, threshold: float, shown: str) -> Lesson:
    """A lesson that holds when ``value <= threshold``."""
    return Lesson(key, claim, float(value), shown, f"<= {threshold:g}", bool(value <= threshold))


def report(lessons: Sequence[Lesson]) -> None:
    """Print one line per lesson, then fail with the broken ones (a check cell's last call)."""
    for lesson in lessons:
        print(lesson.line())
    broken = [lesson.line() for lesson in lessons if not lesson.holds]
    if broken:
        raise AssertionError(
            f"{len(broken)} of {len(lessons)} lessons did not hold:\n" + "\n".join(broken)
        )


def lesson_lines(notebook: dict) -> list[str]:
    """The lesson lines ("✓ ..." / "✗ ...") a notebook's check cell printed, read from its
    saved outputs (the notebook's JSON as a dict): what the runner's summary and the docs
    show, never a copy typed by hand."""
    lines = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            text = "".join(text) if isinstance(text, list) else text
            lines += [line for line in text.splitlines() if line.startswith((PASS, FAIL))]
    return lines
