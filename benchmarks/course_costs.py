"""What the course profile costs on this CPU: seconds and peak memory per unit of work, per lab.

    .venv/bin/python benchmarks/course_costs.py                 # 2 torch threads, ~15-25 min
    .venv/bin/python benchmarks/course_costs.py --threads 1 2   # both thread counts

Every unit runs at the course's shapes with random weights (no Hub needed): a T5 of
flan-t5-base's shape (248 M parameters, untied lm_head) and a roberta-base-shaped classifier.
Random weights never emit end-of-sequence, so each generation is forced to its full length
(``min_new_tokens``): the figures are the cost of the course's caps, an upper bound of what
trained models (which stop earlier) take. Each unit runs in its own fresh subprocess, so its
peak resident memory (``ru_maxrss``) is its own.

Units (inputs are random token ids of the stated lengths):

- ``gen16``: greedy generation, batch 16, 200-token prompts (a zero-shot DialogSum prompt is
  ~190 on average), 50 new tokens; ``gen16_512``: the same with 512-token prompts (few-shot);
  ``gen1``: one 200-token prompt, 50 new tokens (lab 1's single calls);
- ``full_step``: one optimizer step of full fine-tuning, batch 8, 256 input / 64 label tokens,
  AdamW at the course's 1e-5 (the first step, which allocates the optimizer state, excluded);
- ``lora_step``: the same with LoRA r=32, alpha 32, on q and v, lr 1e-3;
- ``ppo_stepN``: ``utils.ppo.ppo_step``, batch 16, mini-batch 4, 1 epoch, LoRA r=32 q,v,
  256-token queries, responses of exactly N tokens. The course samples response lengths in
  [100, 400) (mean 250); if a step that long would take over 3 minutes, shorter responses are
  measured and the step is extrapolated linearly in length (said so in the output);
- ``rm_step``: one reward-model step as TRL's ``RewardTrainer`` takes it: batch 16 pairs
  (32 sequences of 64 tokens), pairwise loss ``-logsigmoid(r_chosen - r_rejected)``, AdamW 1e-5.

Then the wall time and peak memory of each lab follow from the course profile's counts
(``utils.profiles.COURSE``): printed as a Markdown table, with how each was derived.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shapes import flan_t5_base_config  # noqa: E402 - benchmarks/shapes.py, beside this script

PROMPT_LEN, FEW_SHOT_LEN, NEW_TOKENS = 200, 512, 50
TRAIN_IN, TRAIN_OUT, TRAIN_BATCH = 256, 64, 8
PPO_QUERY, PPO_BATCH, PPO_MINI_BATCH = 256, 16, 4
RM_PAIRS, RM_LEN = 16, 64
PPO_STEP_LIMIT_S = 180.0
"""A PPO step measured longer than this is not measured at a greater length."""


def _t5():
    import torch
    from transformers import T5ForConditionalGeneration

    config = flan_t5_base_config()
    torch.manual_seed(0)
    return T5ForConditionalGeneration(config)


def _ids(batch: int, length: int, vocab: int = 32128):
    import torch

    return torch.randint(3, vocab - 100, (batch, length))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _generate(batch: int, prompt_len: int) -> dict:
    import torch
    from transformers import GenerationConfig

    model = _t5().eval()
    config = GenerationConfig(
        do_sample=False,
        max_new_tokens=NEW_TOKENS,
        min_new_tokens=NEW_TOKENS,
        decoder_start_token_id=0,
        eos_token_id=1,
        pad_token_id=0,
    )
    ids = _ids(batch, prompt_len)
    with torch.no_grad():
        model.generate(input_ids=ids[:1, :16], generation_config=config)  # warm-up
        start = time.perf_counter()
        out = model.generate(input_ids=ids, generation_config=config)
        seconds = time.perf_counter() - start
    assert out.shape[1] == NEW_TOKENS + 1, out.shape  # decoder start + forced length
    return {"seconds": seconds, "per": "dialogue", "per_unit_s": seconds / batch}


def _train_steps(lora: bool) -> dict:
    import torch

    model = _t5().train()
    lr = 1e-5
    if lora:
        from peft import LoraConfig, TaskType, get_peft_model

        model = get_peft_model(
            model,
            LoraConfig(
                r=32,
                lora_alpha=32,
                lora_dropout=0.05,
                target_modules=["q", "v"],
                bias="none",
                task_type=TaskType.SEQ_2_SEQ_LM,
            ),
        )
        lr = 1e-3
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)  # as Seq2SeqTrainer's
    inputs, labels = _ids(TRAIN_BATCH, TRAIN_IN), _ids(TRAIN_BATCH, TRAIN_OUT)
    times = []
    for _ in range(3):  # step 1 allocates AdamW's state: timed apart
        start = time.perf_counter()
        loss = model(input_ids=inputs, attention_mask=torch.ones_like(inputs), labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - start)
    steady = sorted(times[1:])[0]
    return {
        "seconds": steady,
        "per": "optimizer step",
        "per_unit_s": steady,
        "first_step_s": times[0],
    }


def _ppo(response_len: int) -> dict:
    import torch

    from utils.ppo import FixedKLController, PPOConfig, build_policy, ppo_step

    policy = build_policy(
        _t5().eval(), r=32, lora_alpha=32, lora_dropout=0.05, target_modules=("q", "v")
    )
    optimizer = torch.optim.Adam([p for p in policy.parameters() if p.requires_grad], lr=1.41e-5)
    config = PPOConfig(
        batch_size=PPO_BATCH,
        mini_batch_size=PPO_MINI_BATCH,
        ppo_epochs=1,
        output_min_length=response_len,
        output_max_length=response_len + 1,
        min_new_tokens=response_len,
    )
    query = _ids(PPO_BATCH, PPO_QUERY)

    class Tok:  # the reward below needs only the number of texts
        def batch_decode(self, ids, skip_special_tokens=True):
            return ["x"] * len(ids)

    start = time.perf_counter()
    stats, _ = ppo_step(
        policy,
        optimizer,
        Tok(),
        query,
        torch.ones_like(query),
        lambda texts: torch.randn(len(texts)),
        config,
        FixedKLController(0.2),
        max_new_tokens=response_len,
    )
    seconds = time.perf_counter() - start
    assert stats["tokens/response_length"] == response_len, stats
    return {
        "seconds": seconds,
        "per": f"PPO step ({response_len}-token responses)",
        "per_unit_s": seconds,
    }


def _rm_step() -> dict:
    import torch
    import torch.nn.functional as F
    from transformers import RobertaConfig, RobertaForSequenceClassification

    torch.manual_seed(0)
    model = RobertaForSequenceClassification(
        RobertaConfig(
            vocab_size=50265,
            max_position_embeddings=514,
            type_vocab_size=1,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            num_labels=1,
        )
    ).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    chosen, rejected = _ids(RM_PAIRS, RM_LEN, 50265), _ids(RM_PAIRS, RM_LEN, 50265)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        rewards = model(input_ids=torch.cat([chosen, rejected])).logits.squeeze(-1)
        loss = -F.logsigmoid(rewards[:RM_PAIRS] - rewards[RM_PAIRS:]).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - start)
    steady = sorted(times[1:])[0]
    return {"seconds": steady, "per": "reward-model step", "per_unit_s": steady}


UNITS = {
    "gen1": lambda: _generate(1, PROMPT_LEN),
    "gen16": lambda: _generate(16, PROMPT_LEN),
    "gen16_512": lambda: _generate(16, FEW_SHOT_LEN),
    "full_step": lambda: _train_steps(lora=False),
    "lora_step": lambda: _train_steps(lora=True),
    "rm_step": _rm_step,
    "ppo_step64": lambda: _ppo(64),
    "ppo_step128": lambda: _ppo(128),
    "ppo_step250": lambda: _ppo(250),
}


def run_unit(name: str, threads: int) -> dict:
    """One unit in this process (called in a fresh subprocess by ``measure``)."""
    import torch

    torch.set_num_threads(threads)
    result = UNITS[name]()
    return {"unit": name, "threads": threads, **result, "peak_rss_mb": round(_peak_mb())}


def measure(name: str, threads: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--unit", name, "--threads", str(threads)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_NUM_THREADS": str(threads)},
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"  {name:<12} {threads} thr: {result['per_unit_s']:8.2f} s per {result['per']:<34}"
        f" peak {result['peak_rss_mb']:>6} MB",
        flush=True,
    )
    return result


def _ppo_estimate(threads: int) -> tuple[dict, str]:
    """The course's PPO step (mean response 250 tokens): measured, or extrapolated.

    64- and 128-token steps first; the line through them (its slope kept >= 0: the
    query-length work is the same at every response length, so noise can tilt a short span)
    predicts the 250-token step. Measured directly if that is under ``PPO_STEP_LIMIT_S``.
    """
    short, long_ = measure("ppo_step64", threads), measure("ppo_step128", threads)
    slope = max(0.0, (long_["per_unit_s"] - short["per_unit_s"]) / 64)
    predicted = long_["per_unit_s"] + slope * (250 - 128)
    if predicted <= PPO_STEP_LIMIT_S:
        return measure("ppo_step250", threads), "measured at 250-token responses"
    mem_slope = max(0.0, (long_["peak_rss_mb"] - short["peak_rss_mb"]) / 64)
    peak = long_["peak_rss_mb"] + mem_slope * (250 - 128)
    return (
        {"per_unit_s": predicted, "peak_rss_mb": round(peak)},
        f"extrapolated linearly from 64- and 128-token responses "
        f"({short['per_unit_s']:.0f} s, {long_['per_unit_s']:.0f} s)",
    )


def lab_costs(u: dict[str, dict], ppo_note: str) -> list[tuple[str, float, float, str]]:
    """(lab, hours, peak GB, how) from the unit costs and the course profile's counts."""
    from utils.profiles import COURSE

    p, l1, l2, l3 = COURSE, COURSE.lab1, COURSE.lab2, COURSE.lab3
    s = {k: v["per_unit_s"] for k, v in u.items()}
    gb = {k: v["peak_rss_mb"] / 1000 for k, v in u.items()}
    # lab 1: 5 strategies x n_eval dialogues (few-shot and one-shot prompts near 512 tokens),
    # plus single calls: 3 prompt styles x examples, one- and few-shot, every sampling setting
    singles = 3 * len(l1.example_indices) + 2 + (len(l1.temperatures) + 4) * l1.samples_per_setting
    lab1 = (
        3 * p.n_eval_dialogues * s["gen16"]
        + 2 * p.n_eval_dialogues * s["gen16_512"]
        + singles * s["gen1"]
    )
    lab1_how = (
        f"{5 * p.n_eval_dialogues} batched + {singles} single generations of {NEW_TOKENS} tokens"
    )
    # lab 2: one epoch of each method over every n-th training row, then 3 models scored
    steps = math.ceil(12460 / l2.train_every_nth / l2.train_batch_size)
    lab2 = (
        steps * l2.full_ft_epochs * s["full_step"]
        + steps * l2.lora_epochs * s["lora_step"]
        + 3 * p.n_eval_dialogues * s["gen16"]
    )
    lab2_how = (
        f"{steps} full + {steps} LoRA steps (batch {l2.train_batch_size}), "
        f"3 x {p.n_eval_dialogues} summaries"
    )
    # lab 3: before/after summaries, the PPO walk-through step + max_ppo_steps, the reward
    # model; lab 2's adapter loaded (retraining it when absent adds the LoRA epoch of lab 2)
    rm_steps = math.ceil(l3.rm_train_pairs / 16 * l3.rm_epochs)
    ppo_steps = l3.ppo.max_ppo_steps + 1
    lab3 = 2 * l3.n_toxicity_eval * s["gen16"] + ppo_steps * s["ppo"] + rm_steps * s["rm_step"]
    lab3_how = (
        f"{ppo_steps} PPO steps ({ppo_note}), {rm_steps} reward-model steps, "
        f"2 x {l3.n_toxicity_eval} summaries; +{steps * s['lora_step'] / 3600:.1f} h "
        f"if lab 2's adapter is absent and retrained"
    )
    # peaks: the heaviest unit, plus ~1 GB per other flan-t5-base copy the lab holds meanwhile
    # (lab 2 keeps the base model while training; lab 3 the classifier, ~0.5 GB)
    return [
        ("lab 1", lab1 / 3600, max(gb["gen16"], gb["gen16_512"]), lab1_how),
        ("lab 2", lab2 / 3600, gb["full_step"] + 1.0, lab2_how),
        ("lab 3", lab3 / 3600, max(gb["ppo"], gb["rm_step"]) + 0.5, lab3_how),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", choices=list(UNITS), help="run one unit in-process")
    parser.add_argument("--threads", type=int, nargs="+", default=[2], help="torch threads")
    args = parser.parse_args()
    if args.unit:
        print(json.dumps(run_unit(args.unit, args.threads[0])))
        return
    for threads in args.threads:
        print(
            f"course shape, random weights, {threads} torch thread(s) on {os.cpu_count()} cores:",
            flush=True,
        )
        units = {
            name: measure(name, threads)
            for name in ("gen1", "gen16", "gen16_512", "full_step", "lora_step", "rm_step")
        }
        units["ppo"], ppo_note = _ppo_estimate(threads)
        print(f"\n| unit ({threads} threads) | seconds | per | peak RSS (GB) |")
        print("| --- | ---: | --- | ---: |")
        for name, r in units.items():
            per = r.get("per", f"PPO step, 250-token responses ({ppo_note})")
            print(f"| {name} | {r['per_unit_s']:.2f} | {per} | {r['peak_rss_mb'] / 1000:.1f} |")
        print(f"\n| lab ({threads} threads) | wall time (h) | peak RSS (GB) | from |")
        print("| --- | ---: | ---: | --- |")
        for lab, hours, peak, how in lab_costs(units, ppo_note):
            print(f"| {lab} | {hours:.1f} | {peak:.1f} | {how} |")
        print(flush=True)


if __name__ == "__main__":
    main()
