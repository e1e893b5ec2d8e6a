"""Model cards (README.md in each model folder), filled with the figures measured at build time."""

from __future__ import annotations

from pathlib import Path


def _mb(folder: Path) -> str:
    return f"{sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 1e6:.1f} MB"


def write_cards(out: Path, figs: dict) -> None:
    t5_dir, clf_dir = out / "models" / "flan-t5-tiny", out / "models" / "toxicity-classifier-tiny"
    zs, ft, clf = figs["zero_shot"], figs.get("finetune", {}), figs["classifier"]
    ft_line = (
        f"- lab 2 stand-in: full fine-tuning on the train split, "
        f"learning rate {ft['learning_rate']}, "
        f"batch size {ft['batch_size']}, {ft['epochs']} epoch(s) ({ft['steps']} steps, "
        f"{ft['train_seconds']:.0f} s on 1 torch thread of a shared 2-core machine): "
        f"test ROUGE-1 {ft['rouge1_before']:.3f} -> "
        f"{ft['rouge1_after']:.3f} (+{ft['lift']:.3f})\n"
        if ft
        else ""
    )
    (t5_dir / "README.md").write_text(f"""# flan-t5-tiny (synthetic stand-in, NOT FLAN-T5)

A tiny `T5ForConditionalGeneration` ({figs["params"]["flan-t5-tiny"] / 1e6:.2f} M parameters,
{_mb(t5_dir)} in this folder) built from scratch by `make assets` (`python -m world build`)
so that the labs run offline in minutes on 2 CPU cores. It stands in for `google/flan-t5-base`
in the `tiny` profile; its numbers say nothing about FLAN-T5.

## How it was built

- Shape: FLAN-T5's architecture (gated-GELU feed-forward, relative attention, tied
  embeddings), d_model 128, 4 heads, d_ff 384, 3 encoder and 2 decoder layers, context 512 tokens.
- Tokenizer: byte-pair encoding (`tokenizers` BPE) trained on the synthetic corpus and the
  toxicity sentences; T5 conventions pad=0 `<pad>`, eos=1 `</s>` (appended to every input),
  unk=2 `<unk>`; decoder start token 0.
- Pretraining: an instruction mix over 8,000 synthetic dialogues that are *not* in the shipped
  splits: the course's prompts (`Summarize the following conversation. ... Summary: `,
  `Dialogue: ... What was going on?`) and three other phrasings map to a *gist* (the request
  line lifted from the dialogue, followed by the insult line when the dialogue has one);
  topic questions map to the topic. So it follows the prompts and summarizes, but weakly and
  not in DialogSum's reference style, and abusive dialogues' gists carry the insult.
- `generation_config.json`: greedy, `max_new_tokens` 50.

## Measured (test split, zero-shot prompt, greedy, 50 new tokens)

- ROUGE-1 vs reference summaries: {zs["rouge1"]:.3f}
- toxicity (P(hate) from toxicity-classifier-tiny) of summaries of abusive dialogues:
  {zs["toxicity_abusive_mean"]:.3f}; of clean dialogues: {zs["toxicity_clean_mean"]:.3f}
{ft_line}
Example zero-shot outputs: {"; ".join(repr(e) for e in zs["examples"])}
""")
    (clf_dir / "README.md").write_text(f"""# toxicity-classifier-tiny (synthetic stand-in)

A tiny `RobertaForSequenceClassification` ({figs["params"]["toxicity-classifier-tiny"] / 1e6:.2f} M
parameters, {_mb(clf_dir)} in this folder) with the labels of
`facebook/roberta-hate-speech-dynabench-r4-target`: `id2label {{0: "nothate", 1: "hate"}}`.
Built by `make assets` from scratch; it stands in for the Meta model in the `tiny` profile and
knows only the mild insults of the synthetic world (no slurs, no real hate speech).

## How it was built

- Shape: hidden 128, 2 layers, 4 heads, intermediate 256, 128 positions; own BPE tokenizer
  (RoBERTa conventions `<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3), in this folder.
- Data: `assets/toxicity/` train split: insults (bare, inside everyday lines, and in summary form
  such as "#Person1# calls #Person2# an idiot.") as hate; corpus-like lines and summaries plus
  hard negatives (complaints and negative feelings without abuse: "I hate waiting in this queue.")
  as nothate. 4 epochs, AdamW, learning rate 1e-3, batch 32.

## Measured (held-out test split of `assets/toxicity/`)

- accuracy {clf["accuracy"]:.3f} on {clf["test_rows"]} sentences
- accuracy on hard negatives {clf["hard_negative_accuracy"]:.3f} ({clf["hard_negatives"]} sentences)

Use: `pipeline("text-classification", model=dir, top_k=None)`; PPO's reward is the `nothate` logit.
""")
