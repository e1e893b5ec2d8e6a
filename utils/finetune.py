"""Lab 2's training recipe, once: the notebook, lab 3, ``world/`` and the DDP script share it.

``make_trainer`` is the recipe (base model -> LoRA adapter for ``"lora"`` -> DialogSum in the
course's prompt, labels padded with -100 so padding never counts in the loss ->
``Seq2SeqTrainer`` with the profile's arguments). Lab 2 writes the same
``Seq2SeqTrainingArguments(...)`` and ``LoraConfig(...)`` calls out in its own cells, because
that is what it teaches; ``tests/test_notebook_structure.py`` checks that both agree with
``build_training_args`` and ``build_lora_config`` here. Also: subsampling, trainable-parameter
counts, sizes on disk, a weights checksum and lab 3's starting policy (``lora_summarizer``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from datasets import Dataset, DatasetDict
from transformers import (
    DataCollatorForSeq2Seq,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
    set_seed,
)

from utils.errors import LabsError, explain_load_errors
from utils.generation import model_dtype
from utils.paths import atomic_folder, check_writable
from utils.profiles import Profile
from utils.prompts import zero_shot_prompt

METHODS = ("full", "lora")
"""Fine-tuning methods of lab 2."""

IGNORE_INDEX = -100
"""Label value the cross-entropy loss skips (PyTorch's ``ignore_index``)."""


# ---- data ----


def subsample(
    dataset: DatasetDict, every_nth: int, splits: tuple[str, ...] = ("train", "validation")
) -> DatasetDict:
    """Keep rows 0, n, 2n, ... of ``splits`` (the course kept every 100th); others untouched."""
    if every_nth < 1:
        raise LabsError(f"every_nth must be 1 or more (1 keeps every row), got {every_nth}.")
    if every_nth == 1:
        return DatasetDict(dict(dataset))
    out = dict(dataset)
    for split in splits:
        if split in out:
            out[split] = out[split].filter(lambda _, i: i % every_nth == 0, with_indices=True)
    return DatasetDict(out)


def make_preprocess(
    tokenizer: PreTrainedTokenizerBase,
    max_source_tokens: int,
    max_target_tokens: int,
    prompt: Callable[[str], str] = zero_shot_prompt,
) -> Callable[[dict], dict]:
    """A batched ``Dataset.map`` function: dialogue -> prompt -> input_ids, summary -> labels.

    Nothing is padded here: ``DataCollatorForSeq2Seq`` pads each batch to its longest row,
    inputs with the pad token and labels with -100, so padding adds nothing to the loss.
    """

    def preprocess(batch: dict) -> dict:
        prompts = [prompt(d) for d in batch["dialogue"]]
        features = tokenizer(prompts, truncation=True, max_length=max_source_tokens)
        targets = tokenizer(
            text_target=batch["summary"], truncation=True, max_length=max_target_tokens
        )
        features["labels"] = targets["input_ids"]
        return features

    return preprocess


def tokenize_dialogsum(
    dataset: Dataset | DatasetDict, tokenizer: PreTrainedTokenizerBase, profile: Profile
) -> Dataset | DatasetDict:
    """``dataset`` (one split, or every split of a ``DatasetDict``) as input_ids,
    attention_mask and labels; its other columns go."""
    preprocess = make_preprocess(tokenizer, profile.context_window, profile.lab2.max_target_tokens)
    columns = dataset.column_names
    if isinstance(columns, dict):  # a DatasetDict: every split has the same columns
        columns = next(iter(columns.values()))
    return dataset.map(preprocess, batched=True, remove_columns=columns)


# ---- trainer settings ----


def learning_rate(profile: Profile, method: str) -> float:
    """The profile's learning rate for ``method`` ("full" or "lora")."""
    _check_method(method)
    lab2 = profile.lab2
    return lab2.full_ft_learning_rate if method == "full" else lab2.lora_learning_rate


def epochs(profile: Profile, method: str) -> float:
    """The profile's number of epochs for ``method``."""
    _check_method(method)
    return profile.lab2.full_ft_epochs if method == "full" else profile.lab2.lora_epochs


def build_training_args(
    profile: Profile, method: str, output_dir: str | Path, **overrides
) -> Seq2SeqTrainingArguments:
    """The ``Seq2SeqTrainingArguments`` lab 2 writes out for ``method``; keywords override
    fields (the DDP script adds what only several processes need).

    Nothing is saved during training (``save_strategy="no"``): callers save what they need.
    """
    settings = dict(
        output_dir=str(output_dir),
        learning_rate=learning_rate(profile, method),
        num_train_epochs=epochs(profile, method),
        per_device_train_batch_size=profile.lab2.train_batch_size,
        weight_decay=0.01,
        max_steps=profile.lab2.max_steps,
        logging_steps=profile.lab2.logging_steps,
        seed=profile.seed,
        # mixed precision where the profile loads bfloat16 (the course's choice on a GPU): the
        # weights stay float32, since a 1e-5 step is below bfloat16's resolution for most
        bf16=model_dtype(profile) == torch.bfloat16,
        report_to="none",
        save_strategy="no",
        disable_tqdm=False,
        train_sampling_strategy="group_by_length",
        dataloader_pin_memory=torch.cuda.is_available(),  # pinning only speeds copies to a GPU
        # Each device averages its own loss and DDP averages the gradients. With the token
        # average across devices (the default), transformers 5.23 multiplies T5's loss, which
        # ignores the token count it is given, by the device count: gradients N times too large.
        average_tokens_across_devices=False,
    )
    settings.update(overrides)
    return Seq2SeqTrainingArguments(**settings)


def build_lora_config(profile: Profile):
    """The profile's ``LoraConfig`` (course: r=32, alpha=32, dropout 0.05, q and v, seq2seq)."""
    from peft import LoraConfig, TaskType

    return LoraConfig(
        r=profile.lab2.lora_r,
        lora_alpha=profile.lab2.lora_alpha,
        target_modules=list(profile.lab2.lora_target_modules),
        lora_dropout=profile.lab2.lora_dropout,
        bias="none",
        task_type=TaskType.SEQ_2_SEQ_LM,
    )


def make_trainer(
    profile: Profile,
    method: str,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    train_rows: Dataset,
    output_dir: str | Path,
    trainer_class: type[Seq2SeqTrainer] = Seq2SeqTrainer,
    **overrides,
) -> Seq2SeqTrainer:
    """Lab 2's recipe for ``method``, ready to ``train()``: for ``"lora"`` the profile's
    ``LoraConfig`` on ``model`` (seeded right before, as lab 2 does, so every caller starts
    from the same adapter); ``train_rows`` (DialogSum rows) in the course's prompt; batches
    padded by ``DataCollatorForSeq2Seq`` with labels at -100; ``build_training_args(profile,
    method, output_dir, **overrides)``. ``trainer_class``: a ``Seq2SeqTrainer`` subclass.

    The trained model is ``trainer.model`` (a ``PeftModel`` for ``"lora"``).
    """
    _check_method(method)
    check_writable(Path(output_dir), f"the {method} trainer's working files")
    args = build_training_args(profile, method, output_dir, **overrides)
    if method == "lora":
        from peft import get_peft_model

        set_seed(args.seed)  # the adapter's random start
        model = get_peft_model(model, build_lora_config(profile))
    with args.main_process_first(desc="tokenizing"):  # under DDP, rank 0 fills the cache first
        tokenized = tokenize_dialogsum(train_rows, tokenizer, profile)
    return trainer_class(
        model=model,
        args=args,
        data_collator=DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=IGNORE_INDEX),
        train_dataset=tokenized,
        processing_class=tokenizer,
    )


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise LabsError(f"Unknown fine-tuning method {method!r}; choose one of {METHODS}.")


# ---- what a method costs ----


@dataclass(frozen=True)
class ParameterCount:
    """Trainable and total parameters of a model."""

    trainable: int
    total: int

    @property
    def share(self) -> float:
        """Trainable fraction of all parameters (0..1)."""
        return self.trainable / self.total if self.total else 0.0

    def __str__(self) -> str:
        return (
            f"trainable params: {self.trainable:,} || all params: {self.total:,} || "
            f"trainable%: {100 * self.share:.2f}"
        )


def count_parameters(model: torch.nn.Module) -> ParameterCount:
    """Trainable (``requires_grad``) and total parameters, each shared tensor counted once."""
    trainable = total = 0
    for parameter in model.parameters():  # parameters() already skips tied duplicates
        total += parameter.numel()
        if parameter.requires_grad:
            trainable += parameter.numel()
    return ParameterCount(trainable, total)


def weights_bytes(model: torch.nn.Module, trainable_only: bool = False) -> int:
    """Bytes of the model's parameters (or of its trainable ones) in memory: about what
    ``save_pretrained`` writes, so the room to check before a save."""
    return sum(
        p.numel() * p.element_size()
        for p in model.parameters()
        if p.requires_grad or not trainable_only
    )


def size_on_disk(path: str | Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        raise LabsError(f"{path} does not exist: save the model or adapter there first.")
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def format_bytes(n_bytes: float) -> str:
    """A byte count the way people read it: ``945.0 MB``, ``14.2 MB``, ``230.4 kB`` (SI units)."""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n_bytes) < 1000 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError("unreachable")


def weights_checksum(model: torch.nn.Module) -> str:
    """SHA-256 (first 16 hex digits) of every parameter's bytes in name order.

    Data-parallel ranks whose gradients are averaged stay bit-identical, so equal checksums
    across ranks show that training was synchronized.
    """
    digest = hashlib.sha256()
    for name, parameter in sorted(model.named_parameters(), key=lambda item: item[0]):
        digest.update(name.encode())
        digest.update(parameter.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


# ---- lab 3's starting policy: lab 2's LoRA summarizer ----


def lora_summarizer(
    profile: Profile,
    tokenizer: PreTrainedTokenizerBase,
    dataset: DatasetDict,
    adapter_dir: str | Path,
) -> tuple[torch.nn.Module, str]:
    """Lab 2's LoRA summarizer merged into its base model, and a line saying where it came from.

    Lab 3's PPO starts from it, as the course's did. With lab 2's adapter saved in
    ``adapter_dir`` it is loaded; else it is trained here with lab 2's recipe
    (``make_trainer``: the same ``LoraConfig``, arguments, data, dtype and seed, so both give
    the same weights) and saved there, atomically, after a check for room that runs before
    training. Merged, the summarizer is a plain model again: PPO's own adapter goes on top,
    and switching that adapter off gives the summarizer back as the KL reference.
    """
    from peft import PeftModel
    from transformers import AutoModelForSeq2SeqLM

    adapter_dir = Path(adapter_dir)
    with explain_load_errors("model", profile.model_id):
        # float32: lab 2 trains it so (bf16 only as autocast), and PPO's value head reads it
        base = AutoModelForSeq2SeqLM.from_pretrained(profile.model_id, dtype=torch.float32)
    saved_for = _adapter_of(adapter_dir)
    stale = saved_for == profile.model_id and not adapter_is_newer(
        adapter_dir, profile.model_id, profile.dataset_id
    )
    if saved_for == profile.model_id and not stale:
        with explain_load_errors("LoRA adapter", str(adapter_dir)):
            model = PeftModel.from_pretrained(base, adapter_dir)
        return (
            model.merge_and_unload().eval(),
            f"lab 2's LoRA adapter, loaded from {adapter_dir.name}/",
        )

    # before any training: a clear error when the adapter cannot be saved (an adapter is a
    # small share of its model, so a tenth of the model's size is room enough)
    what = "lab 2's LoRA adapter (lab 3's starting summarizer)"
    check_writable(adapter_dir.parent, what, weights_bytes(base) // 10)
    train_rows = subsample(dataset, profile.lab2.train_every_nth)["train"]
    trainer = make_trainer(
        profile,
        "lora",
        base,
        tokenizer,
        train_rows,
        adapter_dir.parent / "lora-trainer",
        logging_strategy="no",  # changes nothing the weights depend on: no loss lines
    )
    trainer.train()
    with atomic_folder(adapter_dir) as folder:
        trainer.model.save_pretrained(folder)
    why = (
        f"lab 2's adapter in {adapter_dir.name}/ is older than the model's weights or the "
        f"data (they changed since lab 2 ran)"
        if stale
        else f"no adapter of lab 2 for {Path(profile.model_id).name} in {adapter_dir.name}/"
    )
    origin = (
        f"{why}, so it was trained here with lab 2's LoRA recipe "
        f"({trainer.state.global_step} steps) and saved there"
    )
    return trainer.model.merge_and_unload().eval(), origin


def adapter_is_newer(adapter_dir: Path, model_id: str, dataset_id: str | None = None) -> bool:
    """False when ``model_id`` is a local folder whose weights, or ``dataset_id`` a local
    folder whose files, were written after the adapter was saved (say, a rebuilt or updated
    ``assets/``): an adapter trained on other weights of the same shape, or on other
    references, would load without error and give other summaries than lab 2 now trains.
    Hub ids: True (a cached revision does not change under a saved adapter)."""
    sources = sorted(Path(model_id).glob("*.safetensors")) if Path(model_id).is_dir() else []
    if dataset_id and Path(dataset_id).is_dir():
        sources += [f for f in Path(dataset_id).rglob("*") if f.is_file()]
    adapter = adapter_dir / "adapter_model.safetensors"
    return not sources or adapter.stat().st_mtime >= max(f.stat().st_mtime for f in sources)


def _adapter_of(adapter_dir: Path) -> str | None:
    """The base model a saved PEFT adapter was trained on, or None when there is none."""
    config = adapter_dir / "adapter_config.json"
    if not (adapter_dir / "adapter_model.safetensors").is_file() or not config.is_file():
        return None
    return json.loads(config.read_text()).get("base_model_name_or_path")
