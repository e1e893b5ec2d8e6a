"""Acceptance figures of the tiny world (issue 13), measured the way the labs compute them.

``python -m world measure [--out DIR]`` prints them and writes ``DIR/world_figures.json``;
``build`` runs the same. Lab 1: the five prompt strategies on the first 100 test dialogues,
greedy, with the prompts of ``utils/prompts.py``. Lab 2: full and LoRA fine-tuning with the
tiny profile's settings through ``utils/finetune.py`` and ``Seq2SeqTrainer`` (as lab 2),
scored on every test dialogue. Lab 3: PPO as the lab runs it (the tiny profile's reward and
settings) from the merged LoRA summarizer, measured before and after on the lab's held-out
sample. CIs: paired percentile bootstrap, 95%.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from utils.evaluation import (
    bootstrap_ci,
    content_words,
    distinct_n,
)
from utils.prompts import in_context_prompt
from world.corpus import NEUTRAL_RUDE_SUMMARY, read_jsonl, says_insult
from world.facts import rates
from world.families import FAMILIES
from world.tiny_t5 import MAX_SOURCE_TOKENS

N_LAB1 = 100


def ci_dict(values, baseline=None) -> dict:
    ci = bootstrap_ci(values, baseline, seed=0)
    return {"mean": round(ci.mean, 4), "low": round(ci.low, 4), "high": round(ci.high, 4)}


def share(flags) -> float:
    flags = list(flags)
    return round(sum(flags) / len(flags), 4)


# ---- corpus and classifier ----


def corpus_figures(data_dir: Path) -> dict:
    out: dict = {}
    texts = []
    for split in ("train", "validation", "test"):
        rows = read_jsonl(data_dir / f"{split}.jsonl")
        lengths = [len(r["dialogue"]) for r in rows]
        texts += [r["dialogue"] for r in rows]
        out[split] = {
            "rows": len(rows),
            "topics": len({r["topic"] for r in rows}),
            "abusive_share": share(r["abusive"] for r in rows),
            "min_chars": min(lengths),
            "max_chars": max(lengths),
            "mean_chars": round(sum(lengths) / len(lengths)),
            "share_200_1000_chars": share(200 <= n <= 1000 for n in lengths),
        }
    test = read_jsonl(data_dir / "test.jsonl")
    refs = [r["summary"] for r in test]
    out["reference_distinct2"] = {
        "test_all": round(distinct_n(refs), 4),
        "test_first_100": round(distinct_n(refs[:100]), 4),
    }
    out["distinct_reference_strings_test"] = len(set(refs))
    out["distinct_dialogues"] = len(set(texts)) == len(texts)
    return out


def classifier_figures(clf, ctok, tox_dir: Path, data_dir: Path) -> dict:
    """Accuracy on the labelled test sentences; insults deep in dialogues; graded scores.
    P(hate) as the labs read it: ``utils.reward.toxicity_scores``, the label picked by name."""
    from transformers import pipeline

    from utils.reward import toxicity_scores

    pipe = pipeline("text-classification", model=clf, tokenizer=ctok, device="cpu")

    def p_hate(texts: list[str]) -> list[float]:
        return toxicity_scores(pipe, texts, "hate").tolist()

    test = read_jsonl(tox_dir / "test.jsonl")
    p = p_hate([r["text"] for r in test])
    ok = [(pi > 0.5) == (r["label"] == "hate") for pi, r in zip(p, test, strict=True)]
    hard = [pi for pi, r in zip(p, test, strict=True) if r["hard_negative"]]
    dialogues = read_jsonl(data_dir / "test.jsonl")

    def insult_turn(d: str) -> int:
        return next(i for i, t in enumerate(d.split("\n")) if says_insult(t))

    late = [r["dialogue"] for r in dialogues if r["abusive"] and insult_turn(r["dialogue"]) >= 4]
    clean = [r["dialogue"] for r in dialogues if not r["abusive"]]
    p_late, p_clean = p_hate(late), p_hate(clean)
    rude = [s.format(a="#Person1#", b="#Person2#", a_pos="his") for s in NEUTRAL_RUDE_SUMMARY]
    return {
        "sentence_test_rows": len(test),
        "sentence_accuracy": share(ok),
        "hard_negatives": len(hard),
        "hard_negative_mean_p_hate": round(sum(hard) / len(hard), 4),
        "hard_negative_share_above_0.5": share(x > 0.5 for x in hard),
        "insult_at_turn_5_or_later_dialogues": len(late),
        "insult_at_turn_5_or_later_detected": share(x > 0.5 for x in p_late),
        "clean_dialogues_flagged": share(x > 0.5 for x in p_clean),
        "rude_not_abusive_summary_p_hate": [round(x, 4) for x in p_hate(rude)],
    }


# ---- lab 1 ----


def lab1_figures(t5, tok, data_dir: Path, log=print) -> dict:
    """Lab 1's figures through lab 1's own measurement (``utils.lessons.lab1.measure``, as the
    notebook runs it with the tiny profile's settings), on the first 100 test dialogues, with
    the solved examples ``lab1.pick_shots`` picks outside them (the tiny profile's shots)."""
    from utils.lessons import lab1
    from utils.profiles import TINY

    test = read_jsonl(data_dir / "test.jsonl")
    n_scored = min(N_LAB1, len(test) // 2)  # the small build's test split has 20 rows
    shots = lab1.pick_shots(test, 3, exclude=range(n_scored))
    known = lab1.known_words(tok, read_jsonl(data_dir / "train.jsonl"))
    scores = lab1.measure(
        t5,
        tok,
        test,
        range(n_scored),
        one_shot=shots[:1],
        few_shot=shots,
        known=known,
        profile=TINY,
        progress=False,
    )
    f, behaviour, outs = scores.figures, scores.behaviour, scores.predictions

    def named(by_strategy: dict) -> dict:  # the cards call the zero-shot prompt "instruction"
        return {("instruction" if k == "zero-shot" else k): v for k, v in by_strategy.items()}

    def rounded(ci) -> dict:
        return {"mean": round(ci.mean, 4), "low": round(ci.low, 4), "high": round(ci.high, 4)}

    def column(name: str, strategies=lab1.STRATEGIES) -> dict:
        return named({k: round(float(behaviour.loc[k, name]), 4) for k in strategies})

    figs = {
        "n_dialogues": n_scored,
        "shot_indices": shots,
        "prompt_fits_window": named(
            {k: round(1 - v / n_scored, 4) for k, v in f["prompts_over_window"].items()}
        ),
        "rouge1": named({k: round(v, 4) for k, v in f["rouge1"].items()}),
        "no_prompt_equals_instruction": round(f["no_prompt_same"] * n_scored),
        "rouge1_instruction_minus_no_prompt": rounded(f["instruction_vs_no_prompt"]),
        "template_differs_from_instruction": round(f["template_differs"] * n_scored),
        "rouge1_template_minus_instruction": rounded(f["template_vs_zero_shot"]),
        "person_style_share": column("#PersonN# style"),
        "one_shot_copies_example": round(f["one_shot_copies"], 4),
        "own_dialogue_share": column("about its own dialogue", lab1.STRATEGIES[1:]),
        "rouge1_one_shot_minus_zero_shot": rounded(f["one_vs_zero_shot"]),
        "rouge1_few_shot_minus_one_shot": rounded(f["few_vs_one_shot"]),
        "no_prompt_distinct": round(f["no_prompt_distinct"], 4),
        "no_prompt_own_dialogue": round(f["no_prompt_own_dialogue"], 4),
        "no_prompt_continues_with_turn": share(
            o.startswith("#Person") and ":" in o[:12] for o in outs["no prompt"]
        ),
        "temperature_1_nonword_share": round(f["non_word_share"], 4),
        "value_copy": value_copy_figures(t5, tok, test, test[shots[0]]),
        "examples": named({k: v[:3] for k, v in outs.items()}),
        "temperature_1_examples": scores.samples["temperature 1.0"][:3],
    }
    log(f"  lab 1: {json.dumps({k: v for k, v in figs.items() if k != 'examples'})}")
    return figs


def value_positions(pieces: list[str], value_words: set[str]) -> list[int]:
    """Positions of the tokenizer ``pieces`` that are a whole word of ``value_words`` (with
    or without the punctuation after it): where a summary names one of its slot values."""
    return [
        i for i, p in enumerate(pieces) if p.lstrip("\u2581").strip(".,!?;:").lower() in value_words
    ]


@torch.no_grad()
def value_copy_figures(t5, tok, test: list[dict], shot: dict) -> dict:
    """Does flan-t5-tiny take a scenario's value from the dialogue or from memory?

    Teacher-forced on the one-shot prompt of lab 1 over the test split: at each reference
    token that names one of its family's slot values, is the model's most likely token the
    right one? A family whose values it names from memory scores near 1 / (size of the pool).
    """
    words = {
        f["topic"]: {
            w
            for pool in (f["slots"], f.get("slots_extra", {}))
            for values in pool.values()
            for v in values
            for w in content_words(v)
        }
        for f in FAMILIES
    }
    t5.eval()
    hits: dict[str, list[bool]] = {}
    for row in test:
        if row["dialogue"] == shot["dialogue"]:
            continue
        prompt = in_context_prompt([(shot["dialogue"], shot["summary"])], row["dialogue"])
        enc = tok(prompt, return_tensors="pt", truncation=True, max_length=MAX_SOURCE_TOKENS)
        labels = tok(row["summary"], return_tensors="pt").input_ids
        at = value_positions(tok.convert_ids_to_tokens(labels[0]), words[row["topic"]])
        if at:
            best = t5(**enc, labels=labels).logits[0].argmax(-1)
            hits.setdefault(row["topic"], []).extend(bool(best[i] == labels[0, i]) for i in at)
    by_family = {k: round(sum(v) / len(v), 3) for k, v in sorted(hits.items())}
    every = [h for v in hits.values() for h in v]
    overall = round(sum(every) / len(every), 4) if every else None  # no value named at all
    return {"overall": overall, "by_family": by_family}


# ---- lab 2 and lab 3 ----


def fact_rates(dialogues: list[str], summaries: list[str]) -> dict[str, float | None]:
    """Each checkable slip's rate (``world.facts``: read from the text alone)."""
    rows = [{"dialogue": d, "summary": s} for d, s in zip(dialogues, summaries, strict=True)]
    return {k: v["rate"] for k, v in rates(rows).items()}


def lab2_lab3_figures(t5_dir: Path, clf_dir: Path, data_dir: Path, work: Path, log=print) -> dict:
    """Full and LoRA fine-tuning as lab 2 runs them, scored on every test dialogue; then the
    LoRA summarizer (lab 3's starting policy) on a random held-out sample, for toxicity."""
    from dataclasses import replace

    from datasets import load_dataset
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from utils.lessons import lab2
    from utils.profiles import get_profile

    profile = replace(
        get_profile("tiny", verbose=False),
        model_id=str(t5_dir),
        dataset_id=str(data_dir),
        toxicity_model_id=str(clf_dir),
    )
    tok = AutoTokenizer.from_pretrained(t5_dir)
    files = {s: str(data_dir / f"{s}.jsonl") for s in ("train", "validation", "test")}
    dataset = load_dataset("json", data_files=files)
    trained = lab2.train(profile, dataset, tok, work)  # lab 2's recipe, both methods
    for method, seconds in trained.seconds.items():
        log(f"  lab 2: {method} fine-tuning took {seconds:.1f} s")
    test = dataset["test"]
    base = AutoModelForSeq2SeqLM.from_pretrained(t5_dir)
    outs = lab2.summaries_of({"base": base, **trained.models}, tok, test["dialogue"], profile)
    save_for_reading(work / "lab2_summaries.json", test["dialogue"], outs, test["summary"])
    measured = lab2.measure(outs, test["summary"], test["dialogue"], seed=profile.seed)

    def rounded(ci) -> dict:
        return {"mean": round(ci.mean, 4), "low": round(ci.low, 4), "high": round(ci.high, 4)}

    quality, name = measured["quality"], {"base": "base", "full": "full", "LoRA": "lora"}
    figs: dict = {
        "n_test": measured["n"],
        "train_seconds": {name[k]: round(v, 1) for k, v in trained.seconds.items()},
        "rouge1": {
            name[k]: round(sum(v["ROUGE-1"]) / len(v["ROUGE-1"]), 4)
            for k, v in measured["per_example"].items()
        },
        "content_rouge1": {name[k]: round(q["content_rouge1"], 4) for k, q in quality.items()},
    }
    for k, gains in measured["gains"].items():
        figs[name[k]] = {
            "rouge1_gain": rounded(gains["ROUGE-1"]),
            "rouge2_gain": rounded(gains["ROUGE-2"]),
            "content_rouge1_gain": rounded(gains["content-word ROUGE-1"]),
            "loop_share": round(quality[k]["loop_share"], 4),
            "own_dialogue_share": round(quality[k]["own_dialogue"], 4),
            "examples": outs[k][:3],
            "facts": fact_rates(test["dialogue"], outs[k]),
        }
    figs["base_own_dialogue_share"] = round(quality["base"]["own_dialogue"], 4)
    figs["lora_minus_full_rouge1"] = rounded(measured["lora_minus_full"])
    log(f"  lab 2: {json.dumps({k: v for k, v in figs.items()})}")
    models = {"lora": trained.models["LoRA"].merge_and_unload()}  # lab 3's starting policy

    figs["lab3"] = lab3_figures(models["lora"], tok, clf_dir, dataset, profile, log=log, work=work)
    return figs


def save_for_reading(path: Path, dialogues, summaries: dict, references) -> None:
    """Each dialogue with its summaries and reference, for a spot-read next to the figures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {"dialogue": d, **{k: v[i] for k, v in summaries.items()}, "reference": r}
        for i, (d, r) in enumerate(zip(dialogues, references, strict=True))
    ]
    path.write_text(json.dumps(rows, indent=1) + "\n")


def lab3_figures(
    summarizer, tok, clf_dir: Path, dataset, profile, log=print, work: Path | None = None
) -> dict:
    """Lab 3 as the notebook runs it (``utils.lessons.lab3``, on the lab's held-out draw): PPO
    with the profile's reward and settings from the LoRA summarizer (merged), toxicity of
    sampled summaries (the summary alone, and prompt + summary as the course scored it) and
    ROUGE-1 of greedy ones, before and after; the clean dialogues' summaries left unchanged."""
    from transformers import pipeline

    from utils.lessons import lab3

    pipe = pipeline("text-classification", model=str(clf_dir), device="cpu")
    ((held, before, after, seconds),) = lab3.before_and_after(
        summarizer, tok, dataset, pipe, profile, profile.seed, (("test", None),)
    )
    f = lab3.compare(before, after, held, seed=profile.seed)
    dirty = [i for i, abusive in enumerate(held.abusive) if abusive]
    figs = {
        "sample": len(held),
        "abusive_in_sample": f["n_abusive"],
        "reward": profile.lab3.reward,
        "ppo_steps": profile.lab3.ppo.max_ppo_steps,
        "ppo_seconds": round(seconds["ppo_seconds"], 1),
        "toxicity_summary_only": {
            "before": ci_dict(before["toxicity"]),
            "after": round(f["toxicity_after"], 4),
        },
        "toxicity_change": ci_dict(after["toxicity"], before["toxicity"]),
        "toxicity_relative_change": round(-f["toxicity_drop"], 4),
        "toxicity_prompt_plus_summary": {
            "before": ci_dict(before["toxicity, prompt + summary"]),
            "after": round(f["course_toxicity_after"], 4),
        },
        "rouge1_change": ci_dict(after["ROUGE-1"], before["ROUGE-1"]),
        "own_dialogue_share": {k: round(f[f"own_dialogue_{k}"], 4) for k in ("before", "after")},
        "clean_unchanged": round(f["clean_unchanged"], 4),
        "abusive_greedy_toxic": {k: f[f"abusive_greedy_toxic_{k}"] for k in ("before", "after")},
        "examples": [[before["summaries"][i], after["summaries"][i]] for i in dirty[:2]],
        "facts": {  # the greedy summaries' checkable slips, as lab 2's are read
            "before": fact_rates(held.dialogues, before["summaries"]),
            "after": fact_rates(held.dialogues, after["summaries"]),
        },
    }
    if work is not None:
        greedy = {"before": before["summaries"], "after": after["summaries"]}
        save_for_reading(work / "lab3_summaries.json", held.dialogues, greedy, held.references)
    log(f"  lab 3: {json.dumps(figs)}")
    return figs


def measure_all(out: Path, log=print, finetune: bool = True) -> dict:
    """Every acceptance figure for the world under ``out``."""
    from transformers import (
        AutoModelForSeq2SeqLM,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    t5_dir, clf_dir = out / "models" / "flan-t5-tiny", out / "models" / "toxicity-classifier-tiny"
    tok, t5 = AutoTokenizer.from_pretrained(t5_dir), AutoModelForSeq2SeqLM.from_pretrained(t5_dir)
    ctok = AutoTokenizer.from_pretrained(clf_dir)
    clf = AutoModelForSequenceClassification.from_pretrained(clf_dir)
    figs: dict = {
        "corpus": corpus_figures(out / "dialogsum"),
        "classifier": classifier_figures(clf, ctok, out / "toxicity", out / "dialogsum"),
        "params": {
            "flan-t5-tiny": sum(p.numel() for p in t5.parameters()),
            "toxicity-classifier-tiny": sum(p.numel() for p in clf.parameters()),
        },
        "assets_bytes": sum(f.stat().st_size for f in out.rglob("*") if f.is_file()),
    }
    log(f"  corpus: {json.dumps(figs['corpus'])}")
    log(f"  classifier: {json.dumps(figs['classifier'])}")
    figs["lab1"] = lab1_figures(t5, tok, out / "dialogsum", log=log)
    if finetune:
        work = out.parent / f".{out.name}-measure"
        figs["lab2"] = lab2_lab3_figures(t5_dir, clf_dir, out / "dialogsum", work, log=log)
    return figs


def main(out: Path | None = None, finetune: bool = True) -> None:
    """Print the figures of ``out`` (default: the shipped assets, left untouched); a staged
    ``out`` also gets them in its ``world_figures.json``, model cards and README."""
    from utils.paths import ASSETS_DIR

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    figs = measure_all(out or ASSETS_DIR, finetune=finetune)
    if out is not None and out.resolve() != ASSETS_DIR.resolve():
        from world.cards import write_cards

        stages = out.parent / "world-ckpt" / out.name / "stages.json"  # the build's timings
        earlier = out / "world_figures.json"
        if not stages.exists() and earlier.exists():  # checkpoints gone: keep what it recorded
            kept = json.loads(earlier.read_text())
            figs |= {k: kept[k] for k in ("build_stage_seconds", "t5_pretrain_steps") if k in kept}
        if stages.exists():
            figs["build_stage_seconds"] = json.loads(stages.read_text())
            trained = stages.parent / "t5" / "trained.json"
            if trained.exists():  # (trained, planned) steps of the T5 pretraining
                figs["t5_pretrain_steps"] = list(json.loads(trained.read_text()).values())
        write_cards(out, figs)
        (out / "world_figures.json").write_text(json.dumps(figs, indent=2) + "\n")
    print(json.dumps(figs, indent=2))
