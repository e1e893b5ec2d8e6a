"""BPE tokenizers of the tiny world (``tokenizers`` BPE: deterministic, unlike its Unigram trainer).

The T5 tokenizer follows T5's conventions: pad=0 ``<pad>``, eos=1 ``</s>``, unk=2 ``<unk>``,
``</s>`` appended to every encoded text, ``#Person1#``-style words kept whole (they are by far
the most frequent words, so BPE merges them early). Newlines are kept as their own token so
that a decoded dialogue keeps its one-turn-per-line layout. Punctuation at a word's end is a
token of its own, as in T5's SentencePiece vocabulary: a value reads as the same token in
the dialogue's "on Saturday?" and the summary's "on Saturday." (world v3's first build glued
them, "Saturday?" and "Saturday." being two tokens, and its fine-tuned summaries named a day
the dialogue never said in 78% of the days they named; cities, said as in the summary, 0%).
The classifier tokenizer follows RoBERTa's: ``<s>``=0, ``<pad>``=1, ``</s>``=2, ``<unk>``=3.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

T5_SPECIALS = ["<pad>", "</s>", "<unk>"]
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


END_PUNCTUATION = Regex(r"[.,!?;:]+(?=\s|$)")
"""Punctuation that ends a word ("Saturday?", "#Person1#:"), split off as its own piece; inner
marks stay ("3.5", "I'd")."""


def _base(specials_unk: str, split_punctuation: bool = False) -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=specials_unk))
    punctuation = (
        [pre_tokenizers.Split(END_PUNCTUATION, behavior="isolated")] if split_punctuation else []
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split("\n", behavior="isolated"),
            *punctuation,
            pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=True),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="first", split=True)
    return tok


def train_bpe(
    texts: Iterable[str],
    vocab_size: int,
    specials: list[str],
    unk: str,
    split_punctuation: bool = False,
) -> Tokenizer:
    tok = _base(unk, split_punctuation)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, min_frequency=2, show_progress=False
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def build_t5_tokenizer(
    texts: Iterable[str], out_dir: Path, vocab_size: int = 4096, model_max_length: int = 512
) -> PreTrainedTokenizerFast:
    tok = train_bpe(texts, vocab_size, T5_SPECIALS, "<unk>", split_punctuation=True)
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=model_max_length,
    )
    hf.save_pretrained(out_dir)
    return hf


def build_classifier_tokenizer(
    texts: Iterable[str], out_dir: Path, vocab_size: int = 4096, model_max_length: int = 128
) -> PreTrainedTokenizerFast:
    tok = train_bpe(texts, vocab_size, ROBERTA_SPECIALS, "<unk>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        mask_token="<mask>",
        cls_token="<s>",
        sep_token="</s>",
        model_max_length=model_max_length,
    )
    hf.save_pretrained(out_dir)
    return hf
