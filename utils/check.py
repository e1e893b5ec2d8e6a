"""``python -m utils check``: is this environment ready for the labs? One OK/FAIL line each.

Checked: the Python version, each pinned package of ``requirements.txt`` (installed version vs
pin), torch's device (and bfloat16 support on CUDA), the offline world in ``assets/``, a writable
outputs folder, the Hub endpoint (skipped when ``HF_HUB_OFFLINE=1``) and the profile ``auto``
would pick, with its reason. The exit code is 0 when everything the ``tiny`` profile needs is
OK: the Hub and a GPU only matter for ``course``, so their lines inform without failing.
"""

from __future__ import annotations

import importlib.metadata
import sys
from dataclasses import dataclass
from pathlib import Path

from utils.errors import LabsError
from utils.paths import OUTPUTS_DIR, REPO_ROOT, TINY_CLASSIFIER_DIR, TINY_T5_DIR, display_path

MIN_PYTHON = (3, 11)
HUB_CHECK_TIMEOUT_S = 5.0
"""How long the check waits for the Hub endpoint."""


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    ok: bool | None
    """True OK, False FAIL, None SKIP (not asked)."""
    detail: str
    needed_for_tiny: bool = True
    """A failure makes the exit code 1 only when the tiny profile needs this."""

    def line(self) -> str:
        mark = {True: "OK  ", False: "FAIL", None: "SKIP"}[self.ok]
        return f"{mark}  {self.name}: {self.detail}"


def pinned_packages(requirements: Path = REPO_ROOT / "requirements.txt") -> dict[str, str]:
    """``{name: version}`` of every ``name==version`` line of ``requirements``."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = (part.strip() for part in line.split("==", 1))
            pins[name] = version
    return pins


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> Check:
    shown = ".".join(map(str, version))
    needs = ".".join(map(str, MIN_PYTHON))
    return Check("Python", version[:2] >= MIN_PYTHON, f"{shown} (needs {needs}+)")


def check_package(name: str, pin: str) -> Check:
    """Installed version vs pin; a local build tag (torch's ``+cpu``, ``+cu130``) is ignored."""
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return Check(name, False, f"not installed (pinned {pin}): pip install -r requirements.txt")
    same = installed.split("+", 1)[0] == pin
    detail = (
        f"{installed} (pinned {pin})" if same else f"{installed}, but requirements.txt pins {pin}"
    )
    return Check(name, same, detail)


def check_device() -> Check:
    """Which device torch uses; never a failure (tiny runs on a CPU)."""
    import torch

    if torch.cuda.is_available():
        native = torch.cuda.is_bf16_supported(including_emulation=False)
        bf16 = "bfloat16 supported" if native else "no native bfloat16: float32"
        return Check("torch device", True, f"cuda ({torch.cuda.get_device_name(0)}; {bf16})")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return Check("torch device", True, "mps (Apple GPU)")
    return Check(
        "torch device", True, "cpu (no GPU: tiny runs in minutes; course would take hours)"
    )


def check_assets() -> Check:
    from utils.paths import DIALOGSUM_DIR

    missing = [
        display_path(p)
        for p in (TINY_T5_DIR / "config.json", TINY_CLASSIFIER_DIR / "config.json")
        if not p.is_file()
    ] + [
        display_path(DIALOGSUM_DIR / f"{s}.jsonl")
        for s in ("train", "validation", "test")
        if not (DIALOGSUM_DIR / f"{s}.jsonl").is_file()
    ]
    if missing:
        return Check(
            "offline world",
            False,
            f"missing {', '.join(missing)}: `git checkout -- assets` (or `make assets`)",
        )
    return Check("offline world", True, f"{display_path(TINY_T5_DIR.parent.parent)}/ complete")


def check_outputs() -> Check:
    from utils.paths import check_writable

    try:
        check_writable(OUTPUTS_DIR, "the labs' models and executed notebooks")
    except LabsError as exc:
        return Check("outputs folder", False, str(exc))
    return Check("outputs folder", True, f"{display_path(OUTPUTS_DIR)}/ is writable")


def check_hub() -> Check:
    """Whether the Hub endpoint answers (only the course profile needs it)."""
    from utils.hub import endpoint_status, hub_endpoint, offline_setting
    from utils.profiles import COURSE

    offline = offline_setting()
    if offline:
        return Check("Hub", None, f"{offline}=1: not asked (the course profile uses the cache)")
    problem = endpoint_status(COURSE.model_id, HUB_CHECK_TIMEOUT_S)
    if problem is None:
        return Check("Hub", True, f"{hub_endpoint()} answered", needed_for_tiny=False)
    return Check(
        "Hub",
        False,
        f"{hub_endpoint()} {problem}; only the course profile needs it",
        needed_for_tiny=False,
    )


def check_profile() -> Check:
    """The profile ``auto`` would pick, and why."""
    import os

    from utils.profiles import PROFILE_ENV_VAR, get_profile

    try:
        profile = get_profile("auto", verbose=False)
    except LabsError as exc:  # a bad LABS_SCALE or LABS_SEED
        return Check("profile", False, str(exc))
    why = profile.reason.removeprefix("auto: ")
    chosen = os.environ.get(PROFILE_ENV_VAR, "").strip()
    wins = f" ({PROFILE_ENV_VAR}={chosen} is set, and wins)" if chosen not in ("", "auto") else ""
    return Check("profile", True, f"auto would pick {profile.name}: {why}{wins}")


def run_checks() -> list[Check]:
    """Every check, in the order printed."""
    checks = [check_python()]
    checks += [check_package(name, pin) for name, pin in pinned_packages().items()]
    if all(c.ok for c in checks):  # torch and the libraries below import cleanly only then
        checks += [check_device(), check_assets(), check_outputs(), check_hub(), check_profile()]
    else:
        checks += [check_assets(), check_outputs()]
    return checks


def main() -> int:
    """Print one line per check and a verdict; 0 when the tiny profile has what it needs."""
    checks = run_checks()
    for check in checks:
        print(check.line(), flush=True)
    failed = [c.name for c in checks if c.ok is False and c.needed_for_tiny]
    if failed:
        print(
            f"\n{len(failed)} check(s) failed that the labs need ({', '.join(failed)}): fix "
            f"them as each line says (most often: `make run` once, or `pip install "
            f"torch==2.13.0 && pip install -r requirements.txt`), then run this again."
        )
        return 1
    print("\nReady: everything the tiny profile needs is in place.")
    return 0
