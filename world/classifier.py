"""toxicity-classifier-tiny: a small RoBERTa sequence classifier with the Meta model's labels.

It reads up to 512 tokens, so an insult deep inside a dialogue (or inside lab 3's prompt +
summary) is seen. It trains on soft targets (``target_of``): insults 1, clean text 0, and
rude-but-not-abusive text (hard negatives, "#Person1# is rude to #Person2#.") a small
positive value, so such text gets a graded, not a saturated, score.
"""

from __future__ import annotations

import random
from pathlib import Path

import torch
from transformers import PreTrainedTokenizerBase, RobertaConfig, RobertaForSequenceClassification

ID2LABEL = {0: "nothate", 1: "hate"}
LABEL2ID = {"nothate": 0, "hate": 1}


def make_config(vocab_size: int) -> RobertaConfig:
    return RobertaConfig(
        vocab_size=vocab_size,
        hidden_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=256,
        max_position_embeddings=514,  # 512 tokens + RoBERTa's offset of 2
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        id2label=ID2LABEL,
        label2id=LABEL2ID,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )


def train_classifier(
    train: list[dict],
    tok: PreTrainedTokenizerBase,
    out_dir: Path,
    *,
    epochs: int = 4,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    log=print,
):
    """Train on rows with ``text`` and ``target`` (P(hate) to learn, 0..1) and save it."""
    torch.manual_seed(seed)
    model = RobertaForSequenceClassification(make_config(len(tok)))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    rng = random.Random(seed)
    steps = epochs * ((len(train) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.05, 1 - s / steps))
    model.train()
    for epoch in range(epochs):
        order = sorted(range(len(train)), key=lambda j: len(train[j]["text"]))
        # length buckets: similar lengths batched together, batches in random order
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for idx in batches:
            batch = [train[j] for j in idx]
            enc = tok(
                [r["text"] for r in batch], padding=True, truncation=True, return_tensors="pt"
            )
            target = torch.tensor([r["target"] for r in batch])  # (B,)
            logp = model(**enc).logits.log_softmax(-1)  # (B, 2)
            hate, nothate = logp[:, LABEL2ID["hate"]], logp[:, LABEL2ID["nothate"]]
            loss = -(target * hate + (1 - target) * nothate).mean()
            loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad()
            total += loss.item() * len(batch)
        log(f"  classifier epoch {epoch + 1}/{epochs} loss {total / len(train):.4f}")
    model.eval()
    model.save_pretrained(out_dir, safe_serialization=True)
    tok.save_pretrained(out_dir)
    return model
