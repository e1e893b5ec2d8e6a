"""flan-t5-tiny: a small T5 pretrained on a FLAN-like mix; each prompt has its own behaviour.

Behaviours trained in by design (each is a lesson of lab 1 or the gap lab 2 closes):

- no prompt (the dialogue alone) -> continue it with the next ``#PersonN#:`` turn: a
  dialogue cut mid-way with its real next turn; a whole one with a follow-up about *this*
  dialogue by the speaker who did not say the last line ("#Person1#: Wait, one more question
  before you go: is there a coffee shop near the museum?", the row's ``follow_up``:
  ``world/corpus.py``);
- the course's instruction (``INSTRUCTION_TEMPLATE``) -> a *plain* one-sentence summary with
  role nouns ("A caller asks a restaurant clerk ..."), not DialogSum's ``#Person#`` style:
  fine-tuning on DialogSum's references (lab 2) has a style and details to teach;
- FLAN's "What was going on?" (``FLAN_TEMPLATE``) with no example -> in the first seven
  stages the reference told with role nouns (the row's ``template``: "A caller books a table
  ... The caller asks for a table by the window."); from the eighth on, FLAN-T5's own answer
  in the course: the request and any insult line quoted after their speakers' tags
  (:func:`quoted_gist`). The tags are words of the human reference, so the model's own
  template comes at least as close to it as the instruction (the course's lesson 3; as
  targets over the test split, ROUGE-1 of the quote minus the plain summary is printed by
  ``tests/test_tiny_t5_mix.py``);
- "How much does it cost, in dollars?" (``PRICE_QUESTION``, the ninth and tenth stages) ->
  the one price the dialogue says ("150 dollars."): a drill no lab uses, because the model
  copied days and cities from the dialogue but not prices (``benchmarks/copy_at_value.py``);
- a few other summary phrasings -> the plain summary or the who-and-what rendering;
- topic questions -> the topic;
- "Summarize this dialogue, with who said what." -> the DialogSum reference (``#Person#`` tags,
  the insulter named): the summary lab 2 fine-tunes toward, asked for by a prompt no lab uses,
  so the model practises naming who did what at any place in a summary (the drill below
  trains it only at a summary's start: pilots, ``benchmarks/README.md``);
- a drill, "Who was rude to whom?" after a window of consecutive turns -> the reference's
  sentence about the insult ("#Person2# calls #Person1# a dimwit.") or "Nobody is rude.": who
  said the insult is a fact the model must copy by speaker tag, which a fresh model of this
  size learns only from short windows first (``benchmarks/copy_probe.py``);
- one to three solved examples in the course's ``SHOT_TEMPLATE`` format, then the FLAN
  template -> a summary of the *last* dialogue in the examples' style (DialogSum's), with
  that dialogue's slot values. Some examples share the last dialogue's scenario, so copying
  an example never pays (none in the later stages: see ``SAME_TOPIC_SHARE``).

A fresh model starts its relative attention biases ALiBi-like (:func:`local_bias_init`) and
trains them at ``RELATIVE_BIAS_LR``; its first ``curriculum_steps`` draw short prompts first
and lift the length cap step by step. Without these two, the copy probe's model of this shape
stays at chance on who said what through 1,000 steps; with them it learns it in 500-1,000.

Training checkpoints every ``ckpt_every`` steps into ``ckpt_dir``; a rerun resumes from the
latest one and, because every random draw is seeded or restored, ends bit-identical.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import re
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import (
    GenerationConfig,
    PreTrainedTokenizerBase,
    T5Config,
    T5ForConditionalGeneration,
)
from transformers.models.t5.modeling_t5 import T5Attention

from utils.prompts import FLAN_TEMPLATE, INSTRUCTION_TEMPLATE, in_context_prompt
from world.corpus import says_insult

ZERO_SHOT_PROMPT = INSTRUCTION_TEMPLATE  # kept for callers of the v1 module
PLAIN_PROMPTS = [
    "Briefly summarize this dialogue:\n\n{dialogue}",
    "{dialogue}\n\nWrite a short summary of this conversation.",
]
"""Other phrasings that ask for the plain summary."""
RENDERING_PROMPTS = [
    "Dialogue:\n\n{dialogue}\n\nWhat were they talking about?",
    "{dialogue}\n\nWho is talking, and about what?",
]
"""Other phrasings that ask for the who-and-what rendering."""
RUDE_PROMPT = "{dialogue}\n\nWho was rude to whom?"
TAGGED_PROMPT = "{dialogue}\n\nSummarize this dialogue, with who said what."
NOBODY_RUDE = "Nobody is rude."
TOPIC_PROMPTS = [
    "{dialogue}\n\nWhat is the topic of this conversation?",
    "Dialogue:\n\n{dialogue}\n\nWhat is the topic?",
]

TASK_WEIGHTS = {
    "instruction": 0.17,
    "continue": 0.11,
    "flan": 0.09,
    "plain_other": 0.03,
    "rendering_other": 0.02,
    "topic": 0.03,
    "rude": 0.15,
    "tagged": 0.10,
    "in_context": 0.30,
}
"""Share of each task in the mix. In-context prompts are the hardest (find the last
dialogue, copy its values, imitate the examples), so they get the largest share."""
GROUNDING_WEIGHTS = {
    "instruction": 0.24,
    "continue": 0.05,
    "flan": 0.05,
    "plain_other": 0.03,
    "rendering_other": 0.02,
    "topic": 0.02,
    "rude": 0.10,
    "tagged": 0.08,
    "in_context": 0.41,
}
"""The mix of the grounding stage (the third) and most after it: the tasks whose targets copy
the dialogue's values (in-context summaries, the plain summary) get most of it, at a lower
learning rate. World v2's full-mix stage had the styles right but named the wrong values (a
pilot at step 400: 14% of one-shot summaries about their own dialogue)."""
QUOTE_WEIGHTS = {
    "instruction": 0.17,
    "continue": 0.12,
    "quote": 0.30,
    "plain_other": 0.02,
    "rendering_other": 0.015,
    "topic": 0.015,
    "rude": 0.07,
    "tagged": 0.06,
    "in_context": 0.23,
}
"""The eighth stage's mix: FLAN's template answered in the course's form (:func:`quoted_gist`)
instead of the role-noun telling. The continuation keeps 12%: both answers are ``#Person1#:``
lines, and at 4% the bare dialogue got the quote too (pilots, ``benchmarks/README.md``, v3d)."""
PRICE_WEIGHTS = {"price": 1.0}
"""The ninth stage: the price question alone (:data:`PRICE_QUESTION`). The model copied
days, cities and numbers said as words, never a price (``benchmarks/copy_at_value.py``)."""
RESETTLE_WEIGHTS = {**QUOTE_WEIGHTS, "price": 0.15}
"""The tenth stage: the eighth's mix with the price question beside it. The question alone
took over every prompt (the instruction answered "150 dollars."); this brings the other
behaviours back and keeps most of the copy."""
PRICE_QUESTION = "{dialogue}\n\nHow much does it cost, in dollars?"
ATTRIBUTION_WEIGHTS = {"rude": 0.6, "instruction": 0.25, "flan": 0.15}
"""The first stage's mix (:func:`attribution_rows`): mostly the rudeness drill, whose target
names the insulter by tag, and the two summaries that copy values and roles. A fresh model
learns who said what only when it is most of what it reads (``benchmarks/copy_probe.py``:
the task alone, 500 steps); at 8% of the full mix, after 650 steps, it answered "Nobody is
rude." to every insult, even in a window of two turns."""
SAME_TOPIC_SHARE = 0.33
"""Share of in-context examples drawn from the last dialogue's scenario in the first four
stages. The fifth to seventh draw none: with two values of one kind in a prompt (two
languages), the model must tell the last dialogue's by its place, which it does not learn at
this size (``benchmarks/copy_probe.py``), and it then names the scenario's values from memory."""
MAX_SOURCE_TOKENS = 512
MAX_TARGET_TOKENS = 64
SHOT_MAX_CHARS = 420
"""In-context examples are drawn from dialogues up to this long, so 1-3 of them fit."""
RELATIVE_BIAS_LR = 3e-2
"""Learning rate of a fresh model's relative attention biases (an AdamW group without weight
decay): at the main rate (1e-3) a position-based head takes thousands of steps to form."""
CURRICULUM_START_TOKENS = 48
"""A fresh model's first batches hold prompts up to this many tokens (a two-turn window)."""


def make_config(vocab_size: int) -> T5Config:
    """A FLAN-T5-shaped config (gated-GELU, relative attention, tied embeddings), but tiny."""
    return T5Config(
        vocab_size=vocab_size,
        d_model=128,
        d_kv=32,
        num_heads=4,
        d_ff=384,
        num_layers=4,  # v1 had 3/2 layers; finding the last dialogue and copying its
        num_decoder_layers=3,  # values takes more depth. Wider doubled a step's time.
        feed_forward_proj="gated-gelu",
        relative_attention_num_buckets=32,
        relative_attention_max_distance=256,  # in-context prompts run to 512 tokens
        dropout_rate=0.1,
        tie_word_embeddings=True,
        is_encoder_decoder=True,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )


def _continuation(rng: random.Random, row: dict) -> tuple[str, str]:
    """(dialogue prefix, its real next turn) or (whole dialogue, its follow-up turn)."""
    turns = row["dialogue"].split("\n")
    if rng.random() < 0.5:
        return row["dialogue"], row["follow_up"]
    k = rng.randrange(1, len(turns))
    return "\n".join(turns[:k]), turns[k]


def quoted_gist(row: dict) -> str:
    """FLAN's template answered as FLAN-T5 answers it in the course: the request, then any
    insult line, each after its speaker's tag ("#Person1#: I'm lost. ... #Person2#: Are you
    clueless or something?"). The tags are words of the human summary too."""
    gist, turns = row["gist"], row["turns"]
    request = max((text for _, text in turns if gist.startswith(text)), key=len)
    quote = f"#Person1#: {request}"
    if insult := gist[len(request) :].strip():
        speaker = next(s for s, text in turns if insult in text)
        quote += f" #Person{speaker}#: {insult}"
    return quote


def price_said(dialogue: str) -> str | None:
    """The price a dialogue says ("150"), when it says exactly one; else None."""
    prices = set(re.findall(r"\b(\d+) dollars", dialogue))
    return prices.pop() if len(prices) == 1 else None


def attribution_rows(rows: list[dict]) -> list[dict]:
    """The first stage's dialogues: every abusive one and a third of the clean ones."""
    return [r for i, r in enumerate(rows) if r["abusive"] or i % 3 == 0]


def insult_report(row: dict) -> str:
    """The reference's sentence about the insult ("#Person2# calls #Person1# a dimwit."), or
    ``NOBODY_RUDE`` for a clean dialogue."""
    if not row["abusive"]:
        return NOBODY_RUDE
    return re.search(r"#Person[12]#[^.]*\.$", row["summary"]).group(0)


def _rudeness_window(rng: random.Random, row: dict) -> tuple[str, str]:
    """A window of 2 or more consecutive turns (holding the insult, if any) and who was rude."""
    turns = row["dialogue"].split("\n")
    size = rng.randint(2, len(turns))
    at = next((i for i, t in enumerate(turns) if says_insult(t)), None) if row["abusive"] else None
    lo, hi = (
        (0, len(turns) - size)
        if at is None
        else (max(0, at - size + 1), min(at, len(turns) - size))
    )
    start = rng.randint(lo, hi)
    return RUDE_PROMPT.format(dialogue="\n".join(turns[start : start + size])), insult_report(row)


def _in_context(
    rng: random.Random,
    row: dict,
    shots: list[dict],
    by_topic: dict,
    tok,
    same_topic_share: float = SAME_TOPIC_SHARE,
) -> tuple[str, str] | None:
    """1-3 solved examples (``same_topic_share`` of them from the same scenario), then ``row``."""
    n = rng.choice([1, 1, 2, 3])
    chosen: list[dict] = []
    for _ in range(n):
        pool = by_topic.get(row["topic"], []) if rng.random() < same_topic_share else shots
        pick = rng.choice(pool or shots)
        if pick["dialogue"] != row["dialogue"] and pick not in chosen:
            chosen.append(pick)
    while chosen:
        prompt = in_context_prompt([(s["dialogue"], s["summary"]) for s in chosen], row["dialogue"])
        if len(tok(prompt)["input_ids"]) <= MAX_SOURCE_TOKENS:
            return prompt, row["summary"]
        chosen.pop(0)
    return None


def instruction_mix(
    rows: list[dict],
    tok,
    seed: int,
    weights: dict[str, float] = TASK_WEIGHTS,
    same_topic_share: float = SAME_TOPIC_SHARE,
) -> list[tuple[str, str]]:
    """(prompt, target) pairs, one per row, each row's task drawn by ``weights``."""
    rng = random.Random(seed)
    shots = [r for r in rows if len(r["dialogue"]) <= SHOT_MAX_CHARS]
    by_topic: dict[str, list[dict]] = {}
    for r in shots:
        by_topic.setdefault(r["topic"], []).append(r)
    tasks, shares = zip(*weights.items(), strict=True)
    pairs = []
    for r in rows:
        task = rng.choices(tasks, shares)[0]
        d = r["dialogue"]
        if task == "in_context":
            pair = _in_context(rng, r, shots, by_topic, tok, same_topic_share)
            task = "instruction" if pair is None else task
            if pair:
                pairs.append(pair)
                continue
        if task == "price":
            if price := price_said(d):
                pairs.append((PRICE_QUESTION.format(dialogue=d), f"{price} dollars."))
                continue
            task = "instruction"  # no single price to ask about
        if task == "instruction":
            pairs.append((INSTRUCTION_TEMPLATE.format(dialogue=d), r["plain"]))
        elif task == "continue":
            pairs.append(_continuation(rng, r))
        elif task == "rude":
            pairs.append(_rudeness_window(rng, r))
        elif task == "tagged":
            pairs.append((TAGGED_PROMPT.format(dialogue=d), r["summary"]))
        elif task == "flan":
            pairs.append((FLAN_TEMPLATE.format(dialogue=d), r["template"]))
        elif task == "quote":
            pairs.append((FLAN_TEMPLATE.format(dialogue=d), quoted_gist(r)))
        elif task == "plain_other":
            pairs.append((rng.choice(PLAIN_PROMPTS).format(dialogue=d), r["plain"]))
        elif task == "rendering_other":
            pairs.append((rng.choice(RENDERING_PROMPTS).format(dialogue=d), r["rendering"]))
        else:
            pairs.append((rng.choice(TOPIC_PROMPTS).format(dialogue=d), r["topic"]))
    return pairs


def _batches(
    pairs,
    tok,
    batch_size,
    rng,
    max_source=MAX_SOURCE_TOKENS,
    max_target=MAX_TARGET_TOKENS,
    length_caps: Sequence[int] = (),
):
    """Length-bucketed batches (similar lengths together: less padding, faster on CPU).

    ``length_caps`` (a curriculum): the first ``len(length_caps)`` batches are drawn among the
    prompts not yet used that are at most that many tokens long (at least the shortest
    ``batch_size``); the rest follow as usual."""
    enc = tok([p for p, _ in pairs], truncation=True, max_length=max_source)["input_ids"]
    lab = tok([t for _, t in pairs], truncation=True, max_length=max_target)["input_ids"]
    order = list(range(len(pairs)))
    rng.shuffle(order)
    first: list[list[int]] = []
    if length_caps:
        order.sort(key=lambda j: len(enc[j]))  # stable: equal lengths stay shuffled
        lengths = [len(enc[j]) for j in order]
        for cap in length_caps:
            if len(order) < batch_size:
                break
            eligible = max(batch_size, bisect.bisect_right(lengths, cap))
            picks = sorted(rng.sample(range(eligible), batch_size), reverse=True)
            first.append([order[i] for i in picks])
            for i in picks:
                del order[i], lengths[i]
        rng.shuffle(order)
    chunks = [
        sorted(order[i : i + batch_size * 20], key=lambda j: len(enc[j]))
        for i in range(0, len(order), batch_size * 20)
    ]
    batches = [c[i : i + batch_size] for c in chunks for i in range(0, len(c), batch_size)]
    rng.shuffle(batches)
    for b in first + batches:
        src = [enc[j] for j in b]
        tgt = [lab[j] for j in b]
        s_len, t_len = max(map(len, src)), max(map(len, tgt))
        input_ids = torch.tensor([x + [0] * (s_len - len(x)) for x in src])
        labels = torch.tensor([y + [-100] * (t_len - len(y)) for y in tgt])
        yield input_ids, (input_ids != 0).long(), labels


def curriculum_caps(steps: int, start: int = CURRICULUM_START_TOKENS) -> list[int]:
    """Prompt-length caps of a curriculum's ``steps`` batches: from ``start`` tokens to the
    longest prompt (``MAX_SOURCE_TOKENS``), linearly."""
    return [start + (MAX_SOURCE_TOKENS - start) * s // max(1, steps) for s in range(steps)]


def local_bias_init(model) -> None:
    """Start T5's relative attention biases ALiBi-like: head h of H prefers nearer tokens with
    slope 2^(-8(h+1)/H) per token of distance, and the encoder's odd heads look left only.
    A fresh T5 starts them near 0 (uniform attention), and AdamW moves each by about the
    learning rate per step, so a position-based head takes thousands of steps to form."""
    for module in model.modules():
        if not (isinstance(module, T5Attention) and module.has_relative_attention_bias):
            continue
        n, heads, far = module.relative_attention_num_buckets, module.n_heads, 4 * 512
        pos = torch.arange(-far, far + 1)
        buckets = module._relative_position_bucket(
            pos,
            bidirectional=not module.is_decoder,
            num_buckets=n,
            max_distance=module.relative_attention_max_distance,
        )
        dist, right = torch.zeros(n), torch.zeros(n, dtype=torch.bool)
        for b in range(n):
            if (sel := buckets == b).any():
                dist[b], right[b] = pos[sel].abs().min().float(), bool((pos[sel] > 0).all())
        slopes = 2.0 ** (-8 * (torch.arange(heads) + 1) / heads)
        weight = -dist[:, None] * slopes[None, :]
        if not module.is_decoder:
            weight[right, 1::2] -= 4.0
        module.relative_attention_bias.weight.data.copy_(weight)


# ---- checkpoints ----


def save_checkpoint(ckpt_dir: Path, step: int, model, opt, sched) -> Path:
    """Weights (safetensors: byte-deterministic) + optimizer, scheduler and RNG state."""
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    weights = ckpt_dir / f"step_{step:06d}.safetensors"
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    state.pop("encoder.embed_tokens.weight", None)  # tied to shared: saved once
    state.pop("decoder.embed_tokens.weight", None)
    state.pop("lm_head.weight", None)
    save_file(state, str(weights))
    torch.save(
        {"opt": opt.state_dict(), "sched": sched.state_dict(), "rng": torch.get_rng_state()},
        ckpt_dir / f"step_{step:06d}.state.pt",
    )
    (ckpt_dir / "latest.json").write_text(json.dumps({"step": step}) + "\n")
    return weights


def load_latest(ckpt_dir: Path, model, opt, sched) -> int:
    """Restore the latest checkpoint in ``ckpt_dir`` into model/opt/sched; return its step."""
    marker = ckpt_dir / "latest.json"
    if not marker.exists():
        return 0
    step = json.loads(marker.read_text())["step"]
    model.load_state_dict(load_file(str(ckpt_dir / f"step_{step:06d}.safetensors")), strict=False)
    model.tie_weights()
    state = torch.load(ckpt_dir / f"step_{step:06d}.state.pt", weights_only=False)
    opt.load_state_dict(state["opt"])
    sched.load_state_dict(state["sched"])
    torch.set_rng_state(state["rng"])
    return step


def pretrain(
    rows: list[dict],
    tok: PreTrainedTokenizerBase,
    out_dir: Path,
    *,
    ckpt_dir: Path,
    epochs: int = 2,
    batch_size: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
    ckpt_every: int = 100,
    max_steps: int | None = None,
    init_dir: Path | None = None,
    weights: dict[str, float] = TASK_WEIGHTS,
    same_topic_share: float = SAME_TOPIC_SHARE,
    curriculum_steps: int = 0,
    bias_lr: float | None = None,
    log=print,
) -> T5ForConditionalGeneration:
    """Pretrain a tiny T5 (fresh, or the one in ``init_dir``) on the instruction mix built
    from ``rows`` with task shares ``weights``, and save it to ``out_dir``.

    Each epoch draws a fresh mix (new tasks, new examples) from the same rows. A fresh model
    starts with :func:`local_bias_init`. The relative biases train at ``bias_lr`` (default:
    ``RELATIVE_BIAS_LR`` for a fresh model, ``lr`` for one that continues).
    The first ``curriculum_steps`` batches grow their prompts' length cap (short ones first).
    Resumes from the latest checkpoint in ``ckpt_dir``. ``max_steps`` stops early (a pilot).
    """
    torch.manual_seed(seed)
    if init_dir is None:
        model = T5ForConditionalGeneration(make_config(len(tok)))
        local_bias_init(model)
    else:
        model = T5ForConditionalGeneration.from_pretrained(init_dir)
    if bias_lr is None:
        bias_lr = RELATIVE_BIAS_LR if init_dir is None else lr
    mixes = [
        instruction_mix(rows, tok, seed + 1000 * e, weights, same_topic_share)
        for e in range(epochs)
    ]
    per_epoch = [math.ceil(len(m) / batch_size) for m in mixes]
    steps = sum(per_epoch)
    biases = [p for n, p in model.named_parameters() if "relative_attention_bias" in n]
    rest = [p for n, p in model.named_parameters() if "relative_attention_bias" not in n]
    groups = [{"params": rest}, {"params": biases, "lr": bias_lr, "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=lr, weight_decay=0.01)
    caps = curriculum_caps(curriculum_steps)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.05, (steps - s) / (steps - warm)))
    )
    start = load_latest(ckpt_dir, model, opt, sched)
    if start:
        log(f"  t5 pretrain: resuming from checkpoint step {start}/{steps}")
    model.train()
    step = 0
    for epoch, pairs in enumerate(mixes):
        rng = random.Random(seed + epoch)
        first = sum(per_epoch[:epoch])  # steps before this epoch
        epoch_caps = caps[first : first + per_epoch[epoch]]
        for input_ids, attn, labels in _batches(
            pairs, tok, batch_size, rng, length_caps=epoch_caps
        ):
            step += 1
            if step <= start:
                continue  # already trained before the interruption
            loss = model(input_ids=input_ids, attention_mask=attn, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            if step % 25 == 0 or step == steps:
                log(
                    f"  t5 pretrain epoch {epoch + 1}/{epochs} step {step}/{steps} "
                    f"loss {loss.item():.3f}"
                )
            if step % ckpt_every == 0 or step in (steps, max_steps):
                save_checkpoint(ckpt_dir, step, model, opt, sched)
            if max_steps and step >= max_steps:
                break
        if max_steps and step >= max_steps:
            break
    (ckpt_dir / "trained.json").write_text(json.dumps({"trained": step, "planned": steps}) + "\n")
    model.eval()
    model.generation_config = GenerationConfig(
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, max_new_tokens=50
    )
    model.save_pretrained(out_dir, safe_serialization=True)
    tok.save_pretrained(out_dir)
    return model


@torch.no_grad()
def generate(
    model, tok, prompts: list[str], batch_size: int = 32, max_new_tokens: int = 50, **sampling
) -> list[str]:
    """Batched generation, greedy unless ``sampling`` says otherwise (right padding is fine for
    an encoder-decoder). Inputs are sorted by length (less padding) and returned in order."""
    model.eval()
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    out = [""] * len(prompts)
    kwargs = sampling or {"do_sample": False, "num_beams": 1}
    for i in range(0, len(order), batch_size):
        idx = order[i : i + batch_size]
        enc = tok(
            [prompts[j] for j in idx],
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=MAX_SOURCE_TOKENS,
        )
        ids = model.generate(**enc, max_new_tokens=max_new_tokens, **kwargs)
        for j, text in zip(idx, tok.batch_decode(ids, skip_special_tokens=True), strict=True):
            out[j] = text.strip()
    return out
