"""Root pytest settings, loaded for every test path (tests/ and labs/*.ipynb alike).

With ``LABS_PROFILE`` unset, tests run the tiny profile with the Hugging Face libraries
offline: that is what the committed notebook outputs were made with, so strict nbval can
compare against them. An explicitly set ``LABS_PROFILE`` is respected (``LABS_PROFILE=course
pytest --nbval-lax labs/`` runs the course profile and needs the Hub); only ``tiny`` is forced
offline. This is set here, before anything imports transformers or datasets, and nbval's
kernels inherit it. (It lives at the root rather than in tests/conftest.py so that
``pytest labs/lab1_*.ipynb`` alone gets it too.) Fixtures are in tests/conftest.py.
"""

import os

EXPLICIT_PROFILE = os.environ.get("LABS_PROFILE", "").strip()

if not EXPLICIT_PROFILE:
    os.environ["LABS_PROFILE"] = "tiny"
if os.environ["LABS_PROFILE"].strip().lower() == "tiny":
    # tiny never needs the network; making that certain catches any accidental Hub call
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pytest_report_header() -> str:
    """Say which profile the notebooks run in, and how it was chosen."""
    if not EXPLICIT_PROFILE:
        return "LABS_PROFILE=tiny (default under pytest; Hugging Face libraries offline)"
    return (
        f"LABS_PROFILE={EXPLICIT_PROFILE} (set explicitly). Strict nbval compares against "
        f"the committed tiny outputs: check other profiles with --nbval-lax."
    )
