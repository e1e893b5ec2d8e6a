"""Command line: ``python -m utils run [--lab N] [--profile P]`` and ``python -m utils profile``."""

from __future__ import annotations

import argparse
import sys

from utils.errors import LabsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute lab notebooks into outputs/executed/")
    run.add_argument("--lab", type=int, action="append", help="lab number (repeatable)")
    run.add_argument("--profile", choices=["course", "tiny", "auto"], default=None,
                     help="default: $LABS_PROFILE, else auto")
    commands.add_parser("profile", help="print which profile auto would choose, and why")
    args = parser.parse_args(argv)
    try:
        if args.command == "profile":
            from utils.profiles import get_profile

            get_profile()
            return 0
        from utils.runner import run_labs

        results = run_labs(args.lab, args.profile)
    except LabsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0 if all(r.status == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
