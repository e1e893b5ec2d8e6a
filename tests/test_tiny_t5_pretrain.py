"""flan-t5-tiny's pretraining loop (world/tiny_t5.py): resumable bit for bit, the relative
biases in their own optimizer group, the curriculum's short prompts first. A few steps of
the real model on the real mix, with the shipped tokenizer."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoTokenizer

from utils.paths import TINY_T5_DIR
from world.corpus import SPLIT_SEEDS, generate_split
from world.tiny_t5 import ATTRIBUTION_WEIGHTS, RELATIVE_BIAS_LR, pretrain


@pytest.fixture(scope="module")
def setup():
    torch.set_num_threads(1)
    tok = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    rows = generate_split("pretrain", 24, SPLIT_SEEDS["pretrain"], 0.5)
    return tok, rows


def _train(setup, tmp, **kw):
    tok, rows = setup
    torch.manual_seed(0)
    kw = {"epochs": 1, "batch_size": 4, "ckpt_every": 2, "curriculum_steps": 3, **kw}
    model = pretrain(rows, tok, tmp / "model", ckpt_dir=tmp / "ckpt", log=lambda _: None, **kw)
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_an_interrupted_run_resumes_to_the_same_weights(setup, tmp_path):
    whole = _train(setup, tmp_path / "a", weights=ATTRIBUTION_WEIGHTS)
    _train(setup, tmp_path / "b", weights=ATTRIBUTION_WEIGHTS, max_steps=3)  # interrupted
    assert json.loads((tmp_path / "b" / "ckpt" / "trained.json").read_text())["trained"] == 3
    resumed = _train(setup, tmp_path / "b", weights=ATTRIBUTION_WEIGHTS)
    assert all(torch.equal(whole[k], resumed[k]) for k in whole)
    assert not torch.equal(whole["shared.weight"], _train(setup, tmp_path / "c")["shared.weight"])


def test_relative_biases_train_in_their_own_group_at_their_own_rate(setup, tmp_path):
    _train(setup, tmp_path, max_steps=2)
    state = torch.load(tmp_path / "ckpt" / "step_000002.state.pt", weights_only=False)
    groups = state["opt"]["param_groups"]
    assert len(groups) == 2 and len(groups[1]["params"]) == 2  # encoder's and decoder's
    assert groups[1]["weight_decay"] == 0.0 and groups[0]["weight_decay"] == 0.01
    assert groups[1]["initial_lr"] == RELATIVE_BIAS_LR and groups[0]["initial_lr"] == 2e-3
    # a continuing model keeps one rate unless told otherwise
    _train(setup, tmp_path / "next", init_dir=tmp_path / "model", max_steps=2, lr=1e-3)
    state = torch.load(tmp_path / "next" / "ckpt" / "step_000002.state.pt", weights_only=False)
    assert [g["initial_lr"] for g in state["opt"]["param_groups"]] == [1e-3, 1e-3]


def test_a_fresh_model_starts_from_the_local_biases(setup, tmp_path):
    _train(setup, tmp_path, max_steps=2, lr=0.0, bias_lr=0.0)  # no update: the start itself
    weights = load_file(str(tmp_path / "ckpt" / "step_000002.safetensors"))
    bias = weights["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
    assert bias[0].abs().max() == 0 and bias[1:16].max() < 0  # distance 0 free, left costs
