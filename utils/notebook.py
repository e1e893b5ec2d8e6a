"""The labs' common first step: check the packages, pick the profile, quiet known noise, seed.

Every lab's setup cell ends with ``profile = start_lab()``, so the three labs start the same
way and the notebooks keep only the calls a learner came to learn.
"""

from __future__ import annotations

import importlib.util
import warnings

from utils.errors import LabsError
from utils.hub import bound_hub_wait, require_hub
from utils.profiles import Profile, get_profile

REQUIRED_PACKAGES = (
    "torch",
    "transformers",
    "datasets",
    "peft",
    "trl",
    "evaluate",
    "rouge_score",
    "accelerate",
    "matplotlib",
    "pandas",
)
"""Import names of what ``requirements.txt`` installs and the labs import (ipywidgets, for
lab 1's playground only, is optional: the playground says so when it is missing)."""


def missing_packages(names: tuple[str, ...] = REQUIRED_PACKAGES) -> list[str]:
    """The import names among ``names`` that this Python cannot find."""
    return [name for name in names if importlib.util.find_spec(name) is None]


def start_lab(profile_name: str | None = None, seed: int | None = None) -> Profile:
    """Check the packages, print the profile line, silence known noise, seed and set threads;
    with a profile that needs the Hub, fail at once when the Hub does not answer.

    ``seed`` (default: ``$LABS_SEED``, else the profile's) picks the training seed and the
    held-out draw of every lab.

    Quiet on purpose: loading and ``map`` progress bars would repeat in every cell, and
    PEFT 0.21 still asks transformers 5 for a renamed gradient-checkpointing attribute (a
    harmless ``FutureWarning``). Training progress bars stay on.
    """
    missing = missing_packages()
    if missing:
        raise LabsError(
            f"This Python lacks {', '.join(missing)}, which the labs need. Install the pinned "
            "requirements from the repository's root: `make run` once (it builds .venv; then "
            "start Jupyter with `.venv/bin/jupyter lab labs/`), or `pip install torch==2.13.0 "
            "&& pip install -r requirements.txt` in this environment (on Colab: `%pip install "
            "-r requirements.txt`), then restart the kernel."
        )
    bound_hub_wait()  # before huggingface_hub is imported: it reads its timeouts then
    import datasets
    import torch
    import transformers

    datasets.disable_progress_bars()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    warnings.filterwarnings(
        "ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning
    )

    profile = get_profile(profile_name, seed=seed)
    require_hub(profile)  # a Hub that never answers: one clear error now, not minutes later
    transformers.set_seed(profile.seed)
    if profile.cpu_threads:  # float sums depend on the thread count: a fixed one repeats
        torch.set_num_threads(profile.cpu_threads)
    return profile
