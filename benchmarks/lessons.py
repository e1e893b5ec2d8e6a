"""Lesson robustness: each lab's own measurement and lesson checks over many seeds and samples.

The labs assert their lessons at one point (one seed, one held-out draw). A lesson is true only
if it holds off that draw, so this runs the functions the notebooks' check cells call
(``utils.lessons.lab1/2/3``) over:

- lab 1: 5 held-out samples of 100 rows x 3 one-shot examples (short, clean, distinct topics),
  per split;
- lab 2: 3 training seeds, each scored on the whole split;
- lab 3: 3 PPO seeds, each scored on 5 held-out draws of 300 test dialogues, and on every
  in-range validation dialogue (there are fewer than 300); then 3 DPO seeds (the section beyond
  the course), each scored on the same draws (its lessons' keys start with ``dpo_``).

It prints, per lab and lesson, the value of every run, how many runs pass, min / median / max
and the profile's threshold, and writes every row to ``benchmarks/results/lessons.csv`` (lab 3's
notebook plots its spread from there). Thresholds are set from the **validation** split, each
below its worst run with a margin; the test split then shows they hold where the labs print.

    python benchmarks/lessons.py                       # everything, both splits (~45 min, tiny)
    python benchmarks/lessons.py --labs 1 --splits validation
    python benchmarks/lessons.py --labs 3 --dpo-only    # DPO's rows only, PPO's kept (~12 min)
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections.abc import Iterable
from pathlib import Path

import torch

from utils.lessons import Lesson, lesson_lines
from utils.paths import REPO_ROOT, display_path
from utils.profiles import Profile, get_profile

RESULTS_CSV = REPO_ROOT / "benchmarks" / "results" / "lessons.csv"
FIELDS = ("lab", "split", "seed", "sample", "key", "value", "holds", "needs")
LAB1_SAMPLES = (1, 2, 3, 4, 5)
LAB1_SHOTS = 3
LAB2_SEEDS = (1, 2, 3)
LAB3_SEEDS = (1, 2, 3)
LAB3_SAMPLES = (1, 2, 3, 4, 5)


def rows_of(lab: int, split: str, seed: object, sample: object, lessons: Iterable[Lesson]):
    """One CSV row per lesson of one run."""
    for lesson in lessons:
        yield {
            "lab": lab,
            "split": split,
            "seed": seed,
            "sample": sample,
            "key": lesson.key,
            "value": round(lesson.value, 6),
            "holds": lesson.holds,
            "needs": lesson.needs,
        }


def bench_lab1(profile: Profile, splits: list[str]) -> list[dict]:
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from utils.data import load_dialogsum
    from utils.lessons import lab1

    dialogsum = load_dialogsum(profile)
    tokenizer = AutoTokenizer.from_pretrained(profile.model_id)
    model = AutoModelForSeq2SeqLM.from_pretrained(profile.model_id).eval()
    out = []
    for split in splits:
        shots = lab1.pick_shots(dialogsum[split], LAB1_SHOTS)  # short, clean, distinct topics
        for sample_seed in LAB1_SAMPLES:
            for shot in shots:
                figures = lab1.run(
                    profile,
                    split=split,
                    sample_seed=sample_seed,
                    one_shot_index=shot,
                    model=model,
                    tokenizer=tokenizer,
                    dialogsum=dialogsum,
                )
                lessons = lab1.lessons(figures, profile.checks.lab1, profile.checks.lessons)
                out += rows_of(1, split, profile.seed, f"draw {sample_seed}, shot {shot}", lessons)
                print(f"lab 1 {split} draw {sample_seed} shot {shot}: {_verdict(lessons)}")
    return out


def bench_lab2(profile: Profile, splits: list[str]) -> list[dict]:
    from utils.lessons import lab2

    out = []
    for seed in LAB2_SEEDS:  # one training per seed, scored on every split asked for
        first = lab2.run(profile, split=splits[0], seed=seed, also=splits[1:])
        for split in splits:
            figures = first if split == splits[0] else first["also"][split]
            lessons = lab2.lessons(figures, profile.checks.lab2, profile.checks.lessons)
            out += rows_of(2, split, seed, "whole split", lessons)
            print(f"lab 2 {split} seed {seed}: {_verdict(lessons)}")
    return out


def bench_lab3(
    profile: Profile, splits: list[str], ppo: bool = True, dpo: bool = True
) -> list[dict]:
    from utils.lessons import lab3, lab3_dpo

    samples = []
    if "test" in splits:
        samples += [("test", s) for s in LAB3_SAMPLES]
    if "validation" in splits:
        samples.append(("validation", 0))  # every in-range validation dialogue
    befores: dict = {}  # a draw's "before" does not depend on the PPO seed: measured once
    out = []
    for seed in LAB3_SEEDS if ppo else ():
        runs = lab3.run(profile, seed=seed, samples=samples, befores=befores)
        for (split, sample), figures in zip(samples, runs, strict=True):
            lessons = lab3.lessons(figures, profile.checks.lab3, profile.checks.lessons)
            name = "every in-range row" if split == "validation" else f"draw {sample}"
            out += rows_of(3, split, seed, name, lessons)
            values = ", ".join(f"{x.key} {x.value:.3f}" for x in lessons)
            print(f"lab 3 {split} seed {seed} {name}: {_verdict(lessons)}; {values}", flush=True)
    for seed in LAB3_SEEDS if dpo else ():
        runs = lab3_dpo.run(profile, seed=seed, samples=samples, befores=befores)
        for (split, sample), figures in zip(samples, runs, strict=True):
            lessons = lab3_dpo.lessons(figures, profile.checks.lab3, profile.checks.lessons)
            name = "every in-range row" if split == "validation" else f"draw {sample}"
            out += rows_of(3, split, seed, name, lessons)
            f = figures
            print(
                f"lab 3 DPO {split} seed {seed} {name}: {_verdict(lessons)}; "
                f"{f['n_pairs']} pairs, {f['n_ties']} ties, "
                f"{f['n_length_dropped']} length-dropped; "
                f"toxicity {f['toxicity_change']:+.4f} [{f['toxicity_change_low']:+.4f}, "
                f"{f['toxicity_change_high']:+.4f}] ({-f['toxicity_drop']:+.1%}); ROUGE-1 "
                f"{f['rouge1_change']:+.4f} [{f['rouge1_change_low']:+.4f}, "
                f"{f['rouge1_change_high']:+.4f}]; own {f['own_dialogue_before']:.4f} -> "
                f"{f['own_dialogue_after']:.4f}; clean unchanged {f['clean_unchanged']:.3f}; "
                f"KL {f['kl']:.3f}; {f['wall_time_s']:.0f} s",
                flush=True,
            )
    return out


def _verdict(lessons: list[Lesson]) -> str:
    broken = [lesson.key for lesson in lessons if not lesson.holds]
    return f"{len(lessons) - len(broken)}/{len(lessons)} hold" + (
        f" (broken: {', '.join(broken)})" if broken else ""
    )


def summary_table(rows: list[dict]) -> str:
    """Per lab, split and lesson: runs passing, min / median / max of the value."""
    lines = [
        f"{'lab':>3} {'split':<10} {'lesson':<28} {'pass':>7} {'min':>9} {'median':>9} "
        f"{'max':>9}  needs"
    ]
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["lab"], row["split"], row["key"]), []).append(row)
    for (lab, split, key), group in sorted(groups.items()):
        values = [float(r["value"]) for r in group]
        passed = sum(str(r["holds"]) == "True" for r in group)
        lines.append(
            f"{lab:>3} {split:<10} {key:<28} {passed:>3}/{len(group):<3} {min(values):>9.4f} "
            f"{statistics.median(values):>9.4f} {max(values):>9.4f}  {group[0]['needs']}"
        )
    return "\n".join(lines)


def write_csv(rows: list[dict], path: Path, labs: list[int], key_prefix: str = "") -> None:
    """Replace the rows of ``labs`` (only those whose key starts with ``key_prefix``, when given)
    in ``path``, keep every other row."""
    kept = []
    if path.exists():
        with path.open() as f:
            kept = [
                r
                for r in csv.DictReader(f)
                if int(r["lab"]) not in labs or not r["key"].startswith(key_prefix)
            ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(sorted(kept + rows, key=lambda r: int(r["lab"])))


DOCS_BEGIN = "<!-- lessons: generated by `python benchmarks/lessons.py --docs`; do not edit -->"
DOCS_END = "<!-- lessons: end -->"
LABS_README = REPO_ROOT / "labs" / "README.md"


def docs_block(notebooks: list[Path], rows: list[dict]) -> str:
    """labs/README.md's lessons section: each committed notebook's check lines (its tiny run),
    then the benchmark's spread on the test split. Generated, so no figure is typed twice."""
    parts = [DOCS_BEGIN]
    for path in notebooks:
        lines = lesson_lines(json.loads(path.read_text()))
        parts += [f"\n`{path.name}`, as committed (tiny, seed 42):\n", "```", *lines, "```"]
    test_rows = [r for r in rows if r["split"] == "test"]
    if test_rows:
        parts += [
            "\nOver seeds and held-out samples (`benchmarks/lessons.py`, test split; "
            "the thresholds come from the validation split):\n",
            "```",
            summary_table(test_rows),
            "```",
        ]
    return "\n".join([*parts, DOCS_END])


def read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open() as f:
        return list(csv.DictReader(f))


def write_docs(readme: Path = LABS_README, results: Path = RESULTS_CSV) -> None:
    """Replace the generated block of labs/README.md."""
    text = readme.read_text()
    head, rest = text.split(DOCS_BEGIN, 1)
    tail = rest.split(DOCS_END, 1)[1]
    notebooks = sorted((REPO_ROOT / "labs").glob("lab*.ipynb"))
    readme.write_text(head + docs_block(notebooks, read_csv(results)) + tail)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labs", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--splits", nargs="+", default=["validation", "test"], choices=["validation", "test"]
    )
    parser.add_argument("--profile", default="tiny")
    parser.add_argument("--out", type=Path, default=RESULTS_CSV)
    parser.add_argument(
        "--docs", action="store_true", help="only rewrite labs/README.md's lessons block"
    )
    parser.add_argument(
        "--dpo-only",
        action="store_true",
        help="lab 3: recompute only DPO's rows (keys dpo_*) and keep the others",
    )
    args = parser.parse_args(argv)
    if args.docs:
        write_docs(results=args.out)
        print(f"wrote {display_path(LABS_README)}")
        return

    profile = get_profile(args.profile)
    if profile.cpu_threads:
        torch.set_num_threads(profile.cpu_threads)
    if args.dpo_only and args.labs != [3]:
        parser.error("--dpo-only goes with --labs 3")
    benches = {1: bench_lab1, 2: bench_lab2, 3: bench_lab3}
    if args.dpo_only:
        benches[3] = lambda profile, splits: bench_lab3(profile, splits, ppo=False)
    rows: list[dict] = []
    for lab in args.labs:
        start = time.time()
        rows += benches[lab](profile, args.splits)
        print(f"lab {lab}: {time.time() - start:.0f} s")
    print(summary_table(rows))
    write_csv(rows, args.out, args.labs, key_prefix="dpo_" if args.dpo_only else "")
    write_docs(results=args.out)
    print(f"wrote {display_path(args.out)} and {display_path(LABS_README)}")


if __name__ == "__main__":
    main()
