"""Root pytest settings, loaded for every test path (tests/ and labs/*.ipynb alike).

The tiny profile and the Hugging Face libraries' offline mode are set here, before anything
imports transformers or datasets; nbval's kernels inherit this environment. (They live at
the root rather than in tests/conftest.py so that `pytest labs/lab1_*.ipynb` alone is
forced offline too.) Fixtures are in tests/conftest.py.
"""

import os

os.environ["LABS_PROFILE"] = "tiny"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
