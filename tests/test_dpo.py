"""Unit tests of utils/dpo.py, each against an independent computation (seconds on a CPU).

The loss against its formula and hand-derived gradient; RPO's NLL term against the formula and
against the model's own cross-entropy; sequence log-probs against decoding one token at a time;
pads; the frozen reference; beta's direction; chosen vs rejected; ties; the length filter.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch

from utils.dpo import (
    DPOPairs,
    dpo_loss,
    dpo_step_loss,
    make_dpo_pairs,
    make_pair_collator,
    reference_logprobs,
    sampled_kl,
    sequence_logprobs,
    train_dpo,
)
from utils.errors import LabsError
from utils.paths import TINY_T5_DIR

# three responses: ended by eos (1) late, early, at once; pads (0) after the eos
RESPONSES = torch.tensor([[5, 6, 7, 1], [8, 9, 1, 0], [1, 0, 0, 0]])
MASK = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0], [1, 0, 0, 0]])


def queries(batch: int = 3, length: int = 6, vocab: int = 96, seed: int = 1):
    """Random queries, the first one padded at its end."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(2, vocab, (batch, length), generator=g)
    mask = torch.ones_like(ids)
    mask[0, -2:] = 0
    return ids.masked_fill(mask == 0, 0), mask


def lora(model, r: int = 4):
    from peft import LoraConfig, TaskType, get_peft_model

    config = LoraConfig(
        r=r, lora_alpha=2 * r, target_modules=["q", "v"], task_type=TaskType.SEQ_2_SEQ_LM
    )
    return get_peft_model(model, config).eval()


def perturb_adapter(policy, std: float = 0.5, seed: int = 0) -> None:
    """LoRA's B starts at zero (policy = reference): give the adapter random weights."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in policy.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=g) * std)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(TINY_T5_DIR)


# ---- the loss ----------------------------------------------------------------------------


def hand_loss(pc, pr, rc, rr, beta):
    """-log sigmoid(beta * [(pc - rc) - (pr - rr)]), averaged: the paper's eq. 7 in floats."""
    terms = [
        -math.log(1 / (1 + math.exp(-beta * ((a - c) - (b - d)))))
        for a, b, c, d in zip(pc, pr, rc, rr, strict=True)
    ]
    return sum(terms) / len(terms)


def test_loss_and_gradient_match_the_formula():
    pc, pr = [-3.0, -5.0, -2.0], [-4.0, -1.0, -2.0]
    rc, rr = [-3.5, -4.0, -2.5], [-3.0, -2.0, -1.0]
    beta = 0.3
    policy_chosen = torch.tensor(pc, requires_grad=True)
    policy_rejected = torch.tensor(pr, requires_grad=True)
    loss, stats = dpo_loss(policy_chosen, policy_rejected, torch.tensor(rc), torch.tensor(rr), beta)
    assert loss.item() == pytest.approx(hand_loss(pc, pr, rc, rr, beta), abs=1e-6)
    loss.backward()
    # d/d pc of -log sigmoid(beta * delta) / B = -beta * sigmoid(-beta * delta) / B; the
    # rejected's gradient is the opposite
    deltas = [(a - c) - (b - d) for a, b, c, d in zip(pc, pr, rc, rr, strict=True)]
    expected = torch.tensor([-beta / (1 + math.exp(beta * d)) / 3 for d in deltas])
    torch.testing.assert_close(policy_chosen.grad, expected)
    torch.testing.assert_close(policy_rejected.grad, -expected)
    # implicit rewards beta * (log pi - log ref), their margin and accuracy
    chosen = [beta * (a - c) for a, c in zip(pc, rc, strict=True)]
    rejected = [beta * (b - d) for b, d in zip(pr, rr, strict=True)]
    assert stats["rewards/chosen"].item() == pytest.approx(sum(chosen) / 3)
    assert stats["rewards/rejected"].item() == pytest.approx(sum(rejected) / 3)
    assert stats["rewards/margin"].item() == pytest.approx(beta * sum(deltas) / 3)
    assert stats["rewards/accuracy"].item() == pytest.approx(2 / 3)  # pairs 0 and 2 ahead
    assert not stats["loss"].requires_grad


def test_loss_falls_as_the_chosen_gets_likelier_and_rises_with_the_rejected():
    ref = torch.tensor([-4.0, -4.0])

    def loss(pc: float, pr: float) -> float:
        return dpo_loss(torch.tensor([pc] * 2), torch.tensor([pr] * 2), ref, ref, 0.5)[0].item()

    assert loss(-4.0, -4.0) == pytest.approx(math.log(2))  # at the reference: log 2
    assert loss(-3.0, -4.0) < loss(-4.0, -4.0) < loss(-4.0, -3.0)


def test_larger_beta_scales_the_gradient_up():
    def gradient(beta: float) -> float:
        chosen = torch.tensor([-4.0], requires_grad=True)
        dpo_loss(chosen, torch.tensor([-4.0]), torch.tensor([-4.0]), torch.tensor([-4.0]), beta)[
            0
        ].backward()
        return chosen.grad.item()

    # at the reference the margin is 0: the gradient is -beta * sigmoid(0) = -beta / 2
    assert gradient(0.1) == pytest.approx(-0.05)
    assert gradient(1.0) == pytest.approx(-0.5)


def test_rpo_term_adds_alpha_times_the_chosen_mean_token_nll():
    pc, pr = [-3.0, -5.0, -2.0], [-4.0, -1.0, -2.0]
    rc, rr = [-3.5, -4.0, -2.5], [-3.0, -2.0, -1.0]
    tokens = [2, 5, 3]  # real tokens of each chosen response
    beta, alpha = 0.3, 0.7
    policy_chosen = torch.tensor(pc, requires_grad=True)
    policy_rejected = torch.tensor(pr, requires_grad=True)
    loss, stats = dpo_loss(
        policy_chosen, policy_rejected, torch.tensor(rc), torch.tensor(rr), beta, alpha,
        torch.tensor(tokens),
    )  # fmt: skip
    nll = -sum(pc) / sum(tokens)  # every chosen token of the batch weighs the same: 10 / 10
    assert stats["nll"].item() == pytest.approx(nll)
    assert loss.item() == pytest.approx(hand_loss(pc, pr, rc, rr, beta) + alpha * nll, abs=1e-6)
    loss.backward()
    # the NLL adds -alpha / (all chosen tokens) to each chosen log-prob's gradient, nothing else
    deltas = [(a - c) - (b - d) for a, b, c, d in zip(pc, pr, rc, rr, strict=True)]
    dpo_grad = torch.tensor([-beta / (1 + math.exp(beta * d)) / 3 for d in deltas])
    torch.testing.assert_close(policy_chosen.grad, dpo_grad - alpha / sum(tokens))
    torch.testing.assert_close(policy_rejected.grad, -dpo_grad)
    # alpha 0 is the paper's DPO, and the NLL is still logged
    plain, plain_stats = dpo_loss(
        *(torch.tensor(x) for x in (pc, pr, rc, rr)), beta, 0.0, torch.tensor(tokens)
    )
    assert plain.item() == pytest.approx(hand_loss(pc, pr, rc, rr, beta), abs=1e-6)
    assert plain_stats["nll"].item() == pytest.approx(nll)
    with pytest.raises(LabsError, match="chosen_tokens"):
        dpo_loss(*(torch.tensor(x) for x in (pc, pr, rc, rr)), beta, alpha)


def test_rpo_term_of_a_batch_is_the_models_own_cross_entropy_on_the_chosen(tiny_t5, tokenizer):
    policy = lora(tiny_t5(seed=2, vocab_size=len(tokenizer)))
    perturb_adapter(policy, std=0.3)
    batch = make_pair_collator(tokenizer.pad_token_id)(
        [
            {"query": tokenizer(p["prompt"]).input_ids, "chosen": c, "rejected": r}
            for p, c, r in zip(
                PAIRS,
                tokenizer(text_target=[p["chosen"] for p in PAIRS]).input_ids,
                tokenizer(text_target=[p["rejected"] for p in PAIRS]).input_ids,
                strict=True,
            )
        ]
    )
    with torch.no_grad():
        plain, _ = dpo_step_loss(policy, batch, beta=0.2)
        with_nll, stats = dpo_step_loss(policy, batch, beta=0.2, rpo_alpha=1.5)
        # the model's own loss: mean cross-entropy over the chosen labels, pads set to -100
        q_ids, q_mask, chosen_ids = encoded(tokenizer, PAIRS, "chosen")[:3]
        labels = chosen_ids.masked_fill(chosen_ids == tokenizer.pad_token_id, -100)
        cross_entropy = policy(input_ids=q_ids, attention_mask=q_mask, labels=labels).loss
    torch.testing.assert_close(stats["nll"], cross_entropy, atol=1e-5, rtol=0)
    torch.testing.assert_close(with_nll - plain, 1.5 * cross_entropy, atol=1e-5, rtol=0)


# ---- sequence log-probs --------------------------------------------------------------------


def step_by_step_logprobs(model, query_ids, query_mask, response_ids, response_mask):
    """Decode one token at a time: each real token's log-prob given the prefix before it."""
    totals = []
    with torch.no_grad():
        for b in range(len(response_ids)):
            prefix = torch.tensor([[model.config.decoder_start_token_id]])
            total = 0.0
            for t in range(int(response_mask[b].sum())):
                logits = model(
                    input_ids=query_ids[b : b + 1],
                    attention_mask=query_mask[b : b + 1],
                    decoder_input_ids=prefix,
                ).logits[0, -1]
                token = response_ids[b, t]
                total += torch.log_softmax(logits.double(), -1)[token].item()
                prefix = torch.cat([prefix, token.view(1, 1)], dim=1)
            totals.append(total)
    return torch.tensor(totals, dtype=torch.float64)


def test_sequence_logprobs_match_step_by_step_decoding(tiny_t5):
    model = tiny_t5()
    q_ids, q_mask = queries()
    with torch.no_grad():
        batched = sequence_logprobs(model, q_ids, q_mask, RESPONSES, MASK)
    expected = step_by_step_logprobs(model, q_ids, q_mask, RESPONSES, MASK)
    torch.testing.assert_close(batched.double(), expected, atol=1e-4, rtol=0)


def test_pads_change_nothing(tiny_t5):
    model = tiny_t5()
    q_ids, q_mask = queries()
    with torch.no_grad():
        plain = sequence_logprobs(model, q_ids, q_mask, RESPONSES, MASK)
        # three more pad columns on the responses and on the queries
        more = torch.zeros(3, 3, dtype=torch.long)
        padded = sequence_logprobs(
            model,
            torch.cat([q_ids, more], 1),
            torch.cat([q_mask, more], 1),
            torch.cat([RESPONSES, more], 1),
            torch.cat([MASK, more], 1),
        )
        # each response scored alone, without any pad
        alone = [
            sequence_logprobs(
                model, q_ids[i : i + 1, : q_mask[i].sum()], q_mask[i : i + 1, : q_mask[i].sum()],
                RESPONSES[i : i + 1, : MASK[i].sum()], MASK[i : i + 1, : MASK[i].sum()],
            )
            for i in range(3)
        ]  # fmt: skip
    torch.testing.assert_close(padded, plain, atol=1e-5, rtol=0)
    torch.testing.assert_close(torch.cat(alone), plain, atol=1e-5, rtol=0)


# ---- the reference: the adapter switched off ------------------------------------------------


def test_reference_is_the_model_without_its_adapter(tiny_t5):
    untouched = tiny_t5(seed=0)
    policy = lora(tiny_t5(seed=0))
    q_ids, q_mask = queries()
    with torch.no_grad():
        assert torch.equal(  # LoRA's B starts at zero: policy = reference exactly
            sequence_logprobs(policy, q_ids, q_mask, RESPONSES, MASK),
            reference_logprobs(policy, q_ids, q_mask, RESPONSES, MASK),
        )
    perturb_adapter(policy)
    with torch.no_grad():
        moved = sequence_logprobs(policy, q_ids, q_mask, RESPONSES, MASK)
        base = sequence_logprobs(untouched, q_ids, q_mask, RESPONSES, MASK)
    ref = reference_logprobs(policy, q_ids, q_mask, RESPONSES, MASK)
    torch.testing.assert_close(ref, base)
    assert (moved - base).abs().min() > 1e-3
    assert not ref.requires_grad


def test_reference_needs_an_adapter(tiny_t5):
    q_ids, q_mask = queries()
    with pytest.raises(LabsError, match="get_peft_model"):
        reference_logprobs(tiny_t5(), q_ids, q_mask, RESPONSES, MASK)


# ---- training --------------------------------------------------------------------------------

PAIRS = [
    {"prompt": "Summarize: #Person1# asks the way.", "chosen": "A", "rejected": "B C"},
    {"prompt": "Summarize: #Person2# buys bread.", "chosen": "D E", "rejected": "F"},
    {"prompt": "Summarize: they talk.", "chosen": "G", "rejected": "H I J"},
]


def encoded(tokenizer, pairs, key):
    """Queries and one side's responses of ``pairs``, tokenized independently of utils/dpo."""
    q = tokenizer([p["prompt"] for p in pairs], return_tensors="pt", padding=True)
    r = tokenizer(text_target=[p[key] for p in pairs], return_tensors="pt", padding=True)
    return q.input_ids, q.attention_mask, r.input_ids, r.attention_mask


def test_training_raises_the_chosen_and_keeps_the_reference_frozen(tiny_t5, tokenizer):
    untouched = tiny_t5(seed=0, vocab_size=len(tokenizer))
    policy = lora(tiny_t5(seed=0, vocab_size=len(tokenizer)))
    sides = {side: encoded(tokenizer, PAIRS, side) for side in ("chosen", "rejected")}
    with torch.no_grad():
        before = {side: sequence_logprobs(policy, *batch) for side, batch in sides.items()}
    ref = {side: reference_logprobs(policy, *batch) for side, batch in sides.items()}
    result = train_dpo(
        policy, tokenizer, PAIRS, beta=0.5, learning_rate=1e-2, epochs=5, batch_size=3,
        seed=0, progress=False,
    )  # fmt: skip
    with torch.no_grad():
        after = {side: sequence_logprobs(policy, *batch) for side, batch in sides.items()}
        base = {side: sequence_logprobs(untouched, *batch) for side, batch in sides.items()}
    # the policy moved: every chosen response rose against its rejected one
    gain = (after["chosen"] - before["chosen"]) - (after["rejected"] - before["rejected"])
    assert (gain > 0).all(), gain
    assert result.history[-1]["rewards/accuracy"] == 1.0
    assert result.history[-1]["loss"] < math.log(2) < result.history[0]["loss"] + 1e-6
    # the reference did not: the base weights kept their values and got no gradient
    for side, batch in sides.items():
        torch.testing.assert_close(reference_logprobs(policy, *batch), ref[side])
        torch.testing.assert_close(ref[side], base[side])
    base_params = [p for n, p in policy.named_parameters() if "lora_" not in n]
    assert base_params and all(p.grad is None and not p.requires_grad for p in base_params)
    assert all(p.grad is not None for n, p in policy.named_parameters() if "lora_" in n)


def test_training_reports_every_step_and_its_cost(tiny_t5, tokenizer):
    policy = lora(tiny_t5(vocab_size=len(tokenizer)))
    result = train_dpo(
        policy, tokenizer, DPOPairs(pairs=PAIRS), beta=0.1, learning_rate=1e-3, epochs=2,
        batch_size=2, seed=0, progress=False,
    )  # fmt: skip
    assert [h["step"] for h in result.history] == [1, 2, 3, 4]  # 2 epochs of 2 batches
    assert [h["epoch"] for h in result.history] == [0, 0, 1, 1]
    first = result.history[0]
    assert first["loss"] == pytest.approx(math.log(2))  # the policy starts at the reference
    assert first["rewards/margin"] == 0 and first["rewards/accuracy"] == 0
    assert result.wall_time_s > 0 and result.peak_memory_bytes > 2**20
    assert list(result.to_dataframe()["step"]) == [1, 2, 3, 4]
    with pytest.raises(LabsError, match="tied"):
        train_dpo(policy, tokenizer, [], beta=0.1, learning_rate=1e-3, progress=False)


def test_sampled_kl_is_zero_at_the_start_and_matches_the_exact_kl(tiny_t5):
    # a vocabulary of 6 tokens and responses of at most 2: 31 responses to enumerate
    policy = lora(tiny_t5(seed=3, vocab_size=6))
    at_start = sampled_kl(policy, StubTokenizer(), ["x"] * 20, max_new_tokens=2, batch_size=20)
    assert (at_start == 0).all()
    perturb_adapter(policy, std=1.0)
    responses = [[1, 0]] + [[a, b] for a in (0, 2, 3, 4, 5) for b in range(6)]
    ids = torch.tensor(responses)
    mask = torch.tensor([[1, 0]] + [[1, 1]] * 30)
    query_ids, query_mask = StubTokenizer()(["x"])["input_ids"], torch.ones(1, 2, dtype=torch.long)
    q = (query_ids.expand(31, -1), query_mask.expand(31, -1))
    with torch.no_grad():
        logp = sequence_logprobs(policy, *q, ids, mask).double()
        logq = reference_logprobs(policy, *q, ids, mask).double()
    assert logp.exp().sum().item() == pytest.approx(1.0, abs=1e-5)  # every response counted
    exact = (logp.exp() * (logp - logq)).sum().item()
    estimate = sampled_kl(  # 500 prompts x 4 samples
        policy, StubTokenizer(), ["x"] * 500, max_new_tokens=2, n_samples=4, batch_size=500
    ).double()
    standard_error = estimate.std().item() / math.sqrt(len(estimate))
    assert exact > 0.1 and standard_error < 0.1 * exact
    assert abs(estimate.mean().item() - exact) < 4 * standard_error


def test_sampled_kl_puts_each_estimate_at_its_prompt(tiny_t5):
    # two kinds of prompt with different exact KLs, interleaved; sampled_kl batches them by
    # length, so an estimate put back at the wrong position mixes the two kinds
    policy = lora(tiny_t5(seed=3, vocab_size=6))
    perturb_adapter(policy, std=1.0)
    tokenizer = LengthStubTokenizer()
    responses = torch.tensor([[1, 0]] + [[a, b] for a in (0, 2, 3, 4, 5) for b in range(6)])
    mask = torch.tensor([[1, 0]] + [[1, 1]] * 30)
    exact = {}
    for prompt in ("a", "dcdb"):
        enc = tokenizer([prompt], padding=True)
        q = (enc["input_ids"].expand(31, -1), enc["attention_mask"].expand(31, -1))
        with torch.no_grad():
            logp = sequence_logprobs(policy, *q, responses, mask).double()
            logq = reference_logprobs(policy, *q, responses, mask).double()
        exact[prompt] = (logp.exp() * (logp - logq)).sum().item()
    prompts = ["a", "dcdb"] * 300
    estimate = sampled_kl(
        policy, tokenizer, prompts, max_new_tokens=2, n_samples=4, batch_size=64
    ).double()
    for k, prompt in enumerate(("a", "dcdb")):
        kind = estimate[k::2]
        standard_error = kind.std().item() / math.sqrt(len(kind))
        assert abs(kind.mean().item() - exact[prompt]) < 4 * standard_error
    assert abs(exact["a"] - exact["dcdb"]) > 0.2 * max(exact.values())


class LengthStubTokenizer:
    """Tokenizes each character of "abcd" as id 2-5, then eos (1): lists of ids of each
    text's own length, or (with ``padding=True``) tensors right-padded with 0."""

    def __call__(self, texts, padding=False, **kwargs):
        rows = [[2 + "abcd".index(c) for c in t] + [1] for t in texts]
        if not padding:
            return {"input_ids": rows}
        longest = max(map(len, rows))
        ids = torch.tensor([r + [0] * (longest - len(r)) for r in rows])
        return BatchStub(input_ids=ids, attention_mask=(ids != 0).long())


class StubTokenizer:
    """Tokenizes any prompt as the ids [2, 1] (enough for a model with 6 tokens)."""

    def __call__(self, texts, **kwargs):
        ids = torch.tensor([[2, 1]] * len(texts))
        return BatchStub(input_ids=ids, attention_mask=torch.ones_like(ids))


class BatchStub(dict):
    def to(self, device):
        return self


# ---- on-policy pairs ---------------------------------------------------------------------


def test_pairs_take_the_best_and_worst_sample_and_drop_ties(tokenizer):
    from transformers import AutoModelForSeq2SeqLM

    model = AutoModelForSeq2SeqLM.from_pretrained(TINY_T5_DIR)
    dialogues = [f"#Person1#: Hello, I am {n}.\n#Person2#: Nice to meet you." for n in "ABCDEF"]
    seen: list[str] = []
    # rewards of 3 samples per dialogue: 0 ties exactly, 1 within the tie margin (1e-3); 2 and
    # 3 rank their samples; in 4 and 5 a sample ties with the best or the worst: the first
    # drawn of the tied ones is taken
    table = [
        [0.5, 0.5, 0.5],
        [0.2, 0.2005, 0.2],
        [0.1, 0.9, 0.4],
        [-0.3, -0.7, -0.1],
        [0.9, 0.5, 0.9005],
        [0.5005, 0.5, 0.9],
    ]

    def reward_fn(texts: list[str]) -> torch.Tensor:
        seen.extend(texts)  # sample k of dialogue i at 6k + i
        return torch.tensor([table[i][k] for k in range(3) for i in range(6)])

    pairs = make_dpo_pairs(
        model, tokenizer, dialogues, reward_fn, n_samples=3, seed=0, max_new_tokens=12,
        min_gap=1e-3, progress=False,
    )  # fmt: skip
    assert len(seen) == 18 and all(isinstance(t, str) for t in seen)
    assert (len(pairs), pairs.n_ties, pairs.n_dialogues, pairs.n_samples) == (4, 2, 6, 3)
    expected = {2: (1, 0), 3: (2, 1), 4: (0, 1), 5: (2, 0)}  # dialogue: (chosen, rejected)
    for pair, (i, (best, worst)) in zip(pairs.pairs, expected.items(), strict=True):
        assert pair["prompt"].endswith(
            f"I am {'ABCDEF'[i]}.\n#Person2#: Nice to meet you.\n\nSummary: "
        )
        assert (pair["chosen"], pair["rejected"]) == (seen[6 * best + i], seen[6 * worst + i])
        assert (pair["chosen_reward"], pair["rejected_reward"]) == pytest.approx(
            (table[i][best], table[i][worst])
        )
    assert "4 preference pairs from 6 training dialogues" in str(pairs)
    assert "2 ties dropped" in str(pairs)
    with pytest.raises(LabsError, match="two samples"):
        make_dpo_pairs(model, tokenizer, dialogues, reward_fn, n_samples=1)


STUB_MODEL = SimpleNamespace(
    config=SimpleNamespace(decoder_start_token_id=0, eos_token_id=1, pad_token_id=0)
)


def test_length_filter_pairs_only_samples_of_similar_length(tokenizer, monkeypatch):
    import utils.generation

    dialogues = [f"#Person1#: Hi, I am {n}.\n#Person2#: Hello." for n in "ABCD"]
    # 3 samples per dialogue (k * 4 + i), with their word counts and rewards
    texts = [
        ["one two", "one two three four five", "a b c d e f"],  # 2, 5, 6 words
        ["x y z", "x y z w", "x"],  # 3, 4, 1
        ["p q", "p q r s t u v w", "p q r s t u v w x"],  # 2, 8, 9
        ["same", "same", "same"],  # ties
    ]
    table = [[-0.9, -0.5, 0.0], [0.0, -0.9, -0.1], [-0.2, 0.0, -0.9], [0.0, 0.0, 0.0]]
    samples = [texts[i][k] for k in range(3) for i in range(4)]
    monkeypatch.setattr(utils.generation, "summarize", lambda *args, **kwargs: samples)

    def reward_fn(given: list[str]) -> torch.Tensor:
        assert given == samples
        return torch.tensor([table[i][k] for k in range(3) for i in range(4)])

    def pairs_with(ratio):
        return make_dpo_pairs(
            STUB_MODEL, tokenizer, dialogues, reward_fn, n_samples=3, min_gap=0.05,
            length_ratio=ratio, progress=False,
        )  # fmt: skip

    # unfiltered: best vs worst of each dialogue but the tied one
    plain = pairs_with(None)
    assert [(p["chosen"], p["rejected"]) for p in plain.pairs] == [
        ("a b c d e f", "one two"),
        ("x y z", "x y z w"),
        ("p q r s t u v w", "p q r s t u v w x"),
    ]
    # chosen within 1.5x of the rejected either way: dialogue 0 pairs 6 with 5 words (the
    # largest gap that fits, 0.5); 1 and 2 keep their pairs (3 vs 4 words, 8 vs 9)
    banded = pairs_with((1 / 1.5, 1.5))
    assert [(p["chosen"], p["rejected"]) for p in banded.pairs] == [
        ("a b c d e f", "one two three four five"),
        ("x y z", "x y z w"),
        ("p q r s t u v w", "p q r s t u v w x"),
    ]
    assert (banded.n_ties, banded.n_length_dropped) == (1, 0)
    # within 1.2x: only dialogue 0 (6 vs 5 words) and 2 (8 vs 9) fit; dialogue 1 is dropped
    tight = pairs_with((1 / 1.2, 1.2))
    assert [p["chosen"] for p in tight.pairs] == ["a b c d e f", "p q r s t u v w"]
    assert (tight.n_ties, tight.n_length_dropped) == (1, 1)
    assert "1 dropped by the length filter" in str(tight)
    # the chosen no shorter than the rejected: each dialogue's largest gap among those pairs
    longer = pairs_with((1.0, 10.0))
    assert [(p["chosen"], p["rejected"]) for p in longer.pairs] == [
        ("a b c d e f", "one two"),  # 6 vs 2 words, gap 0.9
        ("x y z", "x"),  # 3 vs 1 (3 vs 4 would be shorter), gap 0.1
        ("p q r s t u v w", "p q"),  # 8 vs 2 (8 vs 9 would be shorter), gap 0.2
    ]
    assert [p["rejected_reward"] for p in longer.pairs] == pytest.approx([-0.9, -0.1, -0.2])
