"""Batched summarization: many dialogues per ``generate`` call, returned in input order."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable, Sequence

import torch
from tqdm.auto import tqdm
from transformers import GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase

from utils.errors import LabsError
from utils.profiles import Profile, model_dtype_name


def get_device() -> torch.device:
    """The fastest device here: CUDA, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def model_dtype(profile: Profile) -> torch.dtype:
    """The dtype to load the profile's models in here: bfloat16 on a GPU that supports it when
    the profile asks for it (the course's choice), float32 otherwise (the rule is
    ``utils.profiles.model_dtype_name``)."""
    device = get_device()
    # native support only: a T4 (compute capability 7.5) "supports" bfloat16 by emulation, slowly
    bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported(including_emulation=False)
    return getattr(torch, model_dtype_name(profile, device.type, bf16))


def ensure_safe_dtype(model: PreTrainedModel) -> PreTrainedModel:
    """T5 overflows in float16 (it was trained in bfloat16): cast such a model to float32."""
    if model.config.model_type in ("t5", "mt5") and model.dtype == torch.float16:
        warnings.warn(
            "T5 produces inf/NaN in float16; casting the model to float32 "
            "(use bfloat16 on a GPU that supports it).",
            stacklevel=2,
        )
        model = model.float()
    return model


def check_texts(texts: Iterable[str], what: str = "texts") -> list[str]:
    """``texts`` as a list, or a LabsError unless it holds only non-empty strings.

    A bare string is refused: it is iterable too, and would be summarized character by
    character.
    """
    if isinstance(texts, str | bytes):
        raise LabsError(
            f"Expected a list of {what}, got one string ({texts[:40]!r}); wrap it "
            f"in a list, e.g. `[prompt]`, to generate for a single text."
        )
    texts = list(texts)
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if bad:
        first = texts[bad[0]]
        kind = "empty" if isinstance(first, str) else f"{type(first).__name__}, not a string"
        raise LabsError(
            f"{len(bad)} of the {len(texts)} {what} are empty or not strings "
            f"(position(s) {bad[:10]}; position {bad[0]} is {kind}). Remove or fix "
            f"them before generating: an empty dialogue has nothing to summarize."
        )
    return texts


def batches_by_length(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices into ``lengths`` in batches of ``batch_size``, longest first: texts of about
    the same length share a batch, so it pads little."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def summarize(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    generation_config: GenerationConfig,
    batch_size: int = 16,
    max_input_tokens: int = 512,
    desc: str = "Generating",
    progress: bool = True,
    samples_per_text: int = 1,
) -> list[str]:
    """Generate one output per input text and return them in input order.

    Texts are sorted by length so each batch pads little, then ``model.generate`` runs
    batch by batch on the model's device. Inputs longer than ``max_input_tokens`` are cut
    (with one warning saying how many).

    ``samples_per_text`` > 1 (a sampling ``generation_config`` only) draws that many outputs
    per text from one encoding of it (``num_return_sequences``): sample k of text i is at
    ``k * len(texts) + i``. ``batch_size`` counts generated rows, so a batch holds
    ``batch_size // samples_per_text`` texts (at least one) and needs the same memory.
    """
    texts = check_texts(texts)
    if samples_per_text > 1 and not generation_config.do_sample:
        raise ValueError(
            f"samples_per_text={samples_per_text} with greedy decoding would repeat one output; "
            "pass a sampling generation config (do_sample=True)."
        )
    if not texts:
        return []
    model = ensure_safe_dtype(model)
    model.eval()
    lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]
    too_long = sum(n > max_input_tokens for n in lengths)
    if too_long:
        warnings.warn(
            f"{too_long} of {len(texts)} inputs exceed {max_input_tokens} tokens and "
            f"are cut to fit the context window.",
            stacklevel=2,
        )
    if samples_per_text > 1:
        generation_config = copy.deepcopy(generation_config)
        generation_config.num_return_sequences = samples_per_text
    texts_per_batch = max(1, batch_size // samples_per_text)
    outputs: list[str] = [""] * (len(texts) * samples_per_text)
    batches = batches_by_length(lengths, texts_per_batch)
    for batch in tqdm(batches, desc=desc, unit="batch", disable=not progress, leave=False):
        inputs = tokenizer(
            [texts[i] for i in batch],
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=max_input_tokens,
        ).to(model.device)
        with torch.inference_mode():
            generated = model.generate(**inputs, generation_config=generation_config)
        decoded = tokenizer.batch_decode(generated, skip_special_tokens=True)
        rows = [k * len(texts) + i for i in batch for k in range(samples_per_text)]
        for row, summary in zip(rows, decoded, strict=True):  # generate's rows: text-major
            outputs[row] = summary.strip()
    return outputs


def greedy_margins(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    outputs: Sequence[str],
    batch_size: int = 16,
    max_input_tokens: int = 512,
) -> torch.Tensor:
    """Per output: how close its decoding came to a tie, in nats (a tensor, one per output).

    Teacher-forces each output after its prompt and takes, at every output token (the end
    token included), the log-probability gap between the model's likeliest and second
    likeliest next token; returns the smallest gap along the output. On a greedy output a
    small gap is a near tie: a small change to the model flips that choice, and everything
    after it is written anew.
    """
    prompts, outputs = check_texts(prompts, "prompts"), list(outputs)
    if len(prompts) != len(outputs):
        raise LabsError(
            f"need one output per prompt: {len(prompts)} prompts, {len(outputs)} outputs"
        )
    if not prompts:
        return torch.empty(0)
    model = ensure_safe_dtype(model)
    model.eval()
    margins = []
    for start in range(0, len(prompts), batch_size):
        inputs = tokenizer(
            prompts[start : start + batch_size],
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=max_input_tokens,
        ).to(model.device)
        labels = tokenizer(
            outputs[start : start + batch_size], return_tensors="pt", padding=True
        ).input_ids.to(model.device)
        real = labels != tokenizer.pad_token_id  # (B, T): output tokens and their end token
        with torch.inference_mode():
            logits = model(**inputs, labels=labels.masked_fill(~real, -100)).logits  # (B, T, V)
        top2 = logits.float().log_softmax(-1).topk(2, dim=-1).values  # (B, T, 2)
        gap = (top2[..., 0] - top2[..., 1]).masked_fill(~real, float("inf"))
        margins.append(gap.min(dim=1).values.cpu())
    return torch.cat(margins)
