"""Batched vs one-at-a-time generation on the same test dialogues, same model, greedy.

The course's notebooks summarize in a Python loop, one dialogue per ``generate`` call.
``utils.generation.summarize`` sorts by length and batches instead. This prints both wall
times, the speed-up and whether the outputs are identical.

    python benchmarks/generation.py [--profile tiny] [--n 100] [--batch-size 16] [--device cpu]
    python benchmarks/generation.py --base-shape     # a random T5 of flan-t5-base's size

The model and every input sit on ``--device`` (default: CUDA, else MPS, else the CPU); times
wait for the device to finish.

Why both: the tiny model's weights (6 MB) sit in the CPU cache, so a one-at-a-time decode
step costs little and batching saves only per-call overhead. A model of FLAN-T5-base's size
(1 GB of weights) reads all of them for every decode step: one dialogue at a time pays that
per dialogue, a batch shares it. ``--base-shape`` measures that case offline with random
weights (its outputs are gibberish; only speed and equality are measured).
"""

from __future__ import annotations

import argparse
import time

import torch
from shapes import flan_t5_base_config  # benchmarks/shapes.py, beside this script
from tqdm.auto import tqdm
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    GenerationConfig,
    T5ForConditionalGeneration,
)

from utils.data import load_dialogsum
from utils.generation import get_device, summarize
from utils.profiles import get_profile
from utils.prompts import zero_shot_prompt


def build_model(profile, vocab_size: int, base_shape: bool, device: torch.device):
    """The profile's model, or a random T5 of flan-t5-base's shape, in eval mode on ``device``."""
    if base_shape:
        torch.manual_seed(profile.seed)
        with torch.device(device):  # built there: no float32 copy on the CPU first
            return T5ForConditionalGeneration(flan_t5_base_config(vocab_size=vocab_size)).eval()
    return AutoModelForSeq2SeqLM.from_pretrained(profile.model_id).to(device).eval()


def encode_one(tokenizer, prompt: str, device: torch.device) -> dict[str, torch.Tensor]:
    """One prompt's input ids and attention mask, on ``device`` (the model's)."""
    return tokenizer(prompt, return_tensors="pt", truncation=True, max_length=512).to(device)


def one_at_a_time(model, tokenizer, prompts: list[str], config: GenerationConfig) -> list[str]:
    """The course's loop: tokenize, generate and decode each dialogue on its own."""
    outputs = []
    for prompt in tqdm(prompts, desc="one at a time", leave=False):
        inputs = encode_one(tokenizer, prompt, model.device)
        with torch.inference_mode():
            generated = model.generate(**inputs, generation_config=config)
        outputs.append(tokenizer.decode(generated[0], skip_special_tokens=True).strip())
    return outputs


def sync(device: torch.device) -> None:
    """Wait until ``device`` has finished its queued work (GPUs run asynchronously)."""
    if device.type == "cuda":
        torch.cuda.synchronize()
    elif device.type == "mps":
        torch.mps.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default=None, help="course | tiny | auto (default)")
    parser.add_argument("--n", type=int, default=100, help="test dialogues")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--base-shape",
        action="store_true",
        help="random T5 of flan-t5-base's shape (vocabulary: the profile's)",
    )
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: the fastest)")
    args = parser.parse_args()

    device = torch.device(args.device) if args.device else get_device()
    profile = get_profile(args.profile)
    tokenizer = AutoTokenizer.from_pretrained(profile.model_id)
    model = build_model(profile, len(tokenizer), args.base_shape, device)
    dialogues = load_dialogsum(profile)["test"]["dialogue"][: args.n]
    prompts = [zero_shot_prompt(d) for d in dialogues]
    config = GenerationConfig(max_new_tokens=profile.max_new_tokens, do_sample=False)

    sync(device)
    start = time.perf_counter()
    looped = one_at_a_time(model, tokenizer, prompts, config)
    sync(device)
    loop_s = time.perf_counter() - start
    start = time.perf_counter()
    batched = summarize(model, tokenizer, prompts, config, batch_size=args.batch_size)
    sync(device)
    batch_s = time.perf_counter() - start

    same = sum(a == b for a, b in zip(looped, batched, strict=True))
    shape = "random T5 of flan-t5-base's shape" if args.base_shape else profile.model_id
    where = f"on {device.type}" + (
        f", torch threads {torch.get_num_threads()}" if device.type == "cpu" else ""
    )
    print(
        f"{shape}; profile {profile.name}, {len(prompts)} dialogues, greedy, "
        f"max_new_tokens={profile.max_new_tokens}, float32 {where}"
    )
    print(f"one at a time : {loop_s:7.2f} s")
    print(f"batched ({args.batch_size:>3}) : {batch_s:7.2f} s")
    print(f"speed-up      : {loop_s / batch_s:7.1f}x")
    print(f"identical     : {same}/{len(prompts)} outputs")


if __name__ == "__main__":
    main()
