"""What the course profile costs here: seconds and peak memory per unit of work, per lab.

    .venv/bin/python benchmarks/course_costs.py                # fastest device; CPU: ~15-25 min
    .venv/bin/python benchmarks/course_costs.py --device cuda  # a GPU: a few minutes
    .venv/bin/python benchmarks/course_costs.py --threads 1 2  # CPU, both thread counts
    .venv/bin/python benchmarks/course_costs.py --quick        # small shapes: the script end
                                                               # to end in minutes, no figures

Every unit runs at the course's shapes with random weights (no Hub needed): a T5 of
flan-t5-base's shape (248 M parameters, untied lm_head) and a roberta-base-shaped classifier,
in float32. Random weights never emit end-of-sequence, so each generation is forced to its full
length (``min_new_tokens``): the figures are the cost of the course's caps, an upper bound of
what trained models (which stop earlier) take. Each unit runs in its own fresh subprocess, with
its model and every input on ``--device`` (default: CUDA, else MPS, else the CPU). Peak memory
is the unit's own: on CUDA the most GPU memory torch allocated (``max_memory_allocated``), on a
CPU the process's peak resident memory (``ru_maxrss``); times wait for the device to finish
(``torch.cuda.synchronize``).

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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    Device = str | torch.device

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shapes import course_ppo, flan_t5_base_config  # noqa: E402 - benchmarks/shapes.py, beside this script

PROMPT_LEN, FEW_SHOT_LEN, NEW_TOKENS = 200, 512, 50
TRAIN_IN, TRAIN_OUT, TRAIN_BATCH = 256, 64, 8
PPO_QUERY, PPO_BATCH, PPO_MINI_BATCH = 256, 16, 4
RM_PAIRS, RM_LEN = 16, 64
PPO_STEP_LIMIT_S = 180.0
"""A PPO step measured longer than this is not measured at a greater length."""
QUICK_T5 = dict(d_model=128, d_ff=256, d_kv=32, num_heads=4, num_layers=2, num_decoder_layers=2)
QUICK_ROBERTA = dict(
    hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4
)
"""``--quick``: small shapes, so the whole script runs in minutes (its figures are not the
course's); the course's shapes otherwise."""
SHAPES = {"t5": {}, "roberta": {}}
"""Overrides of the model shapes: empty (the course's), or the quick ones."""


def default_device() -> str:
    """The fastest device here: cuda, then mps, then cpu (``utils.generation.get_device``)."""
    from utils.generation import get_device

    return get_device().type


def _sync(device: Device) -> None:
    """Wait until ``device`` has finished its queued work (GPUs run asynchronously)."""
    import torch

    kind = torch.device(device).type
    if kind == "cuda":
        torch.cuda.synchronize()
    elif kind == "mps":
        torch.mps.synchronize()


def _t5(device: Device):
    """A T5 of flan-t5-base's shape with random weights, built directly on ``device``."""
    import torch
    from transformers import T5ForConditionalGeneration

    torch.manual_seed(0)
    with torch.device(device):
        return T5ForConditionalGeneration(flan_t5_base_config(**SHAPES["t5"]))


def _ids(batch: int, length: int, device: Device, vocab: int = 32128):
    import torch

    return torch.randint(3, vocab - 100, (batch, length), device=device)


def build_generation(device: Device, batch: int, prompt_len: int):
    """(model, prompt ids, generation config) of a generation unit, on ``device``."""
    from transformers import GenerationConfig

    config = GenerationConfig(
        do_sample=False,
        max_new_tokens=NEW_TOKENS,
        min_new_tokens=NEW_TOKENS,
        decoder_start_token_id=0,
        eos_token_id=1,
        pad_token_id=0,
    )
    return _t5(device).eval(), _ids(batch, prompt_len, device), config


def build_train_step(device: Device, lora: bool):
    """(model, optimizer, inputs, labels) of a fine-tuning step, on ``device``."""
    import torch

    model = _t5(device).train()
    lr = 1e-5
    if lora:
        from peft import LoraConfig, TaskType, get_peft_model

        with torch.device(device):  # the adapter's weights are made beside the model's
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
    return (
        model,
        optimizer,
        _ids(TRAIN_BATCH, TRAIN_IN, device),
        _ids(TRAIN_BATCH, TRAIN_OUT, device),
    )


def build_ppo(device: Device, response_len: int):
    """(policy, optimizer, query ids, query mask, config) of a PPO step, on ``device``."""
    import torch

    policy, optimizer, config = course_ppo(
        _t5(device).eval(), device, PPO_BATCH, PPO_MINI_BATCH, response_len
    )
    query = _ids(PPO_BATCH, PPO_QUERY, device)
    return policy, optimizer, query, torch.ones_like(query), config


def build_rm_step(device: Device):
    """(model, optimizer, chosen ids, rejected ids) of a reward-model step, on ``device``."""
    import torch
    from transformers import RobertaConfig, RobertaForSequenceClassification

    torch.manual_seed(0)
    config = RobertaConfig(
        vocab_size=50265,
        max_position_embeddings=514,
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        num_labels=1,
        **SHAPES["roberta"],
    )
    with torch.device(device):
        model = RobertaForSequenceClassification(config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    return (
        model,
        optimizer,
        _ids(RM_PAIRS, RM_LEN, device, 50265),
        _ids(RM_PAIRS, RM_LEN, device, 50265),
    )


def _generate(device: Device, batch: int, prompt_len: int) -> dict:
    import torch

    model, ids, config = build_generation(device, batch, prompt_len)
    with torch.no_grad():
        model.generate(input_ids=ids[:1, :16], generation_config=config)  # warm-up
        _sync(device)
        start = time.perf_counter()
        out = model.generate(input_ids=ids, generation_config=config)
        _sync(device)
        seconds = time.perf_counter() - start
    assert out.shape[1] == NEW_TOKENS + 1, out.shape  # decoder start + forced length
    return {"seconds": seconds, "per": "dialogue", "per_unit_s": seconds / batch}


def _timed_steps(device: Device, step, n: int = 3) -> list[float]:
    """Seconds of ``n`` calls of ``step``, each waited for on the device."""
    times = []
    for _ in range(n):
        _sync(device)
        start = time.perf_counter()
        step()
        _sync(device)
        times.append(time.perf_counter() - start)
    return times


def _train_steps(device: Device, lora: bool) -> dict:
    import torch

    model, optimizer, inputs, labels = build_train_step(device, lora)

    def step() -> None:
        mask = torch.ones_like(inputs)
        loss = model(input_ids=inputs, attention_mask=mask, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    times = _timed_steps(device, step)  # step 1 allocates AdamW's state: timed apart
    steady = sorted(times[1:])[0]
    return {
        "seconds": steady,
        "per": "optimizer step",
        "per_unit_s": steady,
        "first_step_s": times[0],
    }


def _ppo(device: Device, response_len: int) -> dict:
    import torch

    from utils.ppo import FixedKLController, ppo_step

    policy, optimizer, query, mask, config = build_ppo(device, response_len)

    class Tok:  # the reward below needs only the number of texts
        def batch_decode(self, ids, skip_special_tokens=True):
            return ["x"] * len(ids)

    _sync(device)
    start = time.perf_counter()
    stats, _ = ppo_step(
        policy,
        optimizer,
        Tok(),
        query,
        mask,
        lambda texts: torch.randn(len(texts), device=device),
        config,
        FixedKLController(0.2),
        max_new_tokens=response_len,
    )
    _sync(device)
    seconds = time.perf_counter() - start
    assert stats["tokens/response_length"] == response_len, stats
    return {
        "seconds": seconds,
        "per": f"PPO step ({response_len}-token responses)",
        "per_unit_s": seconds,
    }


def _rm_step(device: Device) -> dict:
    import torch
    import torch.nn.functional as F

    model, optimizer, chosen, rejected = build_rm_step(device)

    def step() -> None:
        rewards = model(input_ids=torch.cat([chosen, rejected])).logits.squeeze(-1)
        loss = -F.logsigmoid(rewards[:RM_PAIRS] - rewards[RM_PAIRS:]).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    steady = sorted(_timed_steps(device, step)[1:])[0]
    return {"seconds": steady, "per": "reward-model step", "per_unit_s": steady}


UNITS = {
    "gen1": lambda device: _generate(device, 1, PROMPT_LEN),
    "gen16": lambda device: _generate(device, 16, PROMPT_LEN),
    "gen16_512": lambda device: _generate(device, 16, FEW_SHOT_LEN),
    "full_step": lambda device: _train_steps(device, lora=False),
    "lora_step": lambda device: _train_steps(device, lora=True),
    "rm_step": _rm_step,
    "ppo_step64": lambda device: _ppo(device, 64),
    "ppo_step128": lambda device: _ppo(device, 128),
    "ppo_step250": lambda device: _ppo(device, 250),
}


def peak_memory_mb(device: Device) -> tuple[float, str]:
    """This process's peak memory so far, and what it is: GPU memory torch allocated on CUDA,
    else the peak resident memory of the process (a CPU; Apple's MPS shares it)."""
    import torch

    if torch.device(device).type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20, "GPU allocated"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "RSS"  # Linux: KiB


def run_unit(name: str, threads: int, device: str) -> dict:
    """One unit in this process (called in a fresh subprocess by ``measure``)."""
    import torch

    torch.set_num_threads(threads)
    if torch.device(device).type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    result = UNITS[name](device)
    peak, memory = peak_memory_mb(device)
    return {
        "unit": name,
        "threads": threads,
        "device": device,
        **result,
        "peak_mb": round(peak),
        "memory": memory,
    }


def measure(name: str, threads: int, device: str, quick: bool = False) -> dict:
    command = [sys.executable, __file__, "--unit", name, "--threads", str(threads)]
    command += ["--device", device] + (["--quick"] if quick else [])
    out = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": str(threads)},
    )
    if out.returncode != 0:
        raise SystemExit(f"unit {name} failed on {device}:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"  {name:<12} {result['per_unit_s']:8.3f} s per {result['per']:<34}"
        f" peak {result['peak_mb']:>6} MB ({result['memory']})",
        flush=True,
    )
    return result


def _ppo_estimate(threads: int, device: str, quick: bool = False) -> tuple[dict, str]:
    """The course's PPO step (mean response 250 tokens): measured, or extrapolated.

    64- and 128-token steps first; the line through them (its slope kept >= 0: the
    query-length work is the same at every response length, so noise can tilt a short span)
    predicts the 250-token step. Measured directly if that is under ``PPO_STEP_LIMIT_S``.
    """
    short = measure("ppo_step64", threads, device, quick)
    long_ = measure("ppo_step128", threads, device, quick)
    slope = max(0.0, (long_["per_unit_s"] - short["per_unit_s"]) / 64)
    predicted = long_["per_unit_s"] + slope * (250 - 128)
    if predicted <= PPO_STEP_LIMIT_S:
        return measure("ppo_step250", threads, device, quick), "measured at 250-token responses"
    mem_slope = max(0.0, (long_["peak_mb"] - short["peak_mb"]) / 64)
    peak = long_["peak_mb"] + mem_slope * (250 - 128)
    return (
        {"per_unit_s": predicted, "peak_mb": round(peak), "memory": long_["memory"]},
        f"extrapolated linearly from 64- and 128-token responses "
        f"({short['per_unit_s']:.0f} s, {long_['per_unit_s']:.0f} s)",
    )


def lab_costs(
    u: dict[str, dict], ppo_note: str, profile=None
) -> list[tuple[str, float, float, str]]:
    """(lab, hours, peak GB, how) from the unit costs (``per_unit_s`` and ``peak_mb`` per unit:
    gen1, gen16, gen16_512, full_step, lora_step, rm_step, ppo) and the counts of ``profile``
    (default: the course profile, ``utils.profiles.COURSE``)."""
    from utils.profiles import COURSE

    p = profile or COURSE
    l1, l2, l3 = p.lab1, p.lab2, p.lab3
    s = {k: v["per_unit_s"] for k, v in u.items()}
    gb = {k: v["peak_mb"] / 1000 for k, v in u.items()}
    # lab 1: 5 strategies x n_eval dialogues (few-shot and one-shot prompts near 512 tokens),
    # plus single calls: 3 prompt styles x examples, one- and few-shot, every sampling setting
    singles = 3 * len(l1.example_indices) + 2 + (len(l1.temperatures) + 4) * l1.samples_per_setting
    lab1 = (
        3 * l1.n_eval_dialogues * s["gen16"]
        + 2 * l1.n_eval_dialogues * s["gen16_512"]
        + singles * s["gen1"]
    )
    lab1_how = (
        f"{5 * l1.n_eval_dialogues} batched + {singles} single generations of {NEW_TOKENS} tokens"
    )
    # lab 2: one epoch of each method over every n-th training row, then 3 models scored
    steps = math.ceil(12460 / l2.train_every_nth / l2.train_batch_size)
    lab2 = (
        steps * l2.full_ft_epochs * s["full_step"]
        + steps * l2.lora_epochs * s["lora_step"]
        + 3 * l2.n_eval_dialogues * s["gen16"]
    )
    lab2_how = (
        f"{steps} full + {steps} LoRA steps (batch {l2.train_batch_size}), "
        f"3 x {l2.n_eval_dialogues} summaries"
    )
    # lab 3: before/after summaries, the PPO walk-through step + max_ppo_steps, the reward
    # model; lab 2's adapter loaded (retraining it when absent adds the LoRA epoch of lab 2)
    rm_steps = math.ceil(l3.rm_train_pairs / 16 * l3.rm_epochs)
    ppo_steps = l3.ppo.max_ppo_steps + 1
    lab3 = 2 * l3.n_toxicity_eval * s["gen16"] + ppo_steps * s["ppo"] + rm_steps * s["rm_step"]
    lab3_how = (
        f"{ppo_steps} PPO steps ({ppo_note}), {rm_steps} reward-model steps, "
        f"2 x {l3.n_toxicity_eval} summaries; +{_duration(steps * s['lora_step'] / 3600)} "
        f"if lab 2's adapter is absent and retrained"
    )
    # peaks: the heaviest unit, plus ~1 GB per other flan-t5-base copy the lab holds meanwhile
    # (lab 2 keeps the base model while training; lab 3 the classifier, ~0.5 GB)
    return [
        ("lab 1", lab1 / 3600, max(gb["gen16"], gb["gen16_512"]), lab1_how),
        ("lab 2", lab2 / 3600, gb["full_step"] + 1.0, lab2_how),
        ("lab 3", lab3 / 3600, max(gb["ppo"], gb["rm_step"]) + 0.5, lab3_how),
    ]


def _duration(hours: float) -> str:
    """``0.4 h`` from an hour up... ``17 min`` below it: the unit a reader would say."""
    return f"{hours:.1f} h" if hours >= 1 else f"{hours * 60:.0f} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", choices=list(UNITS), help="run one unit in-process")
    parser.add_argument("--threads", type=int, nargs="+", default=[2], help="torch threads")
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: the fastest)")
    parser.add_argument("--quick", action="store_true", help="small shapes: the script end to end")
    args = parser.parse_args()
    device = args.device or default_device()
    if args.quick:
        SHAPES.update(t5=QUICK_T5, roberta=QUICK_ROBERTA)
    if args.unit:
        print(json.dumps(run_unit(args.unit, args.threads[0], device)))
        return
    shape = "QUICK small shapes (not the course's figures)" if args.quick else "course shape"
    threads_list = args.threads if device == "cpu" else args.threads[:1]
    for threads in threads_list:
        where = (
            f"{threads} torch thread(s) on {os.cpu_count()} cores" if device == "cpu" else device
        )
        print(f"{shape}, random weights, float32, {where}:", flush=True)
        units = {
            name: measure(name, threads, device, args.quick)
            for name in ("gen1", "gen16", "gen16_512", "full_step", "lora_step", "rm_step")
        }
        units["ppo"], ppo_note = _ppo_estimate(threads, device, args.quick)
        memory = units["gen16"]["memory"]
        print(f"\n| unit ({where}) | seconds | per | peak {memory} (GB) |")
        print("| --- | ---: | --- | ---: |")
        for name, r in units.items():
            per = r.get("per", f"PPO step, 250-token responses ({ppo_note})")
            print(f"| {name} | {r['per_unit_s']:.3f} | {per} | {r['peak_mb'] / 1000:.1f} |")
        print(f"\n| lab ({where}) | wall time | peak {memory} (GB) | from |")
        print("| --- | ---: | ---: | --- |")
        for lab, hours, peak, how in lab_costs(units, ppo_note):
            print(f"| {lab} | {_duration(hours)} | {peak:.1f} | {how} |")
        print(flush=True)


if __name__ == "__main__":
    main()
