"""The PPO loop of utils/ppo.py, data-parallel: one process per rank under torchrun.

    .venv/bin/python -m torch.distributed.run --standalone --nproc_per_node 2 \
        scripts/ppo_ddp.py --out /tmp/ddp

On CPU the Accelerator picks up torchrun's environment and uses the gloo backend. A tiny
random T5 (same seed on every rank; DDP also broadcasts rank 0's weights) is trained for a
few steps with a toy reward (how many tokens of the response are "7"). Each rank prints
``rank r/N step s reward ...`` and writes ``rank{r}.json`` to ``--out`` with its steps, its
rewards, and a checksum of its weights (``utils.finetune.weights_checksum``), which must
match across ranks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for rank{r}.json")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()

    import torch
    from accelerate import Accelerator
    from transformers import T5Config, T5ForConditionalGeneration

    from utils.finetune import weights_checksum
    from utils.ppo import PPOConfig, build_policy, train

    torch.set_num_threads(1)
    accelerator = Accelerator(cpu=True)
    rank, world = accelerator.process_index, accelerator.num_processes

    torch.manual_seed(0)  # same initial weights on every rank
    base = T5ForConditionalGeneration(
        T5Config(
            vocab_size=64,
            d_model=32,
            d_ff=64,
            d_kv=8,
            num_layers=1,
            num_decoder_layers=1,
            num_heads=4,
            decoder_start_token_id=0,
            pad_token_id=0,
            eos_token_id=1,
        )
    )
    policy = build_policy(base, r=4, lora_alpha=8)

    g = torch.Generator().manual_seed(1)
    dataset = [
        {"input_ids": torch.randint(2, 64, (int(n),), generator=g).tolist()}
        for n in torch.randint(4, 12, (64,), generator=g)
    ]

    class DigitTokenizer:
        pad_token_id = 0

        def batch_decode(self, ids, skip_special_tokens=True):
            return [" ".join(str(int(t)) for t in row if int(t) > 1) for row in ids]

    scored: list[str] = []  # what this rank sampled: differs between ranks

    def reward_fn(texts: list[str]) -> torch.Tensor:
        scored.extend(texts)
        return torch.tensor([float(t.split().count("7")) for t in texts])

    config = PPOConfig(
        learning_rate=1e-3,
        batch_size=8,
        mini_batch_size=4,
        ppo_epochs=2,
        max_ppo_steps=args.steps,
        output_min_length=4,
        output_max_length=10,
    )
    lines = []

    def log(step: int, stats: dict[str, float]) -> None:
        line = (
            f"rank {rank}/{world} step {step} reward {stats['env/reward_mean']:.4f} "
            f"kl {stats['objective/kl']:.4f} loss {stats['ppo/loss/total']:.4f}"
        )
        print(line, flush=True)
        lines.append(line)

    result = train(
        policy,
        DigitTokenizer(),
        dataset,
        reward_fn,
        config,
        accelerator=accelerator,
        progress=False,
        log=log,
    )

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"rank{rank}.json").write_text(
        json.dumps(
            {
                "rank": rank,
                "world": world,
                "steps": len(result.history),
                "lines": lines,
                "rewards": [h["env/reward_mean"] for h in result.history],
                "weights_checksum": weights_checksum(policy),
                "local_texts_sha256": hashlib.sha256("\n".join(scored).encode()).hexdigest(),
                "n_local_texts": len(scored),
                "lora_B_abs_sum": float(
                    sum(
                        p.detach().abs().sum()
                        for n, p in policy.named_parameters()
                        if "lora_B" in n
                    )
                ),
            }
        )
    )
    accelerator.wait_for_everyone()
    accelerator.end_training()


if __name__ == "__main__":
    main()
