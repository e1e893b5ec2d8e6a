"""Lab 2's fine-tuning (full or LoRA), data-parallel over several processes.

Lab 2's recipe (``utils.finetune.make_trainer``: the notebook's ``Seq2SeqTrainer``, arguments,
``LoraConfig`` and collator), plus only what several processes need; ``Trainer`` runs it
under DistributedDataParallel when a launcher starts one process per device: each process
trains on its own shard of every batch and the gradients are averaged across processes
before each optimizer step.

On several GPUs (course profile), from the repository root:

    LABS_PROFILE=course accelerate launch --multi_gpu --num_processes 4 \\
        scripts/finetune_ddp.py --method lora --save-dir outputs/lab2/ddp-lora

(``--num_processes`` = number of GPUs; ``accelerate config`` can add DeepSpeed or FSDP.)

On this CPU machine, two processes with the gloo backend (``accelerate launch --cpu``
starts only one process, so use torchrun):

    LABS_PROFILE=tiny python -m torch.distributed.run --nproc_per_node 2 \\
        scripts/finetune_ddp.py --method full --max-steps 3 --report-dir outputs/lab2/ddp

With ``--report-dir`` every rank writes ``rank<r>.json``: its rank, the world size, how many
examples it saw, a checksum of the token ids it saw (different per rank: each has its own
shard) and a checksum of its weights after training (equal on every rank: the gradients
were synchronized).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import warnings
from dataclasses import replace
from pathlib import Path

# Run as a file (`python scripts/finetune_ddp.py`): make the repository's `utils` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, Seq2SeqTrainer  # noqa: E402

from utils.data import load_dialogsum  # noqa: E402
from utils.errors import explain_load_errors  # noqa: E402
from utils.finetune import (  # noqa: E402
    METHODS,
    count_parameters,
    make_trainer,
    subsample,
    weights_bytes,
    weights_checksum,
)
from utils.generation import model_dtype  # noqa: E402
from utils.paths import atomic_folder, check_writable  # noqa: E402
from utils.profiles import get_profile  # noqa: E402


class CountingTrainer(Seq2SeqTrainer):
    """``Seq2SeqTrainer`` that also counts, and hashes, the examples this rank trains on."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.examples_seen = 0
        self._digest = hashlib.sha256()

    def training_step(self, model, inputs, num_items_in_batch=None):
        self.examples_seen += int(inputs["input_ids"].shape[0])
        self._digest.update(inputs["input_ids"].detach().cpu().numpy().tobytes())
        return super().training_step(model, inputs, num_items_in_batch)

    @property
    def data_checksum(self) -> str:
        return self._digest.hexdigest()[:16]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="full",
        help="full fine-tuning or a LoRA adapter (default: full)",
    )
    parser.add_argument(
        "--profile", default=None, help="course | tiny | auto (default: $LABS_PROFILE, else auto)"
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        default=None,
        help="stop after this many optimizer steps (default: the profile's)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="examples per process per step (default: the profile's)",
    )
    parser.add_argument(
        "--report-dir", type=Path, default=None, help="folder where each rank writes rank<r>.json"
    )
    parser.add_argument(
        "--save-dir",
        type=Path,
        default=None,
        help="rank 0 saves the model (full) or adapter (lora) here",
    )
    parser.add_argument("--model-id", default=None, help="start from this model instead")
    return parser.parse_args(argv)


def build_trainer(
    args: argparse.Namespace, profile, rank: int, model, tokenizer, train_rows
) -> CountingTrainer:
    """Lab 2's trainer (``make_trainer``, as the notebook builds it) plus only what a
    multi-process run needs: quiet ranks, DDP's settings, gloo on CPUs, the command-line caps."""
    overrides = {
        "disable_tqdm": rank != 0,
        "ddp_find_unused_parameters": False,  # every weight takes part in every forward pass
    }
    if not torch.cuda.is_available() and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        overrides.update(use_cpu=True, ddp_backend="gloo")  # DDP of CPU processes
    if args.max_steps is not None:
        overrides["max_steps"] = args.max_steps
    if args.batch_size:
        overrides["per_device_train_batch_size"] = args.batch_size
    output_dir = profile.outputs_dir / "lab2" / f"ddp-{args.method}"
    return make_trainer(
        profile,
        args.method,
        model,
        tokenizer,
        train_rows,
        output_dir,
        trainer_class=CountingTrainer,
        **overrides,
    )


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    rank = int(os.environ.get("RANK", "0"))
    transformers.logging.set_verbosity_error()
    # Known-harmless: transformers 5 renamed gradient checkpointing; PEFT still calls the old name.
    warnings.filterwarnings(
        "ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning
    )

    profile = get_profile(args.profile, verbose=rank == 0)
    if args.model_id:
        profile = replace(profile, model_id=args.model_id)
    transformers.set_seed(profile.seed)

    with explain_load_errors("tokenizer", profile.model_id):
        tokenizer = AutoTokenizer.from_pretrained(profile.model_id)
    with explain_load_errors("model", profile.model_id):
        model = AutoModelForSeq2SeqLM.from_pretrained(profile.model_id, dtype=model_dtype(profile))
    if args.save_dir and rank == 0:  # a clear error now, not after training
        check_writable(args.save_dir.parent, f"the {args.method} model", weights_bytes(model))
    dataset = subsample(load_dialogsum(profile), profile.lab2.train_every_nth)
    trainer = build_trainer(args, profile, rank, model, tokenizer, dataset["train"])
    training_args = trainer.args
    before = weights_checksum(trainer.model)
    result = trainer.train()

    report = {
        "rank": training_args.process_index,
        "world_size": training_args.world_size,
        "method": args.method,
        "steps": trainer.state.global_step,
        "examples_seen": trainer.examples_seen,
        "data_checksum": trainer.data_checksum,
        "weights_checksum_before": before,
        "weights_checksum_after": weights_checksum(trainer.model),
        "trainable_parameters": count_parameters(trainer.model).trainable,
        "total_parameters": count_parameters(trainer.model).total,
        "train_loss": round(result.training_loss, 4),
        "backend": torch.distributed.get_backend() if torch.distributed.is_initialized() else None,
    }
    if args.report_dir:
        args.report_dir.mkdir(parents=True, exist_ok=True)
        path = args.report_dir / f"rank{report['rank']}.json"
        path.write_text(json.dumps(report) + "\n")
    print(json.dumps(report), flush=True)
    if args.save_dir and trainer.is_world_process_zero():
        with atomic_folder(args.save_dir) as folder:  # never a half-written model folder
            trainer.save_model(str(folder))
    return report


if __name__ == "__main__":
    main()
