"""PPO for a seq2seq LoRA policy, read top to bottom in the order the algorithm runs.

One PPO step (``ppo_step``) is, in order:

1. rollout: sample a summary for each dialogue prompt (``generate_responses``);
2. reward: score each summary alone (not prompt + summary, see below) with the reward
   model (``reward_fn``); the score is the toxicity classifier's ``nothate`` logit (the
   course's) or minus its probability of ``hate`` (``toxicity_penalty_from_pipeline``);
3. KL: log-probabilities of the sampled tokens under the policy and under the reference,
   which is the same model with the LoRA adapter disabled (``forward_pass``,
   ``reference_logprobs``), and a per-token penalty ``-kl_coef * (logp - logp_ref)`` with
   the score added at the last token (``compute_rewards``);
4. GAE: advantages and returns from the value head's estimates (``compute_advantages``);
5. update: ``ppo_epochs`` passes over shuffled mini-batches of the clipped policy loss
   plus the clipped value loss (``ppo_losses``, ``ppo_update``);
6. the adaptive KL controller nudges ``kl_coef`` towards ``target_kl``
   (``AdaptiveKLController``, Ziegler et al. 2019, as in TRL 0.4).

Shapes: ``B`` rollout samples on this process, ``M`` a mini-batch, ``Tq`` query tokens,
``T`` response tokens, ``V`` vocabulary. Tensors of a whole rollout are prefixed ``b_``,
of a mini-batch ``mb_``.

T5 details: the decoder starts from ``decoder_start_token_id`` (= pad = 0); a sampled
response ends at ``eos`` (= 1) and is padded after it. ``response_mask`` keeps every token
up to and including the first eos, so pads never count, and since the decoder attends
causally a pad after the eos cannot change any earlier position.

Everything runs through ``accelerate.Accelerator``: under ``torchrun --nproc_per_node N``
each process samples ``batch_size / N`` dialogues, DDP averages the gradients, and the
metrics are averaged across processes before logging.

What it follows. The course (lab 3 of *Generative AI with Large Language Models*) runs TRL's
``PPOTrainer`` of the 0.4-0.11 line on ``AutoModelForSeq2SeqLMWithValueHead`` with a LoRA
adapter. The losses, GAE and the KL controller here follow that trainer, laid out like
CleanRL's ``ppo.py``. Where this code differs, and why:

- Reward text and entry. The course scored the prompt and the summary together (the query's
  text followed by the response's, ``q + r``) with the classifier pipeline (``top_k=None,
  function_to_apply="none"``) and took entry ``not_hate_index`` (0) of each output. Given
  ``top_k``, transformers' text-classification pipeline sorts the labels by score, so entry 0
  is the larger logit: ``nothate``'s when the classifier leans nothate, ``hate``'s otherwise.
  Here the summary alone is scored and the ``nothate`` logit is picked by its label
  (``reward_fn_from_pipeline``, ``reward_fn_from_classifier``). Why: the prompt is the
  dialogue, the same for every sample drawn from it and not the policy's doing, while the
  classifier reads the whole text, so an insult in the dialogue would lower the score of
  every summary of it (the offline world's dialogues carry insults on purpose) and the
  reward would grade the prompt rather than the summary.
- Value head at zero. ``ValueHeadPolicy`` starts its head at zero weights, so V = 0
  everywhere until it learns; TRL's starts random. A random head's estimates enter every
  advantage as noise: on lab 3's stand-in, with a reward of zero for every summary, that
  noise alone grew the summaries from 14 to 33 words, and with the real reward it drowned
  the insults' signal (toxicity fell 3% instead of 34%). ``tests/test_ppo.py`` checks that a
  reward of zero everywhere now moves nothing.
- Reward offset. This PPO is not blind to a constant added to every score: on lab 3's
  stand-in a reward of +2.5 for every summary shortened the summaries, -2.5 lengthened them.
  The course's ``nothate`` logit gives every clean summary about +3, so the ``tiny`` profile
  uses ``toxicity_penalty_from_pipeline`` instead: 0 for clean text, so only insults count.
- Dropout off. ``build_policy`` sets every dropout to 0 (``disable_dropout``), as TRL's later
  PPOv2 and RLOO trainers do (``disable_dropout_in_model``); the 0.4-0.11 ``PPOTrainer`` does
  not, and its value head has a dropout of its own (``summary_dropout_prob``, 0.1).
- Value head on detached states. ``ValueHeadPolicy`` reads the decoder's last hidden state
  detached by default (``detach_value_head=True``): the value loss trains the head alone and
  only the policy loss moves the LoRA weights. So ``vf_coef`` merely rescales the head's
  gradient, and Adam's per-parameter normalisation undoes a constant rescaling (up to its
  ``eps``): with Adam and ``max_grad_norm=None`` the value of ``vf_coef`` changes only the
  logged ``ppo/loss/total``. (With ``max_grad_norm`` set it also enters the joint gradient
  norm that is clipped.) TRL 0.4-0.11 applies its head to ``decoder_hidden_states[-1]``
  undetached, so there the value loss also reaches the shared trunk, the LoRA weights, and
  ``vf_coef`` weighs critic against policy in their gradient; ``detach_value_head=False``
  (``policy.detach_value_head = False`` on a built policy) reproduces that.
  ``tests/test_ppo_independent.py`` checks both behaviours.
- Response length. ``train`` draws ``max_new_tokens`` from the ``LengthSampler`` once per
  rollout, for the whole batch, which is generated in one call; the course drew it once per
  prompt, generating the prompts one by one. The cap varies across steps, not within one.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from utils.errors import LabsError
from utils.ppo_config import PPOConfig as PPOConfig  # re-exported: lab 3 builds ppo.PPOConfig

# ---------------------------------------------------------------------------------------
# Policy: LoRA model + value head; the reference is the same model with the adapter off
# ---------------------------------------------------------------------------------------


class ValueHeadPolicy(nn.Module):
    """A seq2seq PeftModel with a scalar value head on the decoder's last hidden state.

    ``forward`` returns ``(logits, values)``: (B, T, V) and (B, T); ``values[:, t]`` is the
    value of the state before token t is emitted. ``disable_adapter()`` gives the reference.

    ``detach_value_head`` (default True) feeds the head detached states, so the value loss
    reaches the head only and ``vf_coef`` cannot weigh critic against policy (with Adam it
    then changes only the logged total loss); False lets the value loss reach the LoRA weights
    through the decoder, as TRL 0.4-0.11's value-head model does. ``forward`` reads the flag
    on every call, so it can be set on a built policy.
    """

    def __init__(self, model: nn.Module, detach_value_head: bool = True):
        super().__init__()
        self.model = model
        self.detach_value_head = detach_value_head
        hidden = model.config.d_model
        self.v_head = nn.Linear(hidden, 1)
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

    Defaults are the course's LoraConfig. Returns a new ValueHeadPolicy; the base weights
    are frozen. Call once per base model (a second call would wrap a wrapped model).

    Every dropout is switched off (``disable_dropout``, as TRL's PPOv2/RLOO trainers do, not
    the course's 0.4-0.11 ``PPOTrainer``), so the rollout, the scoring and the update all see
    the same deterministic policy; ``lora_dropout`` is only recorded in the adapter's config.
    The value head reads detached decoder states (``ValueHeadPolicy.detach_value_head``).
    ``activation_checkpointing`` keeps one transformer block's activations at a time in the
    update's backward pass and recomputes the others: about a third more update compute for
    a fraction of its memory (``benchmarks/ppo_step.py``).
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
    """Set every dropout probability to 0, as TRL's PPOv2 and RLOO trainers do.

    (``disable_dropout_in_model``; TRL's 0.4-0.11 ``PPOTrainer``, the course's, keeps dropout.)

    Without dropout the policy that scores a rollout is the one that sampled it (the PPO
    ratio is exactly 1 before the first update), and train vs eval mode only decides
    whether activation checkpointing is on.
    """
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = 0.0
        elif isinstance(getattr(module, "dropout", None), float):
            module.dropout = 0.0  # attention-weight dropout kept as a rate (T5)


# ---------------------------------------------------------------------------------------
# 1. Rollout
# ---------------------------------------------------------------------------------------


class LengthSampler:
    """Draws a max-new-tokens uniformly from ``[min_value, max_value)`` on each call.

    Like TRL 0.4's ``LengthSampler`` in the course, seeded so rollouts repeat. ``train`` calls
    it once per rollout (one length for the whole batch); the course called it once per prompt.
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
    With the config's ``top_k=0, top_p=1.0`` and no temperature the sampler is the policy that
    ``forward_pass`` scores, except that ``min_new_tokens`` forbids eos for the first tokens
    (the course's ``min_length=5`` did the same): there it samples the policy without eos.
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
    pad_id = policy.config.pad_token_id
    return response_ids.masked_fill(mask == 0, pad_id), mask


# ---------------------------------------------------------------------------------------
# 2-3. Log-probabilities, reference, rewards with the KL penalty
# ---------------------------------------------------------------------------------------


def logprobs_from_logits(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """log p(label) per position: (B, T, V), (B, T) -> (B, T)."""
    return torch.gather(F.log_softmax(logits.float(), dim=-1), 2, labels.unsqueeze(-1)).squeeze(-1)


def entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of the next-token distribution per position: (B, T, V) -> (B, T)."""
    logp = F.log_softmax(logits.float(), dim=-1)
    return -(logp.exp() * logp).sum(-1)


def forward_pass(
    policy: nn.Module,
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    response_ids: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Teacher-force the responses. Returns ``(logprobs, values, logits)``: (B,T), (B,T), (B,T,V).

    The decoder reads ``[start, r_0, ..., r_{T-2}]`` and predicts ``r_0 ... r_{T-1}``.
    """
    start_id = _unwrap(policy).config.decoder_start_token_id
    start = torch.full_like(response_ids[:, :1], start_id)
    decoder_input_ids = torch.cat([start, response_ids[:, :-1]], dim=1)  # (B, T)
    logits, values = policy(
        input_ids=query_ids, attention_mask=query_mask, decoder_input_ids=decoder_input_ids
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

    ``ref_model`` (a separate frozen copy) is only for comparison, e.g. in the benchmark.
    """
    policy = _unwrap(policy)
    start = torch.full_like(response_ids[:, :1], policy.config.decoder_start_token_id)
    decoder_input_ids = torch.cat([start, response_ids[:, :-1]], dim=1)
    if ref_model is not None:
        logits = ref_model(
            input_ids=query_ids, attention_mask=query_mask, decoder_input_ids=decoder_input_ids
        ).logits
    else:
        with policy.disable_adapter():
            logits = policy.model(
                input_ids=query_ids, attention_mask=query_mask, decoder_input_ids=decoder_input_ids
            ).logits
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
    mini-batch) keeps the peak memory of scoring the rollout at one mini-batch's activations
    and (chunk, T, V) logits instead of the whole batch's.
    """
    b_logprobs, b_values, b_ref_logprobs = [], [], []
    for i in range(0, query_ids.shape[0], chunk_size):
        q_ids, q_mask = query_ids[i : i + chunk_size], query_mask[i : i + chunk_size]
        r_ids = response_ids[i : i + chunk_size]
        logprobs, values, logits = forward_pass(policy, q_ids, q_mask, r_ids)
        del logits
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
    """Per-token rewards: ``-kl_coef * (logp - logp_ref)`` with the score added at the last token.

    scores (B,), logprobs/ref_logprobs/mask (B, T) -> ``(rewards, non_score_rewards, kl)``,
    each (B, T) and zero at pads.
    """
    kl = (logprobs - ref_logprobs) * mask  # (B, T)
    non_score_rewards = kl_coef * (ref_logprobs - logprobs) * mask  # = -kl_coef * kl, no -0.0
    rewards = non_score_rewards.clone()
    last = mask.sum(1).long().clamp(min=1) - 1  # index of the last real token
    rewards[torch.arange(len(scores)), last] += scores.to(rewards.dtype)
    return rewards * mask, non_score_rewards, kl


# ---------------------------------------------------------------------------------------
# 4. GAE
# ---------------------------------------------------------------------------------------


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1)


def masked_whiten(x: torch.Tensor, mask: torch.Tensor, shift_mean: bool = True) -> torch.Tensor:
    """Normalise ``x`` to std 1 (and mean 0) over the masked positions; pads become 0."""
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    whitened = (x - mean) * torch.rsqrt(var + 1e-8)
    if not shift_mean:
        whitened = whitened + mean
    return whitened * mask


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


# ---------------------------------------------------------------------------------------
# 5. Clipped losses and the update
# ---------------------------------------------------------------------------------------


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
    """Clipped policy loss + ``vf_coef`` x clipped value loss over real tokens. All (M, T).

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
    response_mask: torch.Tensor  # (B, T)
    logprobs: torch.Tensor  # (B, T) under the policy that sampled
    values: torch.Tensor  # (B, T)
    advantages: torch.Tensor  # (B, T)
    returns: torch.Tensor  # (B, T)


def ppo_update(
    policy: nn.Module,
    optimizer: torch.optim.Optimizer,
    rollout: Rollout,
    config: PPOConfig,
    accelerator=None,
    generator: torch.Generator | None = None,
) -> dict[str, float]:
    """``ppo_epochs`` passes over shuffled mini-batches; returns the mean of each statistic."""
    world = accelerator.num_processes if accelerator is not None else 1
    b_size = rollout.response_ids.shape[0]
    mb_size = max(1, config.mini_batch_size // world)  # per-process mini-batch
    history: dict[str, list[torch.Tensor]] = {}
    policy.train()  # dropout is off; train mode turns activation checkpointing on
    for _epoch in range(config.ppo_epochs):
        b_inds = torch.randperm(b_size, generator=generator)
        for start in range(0, b_size, mb_size):
            mb_inds = b_inds[start : start + mb_size]
            mb_mask = rollout.response_mask[mb_inds]
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
                rollout.advantages[mb_inds],
                rollout.returns[mb_inds],
                mb_mask,
                config,
            )
            optimizer.zero_grad()
            if accelerator is not None:
                accelerator.backward(loss)
                if config.max_grad_norm is not None:
                    accelerator.clip_grad_norm_(policy.parameters(), config.max_grad_norm)
            else:
                loss.backward()
                if config.max_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(policy.parameters(), config.max_grad_norm)
            optimizer.step()
            for k, v in stats.items():
                history.setdefault(k, []).append(v)
    policy.eval()
    return {k: torch.stack(v).mean().item() for k, v in history.items()}


# ---------------------------------------------------------------------------------------
# 6. Adaptive KL controller
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# One PPO step and the loop
# ---------------------------------------------------------------------------------------

RewardFn = Callable[[list[str]], torch.Tensor]


def reward_fn_from_classifier(
    model: nn.Module, tokenizer, label: str = "nothate", batch_size: int = 16, max_length: int = 512
) -> RewardFn:
    """Reward = the classifier's logit of ``label`` for each text; ``ppo_step`` passes the
    summaries alone (the course scored prompt + summary; see the module docstring)."""
    index = model.config.label2id[label]

    @torch.no_grad()
    def reward_fn(texts: list[str]) -> torch.Tensor:
        model.eval()
        scores = []
        for i in range(0, len(texts), batch_size):
            enc = tokenizer(
                list(texts[i : i + batch_size]),
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            ).to(model.device)
            scores.append(model(**enc).logits[:, index].float().cpu())
        return torch.cat(scores)

    return reward_fn


def _pipeline_scorer(pipe, label: str, function_to_apply: str, batch_size: int) -> RewardFn:
    """Texts -> the pipeline's score of ``label`` (picked by name), after ``function_to_apply``.

    Texts longer than the classifier's window are cut to it rather than crash the position
    embeddings."""
    labels = list(pipe.model.config.label2id)
    if label not in labels:
        raise LabsError(
            f"The reward classifier {pipe.model.name_or_path!r} has no label {label!r} (its "
            f"labels: {', '.join(labels)}). Set the profile's toxic_label and nontoxic_label "
            "to the classifier's labels."
        )
    # RoBERTa's positions hold its window plus a two-position offset
    window = min(
        pipe.tokenizer.model_max_length,
        getattr(pipe.model.config, "max_position_embeddings", 514) - 2,
    )

    def score(texts: list[str]) -> torch.Tensor:
        outputs = pipe(
            list(texts),
            top_k=None,
            function_to_apply=function_to_apply,
            batch_size=batch_size,
            truncation=True,
            max_length=window,
        )
        return torch.tensor(
            [next(o["score"] for o in out if o["label"] == label) for out in outputs]
        )

    return score


def reward_fn_from_pipeline(pipe, label: str = "nothate", batch_size: int = 16) -> RewardFn:
    """Reward = the ``text-classification`` pipeline's raw logit of ``label``, picked by its
    name (the course took the first entry of the pipeline's score-sorted list)."""
    return _pipeline_scorer(pipe, label, "none", batch_size)


def toxicity_penalty_from_pipeline(pipe, label: str = "hate", batch_size: int = 16) -> RewardFn:
    """Reward = minus the probability of the toxic ``label``: 0 for a clean text, down to -1.

    Unlike the ``nothate`` logit, every clean summary scores (nearly) the same zero, which
    leaves PPO nothing to reinforce there: a positive reward, even one equal for every
    sample, pulls this PPO's policy towards shorter summaries (see the module docstring)."""
    probability = _pipeline_scorer(pipe, label, "softmax", batch_size)

    def reward_fn(texts: list[str]) -> torch.Tensor:
        return -probability(texts)

    return reward_fn


def reward_fn_for(
    kind: str, pipe, toxic_label: str = "hate", nontoxic_label: str = "nothate"
) -> RewardFn:
    """The reward lab 3's profile names (``Lab3Settings.reward``, which checks the name) from
    the toxicity classifier ``pipe``: ``"nothate logit"`` (the course's,
    ``reward_fn_from_pipeline``) or ``"toxicity penalty"`` (``toxicity_penalty_from_pipeline``)."""
    if kind == "nothate logit":
        return reward_fn_from_pipeline(pipe, label=nontoxic_label)
    return toxicity_penalty_from_pipeline(pipe, label=toxic_label)


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
    accelerator=None,
    ref_model: nn.Module | None = None,
    generator: torch.Generator | None = None,
) -> tuple[dict[str, float], list[str]]:
    """One rollout and one update on this process's share of the batch.

    Returns ``(stats, response_texts)``; ``stats`` are averaged across processes. The logged
    ``objective/kl_coef`` is the coefficient this step's KL penalty used; the controller moves
    it afterwards, for the next step.
    """
    t0 = time.time()
    policy.eval()  # no activation checkpointing while sampling
    # 1. Rollout
    response_ids, mask = generate_responses(policy, query_ids, query_mask, max_new_tokens, config)
    texts = tokenizer.batch_decode(response_ids, skip_special_tokens=True)
    # 2. Reward of the summary alone
    scores = reward_fn(texts).to(response_ids.device).float()  # (B,)
    # 3. Log-probs and values of the policy, log-probs of the reference, KL-penalised rewards
    world = accelerator.num_processes if accelerator is not None else 1
    logprobs, values, ref_logprobs = batched_forward(
        policy,
        query_ids,
        query_mask,
        response_ids,
        max(1, config.mini_batch_size // world),
        ref_model,
    )
    rewards, non_score_rewards, kl = compute_rewards(
        scores, logprobs, ref_logprobs, mask, kl_ctl.value
    )
    # 4. GAE
    advantages, returns = compute_advantages(
        values, rewards, mask, config.gamma, config.lam, config.whiten_advantages
    )
    rollout = Rollout(
        query_ids, query_mask, response_ids, mask, logprobs, values, advantages, returns
    )
    # 5. Clipped losses over epochs x shuffled mini-batches
    stats = ppo_update(policy, optimizer, rollout, config, accelerator, generator)

    # Metrics, averaged over processes; the KL controller sees the global mean
    b_kl = kl.sum(1)  # (B,) per response
    var_y = masked_mean((returns - masked_mean(returns, mask)) ** 2, mask)
    var_res = masked_mean((returns - values - masked_mean(returns - values, mask)) ** 2, mask)
    local = {
        "env/reward_mean": scores.mean(),
        "env/reward_std": scores.std(unbiased=False) if len(scores) > 1 else scores.new_zeros(()),
        "objective/kl": b_kl.mean(),
        "objective/kl_coef": torch.tensor(kl_ctl.value),
        "objective/non_score_reward": (non_score_rewards * mask).sum(1).mean(),
        "ppo/returns/mean": masked_mean(returns, mask),
        "ppo/val/mean": masked_mean(values, mask),
        "ppo/val/explained_variance": 1 - var_res / var_y.clamp(min=1e-8),
        "tokens/response_length": mask.sum(1).float().mean(),
        **{k: torch.tensor(v) for k, v in stats.items()},
    }
    if accelerator is not None and accelerator.num_processes > 1:
        keys = list(local)
        stacked = torch.stack([local[k].float().to(accelerator.device) for k in keys])
        stacked = accelerator.reduce(stacked, reduction="mean")
        local = dict(zip(keys, stacked, strict=True))
        # reward std over the global batch, not the mean of local stds
        all_scores = accelerator.gather(scores.to(accelerator.device))
        local["env/reward_std"] = all_scores.std(unbiased=False)
    out = {k: float(v) for k, v in local.items()}
    n_global = len(scores) * (accelerator.num_processes if accelerator is not None else 1)
    kl_ctl.update(out["objective/kl"], n_global)
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
    accelerator=None,
    progress: bool = True,
    log: Callable[[int, dict[str, float]], None] | None = None,
) -> PPOResult:
    """Run ``config.max_ppo_steps`` PPO steps on prompts in ``dataset`` (rows with ``input_ids``).

    Data-parallel when started under ``torchrun``: each process takes ``batch_size / N``
    prompts per step. ``log(step, stats)`` is called on every process after each step.
    Returns the per-step metric history (the same on every process).
    """
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm

    accelerator = accelerator or Accelerator(cpu=not torch.cuda.is_available())
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
    length_sampler = LengthSampler(
        config.output_min_length,
        config.output_max_length,
        seed=config.seed + accelerator.process_index,
    )
    shuffle_gen = torch.Generator().manual_seed(config.seed + accelerator.process_index)
    result = PPOResult()
    batches = _cycle(loader)
    bar = tqdm(
        range(config.max_ppo_steps),
        desc="PPO steps",
        disable=not (progress and accelerator.is_main_process),
    )
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
    """A frozen deep copy of a base model: the memory-hungry alternative to ``disable_adapter``."""
    ref = copy.deepcopy(model).eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    return ref


def config_dict(config: PPOConfig) -> dict:
    """The config as a plain dict (for printing in the notebook)."""
    return asdict(config)
