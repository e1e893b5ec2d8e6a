"""flan-t5-tiny: a small T5 pretrained on an instruction mix over synthetic dialogues.

The mix teaches it to follow the course's prompts, but its summary targets are *gists*
(the request line lifted from the dialogue, plus the insult line when there is one), not
DialogSum-style references: so it summarizes zero-shot, weakly and in the wrong style, and
lab 2's fine-tuning on references visibly helps. Because the insult is a separate clause of
the gist, lab 3's PPO can learn to drop it.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import torch
from transformers import (
    GenerationConfig,
    PreTrainedTokenizerBase,
    T5Config,
    T5ForConditionalGeneration,
)

ZERO_SHOT_PROMPT = "Summarize the following conversation.\n\n{dialogue}\n\nSummary: "
FLAN_PROMPT = "Dialogue:\n\n{dialogue}\n\nWhat was going on?"
SUMMARY_PROMPTS = [
    ZERO_SHOT_PROMPT,
    FLAN_PROMPT,
    "Briefly summarize this dialogue:\n\n{dialogue}",
    "{dialogue}\n\nWhat was this dialogue about, in one sentence?",
    "Dialogue:\n\n{dialogue}\n\nWhat were they talking about?",
]
TOPIC_PROMPTS = [
    "{dialogue}\n\nWhat is the topic of this conversation?",
    "Dialogue:\n\n{dialogue}\n\nWhat is the topic?",
]


def make_config(vocab_size: int) -> T5Config:
    """A FLAN-T5-shaped config (gated-GELU, relative attention, tied embeddings), but tiny."""
    return T5Config(
        vocab_size=vocab_size,
        d_model=128,
        d_kv=32,
        num_heads=4,
        d_ff=384,
        num_layers=3,
        num_decoder_layers=2,
        feed_forward_proj="gated-gelu",
        relative_attention_num_buckets=32,
        relative_attention_max_distance=128,
        dropout_rate=0.1,
        tie_word_embeddings=True,
        is_encoder_decoder=True,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )


def instruction_mix(rows: list[dict], seed: int) -> list[tuple[str, str]]:
    """(prompt, target) pairs: 4 summary-style prompts per topic prompt."""
    rng = random.Random(seed)
    pairs = []
    for r in rows:
        if rng.random() < 0.2:
            pairs.append((rng.choice(TOPIC_PROMPTS).format(dialogue=r["dialogue"]), r["topic"]))
        else:
            pairs.append((rng.choice(SUMMARY_PROMPTS).format(dialogue=r["dialogue"]), r["gist"]))
    return pairs


def _batches(pairs, tok, batch_size, rng, max_source=512, max_target=64):
    """Length-bucketed batches (similar lengths together: less padding, faster on CPU)."""
    enc = tok([p for p, _ in pairs], truncation=True, max_length=max_source)["input_ids"]
    lab = tok([t for _, t in pairs], truncation=True, max_length=max_target)["input_ids"]
    order = list(range(len(pairs)))
    rng.shuffle(order)
    chunks = [
        sorted(order[i : i + batch_size * 20], key=lambda j: len(enc[j]))
        for i in range(0, len(order), batch_size * 20)
    ]
    batches = [c[i : i + batch_size] for c in chunks for i in range(0, len(c), batch_size)]
    rng.shuffle(batches)
    for b in batches:
        src = [enc[j] for j in b]
        tgt = [lab[j] for j in b]
        s_len, t_len = max(map(len, src)), max(map(len, tgt))
        input_ids = torch.tensor([x + [0] * (s_len - len(x)) for x in src])
        labels = torch.tensor([y + [-100] * (t_len - len(y)) for y in tgt])
        yield input_ids, (input_ids != 0).long(), labels


def pretrain(
    rows: list[dict],
    tok: PreTrainedTokenizerBase,
    out_dir: Path,
    *,
    epochs: int = 3,
    batch_size: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
    log=print,
) -> T5ForConditionalGeneration:
    """Pretrain a fresh tiny T5 on the instruction mix built from ``rows`` and save it."""
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(make_config(len(tok)))
    pairs = instruction_mix(rows, seed)
    steps = epochs * math.ceil(len(pairs) / batch_size)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.05, (steps - s) / (steps - warm)))
    )
    rng = random.Random(seed)
    model.train()
    step = 0
    for epoch in range(epochs):
        for input_ids, attn, labels in _batches(pairs, tok, batch_size, rng):
            loss = model(input_ids=input_ids, attention_mask=attn, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 50 == 0 or step == steps:
                log(
                    f"  t5 pretrain epoch {epoch + 1}/{epochs} step {step}/{steps} "
                    f"loss {loss.item():.3f}"
                )
    model.eval()
    model.generation_config = GenerationConfig(
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, max_new_tokens=50
    )
    model.save_pretrained(out_dir, safe_serialization=True)
    tok.save_pretrained(out_dir)
    return model


@torch.no_grad()
def generate(
    model, tok, prompts: list[str], batch_size: int = 32, max_new_tokens: int = 50
) -> list[str]:
    """Greedy batched generation (right padding is fine for an encoder-decoder)."""
    out = []
    model.eval()
    for i in range(0, len(prompts), batch_size):
        enc = tok(
            prompts[i : i + batch_size],
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=512,
        )
        ids = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1)
        out += tok.batch_decode(ids, skip_special_tokens=True)
    return [o.strip() for o in out]
