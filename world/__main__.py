"""``python -m world build [--small] [--out DIR] [--no-measure]`` or ``... measure``."""

from __future__ import annotations

import argparse
from pathlib import Path

from utils.paths import ASSETS_DIR


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m world", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="rebuild the offline world (deterministic, seeded)")
    b.add_argument("--out", type=Path, default=ASSETS_DIR, help="where to write (default: assets/)")
    b.add_argument("--small", action="store_true", help="a few rows and one epoch: for tests")
    b.add_argument(
        "--no-measure", action="store_true", help="skip the acceptance figures and cards"
    )
    sub.add_parser("measure", help="print the acceptance figures of the shipped world")
    args = parser.parse_args(argv)
    if args.command == "build":
        from world.build import FULL, SMALL, build

        build(args.out, SMALL if args.small else FULL, measure=not args.no_measure)
    else:
        from world.measure import main as measure_main

        measure_main()


if __name__ == "__main__":
    main()
