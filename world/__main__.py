"""``python -m world build [--small] [--out DIR] [--no-measure] [--fresh]`` or ``... measure``."""

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
    b.add_argument("--fresh", action="store_true", help="drop earlier checkpoints first")
    b.add_argument("--max-t5-steps", type=int, help="stop the T5 early (a pilot; rerun resumes)")
    m = sub.add_parser("measure", help="print the acceptance figures of a built world")
    m.add_argument("--out", type=Path, help="a staged world (writes its world_figures.json)")
    m.add_argument("--no-finetune", action="store_true", help="lab 1 and the corpus only")
    args = parser.parse_args(argv)
    if args.command == "build":
        from world.build import FULL, SMALL, build, clean_checkpoints

        if args.fresh:
            clean_checkpoints(args.out)
        args.out.mkdir(parents=True, exist_ok=True)
        build(
            args.out,
            SMALL if args.small else FULL,
            measure=not args.no_measure,
            max_t5_steps=args.max_t5_steps,
        )
    else:
        from world.measure import main as measure_main

        measure_main(args.out, finetune=not args.no_finetune)


if __name__ == "__main__":
    main()
