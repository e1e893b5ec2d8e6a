"""Build the course's Hub artefacts in their real formats and shapes, with random weights.

Three repositories, under the course's exact ids:

- ``google/flan-t5-base``: flan-t5-base's ``T5Config`` (d_model 768, 12+12 layers, d_ff 2048,
  gated-gelu, untied ``lm_head``), a 32,000-piece Unigram (SentencePiece-style) tokenizer with
  ``</s>``/``<pad>``/``<unk>`` and 100 ``<extra_id_*>`` tokens, ``model.safetensors``;
- ``facebook/roberta-hate-speech-dynabench-r4-target``: roberta-base's shape, labels
  ``{0: nothate, 1: hate}``, a byte-level BPE tokenizer, weights as ``pytorch_model.bin``
  (as on the real repository);
- the data set ``knkarthick/dialogsum``: ``train.csv``/``validation.csv``/``test.csv`` with the
  real columns and row counts, text recycled from the offline world's non-abusive rows (the
  real DialogSum is everyday conversation: no insults for lab 3 to find).

The build is seeded, so two builds give the same bytes; it is cached, outside git, under
``~/.cache/labs-hub-standin/<VERSION>-<inputs hash>`` (``LABS_HUB_STANDIN_CACHE`` overrides
the root), and a second call returns at once.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import shutil
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

VERSION = "2"
"""Bump when the artefacts change: the cache is keyed by it."""

T5_ID = "google/flan-t5-base"
ROBERTA_ID = "facebook/roberta-hate-speech-dynabench-r4-target"
DIALOGSUM_ID = "knkarthick/dialogsum"
DIALOGSUM_ROWS = {"train": 12460, "validation": 500, "test": 1500}
"""The real data set's row counts per split."""
# Broken variants, for tests that the labs fail with a clear error on a wrong id, label or column
NO_SUMMARY_ID = "labs-standin/dialogsum-no-summary"
"""DialogSum's CSVs without the ``summary`` column (20 rows per split)."""
OTHER_LABELS_ID = "labs-standin/roberta-other-labels"
"""The classifier with labels LABEL_0/LABEL_1 instead of nothate/hate (weights shared)."""

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSETS = REPO_ROOT / "assets"
SEED = 0


@dataclass(frozen=True)
class Repo:
    """One built repository: where its files lie and the commit id the server reports."""

    repo_type: str  # "model" or "dataset"
    repo_id: str
    folder: Path
    sha: str
    files: dict[str, dict]  # path -> {"size": int, "sha256": str, "oid": str}


def _input_files() -> list[Path]:
    """The offline world's files the artefacts are made from (text and tokenizer corpus)."""
    return sorted((ASSETS / "dialogsum").glob("*.jsonl")) + sorted(
        (ASSETS / "toxicity").glob("*.jsonl")
    )


def cache_root() -> Path:
    """Where built artefacts are kept between test runs (never inside the repository).

    Keyed by ``VERSION`` and a hash of the input files: rebuilding the offline world
    (``make assets``) gives a new folder rather than a stale one.
    """
    base = os.environ.get("LABS_HUB_STANDIN_CACHE") or Path.home() / ".cache" / "labs-hub-standin"
    digest = hashlib.sha256()
    for path in _input_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return Path(base) / f"{VERSION}-{digest.hexdigest()[:12]}"


def commit_sha(repo_type: str, repo_id: str) -> str:
    """A fixed 40-hex commit id per repository and builder version."""
    return hashlib.sha1(f"{VERSION}:{repo_type}:{repo_id}".encode()).hexdigest()


# ---------------------------------------------------------------- tokenizer training text


def _corpus() -> list[str]:
    """Text for tokenizer training: the offline world's dialogues plus seeded pseudo-words.

    The offline world has ~1,800 distinct words, too few for 32,000 Unigram pieces (or
    50,265 BPE entries); 100,000 pseudo-words made of syllables give the
    Unigram counts and the BPE trainer enough.
    """
    texts = []
    for path in _input_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts += [v for k, v in row.items() if isinstance(v, str) and k != "id"]
    rng = random.Random(SEED)
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words = [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(100_000)
    ]
    texts += [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)] * 2
    return texts


def _unigram_pieces(texts: list[str], size: int) -> list[tuple[str, float]]:
    """``size`` SentencePiece-style pieces (``▁`` marks a word start) with log-probabilities.

    Every character seen is a piece (so nothing maps to ``<unk>``); the rest are the word
    substrings (up to 16 characters) with the most characters covered, ties broken by text.
    """
    words = Counter(w for text in texts for w in unicodedata.normalize("NFKC", text).split())
    counts: Counter[str] = Counter()
    for word, n in words.items():
        marked = "▁" + word
        for i in range(len(marked)):
            for j in range(i + 1, min(len(marked), i + 16) + 1):
                counts[marked[i:j]] += n
    chars = sorted(p for p in counts if len(p) == 1)
    rest = sorted((p for p in counts if len(p) > 1), key=lambda p: (-counts[p] * len(p), p))
    chosen = chars + rest[: size - len(chars)]
    total = sum(counts[p] for p in chosen)
    return [(p, math.log(counts[p] / total)) for p in chosen]


def _t5_tokenizer(folder: Path, texts: list[str]) -> None:
    """A SentencePiece-style Unigram tokenizer laid out as flan-t5-base's (ids 0-2 special)."""
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    # Pieces and scores from substring counts rather than tokenizers' UnigramTrainer: the
    # trainer's result changes from run to run (hash-map order), and the build must repeat.
    pieces = _unigram_pieces(texts, 32_000 - 3)
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), *pieces]
    tok = Tokenizer(models.Unigram(vocab, unk_id=2, byte_fallback=False))
    # the real tokenizer.json: a precompiled SentencePiece normalizer, then runs of spaces to one
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    # T5 numbers its sentinels backwards: <extra_id_0> is 32099, <extra_id_99> is 32000
    extra = [f"<extra_id_{i}>" for i in range(99, -1, -1)]
    tok.add_special_tokens(["<pad>", "</s>", "<unk>", *extra])
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    tok.save(str(folder / "tokenizer.json"))
    specials = {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    sentinels = [f"<extra_id_{i}>" for i in range(100)]
    _write_json(
        folder / "special_tokens_map.json", {**specials, "additional_special_tokens": sentinels}
    )
    _write_json(
        folder / "tokenizer_config.json",
        {
            **specials,
            "additional_special_tokens": sentinels,
            "extra_ids": 100,
            "model_max_length": 512,
            "name_or_path": "google/t5-v1_1-base",
            "sp_model_kwargs": {},
            "tokenizer_class": "T5Tokenizer",
        },
    )


def _roberta_tokenizer(folder: Path, texts: list[str]) -> None:
    """A byte-level BPE tokenizer laid out as roberta-base's (vocab.json, merges.txt, json)."""
    from tokenizers import processors
    from tokenizers.implementations import ByteLevelBPETokenizer

    tok = ByteLevelBPETokenizer()
    tok.train_from_iterator(
        texts,
        vocab_size=50_265,
        min_frequency=2,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        show_progress=False,
    )
    tok._tokenizer.post_processor = processors.RobertaProcessing(
        ("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False
    )
    tok.save_model(str(folder))  # vocab.json + merges.txt
    tok.save(str(folder / "tokenizer.json"))
    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    _write_json(folder / "special_tokens_map.json", specials)
    _write_json(
        folder / "tokenizer_config.json",
        {**specials, "model_max_length": 512, "tokenizer_class": "RobertaTokenizer"},
    )


# ---------------------------------------------------------------- models


def _build_t5(folder: Path, texts: list[str]) -> None:
    import torch
    from safetensors.torch import save_file
    from transformers import GenerationConfig, T5Config, T5ForConditionalGeneration

    config = T5Config(
        vocab_size=32128,
        d_model=768,
        d_kv=64,
        d_ff=2048,
        num_layers=12,
        num_decoder_layers=12,
        num_heads=12,
        feed_forward_proj="gated-gelu",
        dense_act_fn="gelu_new",
        tie_word_embeddings=False,
        decoder_start_token_id=0,
        eos_token_id=1,
        pad_token_id=0,
        n_positions=512,
        architectures=["T5ForConditionalGeneration"],
    )
    torch.manual_seed(SEED)
    model = T5ForConditionalGeneration(config)
    # transformers 5 always builds T5 with lm_head tied to the shared embedding, while
    # flan-t5-base's checkpoint holds its own lm_head (and transformers then keeps it untied):
    # write the checkpoint by hand, as the real one is laid out
    state = {k: v.contiguous() for k, v in model.state_dict().items() if "embed_tokens" not in k}
    state["lm_head.weight"] = torch.randn(config.vocab_size, config.d_model) * config.d_model**-0.5
    save_file(state, folder / "model.safetensors", metadata={"format": "pt"})
    config.save_pretrained(folder)
    saved = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    _write_json(folder / "config.json", {**saved, "tie_word_embeddings": False})
    GenerationConfig(decoder_start_token_id=0, eos_token_id=1, pad_token_id=0).save_pretrained(
        folder
    )
    _t5_tokenizer(folder, texts)


def _build_roberta(folder: Path, texts: list[str]) -> None:
    import torch
    from transformers import RobertaConfig, RobertaForSequenceClassification

    config = RobertaConfig(
        vocab_size=50265,
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=514,
        type_vocab_size=1,
        layer_norm_eps=1e-5,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        id2label={0: "nothate", 1: "hate"},
        label2id={"nothate": 0, "hate": 1},
        architectures=["RobertaForSequenceClassification"],
    )
    torch.manual_seed(SEED + 1)
    model = RobertaForSequenceClassification(config)
    config.save_pretrained(folder)
    # the real repository ships a pickled state dict, not safetensors
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    torch.save(state, folder / "pytorch_model.bin")
    _roberta_tokenizer(folder, texts)


# ---------------------------------------------------------------- data set


def _build_dialogsum(folder: Path) -> None:
    """The three CSV files, with DialogSum's columns and row counts."""
    for split, n_rows in DIALOGSUM_ROWS.items():
        source = "train" if split == "train" else split
        rows = [json.loads(x) for x in (ASSETS / "dialogsum" / f"{source}.jsonl").open()]
        rows = [r for r in rows if not r.get("abusive")]  # the real corpus has no insults
        with (folder / f"{split}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "dialogue", "summary", "topic"])
            for i in range(n_rows):
                row = rows[i % len(rows)]
                writer.writerow([f"{split}_{i}", row["dialogue"], row["summary"], row["topic"]])
    (folder / "README.md").write_text(
        "---\nlicense: cc-by-nc-sa-4.0\nlanguage:\n- en\ntask_categories:\n- summarization\n---\n"
        "# DialogSum (stand-in)\n\nSynthetic rows in DialogSum's layout, for offline tests.\n",
        encoding="utf-8",
    )


def _without_summary(source: Path, folder: Path) -> None:
    for split in DIALOGSUM_ROWS:
        with (source / f"{split}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))[:20]
        with (folder / f"{split}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "dialogue", "topic"])
            writer.writerows([r["id"], r["dialogue"], r["topic"]] for r in rows)


def _other_labels(source: Path, folder: Path) -> None:
    for file in source.iterdir():
        if file.name != "config.json":
            os.link(file, folder / file.name)  # same bytes, no second 500 MB copy
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    config["id2label"], config["label2id"] = (
        {0: "LABEL_0", 1: "LABEL_1"},
        {"LABEL_0": 0, "LABEL_1": 1},
    )
    _write_json(folder / "config.json", config)


# ---------------------------------------------------------------- manifest and cache


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _file_entry(path: Path) -> dict:
    """Size, sha256 (the Hub's ETag of an LFS file) and git blob id of one file."""
    data = path.read_bytes()
    blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "oid": blob}


REPOS = (
    ("model", T5_ID),
    ("model", ROBERTA_ID),
    ("dataset", DIALOGSUM_ID),
    ("dataset", NO_SUMMARY_ID),
    ("model", OTHER_LABELS_ID),
)


def _repo_folder(root: Path, repo_type: str, repo_id: str) -> Path:
    return root / f"{repo_type}s" / repo_id


def load_repos(root: Path | None = None) -> dict[tuple[str, str], Repo]:
    """The built repositories, keyed by (repo_type, repo_id); builds them first if needed."""
    root = root or build()
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return {
        (entry["repo_type"], entry["repo_id"]): Repo(
            entry["repo_type"],
            entry["repo_id"],
            _repo_folder(root, entry["repo_type"], entry["repo_id"]),
            entry["sha"],
            entry["files"],
        )
        for entry in manifest["repos"]
    }


def build(root: Path | None = None, force: bool = False) -> Path:
    """Build every artefact into ``root`` (default: the cache) unless already there; return it.

    Writes into a temporary sibling folder and renames it at the end, so an interrupted or
    concurrent build never leaves a half-built cache behind.
    """
    root = root or cache_root()
    if (root / "manifest.json").is_file() and not force:
        return root
    import torch

    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    threads = torch.get_num_threads()
    torch.set_num_threads(min(threads, 2))  # the machine is shared; init is cheap anyway
    try:
        texts = _corpus()
        builders = {
            T5_ID: lambda f: _build_t5(f, texts),
            ROBERTA_ID: lambda f: _build_roberta(f, texts),
            DIALOGSUM_ID: _build_dialogsum,
            NO_SUMMARY_ID: lambda f: _without_summary(
                _repo_folder(tmp, "dataset", DIALOGSUM_ID), f
            ),
            OTHER_LABELS_ID: lambda f: _other_labels(_repo_folder(tmp, "model", ROBERTA_ID), f),
        }
        manifest = {"version": VERSION, "repos": []}
        for repo_type, repo_id in REPOS:
            folder = _repo_folder(tmp, repo_type, repo_id)
            folder.mkdir(parents=True)
            builders[repo_id](folder)
            files = {
                p.relative_to(folder).as_posix(): _file_entry(p)
                for p in sorted(folder.rglob("*"))
                if p.is_file()
            }
            manifest["repos"].append(
                {
                    "repo_type": repo_type,
                    "repo_id": repo_id,
                    "sha": commit_sha(repo_type, repo_id),
                    "files": files,
                }
            )
        _write_json(tmp / "manifest.json", manifest)
        if force and root.exists():
            shutil.rmtree(root)
        try:
            tmp.rename(root)
        except OSError:  # another process finished first: keep its build
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        torch.set_num_threads(threads)
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root
