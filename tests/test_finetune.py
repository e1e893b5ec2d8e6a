"""Unit tests of utils/finetune.py: preprocessing, trainer settings, LoRA config, the trainer
builder, costs, and lab 3's starting policy (checked and saved atomically)."""

from __future__ import annotations

import copy
import errno
import os
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from datasets import Dataset, DatasetDict
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    DataCollatorForSeq2Seq,
    Seq2SeqTrainer,
    T5ForConditionalGeneration,
)

from utils.errors import LabsError
from utils.finetune import (
    IGNORE_INDEX,
    ParameterCount,
    adapter_is_newer,
    build_lora_config,
    build_training_args,
    count_parameters,
    format_bytes,
    lora_summarizer,
    make_preprocess,
    make_trainer,
    size_on_disk,
    subsample,
    tokenize_dialogsum,
    weights_bytes,
    weights_checksum,
)
from utils.paths import TINY_T5_DIR
from utils.profiles import COURSE, TINY
from utils.prompts import INSTRUCTION_TEMPLATE

needs_tokenizer = pytest.mark.skipif(
    not (TINY_T5_DIR / "tokenizer.json").is_file(),
    reason="the tiny tokenizer is not built (make assets)",
)


def _dialogsum(n: int) -> DatasetDict:
    def split(name: str) -> Dataset:
        return Dataset.from_dict(
            {
                "id": [f"{name}_{i}" for i in range(n)],
                "dialogue": [
                    f"#Person1#: Hello {i}.\n#Person2#: Hi, how are you {i}?" for i in range(n)
                ],
                "summary": [f"Person1 greets Person2 {'again ' * (i % 4)}." for i in range(n)],
                "topic": ["greeting"] * n,
            }
        )

    return DatasetDict({s: split(s) for s in ("train", "validation", "test")})


@pytest.fixture(scope="module")
def tokenizer():
    if not (TINY_T5_DIR / "tokenizer.json").is_file():
        pytest.skip("the tiny tokenizer is not built (make assets)")
    return AutoTokenizer.from_pretrained(TINY_T5_DIR)


@pytest.fixture
def small_t5(tiny_t5) -> T5ForConditionalGeneration:
    """A fresh seeded T5 with two encoder and two decoder layers (the LoRA count needs two)."""
    return tiny_t5(seed=0, vocab_size=64, num_layers=2)


# ---- subsample ----


def test_subsample_keeps_every_nth_row_of_train_and_validation_only() -> None:
    data = _dialogsum(10)
    small = subsample(data, 3)
    assert small["train"]["id"] == ["train_0", "train_3", "train_6", "train_9"]
    assert small["validation"]["id"] == [
        "validation_0",
        "validation_3",
        "validation_6",
        "validation_9",
    ]
    assert small["test"].num_rows == 10  # evaluation keeps its own size
    assert data["train"].num_rows == 10  # the input is not changed


def test_subsample_by_one_keeps_everything_and_rejects_zero() -> None:
    data = _dialogsum(5)
    assert {k: v.num_rows for k, v in subsample(data, 1).items()} == {
        "train": 5,
        "validation": 5,
        "test": 5,
    }
    with pytest.raises(LabsError, match="every_nth"):
        subsample(data, 0)


# ---- preprocessing ----


def test_preprocess_wraps_the_dialogue_in_the_course_prompt(tokenizer) -> None:
    batch = _dialogsum(2)["train"][:2]
    features = make_preprocess(tokenizer, 512, 64)(batch)
    assert set(features) == {"input_ids", "attention_mask", "labels"}
    prompt = tokenizer.decode(features["input_ids"][0], skip_special_tokens=True)
    assert prompt.startswith("Summarize the following conversation.")
    assert "#Person1#: Hello 0." in prompt
    assert prompt.rstrip().endswith("Summary:")
    assert (
        features["input_ids"][0]
        == tokenizer(INSTRUCTION_TEMPLATE.format(dialogue=batch["dialogue"][0]))["input_ids"]
    )
    assert tokenizer.decode(features["labels"][1], skip_special_tokens=True) == batch["summary"][1]
    # Not padded here: rows keep their own lengths.
    assert len(features["labels"][0]) != len(features["labels"][1])


def test_preprocess_truncates_source_and_target(tokenizer) -> None:
    features = make_preprocess(tokenizer, 8, 3)(_dialogsum(3)["train"][:3])
    assert max(len(ids) for ids in features["input_ids"]) == 8
    assert max(len(ids) for ids in features["labels"]) == 3


def test_collated_labels_pad_with_ignore_index_so_padding_adds_no_loss(tokenizer) -> None:
    profile = replace(TINY, lab2=replace(TINY.lab2, max_target_tokens=64))
    tokenized = tokenize_dialogsum(_dialogsum(4), tokenizer, profile)
    assert tokenized["train"].column_names == ["input_ids", "attention_mask", "labels"]
    rows = [tokenized["train"][i] for i in range(4)]
    batch = DataCollatorForSeq2Seq(tokenizer)(rows)
    lengths = [len(r["labels"]) for r in rows]
    assert batch["labels"].shape == (4, max(lengths))
    for i, n in enumerate(lengths):
        assert batch["labels"][i, :n].tolist() == rows[i]["labels"]
        assert (batch["labels"][i, n:] == IGNORE_INDEX).all()
    assert (batch["input_ids"][batch["attention_mask"] == 0] == tokenizer.pad_token_id).all()


def test_padding_labels_does_not_change_the_loss(small_t5) -> None:
    model = small_t5
    inputs = torch.tensor([[5, 6, 7, 1]])
    short = torch.tensor([[8, 9, 1]])
    padded = torch.tensor([[8, 9, 1, IGNORE_INDEX, IGNORE_INDEX]])
    with torch.no_grad():
        loss_short = model(input_ids=inputs, labels=short).loss
        loss_padded = model(input_ids=inputs, labels=padded).loss
    assert torch.allclose(loss_short, loss_padded)


# ---- trainer settings and LoRA config ----


@pytest.mark.parametrize("method", ["full", "lora"])
def test_training_args_come_from_the_profile(tmp_path: Path, method: str) -> None:
    args = build_training_args(TINY, method, tmp_path)
    lab2 = TINY.lab2
    rate = lab2.full_ft_learning_rate if method == "full" else lab2.lora_learning_rate
    n_epochs = lab2.full_ft_epochs if method == "full" else lab2.lora_epochs
    assert args.learning_rate == rate
    assert args.num_train_epochs == n_epochs
    assert args.per_device_train_batch_size == lab2.train_batch_size
    assert args.logging_steps == lab2.logging_steps
    assert args.seed == TINY.seed
    assert args.report_to in ([], "none", ["none"])
    assert args.save_strategy == "no"
    assert args.average_tokens_across_devices is False
    assert args.output_dir == str(tmp_path)


def test_training_args_overrides_and_unknown_method(tmp_path: Path) -> None:
    args = build_training_args(COURSE, "full", tmp_path, max_steps=3, learning_rate=0.5)
    assert (args.max_steps, args.learning_rate) == (3, 0.5)
    with pytest.raises(LabsError, match="qlora"):
        build_training_args(COURSE, "qlora", tmp_path)


def test_lora_config_course_values() -> None:
    config = build_lora_config(COURSE)
    assert (config.r, config.lora_alpha, config.lora_dropout) == (32, 32, 0.05)
    assert set(config.target_modules) == {"q", "v"}
    assert str(config.task_type).endswith("SEQ_2_SEQ_LM")


# PEFT still calls a helper transformers 5 renamed: harmless.
@pytest.mark.filterwarnings("ignore:.*is_gradient_checkpointing:FutureWarning")
def test_lora_trains_a_small_share_and_leaves_the_base_frozen(small_t5) -> None:
    from peft import get_peft_model

    model = small_t5
    before = count_parameters(model)
    assert before.trainable == before.total
    two = replace(TINY, lab2=replace(TINY.lab2, lora_r=2))
    peft_model = get_peft_model(model, build_lora_config(two))
    after = count_parameters(peft_model)
    # r * (d_in + d_out) per adapted matrix: q and v of 2 encoder + 4 decoder attentions.
    assert after.trainable == 2 * (32 + 32) * 2 * (2 + 4)
    assert after.total == before.total + after.trainable
    assert all("lora_" in n for n, p in peft_model.named_parameters() if p.requires_grad)


# ---- the trainer builder: lab 2's recipe once ----

needs_tiny_model = pytest.mark.skipif(
    not (TINY_T5_DIR / "model.safetensors").is_file(), reason="the tiny model is not built"
)
# PEFT still calls a helper transformers 5 renamed: harmless.
quiet_peft = pytest.mark.filterwarnings("ignore:.*is_gradient_checkpointing:FutureWarning")


def _tiny_model() -> T5ForConditionalGeneration:
    return AutoModelForSeq2SeqLM.from_pretrained(TINY_T5_DIR)


@needs_tiny_model
@pytest.mark.parametrize("method", ["full", "lora"])
@quiet_peft
def test_make_trainer_is_lab2s_recipe(tokenizer, tmp_path: Path, method: str) -> None:
    rows = _dialogsum(6)["train"]
    trainer = make_trainer(TINY, method, _tiny_model(), tokenizer, rows, tmp_path / "t")
    built = build_training_args(TINY, method, tmp_path / "t").to_dict()
    assert trainer.args.to_dict() == built
    assert type(trainer) is Seq2SeqTrainer
    # the rows in the course's prompt, summaries as labels, other columns gone
    data = trainer.train_dataset
    assert data.column_names == ["input_ids", "attention_mask", "labels"]
    assert data.num_rows == 6
    assert (
        data[0]["input_ids"]
        == tokenizer(INSTRUCTION_TEMPLATE.format(dialogue=rows[0]["dialogue"]))["input_ids"]
    )
    assert tokenizer.decode(data[1]["labels"], skip_special_tokens=True) == rows[1]["summary"]
    # batches pad labels with the index the loss skips
    batch = trainer.data_collator([data[0], data[1]])
    assert (batch["labels"] == IGNORE_INDEX).sum() == abs(
        len(data[0]["labels"]) - len(data[1]["labels"])
    )
    counts = count_parameters(trainer.model)
    if method == "full":
        assert counts.trainable == counts.total
    else:
        assert trainer.model.peft_config["default"].to_dict() == {
            **build_lora_config(TINY).to_dict(),
            "base_model_name_or_path": str(TINY_T5_DIR),
        }
        assert 0 < counts.share < 0.05


@needs_tiny_model
@quiet_peft
def test_make_trainer_seeds_the_adapter_so_every_caller_starts_alike(tokenizer, tmp_path: Path):
    """Lab 3 rebuilds lab 2's adapter: the same seed must give the same random LoRA start."""
    rows = _dialogsum(2)["train"]

    def adapter_start(seed: int) -> str:
        profile = replace(TINY, seed=seed)
        trainer = make_trainer(profile, "lora", _tiny_model(), tokenizer, rows, tmp_path / "t")
        return weights_checksum(trainer.model)

    torch.manual_seed(123)  # whatever ran before must not matter
    first = adapter_start(42)
    torch.manual_seed(999)
    assert adapter_start(42) == first
    assert adapter_start(43) != first


@needs_tiny_model
def test_make_trainer_takes_a_trainer_class_and_overrides(tokenizer, tmp_path: Path) -> None:
    class Counting(Seq2SeqTrainer):
        pass

    rows = _dialogsum(2)["train"]
    trainer = make_trainer(
        TINY, "full", _tiny_model(), tokenizer, rows, tmp_path, trainer_class=Counting, max_steps=3
    )
    assert type(trainer) is Counting and trainer.args.max_steps == 3
    with pytest.raises(LabsError, match="qlora"):
        make_trainer(TINY, "qlora", _tiny_model(), tokenizer, rows, tmp_path)


# ---- lab 3's starting policy: trained, checked before training, saved atomically ----


@pytest.fixture
def one_step() -> object:
    """The tiny profile, one optimizer step of two rows: the recipe, not its result."""
    return replace(TINY, lab2=replace(TINY.lab2, max_steps=1, train_batch_size=2))


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and refuse) any call to ``Seq2SeqTrainer.train``."""
    calls: list[str] = []

    def refuse(self, *args, **kwargs):
        calls.append("train")
        raise AssertionError("training started")

    monkeypatch.setattr(Seq2SeqTrainer, "train", refuse)
    return calls


def _read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write test in a folder fails as on a read-only file system (the tests may run as
    root, whom ``chmod`` does not stop)."""

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("utils.paths.tempfile.NamedTemporaryFile", refuse)


@needs_tiny_model
def test_lora_summarizer_stops_before_training_when_it_cannot_save(
    tokenizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_step, no_training
) -> None:
    _read_only(monkeypatch)
    adapter_dir = tmp_path / "lab2" / "lora-adapter"
    with pytest.raises(LabsError, match="Read-only file system.*LoRA adapter") as error:
        lora_summarizer(one_step, tokenizer, _dialogsum(4), adapter_dir)
    assert "LABS_OUTPUTS_DIR" in str(error.value) and "\n" not in str(error.value)
    assert no_training == [] and not adapter_dir.exists()


@needs_tiny_model
def test_lora_summarizer_stops_before_training_when_a_file_blocks_the_folder(
    tokenizer, tmp_path: Path, one_step, no_training
) -> None:
    (tmp_path / "lab2").write_text("not a folder")
    with pytest.raises(LabsError, match="is a file, not a folder"):
        lora_summarizer(one_step, tokenizer, _dialogsum(4), tmp_path / "lab2" / "lora-adapter")
    assert no_training == []


@needs_tiny_model
@quiet_peft
def test_a_save_that_fails_leaves_no_adapter_folder(
    tokenizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_step
) -> None:
    from peft import PeftModel

    def half_then_full_disk(self, folder, *args, **kwargs):
        (Path(folder) / "adapter_config.json").write_text("{}")  # written before the disk filled
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(PeftModel, "save_pretrained", half_then_full_disk)
    adapter_dir = tmp_path / "lab2" / "lora-adapter"
    with pytest.raises(OSError, match="No space left"):
        lora_summarizer(one_step, tokenizer, _dialogsum(4), adapter_dir)
    assert not adapter_dir.exists()
    assert [p.name for p in adapter_dir.parent.iterdir()] == ["lora-trainer"]  # no staging left


@needs_tiny_model
@quiet_peft
def test_lora_summarizer_trains_once_then_loads_the_same_summarizer(
    tokenizer, tmp_path: Path, one_step
) -> None:
    adapter_dir = tmp_path / "lab2" / "lora-adapter"
    trained, origin = lora_summarizer(one_step, tokenizer, _dialogsum(4), adapter_dir)
    assert "trained here with lab 2's LoRA recipe (1 steps)" in origin
    assert (adapter_dir / "adapter_model.safetensors").is_file()
    loaded, origin = lora_summarizer(one_step, tokenizer, _dialogsum(4), adapter_dir)
    assert origin == "lab 2's LoRA adapter, loaded from lora-adapter/"
    assert weights_checksum(loaded) == weights_checksum(trained)
    assert weights_checksum(trained) != weights_checksum(_tiny_model())  # the step moved it


# ---- costs ----


def test_weights_bytes_counts_every_or_only_trainable_parameters(small_t5) -> None:
    model = small_t5
    every = sum(p.numel() for p in model.parameters()) * 4  # float32: 4 bytes each
    assert weights_bytes(model) == every
    model.shared.weight.requires_grad_(False)
    assert weights_bytes(model, trainable_only=True) == every - model.shared.weight.numel() * 4
    assert weights_bytes(model.to(torch.bfloat16)) == every // 2


def test_count_parameters_counts_tied_weights_once_and_respects_freezing(small_t5) -> None:
    model = small_t5
    expected = sum(p.numel() for p in model.parameters())
    assert count_parameters(model).total == expected
    model.shared.weight.requires_grad_(False)
    count = count_parameters(model)
    assert count.trainable == expected - model.shared.weight.numel()
    assert 0 < count.share < 1


def test_parameter_count_prints_like_peft() -> None:
    assert str(ParameterCount(50, 1000)) == (
        "trainable params: 50 || all params: 1,000 || trainable%: 5.00"
    )
    assert ParameterCount(0, 0).share == 0.0


def test_size_on_disk_of_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.bin").write_bytes(b"y" * 234)
    assert size_on_disk(tmp_path / "a.bin") == 1000
    assert size_on_disk(tmp_path) == 1234
    with pytest.raises(LabsError, match="does not exist"):
        size_on_disk(tmp_path / "missing")


@pytest.mark.parametrize(
    "n_bytes, text",
    [
        (999, "999 B"),
        (14_200_000, "14.2 MB"),
        (945_000_000, "945.0 MB"),
        (230_400, "230.4 kB"),
        (3.2e12, "3200.0 GB"),
    ],
)
def test_format_bytes(n_bytes: float, text: str) -> None:
    assert format_bytes(n_bytes) == text


def test_weights_checksum_tracks_the_values_only(small_t5) -> None:
    model = small_t5
    twin = copy.deepcopy(model)
    assert weights_checksum(model) == weights_checksum(twin)
    with torch.no_grad():
        twin.lm_head.weight[0, 0] += 1e-6
    assert weights_checksum(model) != weights_checksum(twin)
    assert len(weights_checksum(model)) == 16


def test_an_adapter_older_than_the_local_model_weights_is_not_reused(tmp_path: Path) -> None:
    model_dir, adapter_dir = tmp_path / "model", tmp_path / "lora-adapter"
    model_dir.mkdir()
    adapter_dir.mkdir()
    weights, adapter = model_dir / "model.safetensors", adapter_dir / "adapter_model.safetensors"
    weights.write_bytes(b"w")
    adapter.write_bytes(b"a")
    os.utime(weights, (1_000, 1_000))
    os.utime(adapter, (2_000, 2_000))  # saved after the weights: lab 2 trained on them
    assert adapter_is_newer(adapter_dir, str(model_dir))
    os.utime(weights, (3_000, 3_000))  # the model was rebuilt or updated since
    assert not adapter_is_newer(adapter_dir, str(model_dir))
    assert adapter_is_newer(adapter_dir, "google/flan-t5-base")  # a Hub id: nothing to compare


def test_an_adapter_older_than_the_local_data_is_not_reused(tmp_path: Path) -> None:
    """New references (a rebuilt ``assets/dialogsum``) under an older adapter: retrain."""
    model_dir, data_dir, adapter_dir = tmp_path / "model", tmp_path / "data", tmp_path / "lora"
    for folder in (model_dir, data_dir, adapter_dir):
        folder.mkdir()
    weights, adapter = model_dir / "model.safetensors", adapter_dir / "adapter_model.safetensors"
    train = data_dir / "train.jsonl"
    for path, when in ((weights, 1_000), (train, 1_500), (adapter, 2_000)):
        path.write_bytes(b"x")
        os.utime(path, (when, when))
    assert adapter_is_newer(adapter_dir, str(model_dir), str(data_dir))
    os.utime(train, (3_000, 3_000))  # the references changed after lab 2 ran
    assert not adapter_is_newer(adapter_dir, str(model_dir), str(data_dir))
    assert adapter_is_newer(adapter_dir, str(model_dir))  # the weights alone: still newer
    assert adapter_is_newer(adapter_dir, str(model_dir), "knkarthick/dialogsum")  # a Hub id


def test_training_is_mixed_precision_exactly_where_the_profile_loads_bfloat16(
    monkeypatch, tmp_path
):
    """bfloat16 weights would round a 1e-5 step away: float32 weights, bf16 autocast instead."""
    import torch

    from utils import finetune
    from utils.profiles import COURSE, TINY

    assert finetune.build_training_args(TINY, "full", tmp_path).bf16 is False
    monkeypatch.setattr(finetune, "model_dtype", lambda profile: torch.bfloat16)
    # (use_cpu: this machine has no GPU, and the arguments refuse bf16 on a CPU otherwise)
    assert finetune.build_training_args(COURSE, "full", tmp_path, use_cpu=True).bf16 is True
