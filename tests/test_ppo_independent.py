"""utils/ppo.py checked against independent computations, one per bug PPO code tends to have.

Each test recomputes what the code should produce by another route: step-by-step decoding
with the KV cache instead of one teacher-forced pass, a sampling histogram instead of the
scored distribution, GAE written per sample over Python floats, a hand-written update loop,
the KL controller's formula. Tiny random T5 (the ``tiny_t5`` fixture), CPU, seconds in all.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from utils.ppo import (
    AdaptiveKLController,
    PPOConfig,
    Rollout,
    build_policy,
    compute_advantages,
    default_accelerator,
    forward_pass,
    generate_responses,
    loss_mask,
    ppo_losses,
    ppo_step,
    ppo_update,
    reference_logprobs,
    response_mask,
)

VOCAB, PAD, EOS = 96, 0, 1  # the tiny_t5 fixture's vocabulary and T5's special ids
ROW_ID0 = 2  # query row i starts with token ROW_ID0 + i, so a spy can tell rows apart


def _queries(batch: int, length: int = 7, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Distinct random queries, row i starting with token ``ROW_ID0 + i``; row 0 is padded."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(ROW_ID0 + batch, VOCAB, (batch, length), generator=g)
    ids[:, 0] = ROW_ID0 + torch.arange(batch)
    mask = torch.ones_like(ids)
    mask[0, -3:] = 0
    return ids.masked_fill(mask == 0, PAD), mask


def _policy(tiny_t5, seed: int = 0, lora_b_std: float = 0.5) -> nn.Module:
    """A LoRA + value-head policy whose adapter is not zero, so policy != reference."""
    policy = build_policy(tiny_t5(seed=seed), r=4, lora_alpha=8).eval()
    g = torch.Generator().manual_seed(seed + 100)
    with torch.no_grad():
        for name, p in policy.named_parameters():
            if "lora_B" in name:
                p.normal_(std=lora_b_std, generator=g)
    return policy


def _responses(batch: int, length: int = 6, seed: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """Random responses with an eos at a random place (or none) and pads after it."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(EOS + 1, VOCAB, (batch, length), generator=g)
    ends = torch.randint(0, length + 1, (batch,), generator=g)  # == length: no eos
    for i, end in enumerate(ends.tolist()):
        if end < length:
            ids[i, end] = EOS
    mask = response_mask(ids, EOS)
    return ids.masked_fill(mask == 0, PAD), mask


# ---- log-probs and values: one teacher-forced pass == step-by-step decoding ----------------


@torch.no_grad()
def _decode_step_by_step(
    model: nn.Module, v_head: nn.Module | None, query_ids, query_mask, response_ids
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Feed ``decoder_start, r_0, r_1, ...`` one token at a time through the KV cache.

    Returns ``(logprobs, values, logits)`` of each response token, (B, T), (B, T), (B, T, V):
    the way ``generate`` sees the model, with no shifted sequence built anywhere.
    """
    start = model.config.decoder_start_token_id
    token = torch.full_like(response_ids[:, :1], start)
    past, logprobs, values, logits = None, [], [], []
    for t in range(response_ids.shape[1]):
        out = model(
            input_ids=query_ids,
            attention_mask=query_mask,
            decoder_input_ids=token,
            past_key_values=past,
            use_cache=True,
            output_hidden_states=True,
        )
        past = out.past_key_values
        step_logits = out.logits[:, -1]  # (B, V), raw: no temperature, no filtering
        logits.append(step_logits)
        logprobs.append(step_logits.log_softmax(-1).gather(1, response_ids[:, t : t + 1])[:, 0])
        if v_head is not None:
            values.append(v_head(out.decoder_hidden_states[-1][:, -1])[:, 0])
        token = response_ids[:, t : t + 1]  # the sampled token is the next input
    stacked_values = torch.stack(values, 1) if values else torch.empty(0)
    return torch.stack(logprobs, 1), stacked_values, torch.stack(logits, 1)


def test_forward_pass_equals_step_by_step_decoding_from_decoder_start(tiny_t5):
    policy = _policy(tiny_t5)
    q_ids, q_mask = _queries(5)
    r_ids, _ = _responses(5)
    step_lp, step_v, step_logits = _decode_step_by_step(
        policy.model, policy.v_head, q_ids, q_mask, r_ids
    )
    with torch.no_grad():
        logprobs, values, logits = forward_pass(policy, q_ids, q_mask, r_ids)
    torch.testing.assert_close(
        logprobs,
        step_lp,
        atol=1e-5,
        rtol=1e-5,
        msg="log p(r_t) != step-by-step decoding: decoder inputs misaligned or logits rescaled",
    )
    torch.testing.assert_close(
        logits,
        step_logits,
        atol=1e-5,
        rtol=1e-5,
        msg="logits at t != the raw decoder's after reading [start, r_0 .. r_(t-1)]",
    )
    torch.testing.assert_close(
        values, step_v, atol=1e-5, rtol=1e-5, msg="values[:, t] != value of the state before r_t"
    )


def test_reference_logprobs_equal_step_by_step_decoding_without_the_adapter(tiny_t5):
    policy = _policy(tiny_t5)
    q_ids, q_mask = _queries(5)
    r_ids, _ = _responses(5)
    with policy.disable_adapter():
        expected, _, _ = _decode_step_by_step(policy.model, None, q_ids, q_mask, r_ids)
    ref = reference_logprobs(policy, q_ids, q_mask, r_ids)
    torch.testing.assert_close(
        ref, expected, atol=1e-5, rtol=1e-5, msg="reference log-probs != step-by-step decoding"
    )
    adapted, _, _ = _decode_step_by_step(policy.model, None, q_ids, q_mask, r_ids)
    assert (adapted - expected).abs().max() > 1e-2  # the adapter is on outside the context


# ---- the rollout samples the policy that is scored ------------------------------------------

N_SAMPLES = 20_000
MIN_EXPECTED = 5  # Pearson's rule: bins expecting fewer counts are pooled into one


def test_rollout_first_token_histogram_matches_the_scored_distribution(tiny_t5):
    """Sample N first tokens with ``generate_responses``; compare with exp(scored log-probs).

    Pearson's chi-square over the vocabulary (bins expecting < 5 pooled), df = bins - 1. Under
    the null it has mean df and sd sqrt(2 df); the test fails above df + 6 sd (the chance of
    that for a correct sampler is below 1e-5; the seed is fixed, so the test is deterministic).
    The correct code gives about 98 against a bound of about 178 (df 95); a temperature of 0.7
    or 1.25, top-k = 50 or top-p = 0.9 seeded into the sampling or the scoring gave 1,300 to
    6,200 (or infinity, where a token sampled has no scored mass).
    """
    policy = _policy(tiny_t5)
    query_ids, query_mask = _queries(1)
    # min_new_tokens=0: with it, generate forbids eos for the first tokens (the course's
    # min_length=5 does the same), so that position is sampled from the policy minus eos
    config = PPOConfig(min_new_tokens=0)
    torch.manual_seed(1234)
    first, _ = generate_responses(
        policy,
        query_ids.expand(N_SAMPLES, -1),
        query_mask.expand(N_SAMPLES, -1),
        max_new_tokens=1,
        config=config,
    )
    counts = torch.bincount(first[:, 0], minlength=VOCAB).double()
    # the scored distribution: forward_pass's log-prob of every possible first token
    every_token = torch.arange(VOCAB).unsqueeze(1)  # (V, 1)
    with torch.no_grad():
        logprobs, _, _ = forward_pass(
            policy, query_ids.expand(VOCAB, -1), query_mask.expand(VOCAB, -1), every_token
        )
    probs = logprobs[:, 0].double().exp()
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-5), "scored log-probs not normalised"
    expected = N_SAMPLES * probs
    big = expected >= MIN_EXPECTED
    observed, expected = counts[big], expected[big]
    if not big.all():
        observed = torch.cat([observed, counts[~big].sum().reshape(1)])
        expected = torch.cat([expected, N_SAMPLES * probs[~big].sum().reshape(1)])
    chi2 = ((observed - expected) ** 2 / expected).sum().item()
    df = len(observed) - 1
    bound = df + 6 * math.sqrt(2 * df)
    tv = 0.5 * (counts / N_SAMPLES - probs).abs().sum().item()
    assert chi2 < bound, (
        f"sampled first tokens do not follow the scored policy: chi2 {chi2:.0f} > {bound:.0f} "
        f"(df {df}, total variation {tv:.3f}); temperature/top-k/top-p in sampling or scoring?"
    )


# ---- GAE with whitening -------------------------------------------------------------------


def _reference_gae(values, rewards, mask, gamma: float, lam: float) -> tuple[list, list]:
    """GAE per sample over its real tokens only, in Python floats: (advantages, returns)."""
    all_adv, all_ret = [], []
    for v, r, m in zip(values.tolist(), rewards.tolist(), mask.tolist(), strict=True):
        n = int(sum(m))  # real tokens form a prefix
        adv, last = [0.0] * n, 0.0
        for t in reversed(range(n)):
            next_value = v[t + 1] if t + 1 < n else 0.0  # nothing after the last real token
            last = r[t] + gamma * next_value - v[t] + gamma * lam * last
            adv[t] = last
        all_adv.append(adv)
        all_ret.append([a + v[t] for t, a in enumerate(adv)])
    return all_adv, all_ret


def _gae_inputs(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Values and rewards with large garbage at the pads: pads must not leak in anywhere."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([6, 4, 1, 3, 6])
    mask = (torch.arange(6) < lengths[:, None]).long()  # (5, 6)
    values = torch.randn(5, 6, generator=g)
    rewards = torch.randn(5, 6, generator=g) * 0.1
    rewards[torch.arange(5), lengths - 1] += torch.randn(5, generator=g) * 3  # the scores
    values[mask == 0] = 50.0
    rewards[mask == 0] = -50.0
    return values, rewards, mask


@pytest.mark.parametrize("gamma, lam", [(1.0, 0.95), (0.9, 0.5)])
def test_gae_returns_are_advantages_before_whitening_plus_values(gamma: float, lam: float):
    values, rewards, mask = _gae_inputs()
    _, expected_returns = _reference_gae(values, rewards, mask, gamma, lam)
    _, returns = compute_advantages(values, rewards, mask, gamma, lam, whiten=True)
    for i, row in enumerate(expected_returns):
        torch.testing.assert_close(
            returns[i, : len(row)],
            torch.tensor(row),
            msg=lambda m, i=i: f"row {i}: returns != A + V before whitening\n{m}",
        )


def test_gae_returns_with_lambda_one_are_the_rewards_to_go_whatever_the_values():
    """lam = 1: A_t + V_t telescopes to sum_k gamma^k r_(t+k), a Monte-Carlo return."""
    values, rewards, mask = _gae_inputs(seed=1)
    _, returns = compute_advantages(values, rewards, mask, gamma=0.9, lam=1.0, whiten=True)
    for i in range(len(mask)):
        n = int(mask[i].sum())
        to_go = [sum(0.9**k * rewards[i, t + k].item() for k in range(n - t)) for t in range(n)]
        torch.testing.assert_close(returns[i, :n], torch.tensor(to_go), msg=f"row {i}")


def test_gae_whitening_uses_the_real_tokens_only():
    values, rewards, mask = _gae_inputs()
    raw, _ = _reference_gae(values, rewards, mask, 1.0, 0.95)
    flat = [a for row in raw for a in row]
    mean = sum(flat) / len(flat)
    var = sum((a - mean) ** 2 for a in flat) / len(flat)
    advantages, _ = compute_advantages(values, rewards, mask, 1.0, 0.95, whiten=True)
    for i, row in enumerate(raw):
        expected = torch.tensor([(a - mean) / math.sqrt(var + 1e-8) for a in row])
        torch.testing.assert_close(
            advantages[i, : len(row)],
            expected,
            msg=lambda m, i=i: f"row {i}: not whitened over the real tokens alone\n{m}",
        )
    assert (advantages[mask == 0] == 0).all(), "whitened advantages are not 0 at the pads"


# ---- the update loop ------------------------------------------------------------------------

# the rollout below is whitened already: the loop's mechanics alone, whitening tested apart
UPDATE_CONFIG = PPOConfig(
    batch_size=8, mini_batch_size=2, ppo_epochs=3, learning_rate=1e-2, whiten_per_mini_batch=False
)


class RowSpy(nn.Module):
    """Wraps the policy the way DDP does (``.module``) and records the rows of each forward."""

    def __init__(self, policy: nn.Module):
        super().__init__()
        self.module = policy
        self.rows: list[list[int]] = []

    def forward(self, input_ids, attention_mask, decoder_input_ids):
        self.rows.append((input_ids[:, 0] - ROW_ID0).tolist())
        return self.module(
            input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=decoder_input_ids
        )


class RecordingOptimizer:
    """Counts ``step`` calls and keeps each step's gradients (zeros where there is none)."""

    def __init__(self, optimizer: torch.optim.Optimizer, params: list[nn.Parameter]):
        self.optimizer, self.params = optimizer, params
        self.grads: list[list[torch.Tensor]] = []

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self) -> None:
        self.grads.append(
            [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in self.params]
        )
        self.optimizer.step()


def _trainable(policy: nn.Module) -> list[nn.Parameter]:
    return [p for p in policy.parameters() if p.requires_grad]


def _rollout(policy: nn.Module, batch: int = 8) -> Rollout:
    """A rollout of fixed responses scored by ``policy``, with random rewards and GAE."""
    q_ids, q_mask = _queries(batch)
    r_ids, r_mask = _responses(batch, seed=5)
    with torch.no_grad():
        logprobs, values, _ = forward_pass(policy, q_ids, q_mask, r_ids)
    rewards = torch.randn(r_ids.shape, generator=torch.Generator().manual_seed(9)) * r_mask
    advantages, returns = compute_advantages(values, rewards, r_mask, 1.0, 0.95)
    return Rollout(q_ids, q_mask, r_ids, r_mask, logprobs, values, advantages, returns)


def _minibatch_loss(policy: nn.Module, rollout: Rollout, rows, config: PPOConfig):
    """The loss of one mini-batch, as the update should compute it (``ppo_losses`` is pinned
    to its formula in test_ppo.py)."""
    logprobs, values, logits = forward_pass(
        policy, rollout.query_ids[rows], rollout.query_mask[rows], rollout.response_ids[rows]
    )
    return ppo_losses(
        logprobs,
        values,
        logits,
        rollout.logprobs[rows],
        rollout.values[rows],
        rollout.advantages[rows],
        rollout.returns[rows],
        rollout.mask[rows],
        config,
    )


@pytest.fixture(scope="module")
def recorded_update(tiny_t5) -> dict:
    """One ``ppo_update`` (8 rows, mini-batches of 2, 3 epochs) with a spy and a recorder."""
    policy = _policy(tiny_t5, lora_b_std=0.1)
    rollout = _rollout(policy)
    initial = [p.detach().clone() for p in _trainable(policy)]
    spy = RowSpy(policy)
    optimizer = RecordingOptimizer(
        torch.optim.SGD(_trainable(policy), lr=UPDATE_CONFIG.learning_rate), _trainable(policy)
    )
    ppo_update(
        spy,
        optimizer,
        rollout,
        UPDATE_CONFIG,
        default_accelerator(),
        generator=torch.Generator().manual_seed(7),
    )
    return {"rollout": rollout, "initial": initial, "rows": spy.rows, "grads": optimizer.grads}


def test_update_steps_once_per_minibatch_per_epoch_and_sees_every_row_each_epoch(
    recorded_update,
):
    cfg = UPDATE_CONFIG
    per_epoch = cfg.batch_size // cfg.mini_batch_size
    n_steps, rows = len(recorded_update["grads"]), recorded_update["rows"]
    assert n_steps == cfg.ppo_epochs * per_epoch, (
        f"{n_steps} optimizer steps, expected ppo_epochs x mini-batches = "
        f"{cfg.ppo_epochs} x {per_epoch}"
    )
    assert len(rows) == n_steps, f"{len(rows)} forward passes for {n_steps} optimizer steps"
    for epoch in range(cfg.ppo_epochs):
        seen = [r for mb in rows[epoch * per_epoch : (epoch + 1) * per_epoch] for r in mb]
        assert sorted(seen) == list(range(cfg.batch_size)), f"epoch {epoch} saw rows {seen}"
    assert all(len(mb) == cfg.mini_batch_size for mb in rows)


def test_update_draws_a_new_shuffled_minibatch_order_each_epoch(recorded_update):
    per_epoch = UPDATE_CONFIG.batch_size // UPDATE_CONFIG.mini_batch_size
    rows = recorded_update["rows"]
    orders = [
        tuple(r for mb in rows[e * per_epoch : (e + 1) * per_epoch] for r in mb)
        for e in range(UPDATE_CONFIG.ppo_epochs)
    ]
    assert len(set(orders)) == len(orders), f"the same mini-batch order in two epochs: {orders}"
    identity = tuple(range(UPDATE_CONFIG.batch_size))
    assert identity not in orders, f"an epoch took the rows in rollout order: {orders}"


def test_each_optimizer_step_gets_the_gradient_of_its_own_minibatch_alone(recorded_update, tiny_t5):
    """Replay the recorded mini-batches by hand from the same start: every step's gradient
    must be that mini-batch's alone (nothing accumulated from the one before)."""
    policy = _policy(tiny_t5, lora_b_std=0.1)
    params = _trainable(policy)
    for p, p0 in zip(params, recorded_update["initial"], strict=True):
        torch.testing.assert_close(p, p0, msg="the replay does not start from the same policy")
    sgd = torch.optim.SGD(params, lr=UPDATE_CONFIG.learning_rate)
    policy.train()
    for k, rows in enumerate(recorded_update["rows"]):
        loss, _ = _minibatch_loss(policy, recorded_update["rollout"], rows, UPDATE_CONFIG)
        sgd.zero_grad()
        loss.backward()
        got = recorded_update["grads"][k]
        for p, g in zip(params, got, strict=True):
            torch.testing.assert_close(
                g,
                p.grad,
                atol=1e-6,
                rtol=1e-4,
                msg=lambda m, k=k: (
                    f"optimizer step {k}: not this mini-batch's gradient alone "
                    f"(gradients not zeroed between mini-batches?)\n{m}"
                ),
            )
        sgd.step()


def _hand_written_update(policy: nn.Module, rollout: Rollout, config: PPOConfig, seed: int):
    """CleanRL's loop: per epoch a fresh permutation from the shared generator, then Adam."""
    optimizer = torch.optim.Adam(_trainable(policy), lr=config.learning_rate)
    generator = torch.Generator().manual_seed(seed)
    batch = rollout.response_ids.shape[0]
    policy.train()
    for _ in range(config.ppo_epochs):
        b_inds = torch.randperm(batch, generator=generator)
        for start in range(0, batch, config.mini_batch_size):
            mb_inds = b_inds[start : start + config.mini_batch_size]
            loss, _ = _minibatch_loss(policy, rollout, mb_inds, config)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    policy.eval()


def test_update_equals_a_hand_written_loop_given_the_same_seed(tiny_t5):
    policy = _policy(tiny_t5, lora_b_std=0.1)
    twin = _policy(tiny_t5, lora_b_std=0.1)
    rollout = _rollout(policy)
    initial = [p.detach().clone() for p in _trainable(policy)]
    optimizer = torch.optim.Adam(_trainable(policy), lr=UPDATE_CONFIG.learning_rate)
    ppo_update(
        policy,
        optimizer,
        rollout,
        UPDATE_CONFIG,
        default_accelerator(),
        generator=torch.Generator().manual_seed(3),
    )
    _hand_written_update(twin, rollout, UPDATE_CONFIG, seed=3)
    names = [n for n, p in policy.named_parameters() if p.requires_grad]
    for name, p, q in zip(names, _trainable(policy), _trainable(twin), strict=True):
        torch.testing.assert_close(
            p, q, atol=1e-6, rtol=1e-5, msg=lambda m, n=name: f"{n}: update != hand loop\n{m}"
        )
    assert any(not torch.equal(p, p0) for p, p0 in zip(_trainable(policy), initial, strict=True)), (
        "no move"
    )


def test_vf_coef_with_a_detached_value_head_and_adam_changes_only_the_logged_loss(tiny_t5):
    """The doc's claim: with the head reading detached states, the value loss reaches only the
    head, whose gradient vf_coef merely rescales, and Adam undoes a rescaling. Letting the value
    loss reach the trunk (TRL 0.4-0.11, ``detach_value_head=False``) makes vf_coef matter."""

    def update(vf_coef: float, detach: bool) -> tuple[list[torch.Tensor], float]:
        policy = _policy(tiny_t5, lora_b_std=0.1)
        policy.detach_value_head = detach
        rollout = _rollout(policy)
        cfg = PPOConfig(batch_size=8, mini_batch_size=4, ppo_epochs=2, vf_coef=vf_coef)
        optimizer = torch.optim.Adam(_trainable(policy), lr=1e-2)
        accelerator, generator = default_accelerator(), torch.Generator()
        stats = ppo_update(policy, optimizer, rollout, cfg, accelerator, generator)
        return [p.detach().clone() for p in _trainable(policy)], stats["ppo/loss/total"].item()

    low, low_loss = update(0.1, detach=True)
    high, high_loss = update(1.0, detach=True)
    for a, b in zip(low, high, strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)  # Adam's eps: not bit-exact
    assert low_loss != pytest.approx(high_loss)
    trunk_low, _ = update(0.1, detach=False)
    trunk_high, _ = update(1.0, detach=False)
    assert any(
        not torch.allclose(a, b, atol=1e-4) for a, b in zip(trunk_low, trunk_high, strict=True)
    )


# ---- adaptive KL controller and the logged coefficient -------------------------------------


class FakeAccelerator:
    """accelerate's interface as ``ppo_step`` uses it, for ``world`` processes that all saw
    the same local batch (so a mean over processes is the local value)."""

    device = torch.device("cpu")
    process_index = 0

    def __init__(self, world: int):
        self.num_processes = world

    def backward(self, loss: torch.Tensor) -> None:
        loss.backward()

    def clip_grad_norm_(self, params, max_norm: float):
        return torch.nn.utils.clip_grad_norm_(params, max_norm)

    def reduce(self, tensor: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
        return tensor

    def gather(self, tensor: torch.Tensor) -> torch.Tensor:
        return torch.cat([tensor] * self.num_processes)


class RecordingKL(AdaptiveKLController):
    """The real controller, remembering what ``update`` was called with."""

    def __init__(self, init_kl_coef: float, target: float, horizon: int):
        super().__init__(init_kl_coef, target, horizon)
        self.calls: list[tuple[float, int]] = []

    def update(self, current_kl: float, n_steps: int) -> None:
        self.calls.append((current_kl, n_steps))
        super().update(current_kl, n_steps)


class DigitTokenizer:
    """Decodes ids as space-separated numbers; enough for a reward function."""

    pad_token_id = PAD

    def batch_decode(self, ids, skip_special_tokens=True):
        return [" ".join(str(int(t)) for t in row if int(t) > EOS) for row in ids]


@pytest.mark.parametrize("world", [1, 2])
def test_kl_coefficient_after_a_step_follows_the_controller_with_the_global_batch(
    tiny_t5, world: int
):
    # target near the KL these settings give (about 3-4 per response), so the controller's
    # error is not clipped and the new coefficient depends on the KL's value, not only its sign
    global_batch, target, horizon = 8, 3.5, 20
    cfg = PPOConfig(
        batch_size=global_batch,
        mini_batch_size=4,
        init_kl_coef=0.2,
        target_kl=target,
        kl_horizon=horizon,
        output_min_length=4,
        output_max_length=8,
    )
    policy = _policy(tiny_t5, lora_b_std=0.5)  # far from the reference: KL is not 0
    q_ids, q_mask = _queries(global_batch // world)
    # a coefficient unlike config.init_kl_coef, so logging the config's value would show
    kl_ctl = RecordingKL(0.37, target, horizon)
    used = kl_ctl.value
    torch.manual_seed(0)
    stats, _ = ppo_step(
        policy,
        torch.optim.Adam(_trainable(policy), lr=1e-3),
        DigitTokenizer(),
        q_ids,
        q_mask,
        lambda texts: torch.tensor([float(len(t)) for t in texts]),
        cfg,
        kl_ctl,
        max_new_tokens=6,
        accelerator=FakeAccelerator(world) if world > 1 else default_accelerator(),
    )
    kl = stats["objective/kl"]
    assert abs(kl) > 1e-2, "the test needs a non-zero KL"
    assert kl_ctl.calls == [(pytest.approx(kl), global_batch)], (
        f"controller updated with (kl, n) = {kl_ctl.calls}, expected ({kl:.4f}, {global_batch})"
    )
    error = min(max(kl / target - 1, -0.2), 0.2)  # Ziegler et al.'s proportional error
    assert kl_ctl.value == pytest.approx(used * (1 + error * global_batch / horizon), rel=1e-9), (
        "kl_coef after the step != coef * (1 + clip(kl / target - 1, +-0.2) * n / horizon) "
        f"with n = global batch {global_batch}"
    )
    # the logged coefficient is the one the KL penalty used: non_score_reward = -coef * KL
    assert stats["objective/kl_coef"] == pytest.approx(used), (
        f"logged kl_coef {stats['objective/kl_coef']} != the one used in this step, {used}"
    )
    assert stats["objective/non_score_reward"] == pytest.approx(-used * kl, rel=1e-5), (
        f"non-score reward {stats['objective/non_score_reward']:.5f} != -kl_coef x KL "
        f"= {-used * kl:.5f}: the penalty used another coefficient"
    )


# ---- the course's TRL rules: first-token mask, whitening per mini-batch, length rule -------


def _trl_encoder_decoder_mask(response_ids: torch.Tensor) -> torch.Tensor:
    """TRL 0.4's mask for an encoder-decoder model, rebuilt from its own rule: its response is
    ``[start, r_0 .. eos]`` (generate keeps the decoder start); the log-probs are shifted
    (position k scores token k + 1), ``masks[:-1] = attention_mask[1:]``, then
    ``masks[:1] = 0`` and ``masks[length - 1:] = 0``, and the last position is dropped."""
    rows = []
    for ids in response_ids.tolist():
        n = ids.index(EOS) + 1 if EOS in ids else len(ids)  # tokens through the first eos
        attention = [1] * (1 + n) + [0] * (len(ids) - n)  # over [start, r_0 .. r_(T-1)]
        masks = attention[1:] + [0]
        start, end = 1, sum(attention) - 1
        masks = [0 if k < start or k >= end else m for k, m in enumerate(masks)]
        rows.append(masks[:-1])
    return torch.tensor(rows)


def test_loss_mask_is_trls_encoder_decoder_mask():
    r_ids, r_mask = _responses(12, length=7, seed=3)
    assert (r_mask.sum(1) == 1).any() and (r_mask.sum(1) == 7).any()  # eos at once; none
    expected = _trl_encoder_decoder_mask(r_ids)
    assert torch.equal(loss_mask(r_mask, mask_first_token=True), expected)
    assert torch.equal(loss_mask(r_mask, mask_first_token=False), r_mask)


class Recorder:
    """Wraps a function of utils.ppo and keeps what each call received and returned."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []

    def __call__(self, *args, **kwargs):
        out = self.fn(*args, **kwargs)
        self.calls.append((args, out))
        return out


def test_a_step_leaves_the_first_token_out_of_the_kl_and_the_losses(tiny_t5, monkeypatch):
    import utils.ppo as ppo

    generated, losses = Recorder(ppo.generate_responses), Recorder(ppo.ppo_losses)
    monkeypatch.setattr(ppo, "generate_responses", generated)
    monkeypatch.setattr(ppo, "ppo_losses", losses)
    cfg = PPOConfig(batch_size=6, mini_batch_size=2, output_min_length=4, output_max_length=8)
    assert cfg.mask_first_token, "the course's rule is the default"
    policy = _policy(tiny_t5, lora_b_std=0.5)  # far from the reference: every token has a KL
    q_ids, q_mask = _queries(6)
    torch.manual_seed(0)
    stats, _ = ppo_step(
        policy,
        torch.optim.Adam(_trainable(policy), lr=1e-3),
        DigitTokenizer(),
        q_ids,
        q_mask,
        lambda texts: torch.zeros(len(texts)),
        cfg,
        AdaptiveKLController(0.2, 6.0, 10_000),
        max_new_tokens=6,
        accelerator=default_accelerator(),
    )
    (_, (r_ids, r_mask)), *_ = generated.calls
    # independently: per-token KL by step-by-step decoding of the policy before the update
    twin = _policy(tiny_t5, lora_b_std=0.5)
    lp, _, _ = _decode_step_by_step(twin.model, None, q_ids, q_mask, r_ids)
    with twin.disable_adapter():
        ref, _, _ = _decode_step_by_step(twin.model, None, q_ids, q_mask, r_ids)
    per_token = (lp - ref).tolist()
    lengths = r_mask.sum(1).tolist()
    without_first = [sum(row[1:n]) for row, n in zip(per_token, lengths, strict=True)]
    with_first = [sum(row[:n]) for row, n in zip(per_token, lengths, strict=True)]
    assert stats["objective/kl"] == pytest.approx(sum(without_first) / 6, abs=1e-5), (
        f"KL {stats['objective/kl']:.5f}; without the first token {sum(without_first) / 6:.5f}, "
        f"with it {sum(with_first) / 6:.5f}"
    )
    assert abs(sum(with_first) - sum(without_first)) > 1e-2  # the first token's KL is not 0
    # the losses see the same mask: no first token, every other real token once per epoch
    masks = [args[7] for args, _ in losses.calls]
    assert all((m[:, 0] == 0).all() for m in masks)
    assert sum(int(m.sum()) for m in masks) == int(r_mask[:, 1:].sum())


def test_the_update_whitens_each_mini_batch_on_its_own(tiny_t5, monkeypatch):
    """TRL 0.4 whitened the advantages of each mini-batch over its own real tokens. Recomputed
    here by hand, in Python floats, for the rows the update actually grouped."""
    import utils.ppo as ppo

    losses = Recorder(ppo.ppo_losses)
    monkeypatch.setattr(ppo, "ppo_losses", losses)
    policy = _policy(tiny_t5, lora_b_std=0.1)
    q_ids, q_mask = _queries(8)
    r_ids, r_mask = _responses(8, seed=5)
    with torch.no_grad():
        logprobs, values, _ = forward_pass(policy, q_ids, q_mask, r_ids)
    g = torch.Generator().manual_seed(4)
    # raw advantages whose level differs by row, so each mini-batch has its own mean
    raw = (torch.randn(r_ids.shape, generator=g) + torch.arange(8.0)[:, None]) * r_mask
    rollout = Rollout(q_ids, q_mask, r_ids, r_mask, logprobs, values, raw, values)
    spy = RowSpy(policy)
    cfg = PPOConfig(batch_size=8, mini_batch_size=4, ppo_epochs=2)
    assert cfg.whiten_per_mini_batch, "the course's rule is the default"
    optimizer = torch.optim.Adam(_trainable(policy), lr=1e-3)
    ppo_update(spy, optimizer, rollout, cfg, default_accelerator(), torch.Generator())
    assert len(spy.rows) == len(losses.calls) == 4
    for rows, (args, _) in zip(spy.rows, losses.calls, strict=True):
        received = args[5]
        real = [raw[i, t].item() for i in rows for t in range(int(r_mask[i].sum()))]
        mean = sum(real) / len(real)
        std = math.sqrt(sum((a - mean) ** 2 for a in real) / len(real) + 1e-8)
        for j, i in enumerate(rows):
            n = int(r_mask[i].sum())
            expected = [(raw[i, t].item() - mean) / std for t in range(n)] + [0.0] * (6 - n)
            torch.testing.assert_close(
                received[j], torch.tensor(expected), msg=f"rows {rows}: not whitened on their own"
            )
    # whitening over the rollout happens before the update: the update passes them as they are
    losses.calls.clear()
    spy.rows.clear()
    cfg = PPOConfig(batch_size=8, mini_batch_size=4, whiten_per_mini_batch=False)
    ppo_update(spy, optimizer, rollout, cfg, default_accelerator(), torch.Generator())
    for rows, (args, _) in zip(spy.rows, losses.calls, strict=True):
        assert torch.equal(args[5], raw[rows])


def _earliest_eos(response_ids: torch.Tensor) -> int:
    """The earliest position of an eos in any row (the decoder start already stripped)."""
    return min(row.index(EOS) for row in response_ids.tolist() if EOS in row)


def test_the_length_rule_is_the_courses_min_length_counting_the_decoder_start(tiny_t5):
    """The course generated with ``min_length=5``; for T5, generate counts the decoder-start
    token in that length, so eos may come as the 5th new token (position 4). Many samples of a
    random policy (eos has about 1/96 of the mass) put an eos at the earliest place allowed."""
    policy = _policy(tiny_t5)
    q_ids, q_mask = _queries(1)
    q_ids, q_mask = q_ids.expand(3000, -1), q_mask.expand(3000, -1)
    torch.manual_seed(5)
    course = policy.model.generate(
        input_ids=q_ids,
        attention_mask=q_mask,
        do_sample=True,
        top_k=0,
        min_length=5,  # the course's generation_kwargs
        max_new_tokens=8,
    )[:, 1:]  # the decoder start stripped
    assert _earliest_eos(course) == 4, "the course's min_length=5: eos from position 4"
    for config, earliest in ((PPOConfig(), 4), (PPOConfig(min_new_tokens=5), 5)):
        responses, _ = generate_responses(policy, q_ids, q_mask, 8, config)
        assert _earliest_eos(responses) == earliest, (
            f"min_new_tokens={config.min_new_tokens}: earliest eos at "
            f"{_earliest_eos(responses)}, expected {earliest}"
        )
