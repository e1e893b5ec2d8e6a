"""PPO for a seq2seq LoRA policy, read top to bottom in the order the algorithm runs.

One PPO step (``ppo_step``), on this process's share of the batch:

1. rollout: sample one response per prompt (``generate_responses``): ``response_ids`` and
   ``response_mask`` (B, T), the mask 1 up to and including the first eos. ``loss_mask``
   (B, T) keeps the tokens that enter the KL and the losses (all of them, or all but the first);
2. reward: one score per response text, the response alone (``reward_fn``, utils/reward.py): (B,);
3. KL: log-probabilities of the sampled tokens under the policy (``forward_pass``) and under
   the reference, the same model with its adapter off (``reference_logprobs``), (B, T) each;
   per-token rewards ``-kl_coef * (logp - logp_ref)``, the score added at the last token
   (``compute_rewards``), (B, T);
4. GAE: advantages and returns from the value head's estimates (``compute_advantages``),
   (B, T); advantages whitened over the rollout here or over each mini-batch in step 5;
5. update: ``ppo_epochs`` passes over the rollout in shuffled mini-batches of M rows, each one
   Adam step on the clipped policy loss plus ``vf_coef`` x the clipped value loss
   (``ppo_losses``, ``ppo_update``);
6. the adaptive KL controller moves ``kl_coef`` towards ``target_kl`` (``AdaptiveKLController``,
   Ziegler et al. 2019).

Shapes: ``B`` rollout rows on this process (``batch_size / N`` with N processes), ``M`` rows of
a mini-batch (``mini_batch_size / N``), ``Tq`` query tokens, ``T`` response tokens, ``V`` the
vocabulary. Whole-rollout tensors are prefixed ``b_``, mini-batch ones ``mb_``.

T5: the decoder starts from ``decoder_start_token_id`` (pad, 0); a response ends at eos (1) and
is padded after it; the decoder attends causally, so a pad never changes an earlier position.
Everything runs through an ``accelerate.Accelerator``: under ``torchrun`` DDP averages the
gradients and the metrics are averaged over processes. Where this follows or leaves the course's
TRL, and why: utils/README.md.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from torch import nn

from utils.ppo_config import PPOConfig as PPOConfig  # re-exported: lab 3 builds ppo.PPOConfig
from utils.reward import RewardFn

# ---- Policy: LoRA model + value head; the reference is the same model with the adapter off -------


class ValueHeadPolicy(nn.Module):
    """A seq2seq PeftModel with a scalar value head on the decoder's last hidden state.

    ``forward`` returns ``(logits, values)``: (B, T, V) and (B, T); ``values[:, t]`` is the
    value of the state before token t is emitted. ``disable_adapter()`` gives the reference.

    ``detach_value_head`` (default True, read on every call) feeds the head detached states:
    the value loss trains the head alone (so ``vf_coef`` has no effect under Adam). False lets
    it reach the LoRA weights through the decoder, as TRL's value-head model does.
    """

    def __init__(self, model: nn.Module, detach_value_head: bool = True):
        super().__init__()
        self.model = model
        self.detach_value_head = detach_value_head
        self.v_head = nn.Linear(model.config.d_model, 1)
        # the critic starts knowing nothing: V = 0 everywhere. A random head (TRL's) adds its
        # own noise to every advantage, and that noise moves the policy even where the reward
        # says nothing (tests/test_ppo.py: a zero reward leaves the policy as it was)
        nn.init.zeros_(self.v_head.weight)
        nn.init.zeros_(self.v_head.bias)

    @property
    def config(self):
        return self.model.config

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, decoder_input_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            decoder_input_ids=decoder_input_ids,
            output_hidden_states=True,
            use_cache=False,
        )  # teacher forcing needs no KV cache
        hidden = out.decoder_hidden_states[-1]  # (B, T, d_model)
        if self.detach_value_head:
            # the value loss trains the head only: its gradient through the shared decoder
            # would move the LoRA weights, and so the policy, for the critic's sake
            hidden = hidden.detach()
        values = self.v_head(hidden.to(self.v_head.weight.dtype)).squeeze(-1)  # (B, T)
        return out.logits, values

    def generate(self, **kwargs) -> torch.Tensor:
        return self.model.generate(**kwargs)

    def disable_adapter(self):
        """Context manager: inside it the model is the frozen base (the PPO reference)."""
        return self.model.disable_adapter()


def build_policy(
    model: nn.Module,
    r: int = 32,
    lora_alpha: int = 32,
    lora_dropout: float = 0.05,
    target_modules: Sequence[str] = ("q", "v"),
    activation_checkpointing: bool = True,
) -> ValueHeadPolicy:
    """Wrap a T5ForConditionalGeneration in a fresh LoRA adapter and a value head.

    Defaults are the course's LoraConfig. The base weights are frozen; call once per base model
    (a second call would wrap a wrapped model). Every dropout is switched off
    (``disable_dropout``), so the rollout, the scoring and the update see the same policy;
    ``lora_dropout`` is only recorded in the adapter's config. ``activation_checkpointing``
    keeps one block's activations at a time in the update's backward pass and recomputes the
    others: about a third more update compute for a fraction of its memory.
    """
    from peft import LoraConfig, TaskType, get_peft_model

    if hasattr(model, "peft_config"):
        raise ValueError("model already carries a LoRA adapter; pass the plain base model")
    lora_config = LoraConfig(
        r=r,
        lora_alpha=lora_alpha,
        lora_dropout=lora_dropout,
        target_modules=list(target_modules),
        bias="none",
        task_type=TaskType.SEQ_2_SEQ_LM,
    )
    policy = ValueHeadPolicy(get_peft_model(model, lora_config))
    disable_dropout(policy)
    if activation_checkpointing:
        # applies in train mode only, which ``ppo_update`` alone switches on
        model.activation_checkpointing_enable()
    return policy


def disable_dropout(model: nn.Module) -> None:
    """Set every dropout probability to 0, as TRL's PPOv2 and RLOO trainers do: the policy
    that scores a rollout is the one that sampled it (the ratio is 1 before the first update),
    and train vs eval mode only decides whether activation checkpointing is on."""
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = 0.0
        elif isinstance(getattr(module, "dropout", None), float):
            module.dropout = 0.0  # attention-weight dropout kept as a rate (T5)


# ---- 1. Rollout ----------------------------------------------------------------------------------


class LengthSampler:
    """Draws a max-new-tokens uniformly from ``[min_value, max_value)`` on each call.

    Like TRL's ``LengthSampler`` in the course, seeded so rollouts repeat. ``train`` calls it
    once per rollout (one length for the whole batch); the course called it once per prompt.
    """

    def __init__(self, min_value: int, max_value: int, seed: int = 0):
        self.values = list(range(min_value, max_value))
        self.generator = torch.Generator().manual_seed(seed)

    def __call__(self) -> int:
        i = torch.randint(len(self.values), (1,), generator=self.generator).item()
        return self.values[i]


def response_mask(response_ids: torch.Tensor, eos_token_id: int) -> torch.Tensor:
    """1 for tokens up to and including the first eos, 0 after it (pads). (B, T) -> (B, T)."""
    is_eos = (response_ids == eos_token_id).long()
    eos_before = torch.cumsum(is_eos, dim=1) - is_eos  # eos strictly before t
    return (eos_before == 0).long()


def loss_mask(response_mask: torch.Tensor, mask_first_token: bool) -> torch.Tensor:
    """The tokens that enter the KL and the losses, (B, T): the response's real tokens, less
    the first when ``mask_first_token`` (``PPOConfig.mask_first_token``, the course's TRL)."""
    if not mask_first_token:
        return response_mask
    mask = response_mask.clone()
    mask[:, 0] = 0
    return mask


@torch.no_grad()
def generate_responses(
    policy: nn.Module,
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    max_new_tokens: int,
    config: PPOConfig,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample one response per query. Returns ``(response_ids, response_mask)``, both (B, T).

    The decoder-start token is stripped; positions after the first eos are pad and masked.
    With ``top_k=0, top_p=1.0`` and no temperature the sampler is the policy that
    ``forward_pass`` scores, except that eos is forbidden for the first ``min_new_tokens``.
    """
    policy = _unwrap(policy)
    out = policy.generate(
        input_ids=query_ids,
        attention_mask=query_mask,
        do_sample=True,
        top_k=config.top_k,
        top_p=config.top_p,
        min_new_tokens=min(config.min_new_tokens, max_new_tokens),
        max_new_tokens=max_new_tokens,
    )  # (B, 1 + T)
    response_ids = out[:, 1:]  # drop decoder start
    mask = response_mask(response_ids, policy.config.eos_token_id)
    return response_ids.masked_fill(mask == 0, policy.config.pad_token_id), mask


# ---- 2-3. Log-probabilities, reference, rewards with the KL penalty ------------------------------


def logprobs_from_logits(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """log p(label) per position: (B, T, V), (B, T) -> (B, T)."""
    return torch.gather(F.log_softmax(logits.float(), dim=-1), 2, labels.unsqueeze(-1)).squeeze(-1)


def entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of the next-token distribution per position: (B, T, V) -> (B, T)."""
    logp = F.log_softmax(logits.float(), dim=-1)
    return -(logp.exp() * logp).sum(-1)


def _decoder_inputs(policy: nn.Module, response_ids: torch.Tensor) -> torch.Tensor:
    """``[start, r_0, ..., r_{T-2}]``: what the decoder reads to predict ``r_0 ... r_{T-1}``."""
    start = torch.full_like(response_ids[:, :1], _unwrap(policy).config.decoder_start_token_id)
    return torch.cat([start, response_ids[:, :-1]], dim=1)  # (B, T)


def forward_pass(
    policy: nn.Module,
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    response_ids: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Teacher-force the responses: ``(logprobs, values, logits)``, (B, T), (B, T), (B, T, V)."""
    logits, values = policy(
        input_ids=query_ids,
        attention_mask=query_mask,
        decoder_input_ids=_decoder_inputs(policy, response_ids),
    )
    return logprobs_from_logits(logits, response_ids), values, logits


@torch.no_grad()
def reference_logprobs(
    policy: nn.Module,
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    response_ids: torch.Tensor,
    ref_model: nn.Module | None = None,
) -> torch.Tensor:
    """Log-probs of the responses under the reference: the policy with its adapter off. (B, T).

    ``ref_model`` (a separate frozen copy, ``clone_reference``) is for comparison only.
    """
    inputs = dict(
        input_ids=query_ids,
        attention_mask=query_mask,
        decoder_input_ids=_decoder_inputs(policy, response_ids),
    )
    if ref_model is not None:
        logits = ref_model(**inputs).logits
    else:
        policy = _unwrap(policy)
        with policy.disable_adapter():
            logits = policy.model(**inputs).logits
    return logprobs_from_logits(logits, response_ids)


@torch.no_grad()
def batched_forward(
    policy: nn.Module,
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    response_ids: torch.Tensor,
    chunk_size: int,
    ref_model: nn.Module | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``forward_pass`` and ``reference_logprobs`` over chunks of ``chunk_size`` rows.

    Returns ``(logprobs, values, ref_logprobs)``, each (B, T). Chunking (as TRL does, by
    mini-batch) keeps the peak memory at one chunk's activations and (chunk, T, V) logits.
    """
    b_logprobs, b_values, b_ref_logprobs = [], [], []
    for i in range(0, query_ids.shape[0], chunk_size):
        q_ids, q_mask = query_ids[i : i + chunk_size], query_mask[i : i + chunk_size]
        r_ids = response_ids[i : i + chunk_size]
        logprobs, values, _ = forward_pass(policy, q_ids, q_mask, r_ids)
        b_logprobs.append(logprobs)
        b_values.append(values)
        b_ref_logprobs.append(reference_logprobs(policy, q_ids, q_mask, r_ids, ref_model))
    return torch.cat(b_logprobs), torch.cat(b_values), torch.cat(b_ref_logprobs)


def compute_rewards(
    scores: torch.Tensor,
    logprobs: torch.Tensor,
    ref_logprobs: torch.Tensor,
    mask: torch.Tensor,
    kl_coef: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-token rewards: ``-kl_coef * (logp - logp_ref)``, the score added at the last token.

    scores (B,), logprobs/ref_logprobs/mask (B, T) -> ``(rewards, non_score_rewards, kl)``,
    each (B, T) and zero where ``mask`` is (pads; the first token under ``loss_mask``).
    """
    kl = (logprobs - ref_logprobs) * mask  # (B, T)
    non_score_rewards = kl_coef * (ref_logprobs - logprobs) * mask  # = -kl_coef * kl, no -0.0
    rewards = non_score_rewards.clone()
    # the last position the mask keeps: where its running count reaches the row's total
    last = (mask.cumsum(1) == mask.sum(1, keepdim=True)).long().argmax(1)  # (B,)
    rewards[torch.arange(len(scores)), last] += scores.to(rewards.dtype)
    return rewards * mask, non_score_rewards, kl


# ---- 4. GAE --------------------------------------------------------------------------------------


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1)


def masked_whiten(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Normalise ``x`` to mean 0 and std 1 over the masked positions; the others become 0."""
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    return (x - mean) * torch.rsqrt(var + 1e-8) * mask


@torch.no_grad()
def compute_advantages(
    values: torch.Tensor,
    rewards: torch.Tensor,
    mask: torch.Tensor,
    gamma: float,
    lam: float,
    whiten: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalized advantage estimation. (B, T) x3 -> ``(advantages, returns)``, each (B, T).

    ``delta_t = r_t + gamma * V_{t+1} - V_t``, ``A_t = delta_t + gamma * lam * A_{t+1}``,
    with ``V`` after the last real token taken as 0. ``returns = A + V`` (before whitening).
    """
    values, rewards = values * mask, rewards * mask  # pads: V = 0, r = 0
    T = rewards.shape[1]
    lastgaelam = torch.zeros_like(rewards[:, 0])
    advantages_reversed = []
    for t in reversed(range(T)):
        nextvalues = values[:, t + 1] if t < T - 1 else torch.zeros_like(values[:, 0])
        delta = rewards[:, t] + gamma * nextvalues - values[:, t]
        lastgaelam = delta + gamma * lam * lastgaelam
        advantages_reversed.append(lastgaelam)
    advantages = torch.stack(advantages_reversed[::-1], dim=1) * mask  # (B, T)
    returns = advantages + values
    if whiten:
        advantages = masked_whiten(advantages, mask)
    return advantages, returns


# ---- 5. Clipped losses and the update ------------------------------------------------------------


def ppo_losses(
    mb_logprobs: torch.Tensor,
    mb_values: torch.Tensor,
    mb_logits: torch.Tensor,
    mb_old_logprobs: torch.Tensor,
    mb_old_values: torch.Tensor,
    mb_advantages: torch.Tensor,
    mb_returns: torch.Tensor,
    mb_mask: torch.Tensor,
    config: PPOConfig,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Clipped policy loss + ``vf_coef`` x clipped value loss over ``mb_mask``. All (M, T).

    Returns the total loss (a scalar with grad) and detached statistics.
    """
    # Policy loss: -min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A)
    logratio = mb_logprobs - mb_old_logprobs
    ratio = torch.exp(logratio)
    pg_losses = -mb_advantages * ratio
    pg_losses2 = -mb_advantages * torch.clamp(ratio, 1.0 - config.cliprange, 1.0 + config.cliprange)
    pg_loss = masked_mean(torch.max(pg_losses, pg_losses2), mb_mask)

    # Value loss: max of the unclipped and the clipped squared error
    vpredclipped = torch.clamp(
        mb_values, mb_old_values - config.cliprange_value, mb_old_values + config.cliprange_value
    )
    vf_losses1 = (mb_values - mb_returns) ** 2
    vf_losses2 = (vpredclipped - mb_returns) ** 2
    vf_loss = 0.5 * masked_mean(torch.max(vf_losses1, vf_losses2), mb_mask)

    loss = pg_loss + config.vf_coef * vf_loss
    with torch.no_grad():
        stats = {
            "ppo/loss/policy": pg_loss,
            "ppo/loss/value": vf_loss,
            "ppo/loss/total": loss,
            "ppo/policy/entropy": masked_mean(entropy_from_logits(mb_logits), mb_mask),
            "ppo/policy/approxkl": 0.5 * masked_mean(logratio**2, mb_mask),
            "ppo/policy/clipfrac": masked_mean((pg_losses2 > pg_losses).float(), mb_mask),
            "ppo/val/vpred": masked_mean(mb_values, mb_mask),
            "ppo/val/clipfrac": masked_mean((vf_losses2 > vf_losses1).float(), mb_mask),
        }
    return loss, {k: v.detach() for k, v in stats.items()}


@dataclass
class Rollout:
    """One rollout on this process: every tensor the update needs, (B, ...) each."""

    query_ids: torch.Tensor  # (B, Tq)
    query_mask: torch.Tensor  # (B, Tq)
    response_ids: torch.Tensor  # (B, T)
    mask: torch.Tensor  # (B, T) the tokens in the losses (``loss_mask``)
    logprobs: torch.Tensor  # (B, T) under the policy that sampled
    values: torch.Tensor  # (B, T)
    advantages: torch.Tensor  # (B, T)
    returns: torch.Tensor  # (B, T)


def mini_batch_rows(rows: int, config: PPOConfig) -> int:
    """M: a rollout of ``rows`` rows cut into ``batch_size / mini_batch_size`` mini-batches
    (CleanRL's ``num_minibatches``), the same count on every process."""
    n_mini_batches = config.batch_size // config.mini_batch_size
    if rows % n_mini_batches:
        raise ValueError(f"{rows} rollout rows do not split into {n_mini_batches} mini-batches")
    return rows // n_mini_batches


def ppo_update(
    policy: nn.Module,
    optimizer: torch.optim.Optimizer,
    rollout: Rollout,
    config: PPOConfig,
    accelerator: Accelerator,
    generator: torch.Generator | None = None,
) -> dict[str, torch.Tensor]:
    """``ppo_epochs`` passes over shuffled mini-batches; returns the mean of each statistic."""
    b_size = rollout.response_ids.shape[0]
    mb_size = mini_batch_rows(b_size, config)
    whiten_mb = config.whiten_advantages and config.whiten_per_mini_batch
    history: dict[str, list[torch.Tensor]] = {}
    policy.train()  # dropout is off; train mode turns activation checkpointing on
    for _epoch in range(config.ppo_epochs):
        b_inds = torch.randperm(b_size, generator=generator)
        for start in range(0, b_size, mb_size):
            mb_inds = b_inds[start : start + mb_size]
            mb_mask = rollout.mask[mb_inds]
            mb_advantages = rollout.advantages[mb_inds]
            if whiten_mb:
                mb_advantages = masked_whiten(mb_advantages, mb_mask)
            mb_logprobs, mb_values, mb_logits = forward_pass(
                policy,
                rollout.query_ids[mb_inds],
                rollout.query_mask[mb_inds],
                rollout.response_ids[mb_inds],
            )
            loss, stats = ppo_losses(
                mb_logprobs,
                mb_values,
                mb_logits,
                rollout.logprobs[mb_inds],
                rollout.values[mb_inds],
                mb_advantages,
                rollout.returns[mb_inds],
                mb_mask,
                config,
            )
            optimizer.zero_grad()
            accelerator.backward(loss)
            if config.max_grad_norm is not None:
                accelerator.clip_grad_norm_(policy.parameters(), config.max_grad_norm)
            optimizer.step()
            for k, v in stats.items():
                history.setdefault(k, []).append(v)
    policy.eval()
    return {k: torch.stack(v).mean() for k, v in history.items()}


# ---- 6. Adaptive KL controller -------------------------------------------------------------------


class AdaptiveKLController:
    """Ziegler et al. (2019): move ``value`` so the observed KL approaches ``target``.

    ``value *= 1 + clip(kl / target - 1, -0.2, 0.2) * n_steps / horizon``; ``ppo_step`` passes
    the mean summed KL per response and ``n_steps`` = the global batch size (all processes).
    """

    def __init__(self, init_kl_coef: float, target: float, horizon: int):
        self.value, self.target, self.horizon = init_kl_coef, target, horizon

    def update(self, current_kl: float, n_steps: int) -> None:
        proportional_error = min(max(current_kl / self.target - 1, -0.2), 0.2)
        self.value *= 1 + proportional_error * n_steps / self.horizon


class FixedKLController:
    """Keeps ``value`` as it is (``adap_kl_ctrl=False``)."""

    def __init__(self, kl_coef: float):
        self.value = kl_coef

    def update(self, current_kl: float, n_steps: int) -> None:
        pass


def kl_controller(config: PPOConfig) -> AdaptiveKLController | FixedKLController:
    if config.adap_kl_ctrl:
        return AdaptiveKLController(config.init_kl_coef, config.target_kl, config.kl_horizon)
    return FixedKLController(config.init_kl_coef)


# ---- One PPO step and the loop -------------------------------------------------------------------


def default_accelerator() -> Accelerator:
    """One process on the GPU if there is one, else the CPU (``torchrun`` sets more)."""
    return Accelerator(cpu=not torch.cuda.is_available())


def ppo_step(
    policy: nn.Module,
    optimizer: torch.optim.Optimizer,
    tokenizer,
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    reward_fn: RewardFn,
    config: PPOConfig,
    kl_ctl: AdaptiveKLController | FixedKLController,
    max_new_tokens: int,
    accelerator: Accelerator | None = None,
    ref_model: nn.Module | None = None,
    generator: torch.Generator | None = None,
) -> tuple[dict[str, float], list[str]]:
    """One rollout and one update on this process's share of the batch.

    Returns ``(stats, response_texts)``; ``stats`` are averaged over processes. The logged
    ``objective/kl_coef`` is the coefficient this step's KL penalty used; the controller moves
    it afterwards, for the next step. ``accelerator``: ``default_accelerator()`` if None.
    """
    t0 = time.time()
    accelerator = accelerator or default_accelerator()
    policy.eval()  # no activation checkpointing while sampling
    # 1. Rollout
    response_ids, r_mask = generate_responses(policy, query_ids, query_mask, max_new_tokens, config)
    mask = loss_mask(r_mask, config.mask_first_token)  # (B, T)
    texts = tokenizer.batch_decode(response_ids, skip_special_tokens=True)
    # 2. Reward of the response alone
    scores = reward_fn(texts).to(response_ids.device).float()  # (B,)
    # 3. Log-probs and values of the policy, log-probs of the reference, KL-penalised rewards
    mb_size = mini_batch_rows(len(query_ids), config)
    logprobs, values, ref_logprobs = batched_forward(
        policy, query_ids, query_mask, response_ids, mb_size, ref_model
    )
    rewards, non_score_rewards, kl = compute_rewards(
        scores, logprobs, ref_logprobs, mask, kl_ctl.value
    )
    # 4. GAE (whitened here over the rollout, or per mini-batch in the update)
    whiten_rollout = config.whiten_advantages and not config.whiten_per_mini_batch
    advantages, returns = compute_advantages(
        values, rewards, mask, config.gamma, config.lam, whiten_rollout
    )
    rollout = Rollout(
        query_ids, query_mask, response_ids, mask, logprobs, values, advantages, returns
    )
    # 5. Clipped losses over epochs x shuffled mini-batches
    stats = ppo_update(policy, optimizer, rollout, config, accelerator, generator)

    # Metrics, averaged over processes; the KL controller sees the global mean
    var_y = masked_mean((returns - masked_mean(returns, mask)) ** 2, mask)
    var_res = masked_mean((returns - values - masked_mean(returns - values, mask)) ** 2, mask)
    local = {
        "env/reward_mean": scores.mean(),
        "objective/kl": kl.sum(1).mean(),  # summed over each response's tokens
        "objective/kl_coef": torch.tensor(kl_ctl.value),
        "objective/non_score_reward": (non_score_rewards * mask).sum(1).mean(),
        "ppo/returns/mean": masked_mean(returns, mask),
        "ppo/val/mean": masked_mean(values, mask),
        "ppo/val/explained_variance": 1 - var_res / var_y.clamp(min=1e-8),
        "tokens/response_length": r_mask.sum(1).float().mean(),
        **stats,
    }
    keys = list(local)
    stacked = torch.stack([local[k].float().to(accelerator.device) for k in keys])
    out = dict(zip(keys, accelerator.reduce(stacked, reduction="mean").tolist(), strict=True))
    all_scores = accelerator.gather(scores.to(accelerator.device))  # (B x N,)
    out["env/reward_std"] = all_scores.std(unbiased=False).item()  # over the global batch
    kl_ctl.update(out["objective/kl"], len(all_scores))
    out["time/step_s"] = time.time() - t0
    return out, texts


def _unwrap(policy: nn.Module) -> nn.Module:
    """The ValueHeadPolicy inside a DDP wrapper (or the module itself)."""
    return policy.module if hasattr(policy, "module") else policy


def _cycle(loader) -> Iterator:
    while True:
        yield from loader


@dataclass
class PPOResult:
    """What ``train`` returns: the per-step metric history and the last responses."""

    history: list[dict[str, float]] = field(default_factory=list)
    last_texts: list[str] = field(default_factory=list)

    def to_dataframe(self):
        import pandas as pd

        return pd.DataFrame(self.history)


def make_query_collator(pad_token_id: int) -> Callable[[list[dict]], dict[str, torch.Tensor]]:
    """Collate rows with an ``input_ids`` list into right-padded ``query_ids``/``query_mask``."""

    def collate(rows: list[dict]) -> dict[str, torch.Tensor]:
        length = max(len(r["input_ids"]) for r in rows)
        ids = torch.full((len(rows), length), pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), length), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r["input_ids"])] = torch.as_tensor(r["input_ids"])
            mask[i, : len(r["input_ids"])] = 1
        return {"query_ids": ids, "query_mask": mask}

    return collate


def train(
    policy: ValueHeadPolicy,
    tokenizer,
    dataset,
    reward_fn: RewardFn,
    config: PPOConfig,
    accelerator: Accelerator | None = None,
    progress: bool = True,
    log: Callable[[int, dict[str, float]], None] | None = None,
) -> PPOResult:
    """Run ``config.max_ppo_steps`` PPO steps on prompts in ``dataset`` (rows with ``input_ids``).

    Data-parallel when started under ``torchrun``: each process takes ``batch_size / N``
    prompts per step. ``log(step, stats)`` is called on every process after each step.
    Returns the per-step metric history (the same on every process).
    """
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm

    accelerator = accelerator or default_accelerator()
    world = accelerator.num_processes
    if config.batch_size % world or config.mini_batch_size % world:
        raise ValueError(f"batch_size and mini_batch_size must divide by {world} processes")
    set_seed(config.seed, device_specific=True)  # each process samples differently
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=config.batch_size // world,
        shuffle=True,
        drop_last=True,
        collate_fn=make_query_collator(tokenizer.pad_token_id),
        generator=torch.Generator().manual_seed(config.seed),
    )
    trainable = [p for p in policy.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=config.learning_rate)
    model, optimizer, loader = accelerator.prepare(policy, optimizer, loader)
    kl_ctl = kl_controller(config)
    rank_seed = config.seed + accelerator.process_index
    length_sampler = LengthSampler(config.output_min_length, config.output_max_length, rank_seed)
    shuffle_gen = torch.Generator().manual_seed(rank_seed)
    result = PPOResult()
    batches = _cycle(loader)
    show = progress and accelerator.is_main_process
    bar = tqdm(range(config.max_ppo_steps), desc="PPO steps", disable=not show)
    for step in bar:
        batch = next(batches)
        stats, texts = ppo_step(
            model,
            optimizer,
            tokenizer,
            batch["query_ids"],
            batch["query_mask"],
            reward_fn,
            config,
            kl_ctl,
            length_sampler(),
            accelerator,
            generator=shuffle_gen,
        )
        stats["step"] = step + 1
        result.history.append(stats)
        result.last_texts = texts
        bar.set_postfix(reward=f"{stats['env/reward_mean']:.3f}", kl=f"{stats['objective/kl']:.3f}")
        if log is not None:
            log(step + 1, stats)
    policy.eval()
    return result


def clone_reference(model: nn.Module) -> nn.Module:
    """A frozen deep copy of a base model: the memory-hungry alternative to ``disable_adapter``
    (``benchmarks/ppo_step.py`` compares the two)."""
    ref = copy.deepcopy(model).eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    return ref
