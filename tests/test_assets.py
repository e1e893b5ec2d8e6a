"""The shipped offline world in assets/: corpus schema and sizes, models loading offline."""

from __future__ import annotations

import json

import pytest

from utils.paths import (
    ASSETS_DIR,
    DIALOGSUM_DIR,
    TINY_CLASSIFIER_DIR,
    TINY_T5_DIR,
    TOXICITY_DATA_DIR,
)

MIN_ROWS = {"train": 2000, "validation": 200, "test": 500}


@pytest.fixture(scope="module")
def corpus():
    from datasets import load_dataset

    files = {s: str(DIALOGSUM_DIR / f"{s}.jsonl") for s in MIN_ROWS}
    return load_dataset("json", data_files=files)


def test_corpus_schema_and_split_sizes(corpus):
    for split, n in MIN_ROWS.items():
        ds = corpus[split]
        assert len(ds) >= n
        assert {"id", "dialogue", "summary", "topic", "abusive"} <= set(ds.column_names)
        assert ds[0]["dialogue"].startswith("#Person1#: ")
        assert ds[0]["id"] == f"{split}_0"
        share = sum(ds["abusive"]) / len(ds)
        assert 0.20 <= share <= 0.35
    assert sum(corpus["test"]["abusive"]) >= 100
    assert len(set(corpus["train"]["topic"])) >= 25
    dialogues = [d for s in MIN_ROWS for d in corpus[s]["dialogue"]]
    assert len(set(dialogues)) == len(dialogues)
    lengths = [len(d) for d in dialogues]
    assert min(lengths) <= 150 + 50 and max(lengths) >= 600


def test_toxicity_set_shipped_balanced():
    rows = [
        json.loads(line)
        for s in ("train", "validation", "test")
        for line in (TOXICITY_DATA_DIR / f"{s}.jsonl").read_text().splitlines()
    ]
    assert len(rows) >= 3000
    hate = sum(r["label"] == "hate" for r in rows) / len(rows)
    assert 0.45 <= hate <= 0.55
    nothate = [r for r in rows if r["label"] == "nothate"]
    assert sum(r["hard_negative"] for r in nothate) >= 0.15 * len(nothate)


def test_t5_tokenizer_follows_t5_conventions():
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    assert (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2)
    ids = tok("#Person1# asks #Person2# to book a table.").input_ids
    assert ids[-1] == 1
    assert tok.convert_ids_to_tokens(ids[0]) == "\u2581#Person1#"
    for text in [
        "#Person1# asks #Person2# to book a table for two at seven.",
        "I hate waiting in this queue, it's terrible!",
        "Good morning. How can I help you?",
    ]:
        assert tok.decode(tok(text).input_ids, skip_special_tokens=True) == text


def test_t5_loads_offline_and_summarizes_in_english(no_network):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig

    tok = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    model = AutoModelForSeq2SeqLM.from_pretrained(TINY_T5_DIR)
    gc = GenerationConfig.from_pretrained(TINY_T5_DIR)
    assert (gc.decoder_start_token_id, gc.eos_token_id, gc.pad_token_id) == (0, 1, 0)
    assert model.config.d_model <= 256 and model.num_parameters() < 5_000_000
    dialogue = (
        "#Person1#: Hello, is it possible to get a table for four this Friday?\n"
        "#Person2#: We are quite full, but I can give you a table at seven.\n"
        "#Person1#: That's perfect. The name is Tom.\n#Person2#: Thank you, Tom. See you on Friday."
    )
    prompt = f"Summarize the following conversation.\n\n{dialogue}\n\nSummary: "
    out = model.generate(**tok(prompt, return_tensors="pt"), max_new_tokens=50)
    text = tok.decode(out[0], skip_special_tokens=True)
    words = text.split()
    assert len(words) >= 3 and len(set(words)) >= 0.5 * len(words), text
    plain = [w.strip(".,?!'").replace("'", "").replace("-", "") for w in words if w[0] != "#"]
    assert all(w.isalnum() for w in plain), text
    assert no_network == []


def test_classifier_loads_through_pipeline_and_separates_insults(no_network):
    from transformers import AutoModelForSequenceClassification, pipeline

    model = AutoModelForSequenceClassification.from_pretrained(TINY_CLASSIFIER_DIR)
    assert model.config.id2label == {0: "nothate", 1: "hate"}
    assert model.config.label2id == {"nothate": 0, "hate": 1}
    clf = pipeline("text-classification", model=str(TINY_CLASSIFIER_DIR), top_k=None)
    scores = clf(
        [
            "You are such an idiot.",
            "#Person1# calls #Person2# a moron.",
            "I hate waiting in this queue.",
            "#Person1# books a table for two at Luigi's.",
        ]
    )
    hate = [next(s["score"] for s in row if s["label"] == "hate") for row in scores]
    assert hate[0] > 0.5 and hate[1] > 0.5
    assert hate[2] < 0.5 and hate[3] < 0.5
    assert no_network == []


def test_model_cards_and_total_size():
    for d in (TINY_T5_DIR, TINY_CLASSIFIER_DIR):
        card = (d / "README.md").read_text()
        assert "stand-in" in card and "Measured" in card
        assert (d / "model.safetensors").exists()
    total = sum(f.stat().st_size for f in ASSETS_DIR.rglob("*") if f.is_file())
    assert total <= 30 * 1024 * 1024


def test_value_positions_find_a_slot_value_however_it_is_tokenized():
    from transformers import AutoTokenizer

    from world.measure import value_positions

    tok = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    summary = "#Person1# asks #Person2# how to learn Japanese. #Person1# takes a class."
    pieces = tok.tokenize(summary)
    found = value_positions(pieces, {"japanese", "class"})
    assert [pieces[i] for i in found] == [p for p in pieces if "Japanese" in p or "class" in p]
    assert len(found) == 2
    assert value_positions(tok.tokenize("A tourist asks a passer-by the way."), {"japanese"}) == []
