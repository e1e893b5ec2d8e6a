"""Shared plumbing for the Generative AI with LLMs labs.

The notebooks import from the submodules directly (``from utils.data import load_dialogsum``);
this file only exposes the package's error type and version.
"""

from utils.errors import LabsError

__all__ = ["LabsError"]
__version__ = "0.1.0"
