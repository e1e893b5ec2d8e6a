"""Can flan-t5-tiny's architecture learn to find a value in its input and copy it? (1-10 min)

    .venv/bin/python -m benchmarks.copy_probe --tasks content --fillers 30   # from the repo root
    .venv/bin/python -m benchmarks.copy_probe --tasks speaker --steps 3000
    .venv/bin/python -m benchmarks.copy_probe --tasks speaker,insult_by,who_said=0.5 \\
        --bias-init local --bias-lr 3e-2 --curriculum 1500 --steps 1500   # the recommendation

Why: the world's fine-tuned summaries name the wrong insulter and values the dialogue never
said, and rebuilding the world to try a fix takes hours. This probe trains a fresh model of
``world.tiny_t5.make_config`` (with the overrides given: ``--d-model``, ``--num-layers``,
``--buckets``, ...), the shipped tokenizer (or ``--tokenizer split``, see below), AdamW,
batch 32, on fresh synthetic examples of one or more tasks, and every ``--eval-every`` steps
prints the greedy answers' accuracy on 200 held-out examples of each task (stopping once all
reach ``--stop``). Not part of the tests.

Tasks (``--tasks a,b=0.5``: a mix, with weights):

- ``identity``, ``content``, ``position``, ``context``: round 1's single-word retrievals (a
  word; a city among ``--fillers`` random words; the second city of "Example: ... Dialogue:
  ..."; the word after "city is");
- ``speaker``: the course's instruction prompt around a dialogue of 4-``--turns`` turns
  (#Person1# and #Person2# alternate; turns are clean lines of the corpus), one of them holds
  an insult ("Listen, you jerk, ..."); the target is "#PersonX# called #PersonY# a jerk.".
  Scored: ``who`` (the insulter and the insulted in the right order), ``word`` (the insult),
  ``exact``;
- ``slot``: one turn asks for a city, a day or a time ("I need a ticket to Rome."), one or
  two other turns mention values of the other kinds ("The shop was closed on Monday."); the
  target is "#PersonX# is going to Rome." (a template per kind). Scored: ``value``, ``who``
  (the asker), ``exact``;
- ``slot1shot``: the same in the course's one-shot prompt, whose solved example asks for a
  value of the same kind: the answer is the one in the *last* dialogue;
- drills (in the mix, evaluated only with ``--eval-tasks``): ``insult_by``, a speaker
  dialogue then "Which insult, and who said it?" -> "jerk, said by #Person2#." (the word
  first, so the decoder reads the speaker where it has just copied the word); ``who_said``,
  a dialogue then 'Who said "word"?' for a word only one turn has -> that turn's tag.

Options beyond the shape: ``--curriculum N`` grows the dialogues from 2 turns to ``--turns``
over N steps; ``--bias-init local`` starts T5's relative attention biases ALiBi-like
(:func:`local_bias_init`), ``--bias-lr`` gives them their own learning rate. ``--tokenizer
split`` trains a BPE on the corpus as ``world/tokenizer.py`` does, but with punctuation split
off words and "▁" before every word: the shipped one makes "Rome." , "Rome?" and "Rome" three
tokens, and "#Person2#:" at a line start, "▁#Person1#:" at the text start and "▁#Person2#"
in a summary three more. ``world``: ``world/tokenizer.py``'s own (final punctuation split
off, "▁" only where a space was), as world v3b ships it.

Results, December 2026 (reference machine, 2 shared CPU cores, one thread; shipped
tokenizer; lr 1e-3, no warmup, batch 32; dialogues of 4-12 turns; 200 held-out examples;
seed 0 unless said; s/step is training only and varied 0.2-1.6 with the other jobs on the
machine). Shape: today's ``make_config`` (d_model 128, d_kv 32, d_ff 384, 4 heads, 4/3
layers, 32 buckets / max distance 256): 2.11 M parameters, 4.2 MB as float16 safetensors.

=========================================================  =======  =====  =====  ========
run (``--tasks`` and options)                               steps    who    word   s/step
=========================================================  =======  =====  =====  ========
speaker                                                     1750     46-52  100    0.60-0.84
speaker --curriculum 1000                                   1000     48-52  100    0.47-0.77
speaker,insult_by (1:1)                                     500      52     97     1.1 (load)
speaker --bias-lr 3e-2                                      750      52     100    0.58
speaker --bias-init local                                   750      52     100    0.64
speaker,insult_by,who_said=0.5 --bias-init local
  --bias-lr 3e-2 --curriculum 1500, seed 0                  500      86     100    0.24
                                                            750      93     99     0.27
                                                            1000     98     100    0.30
  the same, seed 1                                          500      90     99     0.24
                                                            750      96     100    0.27
speaker --bias-init local --bias-lr 3e-2 --curriculum 1500  250      70     100    0.20
  (no drills)                                               500      96     100    0.23
speaker --bias-init local --bias-lr 3e-2 (no curriculum)    500      45-52  100    0.60
speaker --bias-init local --bias-lr 3e-2 --curriculum 1500  250      79     100    0.32
  --tokenizer world (punctuation split off, world v3b)      500      98     100    0.35
  the same run, shipped tokenizer (side by side)            250      70     100    0.22
                                                            500      96     100    0.25
=========================================================  =======  =====  =====  ========

"who" at 46-52% is a constant answer (the held-out set has 52% #Person1# insulters): every
single change leaves the model at chance; the curriculum together with the local, fast relative
biases learns the insulter in 500-750 steps (two seeds with the drills, one without), from
dialogues of at most 5-7 turns seen so far to held-out ones of up to 12. Either half alone
stays at chance (measured to 500-1,000 steps). In the seed-0 run with drills ``insult_by``
reached 93-96%; ``who_said`` stayed at 44-55% (finding a word named in the question is a second
hop). Slots, today's shape, ``--tasks slot,slot1shot`` (no bias options, no curriculum), steps
250 / 500: slot value 20% / 50%, its asker 60% / 50%; one-shot slot value 22% / 37% (1.6 s/step
under load; stopped at 500, still rising).

Recommendation for world v3: keep today's shape (2.1 M parameters, 4.2 MB in float16:
the assets stay far below 40 MB), lr 1e-3, and change how it is trained:
(1) start the relative attention biases with :func:`local_bias_init` and train them at lr
3e-2 (an AdamW parameter group without weight decay); (2) start with 2-turn dialogues
(short prompts) and grow to full length over the first ~1,500 steps; (3) keep abusive
dialogues with either speaker insulting in the mix. Measured above: the insulter at 93-98%
within 500-1,000 steps (three runs, two seeds). The ``insult_by`` drill is optional (the
run without drills learnt as fast); ``who_said`` did not learn and is not worth its share.
The same recipe on slots (``--tasks slot,slot1shot --bias-init local --bias-lr 3e-2
--curriculum 1500``, seed 0, 0.5-0.6 s/step on two threads), steps 250 / 500 / 750: slot value
62 / 100 / 100%, its asker 69 / 98 / 100%; one-shot slot value 48 / 90 / 98%, its asker
60 / 92 / 98% (without the recipe: 50% value and chance asker at step 500, above).
Not measured this round: a second seed of the slot run, bigger shapes (sizes only: d_model
256, d_ff 768, 4/3 layers: 6.3 M parameters, 12.6 MB; with 6/6 layers and 8 heads: 12.6 M,
25.3 MB), 64 buckets, the split tokenizer.

Round 1 (``--tasks`` single retrievals, lr 1e-3, November 2026): identity 100% from step
160; content (30 fillers) 100% from step 80; context 0-13% through 1,000-2,000 steps with 2-8
fillers (also at lr 3e-3 and 1e-2, Adafactor, no dropout, untied embeddings, d_model 256, a
BART); position (8 fillers) 51-55% through step 1,500, a coin toss.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import save_model
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast, T5ForConditionalGeneration

from utils.paths import DIALOGSUM_DIR, TINY_T5_DIR
from utils.prompts import INSTRUCTION_TEMPLATE, in_context_prompt
from world.tiny_t5 import local_bias_init, make_config

CITIES = (
    "Paris Tokyo London Rome Sydney Beijing Boston Chicago Manchester Lyon Osaka Berlin Madrid "
    "Vienna Prague Dublin Lisbon Seoul Toronto Oslo Athens Milan Munich Seattle Denver"
).split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
TIMES = "nine ten eleven two three four five six seven eight".split()
KINDS = {"city": CITIES, "day": DAYS, "time": TIMES}
INSULT_WORDS = "idiot moron fool jerk loser creep slob clown liar coward snob brat".split()
INSULT_LINES = [
    "Shut up, you {w}.",
    "Listen, you {w}, I'm not asking again.",
    "You're such {a} {w}.",
    "What {a} {w} you are!",
    "Don't be such {a} {w}.",
    "Are you deaf, you {w}?",
    "Stop talking nonsense, you {w}.",
]
REQUESTS = {  # (lines that ask for a value of the kind, the target's template)
    "city": (
        [
            "I need a ticket to {v}.",
            "I'm planning a trip to {v} next month.",
            "Is there a flight to {v} tomorrow?",
            "We are going to {v} for our holiday.",
        ],
        "{x} is going to {v}.",
    ),
    "day": (
        [
            "Can I come on {v}?",
            "I'd like an appointment on {v}, please.",
            "Could we do it on {v} instead?",
            "Is the office open on {v}?",
        ],
        "{x} wants to come on {v}.",
    ),
    "time": (
        [
            "Could we meet at {v}?",
            "Is {v} o'clock all right for you?",
            "I'll be there at {v}, then.",
            "Can you call me at {v} tomorrow?",
        ],
        "{x} wants to meet at {v}.",
    ),
}
MENTIONS = {  # lines that mention a value without asking for it (the distractors)
    "city": ["My sister lives in {v}.", "I read about {v} in the paper.", "I was in {v} once."],
    "day": ["I was very busy last {v}.", "The shop was closed on {v}.", "He visited on {v}."],
    "time": ["I got up at {v} today.", "The news starts at {v}.", "I usually finish at {v}."],
}
TASKS = (
    *("identity", "content", "position", "context"),
    *("speaker", "slot", "slot1shot", "who_said", "insult_by"),
)
DRILLS = ("who_said", "insult_by")
SCORES = {"speaker": ("who", "word"), "slot": ("value",), "slot1shot": ("value",)}
"""The scores that must reach ``--stop`` (other tasks: ``exact``)."""


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def corpus_lines(max_words: int = 14) -> list[str]:
    """Clean turn texts of the shipped corpus that name no value of any kind and no insult."""
    banned = {w.lower() for w in CITIES + DAYS + TIMES + INSULT_WORDS}
    lines = set()
    with open(DIALOGSUM_DIR / "train.jsonl", encoding="utf-8") as f:
        for row in map(json.loads, f):
            if row["abusive"]:
                continue
            for turn in row["dialogue"].split("\n"):
                text = turn.split(": ", 1)[1]
                words = {w.lower() for w in re.findall(r"[A-Za-z']+", text)}
                if len(text.split()) <= max_words and not words & banned:
                    lines.add(text)
    return sorted(lines)


def split_tokenizer(vocab_size: int = 4096, kind: str = "split") -> PreTrainedTokenizerFast:
    """A BPE like world/tokenizer.py's, with punctuation split off and "▁" before every word
    (``split``), or world/tokenizer.py's own T5 one (``world``: final punctuation split off,
    "▁" only where a space was)."""
    texts = []
    for split in ("train", "validation"):
        with open(DIALOGSUM_DIR / f"{split}.jsonl", encoding="utf-8") as f:
            texts += [t for row in map(json.loads, f) for t in (row["dialogue"], row["summary"])]
    if kind == "world":
        from world.tokenizer import build_t5_tokenizer

        with tempfile.TemporaryDirectory() as folder:  # it saves itself; the probe needs no copy
            return build_t5_tokenizer(texts, Path(folder), vocab_size)
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split("\n", behavior="isolated"),
            pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(r"[.,!?;:]"), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<pad>", "</s>", "<unk>"],
        min_frequency=2,
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    )


class Probe:
    """Draws (prompt, target, facts) examples of the tasks; ``facts`` is what scoring needs."""

    def __init__(self, tok, fillers: int, turns: int, lines: list[str], seed: int = 0):
        single = {w for w in tok.get_vocab() if w.startswith("\u2581")}
        self.cities = [c for c in CITIES if "\u2581" + c in single]
        self.words = sorted(
            w[1:] for w in single if w[1:].isalpha() and len(w) > 3 and w[1:] not in CITIES
        )
        self.lines, self.fillers, self.turns = lines, fillers, turns
        self.rng = random.Random(seed)
        self.min_turns, self.max_turns = 4, turns  # a curriculum starts both at 2

    def _with(self, word: str) -> str:
        ws = self.rng.sample(self.words, self.fillers)
        ws.insert(self.rng.randrange(self.fillers + 1), word)
        return " ".join(ws)

    def _dialogue(self, n: int, special: dict[int, str]) -> str:
        """``n`` alternating turns of corpus lines; ``special`` replaces or extends some turns."""
        rng, turns = self.rng, []
        for i, line in enumerate(rng.sample(self.lines, n)):
            if i in special:
                line = special[i] if rng.random() < 0.5 else f"{line} {special[i]}"
            turns.append(f"#Person{i % 2 + 1}#: {line}")
        return "\n".join(turns)

    def _n_turns(self) -> int:
        high = max(2, self.max_turns)
        return self.rng.randint(min(self.min_turns, high), high)

    def _slot(self, kind: str | None = None) -> tuple[str, str, dict]:
        rng = self.rng
        kind = kind or rng.choice(list(KINDS))
        value = rng.choice(KINDS[kind])
        n = self._n_turns()
        at = rng.sample(range(n), min(n, rng.choice([2, 3])))
        asks, template = REQUESTS[kind]
        special = {at[0]: rng.choice(asks).format(v=value)}
        others = [k for k in KINDS if k != kind]
        for i in at[1:]:
            other = others.pop(rng.randrange(len(others)))
            special[i] = rng.choice(MENTIONS[other]).format(v=rng.choice(KINDS[other]))
        who = f"#Person{at[0] % 2 + 1}#"
        return self._dialogue(n, special), template.format(x=who, v=value), dict(v=value, x=who)

    def example(self, task: str) -> tuple[str, str, dict]:
        rng = self.rng
        if task == "identity":
            word = rng.choice(self.words)
            return word, word, {}
        if task == "content":
            city = rng.choice(self.cities)
            return f"{self._with(city)} . Which city?", city, {}
        if task == "position":
            first, city = rng.sample(self.cities, 2)
            prompt = f"Example: {self._with(first)} . Dialogue: {self._with(city)} . Which city?"
            return prompt, city, {}
        if task == "context":
            word = rng.choice(self.words)
            return f"{self._with('city is ' + word)} . Which city?", word, {}
        if task in ("speaker", "insult_by"):
            n, word = self._n_turns(), rng.choice(INSULT_WORDS)
            at = rng.randrange(n)
            line = rng.choice(INSULT_LINES).format(w=word, a=_article(word))
            x, y = f"#Person{at % 2 + 1}#", f"#Person{2 - at % 2}#"
            dialogue = self._dialogue(n, {at: line})
            if task == "insult_by":  # the word first: the speaker is read where the word is
                return f"{dialogue}\n\nWhich insult, and who said it?", f"{word}, said by {x}.", {}
            target = f"{x} called {y} {_article(word)} {word}."
            prompt = INSTRUCTION_TEMPLATE.format(dialogue=dialogue)
            return prompt, target, dict(x=x, y=y, w=word)
        if task == "slot":
            dialogue, target, facts = self._slot()
            return INSTRUCTION_TEMPLATE.format(dialogue=dialogue), target, facts
        if task == "slot1shot":
            dialogue, target, facts = self._slot()
            kind = next(k for k, vs in KINDS.items() if facts["v"] in vs)
            while True:
                shot, shot_target, shot_facts = self._slot(kind)
                if shot_facts["v"] != facts["v"]:
                    break
            facts["shot_v"] = shot_facts["v"]
            return in_context_prompt([(shot, shot_target)], dialogue), target, facts
        if task == "who_said":
            n = self._n_turns()
            dialogue = self._dialogue(n, {})
            turns = [t.split(": ", 1) for t in dialogue.split("\n")]
            counts: dict[str, int] = {}
            for _, text in turns:
                for w in set(re.findall(r"[A-Za-z]{4,}", text)):
                    counts[w] = counts.get(w, 0) + 1
            options = [
                (tag, w)
                for tag, text in turns
                for w in set(re.findall(r"[A-Za-z]{4,}", text))
                if counts[w] == 1
            ]
            if not options:
                return self.example(task)
            tag, word = rng.choice(sorted(options))
            return f'{dialogue}\n\nWho said "{word}"?', tag, {}
        raise ValueError(task)


def score(task: str, said: str, target: str, facts: dict) -> dict[str, bool]:
    """Exact match, and for the dialogue tasks the facts one at a time."""
    out = {"exact": said == target}
    if task == "speaker":
        out["who"] = said.startswith(f"{facts['x']} called {facts['y']} ")
        m = re.search(r" an? ([A-Za-z]+)", said)
        out["word"] = bool(m) and m.group(1) == facts["w"]
    elif task in ("slot", "slot1shot"):
        names = re.findall(r"[A-Za-z0-9']+", said)
        out["value"] = facts["v"] in names and facts.get("shot_v") not in names
        out["who"] = said.startswith(facts["x"] + " ")
    return out


def encode(tok, pairs: list[tuple[str, str, dict]], max_source: int = 512):
    enc = tok(
        [p for p, _, _ in pairs],
        return_tensors="pt",
        padding=True,
        truncation=True,
        max_length=max_source,
    )
    labels = tok([t for _, t, _ in pairs], return_tensors="pt", padding=True).input_ids
    labels[labels == tok.pad_token_id] = -100
    return enc, labels


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name not in TASKS:
            raise SystemExit(f"unknown task {name!r}; choose from {', '.join(TASKS)}")
        mix[name] = float(weight or 1)
    return mix


def fp16_megabytes(model) -> float:
    """Size of the model's safetensors saved in half precision (tied weights stored once)."""
    with tempfile.TemporaryDirectory() as tmp:
        save_model(model.to(torch.float16), Path(tmp) / "model.safetensors")
        size = (Path(tmp) / "model.safetensors").stat().st_size
    model.to(torch.float32)
    return size / 1e6


def evaluate(model, tok, sets: dict, batch_size: int = 100) -> dict[str, dict[str, float]]:
    model.eval()
    result = {}
    for task, pairs in sets.items():
        totals: dict[str, int] = {}
        for i in range(0, len(pairs), batch_size):
            chunk = pairs[i : i + batch_size]
            enc, _ = encode(tok, chunk)
            with torch.no_grad():
                ids = model.generate(**enc, max_new_tokens=24, do_sample=False)
            said = [s.strip() for s in tok.batch_decode(ids, skip_special_tokens=True)]
            for s, (_, target, facts) in zip(said, chunk, strict=True):
                for k, ok in score(task, s, target.strip(), facts).items():
                    totals[k] = totals.get(k, 0) + ok
        result[task] = {k: v / len(pairs) for k, v in totals.items()}
    model.train()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default="content", help="task[=weight],... (a mix)")
    parser.add_argument("--eval-tasks", default=None, help="default: the mix's non-drills")
    parser.add_argument("--fillers", type=int, default=8, help="random words around the answer")
    parser.add_argument("--turns", type=int, default=12, help="most turns in a dialogue")
    parser.add_argument("--curriculum", type=int, default=0, help="steps to grow turns from 2")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--bias-lr", type=float, help="learning rate of the relative biases")
    parser.add_argument("--bias-init", choices=("zero", "local"), help="start of those biases")
    parser.add_argument("--warmup", type=int, default=0, help="linear warmup steps")
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--eval-size", type=int, default=200)
    parser.add_argument("--stop", type=float, default=0.95, help="stop once all scores reach it")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tokenizer", choices=("shipped", "split", "world"), default="shipped")
    for name in ("d_model", "d_kv", "d_ff", "num_heads", "num_layers", "num_decoder_layers"):
        parser.add_argument("--" + name.replace("_", "-"), type=int, dest=name)
    parser.add_argument("--buckets", type=int, dest="relative_attention_num_buckets")
    parser.add_argument("--max-distance", type=int, dest="relative_attention_max_distance")
    parser.add_argument("--dropout", type=float, dest="dropout_rate")
    parser.add_argument("--untied", action="store_true", help="separate input/output embeddings")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    tok = AutoTokenizer.from_pretrained(TINY_T5_DIR) if args.tokenizer == "shipped" else None
    tok = tok or split_tokenizer(kind=args.tokenizer)
    mix = parse_mix(args.tasks)
    eval_tasks = [t for t in mix if t not in DRILLS]  # drills are evaluated only when asked
    eval_tasks = args.eval_tasks.split(",") if args.eval_tasks else eval_tasks
    lines = corpus_lines()
    held_out = Probe(tok, args.fillers, args.turns, lines, seed=10_000 + args.seed)
    sets = {t: [held_out.example(t) for _ in range(args.eval_size)] for t in eval_tasks}
    seen = {p for pairs in sets.values() for p, _, _ in pairs}
    probe = Probe(tok, args.fillers, args.turns, lines, seed=args.seed)

    config = make_config(len(tok))
    for key in (
        *("d_model", "d_kv", "d_ff", "num_heads", "num_layers", "num_decoder_layers"),
        *("relative_attention_num_buckets", "relative_attention_max_distance", "dropout_rate"),
    ):
        if getattr(args, key) is not None:
            setattr(config, key, getattr(args, key))
    if args.untied:
        config.tie_word_embeddings = False
    model = T5ForConditionalGeneration(config)
    if args.bias_init == "local":
        local_bias_init(model)
    elif args.bias_init == "zero":
        for name, p in model.named_parameters():
            if "relative_attention_bias" in name:
                p.data.zero_()
    params = sum(p.numel() for p in model.parameters())
    shape = (
        f"d{config.d_model} kv{config.d_kv} ff{config.d_ff} h{config.num_heads} "
        f"L{config.num_layers}/{config.num_decoder_layers} "
        f"b{config.relative_attention_num_buckets}/{config.relative_attention_max_distance}"
        f"{' untied' if not config.tie_word_embeddings else ''} tok={args.tokenizer}"
        f"{' bias-init=' + args.bias_init if args.bias_init else ''}"
        f"{' bias-lr=' + str(args.bias_lr) if args.bias_lr else ''}"
    )
    print(f"{shape}: {params / 1e6:.2f} M parameters, {fp16_megabytes(model):.1f} MB in fp16")
    print(f"args: {vars(args)}", flush=True)

    rel = [p for n, p in model.named_parameters() if "relative_attention_bias" in n]
    rest = [p for n, p in model.named_parameters() if "relative_attention_bias" not in n]
    groups = [dict(params=rest), dict(params=rel, lr=args.bias_lr or args.lr, weight_decay=0.0)]
    opt = torch.optim.AdamW(groups, lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (args.warmup + 1)))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=args.label_smoothing)
    names, weights = list(mix), list(mix.values())
    model.train()
    t0, train_s, reached, losses = time.time(), 0.0, None, []
    for step in range(1, args.steps + 1):
        t1 = time.time()
        if args.curriculum:  # 2 turns at first, all lengths from 2 to --turns at the end
            probe.min_turns = 2
            probe.max_turns = min(args.turns, 2 + (args.turns - 2) * step // args.curriculum)
        pairs = []
        while len(pairs) < args.batch:
            ex = probe.example(probe.rng.choices(names, weights)[0])
            if ex[0] not in seen:
                pairs.append(ex)
        enc, labels = encode(tok, pairs)
        logits = model(**enc, labels=labels).logits
        loss = loss_fn(logits.reshape(-1, logits.size(-1)), labels.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(loss.item())
        train_s += time.time() - t1
        if step % args.eval_every == 0 or step == args.steps:
            result = evaluate(model, tok, sets)
            text = "  ".join(
                f"{t}: " + " ".join(f"{k} {v:.0%}" for k, v in r.items()) for t, r in result.items()
            )
            print(
                f"step {step}: loss {sum(losses) / len(losses):.3f}  {text}  "
                f"({time.time() - t0:.0f} s, {train_s / step:.3f} s/step)",
                flush=True,
            )
            losses = []
            keys = [(t, k) for t in result for k in SCORES.get(t, ("exact",))]
            if all(result[t][k] >= args.stop for t, k in keys):
                reached = step
                break
    print(
        f"RESULT {shape} tasks={args.tasks} lr={args.lr} seed={args.seed}: "
        f"reached {args.stop:.0%} at step {reached or 'never'} (of {step}); "
        f"{train_s / step:.3f} s/step; {params / 1e6:.2f} M params; "
        f"{fp16_megabytes(model):.1f} MB fp16",
        flush=True,
    )


if __name__ == "__main__":
    main()
