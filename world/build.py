"""Build the offline tiny world: corpus, toxicity set, tokenizers, classifier, flan-t5-tiny.

Deterministic: ``random.Random`` seeds for data, ``torch.manual_seed`` + deterministic
algorithms + a fixed thread count for training. Everything lands under ``out`` (default
``assets/``), in the layout ``utils/paths.py`` names; build into another folder (``--out
build/world-v2``) to stage a world without touching the shipped one.

Resumable: each stage records its time in ``<ckpt>/stages.json`` when done, and a rerun
skips finished training stages; the T5 pretraining saves a checkpoint every
``CKPT_EVERY`` steps into ``<ckpt>/t5/`` and resumes from the latest. ``<ckpt>`` is
``build/world-ckpt/<name of out>`` (git-ignored), so checkpoints never ship.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from utils.errors import LabsError
from utils.paths import ASSETS_DIR, REPO_ROOT
from world.corpus import (
    ABUSE_SHARE,
    SHIPPED_COLUMNS,
    SPLIT_SEEDS,
    SPLIT_SIZES,
    generate_dialogue,
    generate_split,
    write_jsonl,
)
from world.toxicity_data import generate_toxicity_set


@dataclass(frozen=True)
class BuildSizes:
    """How much to build. ``full`` is what ships; ``small`` is for tests and quick checks."""

    train: int = SPLIT_SIZES["train"]
    validation: int = SPLIT_SIZES["validation"]
    test: int = SPLIT_SIZES["test"]
    pretrain: int = 12000
    """Extra dialogues (not shipped) the T5 pretrains on: lab 2's train split stays new to it."""
    toxicity: int = 4000
    attribution_epochs: int = 12
    """First T5 stage: the attribution mix (``world.tiny_t5.ATTRIBUTION_WEIGHTS``) over the
    abusive pretraining dialogues and a third of the clean ones (12 x 6,800 rows at batch 32:
    about 2,550 steps). With punctuation split off (longer token sequences), 8 epochs and a
    1,200-step curriculum left the drill's insulter reversed in 16 of 68 validation
    dialogues (glued punctuation: 1 of 68), and the next stage undid it."""
    attribution_curriculum_steps: int = 1800
    """Its first steps grow the prompts' length cap from a two-turn window to the longest
    (``world.tiny_t5.curriculum_caps``)."""
    t5_epochs: int = 3
    """Second T5 stage: each epoch draws a fresh task mix over the pretraining dialogues
    (3 x 12,000 rows at batch 32: 1,125 steps)."""
    t5_curriculum_steps: int = 600
    """Its first steps grow the length cap again (the mix's in-context prompts are long)."""
    classifier_epochs: int = 3
    t5_grounding_epochs: int = 1
    """Third T5 stage: a mix weighted to the tasks that copy the dialogue's values."""
    pretrain_extra: int = 64000
    """Fresh dialogues (not shipped) for the fourth T5 stage: new slot combinations, so
    copying the dialogue's values pays and remembering a scenario's usual values does not."""
    t5_extra_epochs: int = 2
    """Fourth T5 stage: the grounding mix over ``pretrain_extra`` (2 x 64,000 rows at batch
    32: 4,000 steps, about 70 minutes of two cores)."""
    focus: int = 51200
    """Fifth T5 stage (``world/focus.py``): fresh dialogues, half of them of the scenarios
    whose values the model misses (one epoch at batch 32: 1,600 steps)."""
    focus_probe: int = 20
    """Fresh dialogues per scenario on which the misses are measured before the stage."""
    drill: int = 7680
    """Sixth T5 stage: fresh dialogues of the scenarios still missed most, the instruction
    task only (one epoch at batch 32: 240 steps)."""
    settle: int = 9600
    """Seventh T5 stage: fresh dialogues of every scenario, the grounding mix (300 steps)."""
    quote: int = 19200
    """Eighth T5 stage: fresh dialogues of every scenario, the mix with FLAN's template
    answered by quoting the dialogue (``world.tiny_t5.QUOTE_WEIGHTS``; 600 steps)."""
    prices: int = 16000
    """Ninth T5 stage: fresh dialogues drawn, of which those that say exactly one price are
    asked for it (about 4,700; two epochs at batch 32: about 290 steps)."""
    resettle: int = 9600
    """Tenth T5 stage: fresh dialogues of every scenario, the eighth stage's mix with the price
    question beside it (300 steps)."""


FULL = BuildSizes()
SMALL = BuildSizes(
    train=60,
    validation=20,
    test=20,
    pretrain=120,
    toxicity=300,
    attribution_epochs=1,
    attribution_curriculum_steps=2,
    t5_epochs=1,
    t5_curriculum_steps=2,
    classifier_epochs=1,
    t5_grounding_epochs=1,
    pretrain_extra=240,
    t5_extra_epochs=1,
    focus=64,
    focus_probe=2,
    drill=64,
    settle=64,
    quote=64,
    prices=320,
    resettle=64,
)

PRETRAIN_ABUSE_SHARE = 0.35
CKPT_EVERY = 50
"""T5 pretraining steps between two checkpoints (about 2 minutes of one core)."""
THREADS = 1
"""Torch threads for the build. Results can depend on the thread count, so it is fixed; one
thread because on a shared 2-core machine two threads oversubscribe and run 5-10x slower."""
EXTRA_THREADS = 2
"""Threads of the fourth T5 stage, the long one (1.0 s a step on two free cores, 1.5 s on
one). Give it the machine: anything else running slows it several times."""


def _setup_torch(seed: int = 0, threads: int = THREADS) -> None:
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def checkpoint_dir(out: Path) -> Path:
    """Where the build of ``out`` keeps its checkpoints and stage log (never inside ``out``)."""
    return REPO_ROOT / "build" / "world-ckpt" / out.resolve().name


def build_data(out: Path, sizes: BuildSizes = FULL) -> dict[str, list[dict]]:
    """Write the corpus splits and the toxicity set; return the corpus rows (with pretrain)."""
    splits = {}
    for name in ("train", "validation", "test", "pretrain", "pretrain_extra"):
        # Pretraining sees more abusive dialogues, so the tiny T5 learns to carry the insult.
        share = PRETRAIN_ABUSE_SHARE if name.startswith("pretrain") else ABUSE_SHARE
        splits[name] = generate_split(name, getattr(sizes, name), SPLIT_SEEDS[name], share)
    # A short dialogue can come out of two splits' generators: redraw the later copy, so no
    # test or validation dialogue is also a training one (each redraw has its own seed, so
    # the other rows stay as drawn).
    seen = {r["dialogue"] for r in splits["train"]}
    for name in ("validation", "test"):
        for i, r in enumerate(splits[name]):
            rng = random.Random(SPLIT_SEEDS[name] * 100_003 + i)
            while r["dialogue"] in seen:
                r = {"id": r["id"], **generate_dialogue(rng, r["abusive"])}
            splits[name][i] = r
            seen.add(r["dialogue"])
    # Pretraining dialogues must not repeat shipped ones.
    shipped = {r["dialogue"] for n in ("train", "validation", "test") for r in splits[n]}
    for name in ("pretrain", "pretrain_extra"):
        splits[name] = [r for r in splits[name] if r["dialogue"] not in shipped]
    for name in ("train", "validation", "test"):  # the tokenizer reads the full ``summary``
        shipped_rows = [{**r, "summary": r["shipped_summary"]} for r in splits[name]]
        write_jsonl(shipped_rows, out / "dialogsum" / f"{name}.jsonl", SHIPPED_COLUMNS)
    tox = generate_toxicity_set(sizes.toxicity)
    for name, rows in tox.items():
        write_jsonl(rows, out / "toxicity" / f"{name}.jsonl", ("text", "label", "hard_negative"))
    splits["toxicity_train"] = tox["train"]
    return splits


class StageLog:
    """Which stages are done and how long each took, in ``<ckpt>/stages.json``."""

    def __init__(self, path: Path):
        self.path = path
        self.stages: dict[str, float] = json.loads(path.read_text()) if path.exists() else {}

    def done(self, name: str) -> bool:
        return name in self.stages

    def record(self, name: str, seconds: float) -> None:
        # a resumed stage adds its time to the interrupted run's
        self.stages[name] = round(self.stages.get(f"{name} (partial)", 0) + seconds, 1)
        self.stages.pop(f"{name} (partial)", None)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.stages, indent=2) + "\n")


def build(
    out: Path = ASSETS_DIR,
    sizes: BuildSizes = FULL,
    measure: bool = True,
    log=print,
    max_t5_steps: int | None = None,
) -> dict:
    """Rebuild everything under ``out``; return the measured figures (empty if not ``measure``).

    ``max_t5_steps`` stops the T5 pretraining early (a pilot; a later run resumes it).
    """
    from utils.prompts import FLAN_TEMPLATE, INSTRUCTION_TEMPLATE
    from world.classifier import train_classifier
    from world.tiny_t5 import (
        ATTRIBUTION_WEIGHTS,
        GROUNDING_WEIGHTS,
        PRICE_WEIGHTS,
        QUOTE_WEIGHTS,
        RESETTLE_WEIGHTS,
        SAME_TOPIC_SHARE,
        attribution_rows,
        pretrain,
    )
    from world.tokenizer import build_classifier_tokenizer, build_t5_tokenizer
    from world.toxicity_data import classifier_rows

    if not out.parent.exists():
        raise LabsError(
            f"Cannot build the tiny world into {out}: its parent folder does not exist."
        )
    ckpt = checkpoint_dir(out)
    stages = StageLog(ckpt / "stages.json")
    _setup_torch()
    t0 = time.time()
    log("1/5 corpus and toxicity set")
    splits = build_data(out, sizes)
    t5_dir, clf_dir = out / "models" / "flan-t5-tiny", out / "models" / "toxicity-classifier-tiny"
    stages.record("data", time.time() - t0)
    t0 = time.time()
    log("2/5 tokenizers")
    # A tokenizer is rebuilt only with its model: training leaves its truncation settings in
    # the saved tokenizer.json, so rewriting it beside a kept model would change the files.
    clf_done = stages.done("classifier") and (clf_dir / "model.safetensors").exists()
    t5_done = stages.done("t5") and (t5_dir / "model.safetensors").exists()
    tox_texts = [r["text"] for r in splits["toxicity_train"]]
    corpus_texts = [
        t
        for n in ("train", "pretrain")
        for r in splits[n]
        for t in (
            r["dialogue"],
            r["summary"],
            r["plain"],
            r["rendering"],
            r["template"],
            r["follow_up"],
            r["topic"],
        )
    ]
    prompts = [INSTRUCTION_TEMPLATE, FLAN_TEMPLATE] * 50
    if not t5_done:
        t5_tok = build_t5_tokenizer(corpus_texts + tox_texts + prompts, t5_dir)
    if not clf_done:
        clf_tok = build_classifier_tokenizer(
            tox_texts
            + [r[k] for r in splits["pretrain"] for k in ("dialogue", "summary")]
            + prompts,
            clf_dir,
            model_max_length=512,
        )
    if not (t5_done and clf_done):  # a kept pair of tokenizers took no time this run
        stages.record("tokenizers", time.time() - t0)
    log("3/5 toxicity classifier")
    if clf_done:
        log("  done in an earlier run: kept")
    else:
        t0 = time.time()
        _setup_torch(1)
        rows = classifier_rows(splits["toxicity_train"], splits["pretrain"][:3000])
        train_classifier(rows, clf_tok, clf_dir, epochs=sizes.classifier_epochs, log=log)
        stages.record("classifier", time.time() - t0)
    log("4/5 flan-t5-tiny pretraining")
    if t5_done:
        log("  done in an earlier run: kept")
    else:
        if not (
            stages.done("t5-attribution") and (ckpt / "t5-attribution" / "trained.json").exists()
        ):
            log("  first stage: who said what (the rudeness drill) and the value-copying summaries")
            t0 = time.time()
            _setup_torch(1, threads=EXTRA_THREADS)
            pretrain(
                attribution_rows(splits["pretrain"]),
                t5_tok,
                t5_dir,
                ckpt_dir=ckpt / "t5-attribution",
                epochs=sizes.attribution_epochs,
                lr=1e-3,
                seed=5,
                ckpt_every=CKPT_EVERY,
                weights=ATTRIBUTION_WEIGHTS,
                curriculum_steps=sizes.attribution_curriculum_steps,
                log=log,
            )
            stages.record("t5-attribution", time.time() - t0)
        log("  second stage: the full mix")
        t0 = time.time()
        _setup_torch(2, threads=EXTRA_THREADS)
        pretrain(
            splits["pretrain"],
            t5_tok,
            t5_dir,
            ckpt_dir=ckpt / "t5",
            init_dir=t5_dir,
            lr=7e-4,  # at 2e-3 (biases at 3e-2, or not) the full mix undid the first stage's
            # who-said-what within 300 steps; at 5e-4-1e-3 it kept most of it (pilots)
            epochs=sizes.t5_epochs,
            curriculum_steps=sizes.t5_curriculum_steps,
            ckpt_every=CKPT_EVERY,
            max_steps=max_t5_steps,
            log=log,
        )
        stages.record("t5" if max_t5_steps is None else "t5 (partial)", time.time() - t0)
    # Eight stages follow, each continuing from the model the stage before saved in t5_dir,
    # most on the mix weighted to the tasks that copy the dialogue's values: over the
    # pretraining dialogues, over fresh ones, over fresh ones drawn by the values the model
    # still misses, then the instruction task alone on the scenarios still missed most, then
    # the mix over fresh ones again (``world/focus.py``); then FLAN's template taught to quote
    # the dialogue, the price question alone, and the mix with both (``benchmarks/README.md``,
    # world v3d and v3e). A pilot stops before them.
    grounding_stages = (
        # (stage, title, rows, epochs, torch seed, mix seed, threads, same-scenario examples,
        #  task weights, learning rate)
        ("t5-grounding", "4b/5 flan-t5-tiny third stage: grounding", "pretrain",
         sizes.t5_grounding_epochs, 3, 10, EXTRA_THREADS, SAME_TOPIC_SHARE, GROUNDING_WEIGHTS,
         1e-3),
        ("t5-extra", "4c/5 flan-t5-tiny fourth stage: the grounding mix over fresh dialogues",
         "pretrain_extra", sizes.t5_extra_epochs, 4, 20, EXTRA_THREADS, SAME_TOPIC_SHARE,
         GROUNDING_WEIGHTS, 1e-3),
        ("t5-focus", "4d/5 flan-t5-tiny fifth stage: more practice on the scenarios whose "
         "values it misses", "focus", 1, 5, 40, EXTRA_THREADS, 0.0, GROUNDING_WEIGHTS, 1e-3),
        ("t5-drill", "4e/5 flan-t5-tiny sixth stage: the instruction task on the scenarios "
         "still missed most", "drill", 1, 6, 50, EXTRA_THREADS, 0.0, {"instruction": 1.0},
         1e-3),
        ("t5-settle", "4f/5 flan-t5-tiny seventh stage: the grounding mix over fresh dialogues "
         "of every scenario", "settle", 1, 7, 60, EXTRA_THREADS, 0.0, GROUNDING_WEIGHTS, 1e-3),
        ("t5-quote", "4g/5 flan-t5-tiny eighth stage: FLAN's template quotes the dialogue",
         "quote", 1, 8, 70, EXTRA_THREADS, 0.0, QUOTE_WEIGHTS, 1e-3),
        ("t5-prices", "4h/5 flan-t5-tiny ninth stage: the price question alone", "prices", 2,
         9, 80, EXTRA_THREADS, 0.0, PRICE_WEIGHTS, 5e-4),
        ("t5-resettle", "4i/5 flan-t5-tiny tenth stage: the quote mix with the price question",
         "resettle", 1, 10, 90, EXTRA_THREADS, 0.0, RESETTLE_WEIGHTS, 5e-4),
    )  # fmt: skip
    if max_t5_steps is not None:
        grounding_stages = ()  # a pilot stops after the first stage
    for (
        stage, title, rows, epochs, torch_seed, mix_seed, threads, same_topic, weights, lr
    ) in grounding_stages:  # fmt: skip
        if stages.done(stage) and (ckpt / stage / "trained.json").exists():
            log(f"  {stage} stage done in an earlier run: kept")
            continue
        log(title)
        t0 = time.time()
        _setup_torch(torch_seed, threads=threads)
        from transformers import AutoTokenizer

        pretrain(
            _stage_rows(rows, t5_dir, splits, sizes, ckpt / stage, log),
            AutoTokenizer.from_pretrained(t5_dir),
            t5_dir,
            ckpt_dir=ckpt / stage,
            epochs=epochs,
            lr=lr,
            seed=mix_seed,
            ckpt_every=CKPT_EVERY,
            init_dir=t5_dir,
            weights=weights,
            same_topic_share=same_topic,
            log=log,
        )
        stages.record(stage, time.time() - t0)
    figures: dict = {}
    if measure:
        log("5/5 measuring")
        from world.cards import write_cards
        from world.measure import measure_all

        t0 = time.time()
        figures = measure_all(out, log=log)
        stages.record("measure", time.time() - t0)
        figures["build_stage_seconds"] = dict(stages.stages)
        trained = ckpt / "t5" / "trained.json"
        if trained.exists():  # (trained, planned) steps of the T5 pretraining
            figures["t5_pretrain_steps"] = list(json.loads(trained.read_text()).values())
        write_cards(out, figures)
        (out / "world_figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def _stage_rows(
    kind: str, t5_dir: Path, splits: dict, sizes: BuildSizes, stage_dir: Path, log
) -> list[dict]:
    """A T5 stage's dialogues: a corpus split, or fresh ones, none shipped. ``focus`` draws
    half of them, and ``drill`` all of them, by the values the model in ``t5_dir`` misses,
    measured once and kept in ``stage_dir`` so that a resumed stage draws the same rows;
    ``prices`` keeps those that say exactly one price."""
    from world.families import FAMILIES
    from world.focus import drill_topics, focus_rows, fresh_rows, load_or_measure_misses
    from world.tiny_t5 import price_said

    if kind in splits:
        return splits[kind]
    shipped = {r["dialogue"] for n in ("train", "validation", "test") for r in splits[n]}
    row_seeds = {"settle": 61, "quote": 71, "prices": 81, "resettle": 91}
    if kind in row_seeds:
        topics = [f["topic"] for f in FAMILIES]
        n = getattr(sizes, kind)
        rows = fresh_rows(n, topics, row_seeds[kind], PRETRAIN_ABUSE_SHARE, shipped, kind)
        if kind == "prices":
            rows = [r for r in rows if price_said(r["dialogue"])]
            log(f"  {len(rows)} of {n} fresh dialogues say exactly one price")
        return rows
    misses = load_or_measure_misses(
        stage_dir / "misses.json",
        t5_dir,
        seed=30 if kind == "focus" else 32,
        per_topic=sizes.focus_probe,
    )
    log(f"  values missed, per scenario: {misses}")
    if kind == "focus":
        return focus_rows(sizes.focus, misses, 31, PRETRAIN_ABUSE_SHARE, shipped)
    topics = drill_topics(misses)
    log(f"  drilled: {topics}")
    return fresh_rows(sizes.drill, topics, 51, PRETRAIN_ABUSE_SHARE, shipped, kind)


def clean_checkpoints(out: Path) -> None:
    """Forget every checkpoint of the build of ``out`` (the next build starts from scratch)."""
    shutil.rmtree(checkpoint_dir(out), ignore_errors=True)
