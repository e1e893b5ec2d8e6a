import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig

from utils.errors import LabsError
from utils.generation import (
    batches_by_length,
    ensure_safe_dtype,
    get_device,
    greedy_margins,
    summarize,
)
from utils.paths import TINY_T5_DIR
from utils.prompts import zero_shot_prompt


@pytest.fixture(scope="module")
def model_and_tokenizer():
    tokenizer = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    model = AutoModelForSeq2SeqLM.from_pretrained(TINY_T5_DIR)
    return model, tokenizer


@pytest.fixture(scope="module")
def prompts(tiny_profile):
    from utils.data import load_dialogsum

    test = load_dialogsum(tiny_profile)["test"]
    return [zero_shot_prompt(d) for d in test["dialogue"][:24]]


GREEDY = GenerationConfig(max_new_tokens=30, do_sample=False)


def test_batched_greedy_equals_one_at_a_time_in_order(model_and_tokenizer, prompts):
    model, tokenizer = model_and_tokenizer
    batched = summarize(model, tokenizer, prompts, GREEDY, batch_size=8, progress=False)
    single = [
        summarize(model, tokenizer, [p], GREEDY, batch_size=1, progress=False)[0] for p in prompts
    ]
    assert batched == single
    assert len(set(batched)) > 1  # different dialogues, different summaries


def test_samples_per_text_come_back_sample_major(model_and_tokenizer, prompts):
    # top_k=1 samples the argmax: every draw of a text is its greedy summary, so a draw put
    # at another text's place (a text-major vs sample-major mix-up) shows as a mismatch
    model, tokenizer = model_and_tokenizer
    texts = prompts[:7]
    greedy = summarize(model, tokenizer, texts, GREEDY, batch_size=8, progress=False)
    assert len(set(greedy)) > 3
    argmax_sampling = GenerationConfig(max_new_tokens=30, do_sample=True, top_k=1)
    for batch_size in (1, 8):  # one text per call (rows > batch) and several
        flat = summarize(
            model, tokenizer, texts, argmax_sampling, batch_size=batch_size, progress=False,
            samples_per_text=3,
        )  # fmt: skip
        assert flat == greedy * 3


def test_samples_per_text_draws_differ_and_need_sampling(model_and_tokenizer, prompts):
    model, tokenizer = model_and_tokenizer
    sampling = GenerationConfig(max_new_tokens=30, do_sample=True, top_k=0, top_p=1.0)
    torch.manual_seed(0)
    flat = summarize(model, tokenizer, prompts[:4], sampling, progress=False, samples_per_text=4)
    assert len(flat) == 16 and all(flat)
    assert any(len({flat[k * 4 + i] for k in range(4)}) > 1 for i in range(4))
    with pytest.raises(ValueError, match="do_sample=True"):
        summarize(model, tokenizer, prompts[:2], GREEDY, progress=False, samples_per_text=2)


def test_empty_input_is_refused(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    with pytest.raises(LabsError, match=r"1 of the 2 texts .* position 1 is empty"):
        summarize(model, tokenizer, ["fine text", ""], GREEDY, progress=False)
    with pytest.raises(LabsError, match=r"position\(s\) \[0, 2\]; position 0 is NoneType"):
        summarize(model, tokenizer, [None, "fine text", "  "], GREEDY, progress=False)
    assert summarize(model, tokenizer, [], GREEDY, progress=False) == []


def test_a_bare_string_is_refused_not_split_into_characters(model_and_tokenizer, prompts):
    model, tokenizer = model_and_tokenizer
    with pytest.raises(LabsError, match=r"got one string .*wrap it in a list"):
        summarize(model, tokenizer, prompts[0], GREEDY, progress=False)
    as_tuple = summarize(model, tokenizer, (p for p in prompts[:2]), GREEDY, progress=False)
    assert as_tuple == summarize(model, tokenizer, prompts[:2], GREEDY, progress=False)


def test_long_inputs_warn_and_are_cut(model_and_tokenizer, prompts):
    model, tokenizer = model_and_tokenizer
    with pytest.warns(UserWarning, match="exceed 16 tokens"):
        out = summarize(model, tokenizer, prompts[:2], GREEDY, max_input_tokens=16, progress=False)
    assert len(out) == 2


def test_t5_is_never_run_in_float16(model_and_tokenizer):
    model, _ = model_and_tokenizer
    half = AutoModelForSeq2SeqLM.from_pretrained(TINY_T5_DIR, dtype=torch.float16)
    with pytest.warns(UserWarning, match="float16"):
        safe = ensure_safe_dtype(half)
    assert safe.dtype == torch.float32
    assert ensure_safe_dtype(model) is model


def test_device_is_a_torch_device():
    assert get_device().type in ("cuda", "mps", "cpu")


def test_tiny_path_makes_no_network_connection(no_network, tiny_profile):
    """Data loading, model loading, generation and both evaluations with sockets blocked."""
    from utils.data import load_dialogsum
    from utils.evaluation import load_toxicity, rouge_scores

    test = load_dialogsum(tiny_profile)["test"].select(range(4))
    tokenizer = AutoTokenizer.from_pretrained(tiny_profile.model_id)
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_profile.model_id)
    summaries = summarize(
        model, tokenizer, [zero_shot_prompt(d) for d in test["dialogue"]], GREEDY, progress=False
    )
    rouge = rouge_scores(summaries, test["summary"])
    toxicity = load_toxicity(tiny_profile.toxicity_model_id).compute(
        predictions=summaries, toxic_label=tiny_profile.toxic_label, aggregation="mean"
    )
    assert 0.0 <= rouge["rouge1"] <= 1.0
    assert 0.0 <= toxicity["mean_toxicity"] <= 1.0
    assert no_network == []  # nothing even tried to connect


def test_corrupted_model_hint_offers_git_checkout_before_make_assets(tmp_path):
    import shutil

    from utils.errors import explain_load_errors

    broken = tmp_path / "flan-t5-tiny"
    shutil.copytree(TINY_T5_DIR, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # a truncated download or bad copy
    with pytest.raises(LabsError) as info, explain_load_errors("model", str(broken)):
        AutoModelForSeq2SeqLM.from_pretrained(broken)
    message = str(info.value)
    assert message.startswith(f"Could not load the model from {str(broken)!r}: the folder")
    assert message.index("`git checkout -- assets`") < message.index("`make assets`")
    with pytest.raises(LabsError, match="does not exist: restore the shipped files with `git"):
        with explain_load_errors("model", str(tmp_path / "missing")):
            AutoModelForSeq2SeqLM.from_pretrained(tmp_path / "missing")


def test_greedy_margins_match_the_gaps_generate_saw(model_and_tokenizer, prompts):
    """Independent of greedy_margins' teacher forcing: generate() one prompt at a time, keep
    the raw logits of each step, and take the smallest top-1 minus top-2 log-prob gap."""
    model, tokenizer = model_and_tokenizer
    expected, texts = [], []
    for prompt in prompts[:12]:
        inputs = tokenizer(prompt, return_tensors="pt")
        out = model.generate(
            **inputs,
            generation_config=GenerationConfig(max_new_tokens=60, do_sample=False),
            output_logits=True,
            return_dict_in_generate=True,
        )
        assert out.sequences[0, -1] == tokenizer.eos_token_id  # ended by itself, not cut
        steps = torch.cat(out.logits).log_softmax(-1).topk(2, dim=-1).values  # (T, 2)
        expected.append((steps[:, 0] - steps[:, 1]).min().item())
        texts.append(tokenizer.decode(out.sequences[0], skip_special_tokens=True))
    # batches of 5 mix output lengths, so pads must be left out of the minimum
    got = greedy_margins(model, tokenizer, prompts[:12], texts, batch_size=5)
    assert got.shape == (12,)
    assert torch.allclose(got, torch.tensor(expected), atol=1e-3), (got, expected)
    assert (got > 0).all() and got.min() < got.max()


def test_greedy_margins_need_one_output_per_prompt(model_and_tokenizer, prompts):
    model, tokenizer = model_and_tokenizer
    with pytest.raises(LabsError, match="one output per prompt: 2 prompts, 1 outputs"):
        greedy_margins(model, tokenizer, prompts[:2], ["a summary"])
    assert greedy_margins(model, tokenizer, [], []).shape == (0,)  # e.g. no clean dialogue


def test_batches_by_length_go_longest_first_and_keep_ties_in_input_order():
    assert batches_by_length([3, 7, 5, 7, 1], 2) == [[1, 3], [2, 0], [4]]
    assert batches_by_length([], 4) == []
