"""Command line: ``python -m utils run [--lab N] [--profile P]``, ``python -m utils check``,
``python -m utils profile`` and ``python -m utils clean NOTEBOOK...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from utils.errors import LabsError

EXIT_INTERRUPTED = 130
"""What a shell reports for a command stopped by Ctrl-C (128 + SIGINT)."""


def _clean(paths: list[Path]) -> int:
    """Strip per-run metadata from notebooks in place; print what changed."""
    import nbformat

    from utils.runner import strip_volatile_metadata

    for path in paths:
        if not path.is_file():
            raise LabsError(f"No notebook at {path}; pass paths such as labs/*.ipynb.")
        notebook = nbformat.read(path, as_version=4)
        changed = strip_volatile_metadata(notebook)
        if changed:  # rewrite only when needed, so clean files keep their bytes
            nbformat.write(notebook, path)
        print(f"{path}: {changed} cell(s) cleaned" if changed else f"{path}: already clean")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m utils", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute lab notebooks into outputs/executed/")
    run.add_argument("--lab", type=int, action="append", help="lab number (repeatable)")
    run.add_argument(
        "--profile",
        choices=["course", "tiny", "auto"],
        default=None,
        help="default: $LABS_PROFILE, else auto",
    )
    run.add_argument("--labs-dir", type=Path, default=None, help="default: labs/")
    run.add_argument("--output-dir", type=Path, default=None, help="default: outputs/executed/")
    commands.add_parser("profile", help="print which profile auto would choose, and why")
    commands.add_parser(
        "check", help="is this environment ready? Python, pinned packages, device, Hub, profile"
    )
    clean = commands.add_parser("clean", help="strip execution timestamps from notebooks")
    clean.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "clean":
            return _clean(args.notebooks)
        if args.command == "check":
            from utils.check import main as check

            return check()
        from utils.profiles import get_profile

        if args.command == "profile":
            get_profile(args.profile)  # prints which profile runs and why
            return 0
        from utils import paths, runner

        with runner.run_lock(paths.OUTPUTS_DIR):  # one run per outputs folder, checked first
            profile = get_profile(args.profile)  # prints which profile runs and why
            results = runner.run_labs(
                args.lab,
                profile.name,
                args.output_dir or paths.OUTPUTS_DIR / "executed",
                timeout_s=profile.cell_timeout_s,
                labs_dir=args.labs_dir or paths.LABS_DIR,
            )
    except LabsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C outside a notebook (no kernel runs then)
        print("\nInterrupted before or between labs; nothing was overwritten.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if any(r.status == "INTERRUPTED" for r in results):
        return EXIT_INTERRUPTED
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
