"""One PPO step at flan-t5-base's shape: adapter-disabled reference vs a deep-copied one.

    .venv/bin/python benchmarks/ppo_step.py                # both variants, on the fastest device
    .venv/bin/python benchmarks/ppo_step.py --device cpu   # ~5-10 min on 2 CPU cores

A randomly initialised T5 of flan-t5-base's shape (written below, no Hub), LoRA r=32 on q
and v, the course's batch of 16 dialogues, fixed lengths: query 256 tokens, response 64
tokens (``min_new_tokens = max_new_tokens = 64``, so no eos cuts a response short), one PPO
epoch over mini-batches of 4, ``build_policy``'s defaults (dropout off, activation
checkpointing on) in both variants. The models and every input sit on ``--device`` (default:
CUDA, else MPS, else the CPU). Each variant runs in its own fresh subprocess and reports its
peak memory and the wall time of the step (waited for on the device): on CUDA the most GPU
memory torch allocated (``max_memory_allocated``), elsewhere the peak resident memory
(``ru_maxrss``; tracemalloc does not see torch's allocations). Not part of the tests.

On a CPU each variant runs twice. First with glibc's default malloc, which keeps many freed
mid-sized blocks resident, so the peak there also measures the allocator's habits. Then
with ``MALLOC_MMAP_THRESHOLD_=65536``: every block of 64 KiB or more is returned to the
OS when freed, so the peak follows the tensors alive (the step runs slower that way). On a GPU
the allocator setting changes nothing that is measured, so each variant runs once.

For scale: the course's notebook took about 100 s per PPO step on an 8-vCPU CPU.
"""

from __future__ import annotations

import argparse
import json
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

from shapes import course_ppo, flan_t5_base_config  # noqa: E402 - benchmarks/shapes.py, beside it

BATCH, QUERY_LEN, RESPONSE_LEN, MINI_BATCH = 16, 256, 64, 4
VARIANTS = {
    "adapter-off": "reference = the policy with its LoRA adapter disabled (one copy)",
    "deep-copy": "reference = a frozen deep copy of the base model (two copies)",
}


def build_variant(variant: str, device: Device):
    """(policy, optimizer, reference or None, query ids, query mask, config) on ``device``."""
    import torch
    from transformers import T5ForConditionalGeneration

    from utils.ppo import clone_reference

    torch.manual_seed(0)
    with torch.device(device):  # every weight made there: the base, its copy, LoRA, value head
        base = T5ForConditionalGeneration(flan_t5_base_config()).eval()
        ref_model = clone_reference(base) if variant == "deep-copy" else None
    policy, optimizer, config = course_ppo(base, device, BATCH, MINI_BATCH, RESPONSE_LEN)
    query_ids = torch.randint(2, 32128, (BATCH, QUERY_LEN), device=device)
    return policy, optimizer, ref_model, query_ids, torch.ones_like(query_ids), config


def _peak_mb(device: Device) -> float:
    import torch

    if torch.device(device).type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _sync(device: Device) -> None:
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()
    elif torch.device(device).type == "mps":
        torch.mps.synchronize()


def run_variant(variant: str, threads: int, device: str) -> dict:
    import torch

    from utils.ppo import FixedKLController, ppo_step

    torch.set_num_threads(threads)
    if torch.device(device).type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    policy, optimizer, ref_model, query_ids, query_mask, config = build_variant(variant, device)

    class Tok:  # the reward below only needs the texts' count
        def batch_decode(self, ids, skip_special_tokens=True):
            return [" ".join(map(str, row.tolist())) for row in ids]

    def reward_fn(texts):
        return torch.randn(len(texts), device=device)

    before_mb = _peak_mb(device)
    _sync(device)
    t0 = time.perf_counter()
    stats, texts = ppo_step(
        policy,
        optimizer,
        Tok(),
        query_ids,
        query_mask,
        reward_fn,
        config,
        FixedKLController(0.2),
        max_new_tokens=RESPONSE_LEN,
        ref_model=ref_model,
    )
    _sync(device)
    seconds = time.perf_counter() - t0
    assert stats["tokens/response_length"] == RESPONSE_LEN, stats["tokens/response_length"]
    return {
        "variant": variant,
        "peak_rss_mb": round(_peak_mb(device)),
        "rss_before_step_mb": round(before_mb),
        "s_per_step": round(seconds, 1),
    }


def run_subprocess(
    variant: str, threads: int, device: str, env: dict[str, str] | None = None
) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--variant", variant, "--threads", str(threads)]
        + ["--device", device],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if out.returncode != 0:
        raise SystemExit(f"variant {variant} failed on {device}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=list(VARIANTS), help="run one variant in-process")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: the fastest)")
    args = parser.parse_args()
    if args.device is None:
        from utils.generation import get_device

        args.device = get_device().type
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.threads, args.device)))
        return

    on_cpu = args.device == "cpu"
    where = f"{args.threads} threads" if on_cpu else args.device
    memory = "peak RSS" if on_cpu else "peak GPU memory allocated"
    print(
        f"PPO step, T5 of flan-t5-base's shape (random), LoRA r=32 q,v; batch {BATCH}, "
        f"query {QUERY_LEN} tokens, response {RESPONSE_LEN} tokens, mini-batch {MINI_BATCH}, "
        f"1 epoch, float32, {where}"
    )
    rows, returned = [], []
    for variant in VARIANTS:  # a fresh process per variant: peaks are per process
        rows.append(run_subprocess(variant, args.threads, args.device))
        if on_cpu:
            returned.append(
                run_subprocess(
                    variant, args.threads, args.device, {"MALLOC_MMAP_THRESHOLD_": "65536"}
                )
            )
        print(f"  done: {variant}", flush=True)
    header = f"| {'variant':<12} | {memory} (MB) | before step (MB) | s / PPO step |"
    print("\n" + header + (" peak RSS, freed memory returned (MB) |" if on_cpu else ""))
    print("| --- | ---: | ---: | ---: |" + (" ---: |" if on_cpu else ""))
    for i, r in enumerate(rows):
        extra = f" {returned[i]['peak_rss_mb']} |" if on_cpu else ""
        print(
            f"| {r['variant']:<12} | {r['peak_rss_mb']} | {r['rss_before_step_mb']} "
            f"| {r['s_per_step']} |{extra}"
        )
    pairs = [("glibc default" if on_cpu else memory, rows)]
    if on_cpu:
        pairs.append(("freed memory returned", returned))
    for label, pair in pairs:
        ratio = pair[0]["peak_rss_mb"] / pair[1]["peak_rss_mb"]
        print(f"peak memory, adapter-off / deep-copy ({label}): {ratio:.2f}x (target <= 0.75x)")
    for name, what in VARIANTS.items():
        print(f"  {name}: {what}")
    print("The course's notebook took about 100 s per PPO step on an 8-vCPU CPU.")


if __name__ == "__main__":
    main()
