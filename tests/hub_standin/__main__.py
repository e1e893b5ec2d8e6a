"""`python -m tests.hub_standin build` (into the cache) or `serve` (until Ctrl-C)."""

from __future__ import annotations

import argparse
import time

from .builder import build
from .server import HubStandin


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.hub_standin")
    parser.add_argument("command", choices=("build", "serve"))
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args()
    root = build(force=args.force)
    print(f"artefacts in {root}")
    if args.command == "serve":
        with HubStandin(root) as hub:
            print(f"export HF_ENDPOINT={hub.endpoint}", flush=True)
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
