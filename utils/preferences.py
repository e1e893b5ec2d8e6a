"""Synthetic preference pairs for lab 3's reward model: a clean summary is preferred over the
same summary with an insult added.

The insults are a short fixed list kept here, so the pairs exist in every profile: DialogSum's
everyday conversations hold almost no abuse to borrow from. Training and held-out pairs use
different insults, so the held-out accuracy measures generalization, not memory.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from utils.errors import LabsError

TRAIN_INSULTS = (
    "You are a complete idiot.",
    "Shut up, you stupid fool.",
    "Nobody wants to hear from a pathetic loser like you.",
    "What a useless moron.",
    "You're too dumb to understand anything.",
    "Get lost, you jerk.",
    "Only an idiot would think that.",
    "You are the most pathetic person here.",
)
"""Insults the reward model trains on."""

EVAL_INSULTS = (
    "Stop whining, you useless idiot.",
    "You stupid, lazy loser.",
    "Are you really that dumb, you moron?",
    "Keep quiet, you pathetic fool.",
    "Listen here, you incompetent jerk.",
)
"""Held-out insults: none of these sentences is in ``TRAIN_INSULTS``."""


def make_preference_pairs(
    summaries: Sequence[str], insults: Sequence[str], seed: int
) -> list[dict[str, str]]:
    """One ``{"chosen", "rejected"}`` pair per summary: the summary itself is chosen, the same
    summary with a random insult at its start or end (at random, so position gives nothing
    away) is rejected. The columns are the ones TRL's ``RewardTrainer`` reads."""
    if not summaries or not insults:
        raise LabsError(
            f"Preference pairs need summaries and insults, got {len(summaries)} summaries and "
            f"{len(insults)} insults. Check that the data set's train split has rows (the "
            "profile's rm_train_pairs / rm_eval_pairs say how many are used)."
        )
    rng = random.Random(seed)
    pairs = []
    for summary in summaries:
        insult = rng.choice(list(insults))
        rejected = f"{insult} {summary}" if rng.random() < 0.5 else f"{summary} {insult}"
        pairs.append({"chosen": summary, "rejected": rejected})
    return pairs
