"""Direct Preference Optimization (Rafailov et al., 2023) for a seq2seq LoRA summarizer.

DPO learns from preference pairs (a prompt, a chosen and a rejected response) with no reward
model in the loop, no value head and no sampling during training. Its loss (the paper's eq. 7)
is, per pair,

    -log sigmoid(beta * [(log pi(c) - log ref(c)) - (log pi(r) - log ref(r))])

where ``log pi(y)`` is the summed log-probability of response ``y`` under the policy and
``log ref(y)`` under the frozen reference. ``beta * (log pi(y) - log ref(y))`` is the
*implicit reward* of ``y``: the loss raises the chosen one's above the rejected one's, and
``beta`` sets how far from the reference that may take the policy (a larger beta, a tighter
leash: the loss stops pulling once the chosen one's log-ratio leads the rejected one's by a
few times ``1 / beta``).

The pieces, in the order a run uses them:

1. ``make_dpo_pairs``: on-policy pairs. The starting summarizer samples ``n_samples``
   summaries per training dialogue; the reward lab 3's PPO uses scores them; the best becomes
   ``chosen``, the worst ``rejected``; dialogues whose samples score within ``min_gap`` of each
   other (ties) give no pair.
2. ``sequence_logprobs`` (teacher forcing) and ``reference_logprobs`` (the same model with its
   LoRA adapter switched off: one copy of the weights, as in ``utils/ppo.py``).
3. ``dpo_loss``: the loss above with the implicit rewards, their accuracy and margin; with
   ``rpo_alpha`` > 0, plus ``rpo_alpha`` times the chosen responses' mean token NLL (RPO,
   below).
4. ``train_dpo``: the loop on the LoRA adapter, through ``accelerate.Accelerator``.
5. ``sampled_kl``: the sequence-level KL to the start, estimated on the policy's own samples.

The NLL term (RPO, "DPO + NLL": Pang et al., 2024; TRL 1's ``loss_type=["sigmoid", "sft"]``):
DPO only asks that the chosen response's log-ratio rise *above* the rejected one's, which both
can do by falling, and it will take any shortcut that separates the pairs (here: the chosen
summaries are often shorter, so "write less" lowers the loss). Adding the chosen responses'
negative log-likelihood, averaged over their tokens, keeps them likely: the policy keeps writing
summaries like the chosen ones instead of drifting wherever the margin grows.

Why not TRL: with trl 1.16, ``DPOTrainer`` calls a T5 as a decoder-only model and fails at the
first step ("You must specify exactly one of input_ids or inputs_embeds");
``tests/test_trl_dpo_t5.py`` records it, so the project notices when TRL supports T5 again.

T5 details (as in ``utils/ppo.py``): the decoder reads ``[start, y_0, ..., y_{T-2}]`` and
predicts ``y_0 ... y_{T-1}``; a response ends at eos and is padded after it; the mask keeps
the real tokens (the eos included), so pads never count.
"""

from __future__ import annotations

import re
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from utils.dpo_config import DPOConfig as DPOConfig  # re-exported: the lab builds dpo.DPOConfig
from utils.errors import LabsError
from utils.prompts import zero_shot_prompt
from utils.reward import RewardFn

# ---------------------------------------------------------------------------------------
# Log-probabilities of whole responses; the reference is the policy with its adapter off
# ---------------------------------------------------------------------------------------


def _unwrap(model: nn.Module) -> nn.Module:
    """The model inside a DistributedDataParallel wrapper (or the model itself)."""
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def sequence_logprobs(
    model: nn.Module,
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    response_ids: torch.Tensor,
    response_mask: torch.Tensor,
) -> torch.Tensor:
    """Summed log-probability of each response's real tokens under an encoder-decoder. (B,).

    ``query_ids``/``query_mask``: (B, Tq); ``response_ids``/``response_mask``: (B, T), the mask
    1 on real tokens (eos included) and 0 on pads. Teacher forcing: the decoder reads the
    response shifted right from ``decoder_start_token_id``.
    """
    start_id = _unwrap(model).config.decoder_start_token_id
    start = torch.full_like(response_ids[:, :1], start_id)
    decoder_input_ids = torch.cat([start, response_ids[:, :-1]], dim=1)  # (B, T)
    logits = model(
        input_ids=query_ids,
        attention_mask=query_mask,
        decoder_input_ids=decoder_input_ids,
        use_cache=False,
    ).logits  # (B, T, V)
    token_logprobs = torch.gather(
        F.log_softmax(logits.float(), dim=-1), 2, response_ids.unsqueeze(-1)
    ).squeeze(-1)  # (B, T)
    return (token_logprobs * response_mask).sum(dim=1)


@torch.no_grad()
def reference_logprobs(
    policy: nn.Module,
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    response_ids: torch.Tensor,
    response_mask: torch.Tensor,
) -> torch.Tensor:
    """``sequence_logprobs`` under the reference: the PEFT policy with its adapter switched off
    (one copy of the weights). (B,), without gradient."""
    policy = _check_adapter(policy)
    with policy.disable_adapter():
        return sequence_logprobs(policy, query_ids, query_mask, response_ids, response_mask)


def _check_adapter(policy: nn.Module) -> nn.Module:
    """The unwrapped policy, or a LabsError unless it carries a LoRA adapter to switch off."""
    policy = _unwrap(policy)
    if not hasattr(policy, "disable_adapter"):
        raise LabsError(
            "DPO's reference is the policy with its LoRA adapter switched off, but this model "
            f"({type(policy).__name__}) has no adapter. Wrap the summarizer first: "
            "`policy = get_peft_model(summarizer, LoraConfig(...))`."
        )
    return policy


def response_mask(response_ids: torch.Tensor, eos_token_id: int) -> torch.Tensor:
    """1 for tokens up to and including the first eos, 0 after it (pads). (B, T) -> (B, T)."""
    is_eos = (response_ids == eos_token_id).long()
    eos_before = torch.cumsum(is_eos, dim=1) - is_eos  # eos strictly before t
    return (eos_before == 0).long()


# ---------------------------------------------------------------------------------------
# The loss
# ---------------------------------------------------------------------------------------


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    beta: float,
    rpo_alpha: float = 0.0,
    chosen_tokens: torch.Tensor | None = None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """DPO's loss (Rafailov et al., 2023, eq. 7), averaged over the pairs, and its statistics.

    Each of the first four arguments is (B,): the summed log-probability of the chosen or
    rejected response under the policy or the reference. ``rpo_alpha`` > 0 adds RPO's term,
    ``rpo_alpha`` times the chosen responses' mean token NLL, ``-sum(policy_chosen) /
    sum(chosen_tokens)`` (``chosen_tokens``: (B,), each chosen response's real tokens; every
    token of the batch weighs the same, as in TRL's ``"sft"`` loss). Returns ``(loss, stats)``:
    the loss is a scalar with grad; ``stats`` holds detached means of the implicit rewards
    ``beta * (log pi - log ref)`` of the chosen (``rewards/chosen``) and rejected
    (``rewards/rejected``) responses, their margin (``rewards/margin``), the share of pairs
    where the chosen one's is higher (``rewards/accuracy``), the loss, and with
    ``chosen_tokens`` the NLL (``nll``).
    """
    chosen_rewards = beta * (policy_chosen - ref_chosen)
    rejected_rewards = beta * (policy_rejected - ref_rejected)
    margins = chosen_rewards - rejected_rewards
    loss = -F.logsigmoid(margins).mean()
    nll = None
    if chosen_tokens is not None:
        nll = -policy_chosen.sum() / chosen_tokens.sum().clamp(min=1)
    if rpo_alpha:
        if nll is None:
            raise LabsError("rpo_alpha > 0 needs chosen_tokens, the chosen responses' lengths.")
        loss = loss + rpo_alpha * nll
    stats = {
        "loss": loss.detach(),
        "rewards/chosen": chosen_rewards.detach().mean(),
        "rewards/rejected": rejected_rewards.detach().mean(),
        "rewards/margin": margins.detach().mean(),
        "rewards/accuracy": (margins.detach() > 0).float().mean(),
    }
    if nll is not None:
        stats["nll"] = nll.detach()
    return loss, stats


# ---------------------------------------------------------------------------------------
# On-policy preference pairs
# ---------------------------------------------------------------------------------------


@dataclass
class DPOPairs:
    """What ``make_dpo_pairs`` returns: the pairs and how they were made."""

    pairs: list[dict] = field(default_factory=list)
    """One dict per pair: ``prompt``, ``chosen``, ``rejected``, ``chosen_reward``,
    ``rejected_reward``."""
    n_dialogues: int = 0
    """Training dialogues sampled from."""
    n_samples: int = 0
    """Summaries sampled per dialogue."""
    n_ties: int = 0
    """Dialogues dropped because their best and worst samples scored within ``min_gap``."""
    n_length_dropped: int = 0
    """Dialogues dropped by the length filter: no two of their samples that did not tie had
    word counts in ``length_ratio``."""
    wall_time_s: float = 0.0
    """Seconds the sampling and scoring took (part of what DPO costs)."""

    def __len__(self) -> int:
        return len(self.pairs)

    def __str__(self) -> str:
        text = (
            f"{len(self.pairs)} preference pairs from {self.n_dialogues} training dialogues "
            f"({self.n_samples} sampled summaries each); {self.n_ties} ties dropped"
        )
        if self.n_length_dropped:
            text += f", {self.n_length_dropped} dropped by the length filter"
        return text


def make_dpo_pairs(
    model: nn.Module,
    tokenizer,
    dialogues: Sequence[str],
    reward_fn: RewardFn,
    n_samples: int = 2,
    seed: int = 0,
    max_new_tokens: int = 50,
    min_gap: float = 1e-6,
    length_ratio: tuple[float, float] | None = None,
    batch_size: int = 32,
    max_input_tokens: int = 512,
    prompt: Callable[[str], str] = zero_shot_prompt,
    progress: bool = True,
) -> DPOPairs:
    """On-policy preference pairs: ``model`` samples ``n_samples`` summaries per dialogue (its
    own distribution: ``do_sample=True, top_k=0, top_p=1.0``), ``reward_fn`` scores each;
    chosen = the highest, rejected = the lowest. Rewards within ``min_gap`` of each other tie:
    a dialogue whose highest and lowest rewards tie gives no pair, and among samples that tie
    with the highest (lowest) the first drawn is taken. Pass training dialogues only: the pairs
    are what DPO learns from.

    ``length_ratio`` (a filter; None: off): ``(low, high)``, a pair's chosen response must have
    ``low`` to ``high`` times the rejected one's words. Among the pairs of samples that fit and
    do not tie, the one with the largest reward gap is taken (the first drawn on a tie), and a
    dialogue with none is dropped (``n_length_dropped``). ``(1.0, ...)`` keeps only pairs whose
    chosen response is no shorter, so that "write less" cannot be what separates them.
    """
    from transformers import set_seed

    from utils.generation import summarize

    if n_samples < 2:
        raise LabsError(f"A preference pair needs two samples to compare: n_samples={n_samples}.")
    start = time.perf_counter()
    prompts = [prompt(d) for d in dialogues]
    config = _sampling_config(model, max_new_tokens)
    set_seed(seed)
    samples = summarize(
        model,
        tokenizer,
        prompts,
        config,
        batch_size=batch_size,
        max_input_tokens=max_input_tokens,
        desc="Sampling summaries for the pairs",
        progress=progress,
        samples_per_text=n_samples,  # sample k of dialogue i at k * len(prompts) + i
    )
    rewards = reward_fn(samples).float().reshape(n_samples, len(prompts))  # (K, N)
    result = DPOPairs(n_dialogues=len(prompts), n_samples=n_samples)
    for i, text in enumerate(prompts):
        scores = rewards[:, i]
        if scores.max() - scores.min() <= min_gap:
            result.n_ties += 1
            continue
        if length_ratio is None:
            # samples within min_gap of the best (worst) tie with it: the first drawn is
            # taken, so the classifier's noise among, say, clean samples does not pick one
            best = int(torch.nonzero(scores >= scores.max() - min_gap)[0])
            worst = int(torch.nonzero(scores <= scores.min() + min_gap)[0])
        else:
            words = [max(len(samples[k * len(prompts) + i].split()), 1) for k in range(n_samples)]
            fits = [
                (float(scores[j] - scores[k]), -j, -k)
                for j in range(n_samples)
                for k in range(n_samples)
                if scores[j] - scores[k] > min_gap
                and length_ratio[0] <= words[j] / words[k] <= length_ratio[1]
            ]
            if not fits:
                result.n_length_dropped += 1
                continue
            _, best, worst = max(fits)
            best, worst = -best, -worst
        result.pairs.append(
            {
                "prompt": text,
                "chosen": samples[best * len(prompts) + i],
                "rejected": samples[worst * len(prompts) + i],
                "chosen_reward": float(rewards[best, i]),
                "rejected_reward": float(rewards[worst, i]),
            }
        )
    result.wall_time_s = time.perf_counter() - start
    return result


def _sampling_config(model: nn.Module, max_new_tokens: int):
    """The policy's own distribution: no top-k, no top-p, no temperature, no length floor."""
    from transformers import GenerationConfig

    config = _unwrap(model).config
    return GenerationConfig(
        max_new_tokens=max_new_tokens,
        do_sample=True,
        top_k=0,
        top_p=1.0,
        decoder_start_token_id=config.decoder_start_token_id,
        eos_token_id=config.eos_token_id,
        pad_token_id=config.pad_token_id,
    )


# ---------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------


@dataclass
class DPOResult:
    """What ``train_dpo`` returns: per-step statistics and what the run cost."""

    history: list[dict[str, float]] = field(default_factory=list)
    """One dict per optimizer step: ``step``, ``epoch``, ``loss``, ``rewards/chosen``,
    ``rewards/rejected``, ``rewards/margin``, ``rewards/accuracy``, ``nll``."""
    wall_time_s: float = 0.0
    """Seconds the training took."""
    peak_memory_bytes: int = 0
    """Peak memory while training (``MemoryPeak``: resident memory on a CPU, allocated GPU
    memory on CUDA)."""

    def to_dataframe(self):
        import pandas as pd

        return pd.DataFrame(self.history)


def tokenize_pairs(
    tokenizer, pairs: Sequence[dict], max_input_tokens: int = 512, max_target_tokens: int = 128
) -> list[dict[str, list[int]]]:
    """Token ids of each pair's prompt, chosen and rejected response (each ending at eos)."""
    prompts = tokenizer([p["prompt"] for p in pairs], truncation=True, max_length=max_input_tokens)[
        "input_ids"
    ]
    chosen = tokenizer(
        text_target=[p["chosen"] for p in pairs], truncation=True, max_length=max_target_tokens
    )["input_ids"]
    rejected = tokenizer(
        text_target=[p["rejected"] for p in pairs], truncation=True, max_length=max_target_tokens
    )["input_ids"]
    return [
        {"query": q, "chosen": c, "rejected": r}
        for q, c, r in zip(prompts, chosen, rejected, strict=True)
    ]


def _pad(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids and their mask, each (len(rows), longest row)."""
    length = max(len(r) for r in rows)
    ids = torch.full((len(rows), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.as_tensor(row)
        mask[i, : len(row)] = 1
    return ids, mask


def make_pair_collator(pad_token_id: int) -> Callable[[list[dict]], dict[str, torch.Tensor]]:
    """Collate tokenized pairs into one batch of 2B rows: the B chosen responses, then the B
    rejected ones, each after its query (so one forward pass scores both)."""

    def collate(rows: list[dict]) -> dict[str, torch.Tensor]:
        query_ids, query_mask = _pad([r["query"] for r in rows] * 2, pad_token_id)
        responses = [r["chosen"] for r in rows] + [r["rejected"] for r in rows]
        response_ids, mask = _pad(responses, pad_token_id)
        return {
            "query_ids": query_ids,
            "query_mask": query_mask,
            "response_ids": response_ids,
            "response_mask": mask,
        }

    return collate


def dpo_step_loss(
    policy: nn.Module, batch: dict[str, torch.Tensor], beta: float, rpo_alpha: float = 0.0
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The DPO loss (plus RPO's NLL term when ``rpo_alpha`` > 0) of one collated batch
    (chosen rows first, then rejected)."""
    args = (batch["query_ids"], batch["query_mask"], batch["response_ids"], batch["response_mask"])
    ref = reference_logprobs(policy, *args)
    logprobs = sequence_logprobs(policy, *args)
    n = logprobs.shape[0] // 2
    chosen_tokens = batch["response_mask"][:n].sum(dim=1)
    return dpo_loss(logprobs[:n], logprobs[n:], ref[:n], ref[n:], beta, rpo_alpha, chosen_tokens)


def train_dpo(
    policy: nn.Module,
    tokenizer,
    pairs: DPOPairs | Sequence[dict],
    *,
    beta: float,
    learning_rate: float,
    rpo_alpha: float = 0.0,
    epochs: int = 1,
    batch_size: int = 8,
    seed: int = 0,
    max_grad_norm: float | None = 1.0,
    max_input_tokens: int = 512,
    max_target_tokens: int = 128,
    accelerator=None,
    progress: bool = True,
) -> DPOResult:
    """Train ``policy``'s LoRA adapter on ``pairs`` with the DPO loss (plus ``rpo_alpha`` times
    the chosen responses' mean token NLL); the reference is the same model with the adapter
    off. Adam on the trainable weights, the pairs reshuffled each epoch.

    ``policy``: a PEFT model (``get_peft_model`` on the merged summarizer). It runs in eval mode
    throughout, so no dropout makes the policy differ from the reference at the start (TRL's
    trainers switch dropout off too). Through ``accelerate``: data-parallel under ``torchrun``.
    """
    from accelerate import Accelerator
    from tqdm.auto import tqdm

    rows = pairs.pairs if isinstance(pairs, DPOPairs) else list(pairs)
    if not rows:
        raise LabsError(
            "No preference pairs to train on: every dialogue's samples tied. Sample from more "
            "dialogues, draw more samples per dialogue (n_samples), or lower min_gap."
        )
    _check_adapter(policy)
    accelerator = accelerator or Accelerator(cpu=not torch.cuda.is_available())
    loader = torch.utils.data.DataLoader(
        tokenize_pairs(tokenizer, rows, max_input_tokens, max_target_tokens),
        batch_size=batch_size,
        shuffle=True,
        collate_fn=make_pair_collator(tokenizer.pad_token_id),
        generator=torch.Generator().manual_seed(seed),
    )
    trainable = [p for p in policy.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=learning_rate)
    model, optimizer, loader = accelerator.prepare(policy, optimizer, loader)
    model.eval()  # no dropout: the policy starts exactly at the reference
    result = DPOResult()
    bar = tqdm(
        total=epochs * len(loader),
        desc="DPO steps",
        disable=not (progress and accelerator.is_main_process),
    )
    start = time.perf_counter()
    with MemoryPeak() as memory:
        for epoch in range(epochs):
            for batch in loader:
                loss, stats = dpo_step_loss(model, batch, beta, rpo_alpha)
                optimizer.zero_grad()
                accelerator.backward(loss)
                if max_grad_norm is not None:
                    accelerator.clip_grad_norm_(trainable, max_grad_norm)
                optimizer.step()
                means = accelerator.reduce(torch.stack(list(stats.values())), reduction="mean")
                row = dict(zip(stats, means.tolist(), strict=True))
                result.history.append({"step": len(result.history) + 1, "epoch": epoch, **row})
                bar.update()
                bar.set_postfix(loss=f"{row['loss']:.3f}", acc=f"{row['rewards/accuracy']:.2f}")
    bar.close()
    result.wall_time_s = time.perf_counter() - start
    result.peak_memory_bytes = memory.peak
    return result


# ---------------------------------------------------------------------------------------
# KL to the start, on samples
# ---------------------------------------------------------------------------------------


@torch.no_grad()
def sampled_kl(
    policy: nn.Module,
    tokenizer,
    prompts: Sequence[str],
    max_new_tokens: int = 50,
    n_samples: int = 1,
    batch_size: int = 32,
    max_input_tokens: int = 512,
    seed: int = 0,
) -> torch.Tensor:
    """Sequence-level KL(policy || reference) per prompt, estimated on the policy's samples.

    For each prompt, ``n_samples`` responses are drawn from the policy's own distribution
    (``do_sample=True, top_k=0, top_p=1.0``) and ``log pi(y) - log ref(y)`` (summed over the
    response's tokens, eos included) is averaged over them: an unbiased estimate of the KL
    between the two distributions over responses of at most ``max_new_tokens`` tokens. The
    reference is the policy with its adapter off. Returns a (len(prompts),) tensor.
    """
    from transformers import set_seed

    from utils.generation import batches_by_length

    model = _unwrap(policy).eval()
    config = _sampling_config(model, max_new_tokens)
    eos_id = model.config.eos_token_id
    device = next(model.parameters()).device
    set_seed(seed)
    estimates = torch.zeros(len(prompts))
    enc_all = tokenizer(list(prompts), truncation=True, max_length=max_input_tokens)
    lengths = [len(ids) for ids in enc_all["input_ids"]]
    for rows in batches_by_length(lengths, batch_size):
        enc = tokenizer(
            [prompts[i] for i in rows],
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=max_input_tokens,
        ).to(device)
        for _ in range(n_samples):
            out = model.generate(**enc, generation_config=config)  # (B, 1 + T)
            response_ids = out[:, 1:]  # the decoder-start token is not sampled
            mask = response_mask(response_ids, eos_id)
            args = (enc["input_ids"], enc["attention_mask"], response_ids, mask)
            kl = sequence_logprobs(model, *args) - reference_logprobs(model, *args)
            estimates[rows] += kl.float().cpu() / n_samples
    return estimates


# ---------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------

_CLEAR_REFS = Path("/proc/self/clear_refs")


class MemoryPeak:
    """Context manager: the peak memory inside it, in bytes (``.peak``, after it exits).

    On CUDA: the most GPU memory torch allocated. On Linux: the peak resident memory of the
    process inside the block (its high-water mark, reset on entry). Elsewhere: the process's
    peak resident memory so far (``ru_maxrss``), which may predate the block.
    """

    def __init__(self) -> None:
        self.peak = 0

    def __enter__(self) -> MemoryPeak:
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        elif _CLEAR_REFS.exists():
            try:
                _CLEAR_REFS.write_text("5")  # resets the resident high-water mark (VmHWM)
            except OSError:
                pass
        return self

    def __exit__(self, *exc) -> None:
        if torch.cuda.is_available():
            self.peak = int(torch.cuda.max_memory_allocated())
            return
        status = Path("/proc/self/status")
        found = re.search(r"VmHWM:\s+(\d+) kB", status.read_text()) if status.exists() else None
        if found:
            self.peak = int(found.group(1)) * 1024
        else:  # macOS: bytes; elsewhere: KiB
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.peak = rss if sys.platform == "darwin" else rss * 1024
