"""Unit tests of utils/ppo.py on a tiny random T5 (seconds on a CPU)."""

from __future__ import annotations

import math

import pytest
import torch

from utils.ppo import (
    AdaptiveKLController,
    LengthSampler,
    PPOConfig,
    build_policy,
    compute_advantages,
    compute_rewards,
    forward_pass,
    loss_mask,
    masked_whiten,
    ppo_losses,
    ppo_step,
    reference_logprobs,
    response_mask,
)

VOCAB = 96  # the tiny_t5 fixture's default vocabulary


class DigitTokenizer:
    """Decodes ids as space-separated numbers; enough for reward functions in tests."""

    pad_token_id = 0

    def batch_decode(self, ids, skip_special_tokens=True):
        return [" ".join(str(int(t)) for t in row if int(t) > 1) for row in ids]


# four responses to ``queries()``: ended by eos (1) early, late, never, at once
RESPONSES = torch.tensor([[5, 6, 7, 1], [8, 9, 1, 0], [10, 11, 12, 13], [14, 1, 0, 0]])


def queries(batch: int = 4, length: int = 7, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(2, VOCAB, (batch, length), generator=g)
    mask = torch.ones_like(ids)
    mask[0, -3:] = 0  # one padded query
    return ids.masked_fill(mask == 0, 0), mask


# ---- GAE -----------------------------------------------------------------------------


def test_gae_matches_hand_computed_example():
    values = torch.tensor([[0.5, 1.0, 2.0]])
    rewards = torch.tensor([[0.0, 0.0, 3.0]])
    mask = torch.ones(1, 3)
    gamma, lam = 0.9, 0.5
    # deltas: d2 = 3 - 2 = 1; d1 = 0 + .9*2 - 1 = .8; d0 = 0 + .9*1 - .5 = .4
    # A2 = 1; A1 = .8 + .45*1 = 1.25; A0 = .4 + .45*1.25 = .9625
    adv, ret = compute_advantages(values, rewards, mask, gamma, lam, whiten=False)
    torch.testing.assert_close(adv, torch.tensor([[0.9625, 1.25, 1.0]]))
    torch.testing.assert_close(ret, torch.tensor([[1.4625, 2.25, 3.0]]))


def test_gae_ignores_pad_positions():
    values = torch.tensor([[0.5, 1.0, 2.0, 7.0, 9.0]])  # last two are pads
    rewards = torch.tensor([[0.0, 0.0, 3.0, 5.0, 5.0]])
    mask = torch.tensor([[1, 1, 1, 0, 0]])
    adv, ret = compute_advantages(values, rewards, mask, 0.9, 0.5, whiten=False)
    torch.testing.assert_close(adv, torch.tensor([[0.9625, 1.25, 1.0, 0.0, 0.0]]))
    torch.testing.assert_close(ret[:, :3], torch.tensor([[1.4625, 2.25, 3.0]]))


def test_whitened_advantages_have_zero_mean_unit_std_on_real_tokens():
    x = torch.tensor([[1.0, 2.0, 3.0, 100.0], [4.0, 5.0, -100.0, -100.0]])
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]])
    w = masked_whiten(x, mask)
    real = w[mask.bool()]
    assert abs(real.mean().item()) < 1e-6
    assert abs(real.pow(2).mean().sqrt().item() - 1) < 1e-4
    assert (w[~mask.bool()] == 0).all()


# ---- rewards, KL penalty and masks ----------------------------------------------------


def test_kl_penalty_reduces_reward_when_policy_is_more_likely_than_reference():
    scores = torch.tensor([2.0, 2.0])
    logprobs = torch.tensor([[-1.0, -1.0, -1.0], [-1.0, -1.0, -1.0]])
    ref_logprobs = torch.tensor([[-2.0, -2.0, -2.0], [-1.0, -1.0, -1.0]])  # row 0: logp > ref
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    rewards, non_score, kl = compute_rewards(scores, logprobs, ref_logprobs, mask, kl_coef=0.5)
    torch.testing.assert_close(kl[0], torch.tensor([1.0, 1.0, 1.0]))
    torch.testing.assert_close(rewards[0], torch.tensor([-0.5, -0.5, 2.0 - 0.5]))
    # row 1: equal log-probs, no penalty; the score sits on the last real token, not the pad
    torch.testing.assert_close(rewards[1], torch.tensor([0.0, 2.0, 0.0]))
    assert rewards[0].sum() < rewards[1].sum()


def test_the_score_lands_on_the_last_real_token_when_the_first_is_masked_out():
    scores = torch.tensor([2.0, 3.0])
    logprobs = torch.tensor([[-1.0, -1.0, -1.0, -1.0], [-1.0, -1.0, -1.0, -1.0]])
    ref_logprobs = torch.tensor([[-2.0, -2.0, -2.0, -2.0], [-2.0, -2.0, -2.0, -2.0]])
    mask = loss_mask(torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]]), mask_first_token=True)
    rewards, non_score, kl = compute_rewards(scores, logprobs, ref_logprobs, mask, kl_coef=0.5)
    # KL 1 per kept token, penalty -0.5; position 0 and the pad carry nothing
    torch.testing.assert_close(kl, torch.tensor([[0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0]]))
    torch.testing.assert_close(
        rewards, torch.tensor([[0.0, -0.5, 1.5, 0.0], [0.0, -0.5, -0.5, 2.5]])
    )


def test_response_mask_keeps_tokens_through_first_eos_only():
    ids = torch.tensor([[5, 6, 1, 0, 0], [5, 0, 7, 1, 0], [5, 6, 7, 8, 9], [1, 0, 0, 0, 0]])
    expected = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])
    assert torch.equal(response_mask(ids, eos_token_id=1), expected)


def test_pads_after_eos_do_not_change_logprobs_of_real_tokens(tiny_t5):
    policy = build_policy(tiny_t5(), r=4, lora_alpha=8).eval()
    q_ids, q_mask = queries(batch=1)
    short = torch.tensor([[5, 6, 1]])
    padded = torch.tensor([[5, 6, 1, 0, 0]])
    with torch.no_grad():
        lp_short, v_short, _ = forward_pass(policy, q_ids, q_mask, short)
        lp_pad, v_pad, _ = forward_pass(policy, q_ids, q_mask, padded)
    torch.testing.assert_close(lp_short, lp_pad[:, :3])
    torch.testing.assert_close(v_short, v_pad[:, :3])


def test_padded_positions_do_not_enter_the_losses():
    torch.manual_seed(0)
    M, T = 2, 5
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    args = [torch.randn(M, T) for _ in range(6)]
    logits = torch.randn(M, T, 7)
    cfg = PPOConfig()
    loss_a, _ = ppo_losses(args[0], args[1], logits, *args[2:], mask, cfg)
    garbage = [a.clone() for a in args]
    for g in garbage:
        g[mask == 0] = 1e3
    loss_b, _ = ppo_losses(garbage[0], garbage[1], logits, *garbage[2:], mask, cfg)
    torch.testing.assert_close(loss_a, loss_b)


# ---- clipped objective -----------------------------------------------------------------


def test_clipped_losses_match_formula():
    cfg = PPOConfig(cliprange=0.2, cliprange_value=0.2, vf_coef=0.1)
    old = torch.log(torch.tensor([[0.5, 0.5, 0.5, 0.5]]))
    ratio = torch.tensor([[1.5, 0.5, 1.1, 0.7]])
    new = old + torch.log(ratio)
    adv = torch.tensor([[1.0, -1.0, 2.0, 1.0]])
    mask = torch.ones(1, 4)
    # per token: max(-A r, -A clip(r, .8, 1.2))
    # t0: max(-1.5, -1.2) = -1.2 (clipped); t1: max(.5, .8) = .8 (clipped)
    # t2: max(-2.2, -2.2) = -2.2;           t3: max(-.7, -.8) = -.7
    expected_pg = (-1.2 + 0.8 - 2.2 - 0.7) / 4
    old_v = torch.tensor([[0.0, 0.0, 0.0, 0.0]])
    new_v = torch.tensor([[1.0, 0.1, -0.5, 0.0]])
    returns = torch.tensor([[2.0, 0.0, 0.0, 1.0]])
    # clip(v, -.2, .2) = [.2, .1, -.2, 0]; max(sq errors): [max(1, 3.24), max(.01, .01),
    # max(.25, .04), max(1, 1)] = [3.24, .01, .25, 1]
    expected_vf = 0.5 * (3.24 + 0.01 + 0.25 + 1.0) / 4
    logits = torch.zeros(1, 4, 8)  # uniform: entropy = ln 8
    loss, stats = ppo_losses(new, new_v, logits, old, old_v, adv, returns, mask, cfg)
    assert stats["ppo/loss/policy"].item() == pytest.approx(expected_pg, abs=1e-6)
    assert stats["ppo/loss/value"].item() == pytest.approx(expected_vf, abs=1e-6)
    assert loss.item() == pytest.approx(expected_pg + 0.1 * expected_vf, abs=1e-6)
    assert stats["ppo/policy/clipfrac"].item() == pytest.approx(0.5)
    assert stats["ppo/val/clipfrac"].item() == pytest.approx(0.25)  # only t0 clipped harder
    assert stats["ppo/policy/entropy"].item() == pytest.approx(math.log(8), abs=1e-5)
    expected_approxkl = 0.5 * (torch.log(ratio) ** 2).mean().item()
    assert stats["ppo/policy/approxkl"].item() == pytest.approx(expected_approxkl, abs=1e-6)


# ---- adaptive KL controller -------------------------------------------------------------


def test_adaptive_kl_controller_moves_coefficient_towards_target():
    high = AdaptiveKLController(0.2, target=6.0, horizon=100)
    high.update(current_kl=12.0, n_steps=10)  # error clipped to +0.2
    assert high.value == pytest.approx(0.2 * (1 + 0.2 * 10 / 100))
    low = AdaptiveKLController(0.2, target=6.0, horizon=100)
    low.update(current_kl=3.0, n_steps=10)  # error clipped to -0.2
    assert low.value == pytest.approx(0.2 * (1 - 0.2 * 10 / 100))
    on = AdaptiveKLController(0.2, target=6.0, horizon=100)
    on.update(current_kl=6.0, n_steps=10)
    assert on.value == pytest.approx(0.2)


def test_length_sampler_stays_in_range_and_repeats_with_seed():
    a = [LengthSampler(8, 24, seed=3)() for _ in range(1)]
    s = LengthSampler(8, 24, seed=3)
    draws = [s() for _ in range(200)]
    assert min(draws) >= 8 and max(draws) < 24 and len(set(draws)) > 5
    assert draws[0] == a[0]


# ---- reference = adapter disabled -------------------------------------------------------


def test_reference_logits_equal_base_model_with_adapter_disabled(tiny_t5):
    base_copy = tiny_t5(seed=0)  # same weights, never wrapped
    policy = build_policy(tiny_t5(seed=0), r=4, lora_alpha=8).eval()
    # make the adapter non-trivial (LoRA's B starts at zero)
    with torch.no_grad():
        for name, p in policy.named_parameters():
            if "lora_B" in name:
                p.normal_(std=0.5)
    q_ids, q_mask = queries()
    ref = reference_logprobs(policy, q_ids, q_mask, RESPONSES)
    with torch.no_grad():
        expected = reference_logprobs(policy, q_ids, q_mask, RESPONSES, ref_model=base_copy)
        adapted, _, _ = forward_pass(policy, q_ids, q_mask, RESPONSES)
    torch.testing.assert_close(ref, expected)
    assert (adapted - ref).abs().max() > 1e-3  # the adapter itself does change them


# ---- dropout off, activation checkpointing -------------------------------------------------


def _saved_bytes_and_lora_grads(
    tiny_t5,
    checkpointing: bool,
) -> tuple[int, dict[str, torch.Tensor]]:
    """Bytes autograd keeps for backward in one train-mode forward, and the LoRA gradients."""
    policy = build_policy(
        tiny_t5(seed=0), r=4, lora_alpha=8, activation_checkpointing=checkpointing
    ).train()
    with torch.no_grad():
        for name, p in policy.named_parameters():
            if "lora_B" in name:
                p.normal_(std=0.5, generator=torch.Generator().manual_seed(7))
    q_ids, q_mask = queries()
    saved = []

    def pack(t: torch.Tensor) -> torch.Tensor:
        saved.append(t.numel() * t.element_size())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        logprobs, values, _ = forward_pass(policy, q_ids, q_mask, RESPONSES)
    (logprobs.sum() + values.sum()).backward()
    grads = {n: p.grad.clone() for n, p in policy.named_parameters() if "lora_" in n}
    return sum(saved), grads


def test_activation_checkpointing_keeps_less_and_gives_the_same_gradients(tiny_t5):
    plain_bytes, plain_grads = _saved_bytes_and_lora_grads(tiny_t5, checkpointing=False)
    ckpt_bytes, ckpt_grads = _saved_bytes_and_lora_grads(tiny_t5, checkpointing=True)
    assert ckpt_bytes < 0.5 * plain_bytes, (ckpt_bytes, plain_bytes)
    assert plain_grads.keys() == ckpt_grads.keys() and plain_grads
    for name, grad in plain_grads.items():
        torch.testing.assert_close(ckpt_grads[name], grad, msg=name)
    assert any(g.abs().sum() > 0 for g in plain_grads.values())


def test_policy_has_no_active_dropout_so_train_mode_changes_nothing(tiny_t5):
    policy = build_policy(tiny_t5(), r=4, lora_alpha=8)
    assert all(m.p == 0 for m in policy.modules() if isinstance(m, torch.nn.Dropout))
    rates = [m.dropout for m in policy.modules() if isinstance(getattr(m, "dropout", None), float)]
    assert rates and all(rate == 0 for rate in rates)  # T5's attention dropout
    q_ids, q_mask = queries()
    with torch.no_grad():
        eval_lp, eval_v, _ = forward_pass(policy.eval(), q_ids, q_mask, RESPONSES)
        train_lp, train_v, _ = forward_pass(policy.train(), q_ids, q_mask, RESPONSES)
    torch.testing.assert_close(train_lp, eval_lp)
    torch.testing.assert_close(train_v, eval_v)


# ---- one PPO step ------------------------------------------------------------------------


def _step(policy, optimizer, cfg: PPOConfig, reward_fn, kl_ctl=None):
    """One ``ppo_step`` on ``queries()`` with 6-token responses."""
    from utils.ppo import kl_controller

    q_ids, q_mask = queries()
    kl_ctl = kl_ctl or kl_controller(cfg)
    return ppo_step(
        policy, optimizer, DigitTokenizer(), q_ids, q_mask, reward_fn, cfg, kl_ctl, max_new_tokens=6
    )


def test_one_ppo_step_changes_only_lora_and_value_head(tiny_t5):
    policy = build_policy(tiny_t5(), r=4, lora_alpha=8)
    before = {n: p.detach().clone() for n, p in policy.named_parameters()}
    trainable = [p for p in policy.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=1e-2)
    cfg = PPOConfig(
        batch_size=4, mini_batch_size=2, ppo_epochs=2, output_min_length=4, output_max_length=8
    )
    torch.manual_seed(0)
    stats, texts = _step(policy, optimizer, cfg, lambda t: torch.tensor([float(len(x)) for x in t]))
    assert len(texts) == 4
    for key in (
        "env/reward_mean",
        "objective/kl",
        "ppo/loss/policy",
        "ppo/loss/value",
        "ppo/policy/entropy",
        "ppo/policy/clipfrac",
        "ppo/policy/approxkl",
    ):
        assert math.isfinite(stats[key]), key
    changed_lora = changed_head = 0
    for name, p in policy.named_parameters():
        if "lora_" in name or name.startswith("v_head"):
            assert p.requires_grad, name
            changed = not torch.equal(p, before[name])
            changed_lora += changed and "lora_" in name
            changed_head += changed and name.startswith("v_head")
        else:
            assert not p.requires_grad, name
            assert torch.equal(p, before[name]), f"base weight {name} changed"
    assert changed_lora > 0 and changed_head == 2


@pytest.mark.parametrize("whiten", [True, False])
def test_a_reward_of_zero_everywhere_leaves_the_policy_as_it_was(tiny_t5, whiten: bool):
    """A reward that says nothing must teach nothing: with the policy still equal to its
    reference (so no KL) and the critic starting at V = 0, every advantage is 0. (A random
    value head's estimates were enough to move the policy, and lab 3's clean summaries.)"""
    from utils.ppo import kl_controller

    policy = build_policy(tiny_t5(), r=4, lora_alpha=8)
    before = {n: p.detach().clone() for n, p in policy.named_parameters()}
    optimizer = torch.optim.Adam([p for p in policy.parameters() if p.requires_grad], lr=1e-2)
    cfg = PPOConfig(
        batch_size=4,
        mini_batch_size=2,
        ppo_epochs=2,
        output_min_length=4,
        output_max_length=8,
        whiten_advantages=whiten,
    )
    kl_ctl = kl_controller(cfg)
    torch.manual_seed(0)
    for _ in range(2):
        stats, _ = _step(policy, optimizer, cfg, lambda t: torch.zeros(len(t)), kl_ctl)
        assert stats["objective/kl"] == 0
    for name, p in policy.named_parameters():
        assert torch.equal(p, before[name]), f"{name} moved on a reward of zero"


def test_config_rejects_uneven_minibatches():
    with pytest.raises(ValueError):
        PPOConfig(batch_size=10, mini_batch_size=4)


def test_the_course_profile_follows_the_courses_trl_and_tiny_keeps_its_rules():
    from utils.profiles import COURSE, TINY

    course = COURSE.lab3.ppo
    assert course == PPOConfig()  # the course profile takes the defaults: the course's values
    assert course.whiten_advantages and course.whiten_per_mini_batch and course.mask_first_token
    assert course.min_new_tokens == 4  # min_length=5 less T5's decoder-start token
    tiny = TINY.lab3.ppo
    assert (tiny.whiten_advantages, tiny.mask_first_token, tiny.min_new_tokens) == (False, False, 5)


def test_train_logs_every_metric_lab_3_plots_at_every_step(tiny_t5):
    from utils.ppo import train

    policy = build_policy(tiny_t5(), r=4, lora_alpha=8)
    g = torch.Generator().manual_seed(1)
    dataset = [{"input_ids": torch.randint(2, VOCAB, (6,), generator=g).tolist()} for _ in range(8)]
    cfg = PPOConfig(
        learning_rate=1e-2,
        batch_size=4,
        mini_batch_size=2,
        max_ppo_steps=2,
        output_min_length=4,
        output_max_length=8,
    )
    result = train(
        policy,
        DigitTokenizer(),
        dataset,
        lambda texts: torch.tensor([float(len(t)) for t in texts]),
        cfg,
        progress=False,
    )
    history = result.to_dataframe()
    assert history["step"].tolist() == [1, 2]
    for key in (
        "env/reward_mean",
        "objective/kl",
        "objective/kl_coef",
        "ppo/loss/policy",
        "ppo/loss/value",
        "ppo/policy/entropy",
        "ppo/policy/clipfrac",
    ):
        assert history[key].notna().all(), key
    assert ((history["ppo/policy/clipfrac"] >= 0) & (history["ppo/policy/clipfrac"] <= 1)).all()
