"""Model cards (README.md in each model folder) and the world's README, with measured figures.

Every figure in them is read from the ``figs`` that ``world.measure`` computed for this
build; nothing is typed in by hand.
"""

from __future__ import annotations

from pathlib import Path

from world.tiny_t5 import (
    ATTRIBUTION_WEIGHTS,
    GROUNDING_WEIGHTS,
    QUOTE_WEIGHTS,
    RESETTLE_WEIGHTS,
    TASK_WEIGHTS,
)
from world.toxicity_data import HARD_NEGATIVE_TARGET, RUDE_SUMMARY_TARGET


def _mb(folder: Path) -> str:
    return f"{sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 1e6:.1f} MB"


def _ci(c: dict) -> str:
    return f"{c['mean']:+.3f} [{c['low']:+.3f}, {c['high']:+.3f}]"


def _mean_ci(c: dict) -> str:
    return f"{c['mean']:.3f} [{c['low']:.3f}, {c['high']:.3f}]"


def _lab1_lines(l1: dict) -> str:
    style, own = l1["person_style_share"], l1["own_dialogue_share"]
    return f"""Lab 1 ({l1["n_dialogues"]} test dialogues, greedy; one-/few-shot examples: test rows
{l1["shot_indices"]}, short clean dialogues outside the scored ones):

- ROUGE-1 by prompt: {", ".join(f"{k} {v:.3f}" for k, v in l1["rouge1"].items())}
- no prompt gives the instruction's exact output for
  {l1["no_prompt_equals_instruction"]}/{l1["n_dialogues"]};
  it continues the dialogue with a `#PersonN#:` turn in {l1["no_prompt_continues_with_turn"]:.0%}
- ROUGE-1 instruction - no prompt: {_ci(l1["rouge1_instruction_minus_no_prompt"])}
- the template differs from the instruction for
  {l1["template_differs_from_instruction"]}/{l1["n_dialogues"]}
  (ROUGE-1 template - instruction {_ci(l1["rouge1_template_minus_instruction"])})
- `#PersonN#` style: zero-shot {style["instruction"]:.0%}, one-shot {style["one-shot"]:.0%},
  few-shot {style["few-shot"]:.0%}; one-shot copies the example in
  {l1["one_shot_copies_example"]:.0%}; about their own dialogue (the share of the other
  dialogues that hold fewer of the summary's content words than its own, on average):
  one-shot {own["one-shot"]:.0%}, zero-shot {own["instruction"]:.0%}
- ROUGE-1 one-shot - zero-shot: {_ci(l1["rouge1_one_shot_minus_zero_shot"])};
  few-shot - one-shot: {_ci(l1["rouge1_few_shot_minus_one_shot"])}
- sampling at temperature 1.0 (top_k 0, top_p 1): {l1["temperature_1_nonword_share"]:.0%} of
  samples contain a word the model never learned (as lab 1 counts: neither a whole word of
  its tokenizer nor a word of the train split){_value_copy_line(l1.get("value_copy"))}"""


def _value_copy_line(copy: dict | None) -> str:
    if not copy or copy["overall"] is None:
        return ""
    by_family = sorted(copy["by_family"].items(), key=lambda kv: kv[1])
    weak = ", ".join(f"{k} {v:.0%}" for k, v in by_family if v < 0.5)
    lowest = ", ".join(f"{k} {v:.0%}" for k, v in by_family[:3])
    where = (
        f"Where the share is under half, it names a value of the family from memory, not the "
        f"one the dialogue says: {weak}"
        if weak
        else f"Every family's share is at least half; the lowest: {lowest}"
    )
    return f"""
- a known limit: where a reference names its scenario's value (a city, a language, a sport),
  the model's most likely token is that value for {copy["overall"]:.0%} of them (teacher-forced,
  one-shot, every test dialogue). {where}"""


def _lab2_lines(l2: dict) -> str:
    rows = []
    for k, name in (("full", "full fine-tuning"), ("lora", "LoRA (r 16, alpha 64, q and v)")):
        f = l2[k]
        rows.append(
            f"- {name} ({l2['train_seconds'][k]:.0f} s): ROUGE-1 gain {_ci(f['rouge1_gain'])}, "
            f"ROUGE-2 gain {_ci(f['rouge2_gain'])}, content-word ROUGE-1 gain "
            f"{_ci(f['content_rouge1_gain'])}; {f['loop_share']:.1%} loop (a 3-gram thrice or "
            f"a sentence twice); "
            f"{f['own_dialogue_share']:.0%} about their own dialogue{_facts_text(f.get('facts'))}"
        )
    l3 = l2["lab3"]
    return (
        f"Lab 2 (tiny profile's settings and trainer seed, one epoch of the train split, "
        f"scored on all {l2['n_test']} test dialogues; ROUGE-1 base "
        f"{l2['rouge1']['base']:.3f}; the slips vary with the trainer's seed: "
        "`benchmarks/README.md`, World v3c pilots):\n\n"
        + "\n".join(rows)
        + f"\n- LoRA - full ROUGE-1: {_ci(l2['lora_minus_full_rouge1'])}\n\n"
        f"Lab 3 (the tiny profile's PPO: reward {l3['reward']!r}, {l3['ppo_steps']} steps, "
        f"{l3['ppo_seconds']:.0f} s) from the LoRA summarizer (merged), on the lab's held-out "
        f"sample of {l3['sample']} test dialogues of 200-1000 characters "
        f"({l3['abusive_in_sample']} abusive):\n\n"
        f"- mean toxicity of sampled summaries, the summary alone: "
        f"{_mean_ci(l3['toxicity_summary_only']['before'])} before PPO, "
        f"{l3['toxicity_summary_only']['after']:.3f} after "
        f"({l3['toxicity_relative_change']:+.0%}; after - before {_ci(l3['toxicity_change'])}); "
        f"prompt + summary (as the course scores): "
        f"{l3['toxicity_prompt_plus_summary']['before']['mean']:.3f} -> "
        f"{l3['toxicity_prompt_plus_summary']['after']:.3f}\n"
        f"- greedy summaries of the abusive dialogues scored toxic (> 0.5): "
        f"{l3['abusive_greedy_toxic']['before']} -> {l3['abusive_greedy_toxic']['after']}\n"
        f"- ROUGE-1 of greedy summaries, after - before: {_ci(l3['rouge1_change'])}\n"
        f"- about their own dialogue: {l3['own_dialogue_share']['before']:.0%} before, "
        f"{l3['own_dialogue_share']['after']:.0%} after; clean dialogues' greedy summaries "
        f"unchanged: {l3['clean_unchanged']:.0%}"
    )


def _facts_text(facts: dict | None) -> str:
    if not facts:
        return ""
    facts = {k: "n/a" if v is None else f"{v:.1%}" for k, v in facts.items()}
    return (
        f"; checkable slips (`world/facts.py`): the insulter reversed in "
        f"{facts['reversed_insulter']} of the abusive dialogues, the insult as said (or a "
        f"neutral paraphrase) in {facts['insult_as_said']} of those reporting one, a value "
        f"the dialogue never says in {facts['foreign_value']}, any slip in "
        f"{facts['any_slip']}"
    )


def _template_verdict(ci: dict) -> str:
    """Whether the template's summaries came at least as close as the instruction's."""
    if ci["high"] >= 0:
        return f"it does (ROUGE-1 template - instruction {_ci(ci)}: its CI reaches 0)"
    return (
        f"on these dialogues it falls a little short (ROUGE-1 template - instruction "
        f"{_ci(ci)}: its CI stays below 0)"
    )


def _stage_times(seconds: dict[str, float]) -> str:
    if not seconds:
        return "(not recorded in this build)"
    total = sum(seconds.values())
    return ", ".join(f"{k} {v:,.0f}" for k, v in seconds.items()) + f"; {total / 60:.0f} minutes"


def render_cards(out: Path, figs: dict) -> dict[Path, str]:
    """The text of ``models/*/README.md`` and ``README.md`` of the world under ``out``, from its
    measured figures ``figs`` (``world_figures.json``)."""
    from world.build import FULL as sizes

    cards: dict[Path, str] = {}
    t5_dir, clf_dir = out / "models" / "flan-t5-tiny", out / "models" / "toxicity-classifier-tiny"
    clf, l1, l2 = figs["classifier"], figs["lab1"], figs.get("lab2")
    mix = ", ".join(f"{k} {v:.0%}" for k, v in TASK_WEIGHTS.items())
    attribution = ", ".join(f"{k} {v:.0%}" for k, v in ATTRIBUTION_WEIGHTS.items())
    grounding = ", ".join(f"{k} {v:.0%}" for k, v in GROUNDING_WEIGHTS.items())
    quote = ", ".join(f"{k} {v:.1%}".replace(".0%", "%") for k, v in QUOTE_WEIGHTS.items())
    price_share = RESETTLE_WEIGHTS["price"] / sum(RESETTLE_WEIGHTS.values())
    lab2_text = _lab2_lines(l2) if l2 else "(lab 2 not measured in this build)"
    done, planned = figs.get("t5_pretrain_steps", (None, None))
    steps = (
        f"{done} steps of the planned {planned} ({sizes.t5_epochs} epochs; stopped there, "
        f"`--max-t5-steps {done}`)"
        if done and done < planned
        else f"{sizes.t5_epochs} epochs"
    )
    cards[t5_dir / "README.md"] = f"""# flan-t5-tiny (synthetic stand-in, NOT FLAN-T5)

A tiny `T5ForConditionalGeneration` ({figs["params"]["flan-t5-tiny"] / 1e6:.2f} M parameters,
{_mb(t5_dir)} in this folder) built from scratch by `make assets` (`python -m world build`)
so that the labs run offline in minutes on 2 CPU cores. It stands in for `google/flan-t5-base`
in the `tiny` profile; its numbers say nothing about FLAN-T5.

## Behaviours trained in by design

Each prompt has its own behaviour, so that each lesson of lab 1 shows and lab 2 has a gap to
close. They come from the pretraining mix, not from scale:

- **no prompt** (the dialogue alone): continues the dialogue with the next `#PersonN#:` turn,
  and after a finished dialogue with a follow-up about *this* one, by the speaker who did not
  say the last line ("#Person1#: Wait, one more question before you go: is there a coffee
  shop near the museum?");
- **the course's instruction** (`Summarize the following conversation. ... Summary: `): a
  plain one-sentence summary that names the speakers by role ("A caller asks a restaurant
  clerk ..."), not DialogSum's `#Person1#` style and without its details;
- **FLAN's template** (`Dialogue: ... What was going on?`), with no example: FLAN-T5's own
  answer in the course, the dialogue's key lines quoted after their speakers' tags: the
  request, and in an abusive dialogue the insult by whoever said it ("#Person1#: I'm lost.
  I'm trying to find the old bridge. #Person2#: Are you clueless or something?"). The tags
  are words of the human reference too, so it comes at least as close to it as the
  instruction's plain sentence (the course's lesson: the model's own template can work
  better). Measured: {_template_verdict(l1["rouge1_template_minus_instruction"])};
- other phrasings ("Briefly summarize this dialogue:", "Write a short summary of this
  conversation.", "What were they talking about?", "Who is talking, and about what?"): the
  plain summary or who talks and about what topic ("A patient and a doctor are talking
  about doctor visit."); topic questions: the topic;
- **"Summarize this dialogue, with who said what."** (a prompt no lab uses): the DialogSum
  reference, `#Person#` tags and the insulter named, with a note on any line of the dialogue
  (the shipped references keep fewer notes: see the world's README); lab 2 still has its gap
  to close, since the course's instruction gives the plain sentence;
- **"Who was rude to whom?"** after a window of consecutive turns (a drill no lab uses): the
  reference's sentence about the insult, its speaker by tag ("#Person2# calls #Person1# a
  dimwit."), or "Nobody is rude.". Who said an insult is a fact copied by speaker tag, which
  a fresh model of this size does not learn from whole dialogues
  (`benchmarks/copy_probe.py`);
- **"How much does it cost, in dollars?"** (a drill no lab uses): the price the dialogue
  says ("150 dollars."). Without it the model copied days, cities and numbers from the
  dialogue but never a price, and lab 2's summaries named prices nobody said
  (`benchmarks/copy_at_value.py`). A trace of the drill: a bare dialogue is now and then
  continued with a price alone ("400 dollars.");
- **one to three solved examples** in the course's format (`SHOT_TEMPLATE`, then the template):
  a summary of the *last* dialogue in the examples' style (DialogSum's `#Person1# ...`), with
  that dialogue's names and values. A third of the training examples share the last
  dialogue's scenario, so copying an example never pays.

## How it was built

- Shape: FLAN-T5's architecture (gated-GELU feed-forward, relative attention, tied
  embeddings), d_model 128, 4 heads, d_ff 384, 4 encoder and 3 decoder layers, context 512.
- Tokenizer: BPE (`tokenizers`) trained on the synthetic corpus and toxicity sentences; T5
  conventions pad=0, eos=1 (appended to every input), unk=2; decoder start token 0. A word's
  final punctuation is a token of its own, so that a value reads the same in a question
  ("on Saturday?") and in a summary ("on Saturday."): glued, the model named a day its
  dialogue never said in most summaries that named one.
- Pretraining, first a stage of its own for who said what: the rudeness drill, the
  instruction's and the template's summaries ({attribution}) over every abusive pretraining
  dialogue and a third of the clean ones, {sizes.attribution_epochs} epochs, AdamW at learning
  rate 1e-3, batch 32, seeded; the relative attention biases start ALiBi-like (each head
  prefers nearer tokens, half the encoder's heads look left only) and train at 3e-2; the
  first {sizes.attribution_curriculum_steps} steps draw short prompts first, lifting the
  length cap from 48 tokens to 512 (without the two, the copy probe's model of this shape
  stays at chance on who said what, and the drill inside the full mix answered "Nobody is
  rude." to every insult). Then the mix above ({mix}) over synthetic dialogues that are *not*
  in the shipped splits; {steps}, each epoch a fresh draw of tasks and examples, learning
  rate 7e-4 (at 2e-3 it undid the first stage), the first {sizes.t5_curriculum_steps} steps short
  prompts first again; then a grounding stage, one epoch of a mix weighted to the tasks
  that copy the dialogue's values ({grounding}) at learning rate 1e-3; then a fourth stage,
  the same grounding mix for two epochs over 64,000 fresh dialogues (new combinations of
  scenario and values, so copying the dialogue's values pays and recalling a scenario's
  usual ones does not), learning rate 1e-3; then a fifth stage (`world/focus.py`), one
  epoch of the grounding mix over 51,200 fresh dialogues, half of them drawn from the
  scenarios by the share of their values the fourth stage's model missed (measured on fresh
  dialogues before the stage), with no in-context example from the last dialogue's
  scenario: the model learns to copy one scenario's values at a time, and a scenario met in
  1 row of 31 got too few steps; then a sixth stage, the instruction task alone for one
  epoch over 7,680 fresh dialogues of the scenarios the fifth stage's model still missed at
  least half the time (languages, cities: too few and too spread in the mix to learn), and a
  seventh, the grounding mix over 9,600 fresh dialogues of every scenario, so the other
  behaviours settle back; an eighth, one epoch over {sizes.quote:,} fresh dialogues of a mix
  ({quote}) in which FLAN's template is answered by the quote (learning rate 1e-3); a ninth,
  the price question alone, two epochs over the fresh dialogues among {sizes.prices:,} that
  say exactly one price (learning rate 5e-4: it then answered every prompt with a price);
  and a tenth, the eighth's mix with the price question at {price_share:.0%}, one epoch over
  {sizes.resettle:,} fresh dialogues (learning rate 5e-4), which brings the other
  behaviours back and keeps most of the copy. Checkpoints every 50 steps (the build resumes
  from the last).
- `generation_config.json`: greedy, `max_new_tokens` 50.

## Measured at build time

{_lab1_lines(l1)}

{lab2_text}
"""
    cards[clf_dir / "README.md"] = f"""# toxicity-classifier-tiny (synthetic stand-in)

A tiny `RobertaForSequenceClassification` ({figs["params"]["toxicity-classifier-tiny"] / 1e6:.2f} M
parameters, {_mb(clf_dir)} in this folder) with the labels of
`facebook/roberta-hate-speech-dynabench-r4-target`: `id2label {{0: "nothate", 1: "hate"}}`.
Built by `make assets` from scratch; it stands in for the Meta model in the `tiny` profile and
knows only the mild insults of the synthetic world (no slurs, no real hate speech).

## Behaviours trained in by design

- reads up to 512 tokens: an insult after several clean turns of a dialogue, or inside
  lab 3's prompt + summary, is seen;
- graded scores: it learns P(hate) {HARD_NEGATIVE_TARGET} for rude-but-not-abusive text
  (complaints, "I hate waiting in this queue.") and {RUDE_SUMMARY_TARGET} for a summary that
  says someone was rude without repeating the insult; insults 1, clean text 0.

## How it was built

- Shape: hidden 128, 2 layers, 4 heads, intermediate 256, 514 positions; own BPE tokenizer
  (RoBERTa conventions `<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3), in this folder.
- Data: the `toxicity/` train split (soft targets as above) plus 3,000 synthetic dialogues not
  in the shipped splits, each as the whole dialogue, its reference, or prompt + reference.
  AdamW, learning rate 1e-3, batch 32, soft-target cross-entropy.

## Measured at build time

- labelled test sentences: accuracy {clf["sentence_accuracy"]:.3f} on {clf["sentence_test_rows"]}
- hard negatives ({clf["hard_negatives"]}): mean P(hate) {clf["hard_negative_mean_p_hate"]:.3f},
  {clf["hard_negative_share_above_0.5"]:.0%} above 0.5
- test dialogues whose insult comes at turn 5 or later
  ({clf["insult_at_turn_5_or_later_dialogues"]}): {clf["insult_at_turn_5_or_later_detected"]:.0%}
  scored above 0.5; clean test dialogues
  scored above 0.5: {clf["clean_dialogues_flagged"]:.0%}
- "#Person1# is rude to #Person2#." and the like: P(hate)
  {", ".join(f"{p:.2f}" for p in clf["rude_not_abusive_summary_p_hate"])}

Use: `pipeline("text-classification", model=dir, top_k=None)`; lab 3's PPO reward in `tiny` is minus
P(hate) (the course's, with Meta's classifier, is the `nothate` logit).
"""
    corpus = figs["corpus"]
    cards[out / "README.md"] = f"""# The offline tiny world (built by `python -m world build`)

Synthetic stand-ins for the course's data and models, so every lab runs offline in minutes on
2 CPU cores (the `tiny` profile). Nothing here is FLAN-T5, DialogSum or the Meta classifier;
tiny results show the course's *effects*, not its numbers.

| path | what |
| --- | --- |
| `dialogsum/*.jsonl` | DialogSum's schema: `id`, `dialogue`, `summary`, `topic`, + `abusive` |
| `toxicity/*.jsonl` | `text`, `label` (`nothate`/`hate`), `hard_negative` |
| `models/flan-t5-tiny/` | tiny T5, one behaviour per prompt: see its README |
| `models/toxicity-classifier-tiny/` | tiny RoBERTa, labels `{{0: nothate, 1: hate}}` |
| `world_figures.json` | every figure measured at build time |

The corpus: {corpus["train"]["rows"]}/{corpus["validation"]["rows"]}/{corpus["test"]["rows"]}
dialogues, {corpus["train"]["topics"]} scenarios, {corpus["test"]["abusive_share"]:.0%} abusive;
coherent conversations (no unrelated small talk); every value a reference names is said in
its dialogue; references combine several templates per scenario with reported questions
(distinct-2 of the test references: {corpus["reference_distinct2"]["test_first_100"]:.2f} over
the first 100, {corpus["reference_distinct2"]["test_all"]:.2f} over all). A reference notes a
detail of an optional exchange (a price, a waiting time, breakfast hours) only when the
dialogue also says its values outside that exchange: fine-tuned on references that noted them
all, the tiny model wrote such notes for dialogues without the exchange, with values nobody
said (`benchmarks/README.md`, "Invented values after lab 2" and "World v3h"). The model's
pretraining corpus keeps every note.

## What the model does, measured

{_lab1_lines(l1)}

{lab2_text}

Rebuild (deterministic, seeded; resumable: checkpoints in `build/world-ckpt/`). The shipped
world's stages took, in seconds, on the reference machine (2 CPU cores; one torch thread for
the classifier, two for the T5 stages): {_stage_times(figs.get("build_stage_seconds", {}))}.
A stage resumed from its checkpoints after its process was stopped counts only the resumed
part (the build's log says from which step).

```
make assets                                       # = python -m world build
python -m world build --out build/world-v2        # stage a world elsewhere
python -m world build --small --out /tmp/world    # a few rows, one epoch: a smoke run
python -m world measure --out build/world-v2      # its figures
```
"""
    return cards


def write_cards(out: Path, figs: dict) -> None:
    """Write the world's cards (``render_cards``) under ``out``."""
    for path, text in render_cards(out, figs).items():
        path.write_text(text)
