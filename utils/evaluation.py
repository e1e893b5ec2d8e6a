"""ROUGE and toxicity through the evaluate modules shipped in ``utils/metrics``, plus the
statistics the labs report: comparison tables and bootstrap confidence intervals."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import evaluate
import numpy as np
import pandas as pd

from utils.paths import METRICS_DIR

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def load_rouge() -> evaluate.EvaluationModule:
    """The packaged ROUGE metric (``evaluate.load`` by path: no Hub, no remote code)."""
    return evaluate.load(str(METRICS_DIR / "rouge"), keep_in_memory=True)


def load_toxicity(model_id: str, classifier=None) -> evaluate.EvaluationModule:
    """The packaged toxicity measurement over the classifier ``model_id``.

    ``classifier``: an already loaded ``text-classification`` pipeline of ``model_id`` (lab 3's
    reward pipeline), reused instead of loading the model again; ``evaluate.load`` hands it to
    the measurement's constructor. ``keep_in_memory``: evaluate would otherwise write its Arrow
    cache under a folder named after the config, for a local model path inside the model folder.
    """
    return evaluate.load(
        str(METRICS_DIR / "toxicity"),
        model_id,
        module_type="measurement",
        keep_in_memory=True,
        classifier=classifier,
    )


def rouge_scores(
    predictions: Sequence[str], references: Sequence[str], per_example: bool = False
) -> dict:
    """ROUGE-1/2/L/Lsum F-measures: means, or one list per type with ``per_example``."""
    return load_rouge().compute(
        predictions=list(predictions),
        references=list(references),
        use_aggregator=not per_example,
    )


@dataclass(frozen=True)
class ConfidenceInterval:
    """A mean and its bootstrap confidence interval."""

    mean: float
    low: float
    high: float
    confidence: float = 0.95

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        return f"{self.mean:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def bootstrap_ci(
    values: Sequence[float],
    baseline: Sequence[float] | None = None,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> ConfidenceInterval:
    """Percentile-bootstrap CI of the mean of ``values`` (or of the paired difference
    ``values - baseline`` when a baseline scored on the same examples is given)."""
    data = np.asarray(values, dtype=float)
    if baseline is not None:
        base = np.asarray(baseline, dtype=float)
        if base.shape != data.shape:
            raise ValueError(
                f"paired bootstrap needs equal lengths, got {data.shape} and {base.shape}"
            )
        data = data - base
    if data.size == 0:
        raise ValueError("bootstrap_ci needs at least one value")
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, data.size, size=(n_resamples, data.size))
    means = data[indices].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return ConfidenceInterval(float(data.mean()), float(low), float(high), confidence)


def comparison_table(
    per_example: Mapping[str, Mapping[str, Sequence[float]]],
    pairs: Sequence[tuple[str, str]],
    metrics: Sequence[str] = ROUGE_TYPES,
    seed: int = 0,
) -> pd.DataFrame:
    """Means per system, then one block per (before, after) pair: absolute and relative
    improvement and the paired bootstrap 95% CI of the difference.

    ``per_example`` maps a system name to its per-example scores by metric (all systems
    scored on the same examples, in the same order).
    """
    rows: dict[str, dict[str, object]] = {}
    for name, scores in per_example.items():
        rows[name] = {m: float(np.mean(scores[m])) for m in metrics}
    for before, after in pairs:
        absolute, relative, interval = {}, {}, {}
        for m in metrics:
            ci = bootstrap_ci(per_example[after][m], per_example[before][m], seed=seed)
            base_mean = rows[before][m]
            absolute[m] = ci.mean
            relative[m] = f"{ci.mean / base_mean:+.1%}" if base_mean else "n/a"
            interval[m] = f"[{ci.low:+.3f}, {ci.high:+.3f}]"
        rows[f"{before} -> {after} (absolute)"] = absolute
        rows[f"{before} -> {after} (relative)"] = relative
        rows[f"{before} -> {after} (95% CI)"] = interval
    return pd.DataFrame.from_dict(rows, orient="index")[list(metrics)]


def distinct_n(texts: Sequence[str], n: int = 2) -> float:
    """Share of n-grams that are unique across ``texts``: 0 = all repeats, 1 = all different."""
    ngrams = [
        tuple(words[i : i + n])
        for words in (t.lower().split() for t in texts)
        for i in range(len(words) - n + 1)
    ]
    return len(set(ngrams)) / len(ngrams) if ngrams else 0.0


# ---- content checks: is a summary about its own dialogue, and does it loop? ----

STOPWORDS = frozenset(
    """
a an the and or but if so of to in on at by for with from about into over after before as is
are was were be been being am do does did have has had will would can could shall should may
might must not no yes it its it's this that these those there here he she they them his her
their him we us our you your i me my mine he's she's they're we're you're i'm what which who
whom when where why how all any some each every both more most other such only own same than
too very just also then now up down out off again once ok okay oh well sure please thanks
thank hello hi let let's get got go going say says said tell tells told ask asks asked want
wants like
""".split()
)
"""Function words left out when comparing what texts are about."""


def words(text: str, drop_tags: bool = True) -> list[str]:
    """Lower-cased words of ``text`` (letters, digits, apostrophes); ``#PersonN#`` tags are left
    out unless ``drop_tags`` is False."""
    text = text.lower()
    if drop_tags:
        text = re.sub(r"#person\d#", " ", text)
    return re.findall(r"[a-z0-9']+", text)


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` without punctuation, ``#PersonN#`` tags or stop words."""
    return [w for w in words(text) if w not in STOPWORDS]


def _overlap(summary: set[str], dialogue: set[str]) -> float:
    return len(summary & dialogue) / len(summary) if summary else 0.0


def about_own_dialogue(summaries: Sequence[str], dialogues: Sequence[str]) -> np.ndarray:
    """Per summary: the share of the list's *other* dialogues that its own dialogue beats, that
    is, holds more of the summary's content words (1.0: it is plainly about its own dialogue; a
    summary of the wrong scenario scores low). The expectation over every other dialogue, so the
    figure does not depend on which one a random draw would have picked."""
    if len(summaries) != len(dialogues) or len(dialogues) < 2:
        raise ValueError("need one dialogue per summary, and at least two of them")
    about = [set(content_words(d)) for d in dialogues]
    scores = []
    for i, summary in enumerate(summaries):
        said = set(content_words(summary))
        overlaps = np.array([_overlap(said, words_of) for words_of in about])
        others = np.delete(overlaps, i)
        scores.append(float(np.mean(overlaps[i] > others)))
    return np.array(scores)


def has_repeated_ngram(text: str, n: int = 3, times: int = 3) -> bool:
    """True when some word n-gram occurs ``times`` or more in ``text`` (a decoding loop)."""
    words = text.lower().split()
    counts = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return any(c >= times for c in counts.values())


def has_repeated_sentence(text: str, min_words: int = 3) -> bool:
    """True when ``text`` says the same sentence (of ``min_words`` words or more) twice, however
    it is punctuated or capitalized: a loop that ``has_repeated_ngram`` misses."""
    sentences = [" ".join(words(s, drop_tags=False)) for s in re.split(r"[.!?]+", text)]
    said = [s for s in sentences if len(s.split()) >= min_words]
    return len(said) != len(set(said))


def repeats_itself(text: str) -> bool:
    """A decoding loop: a 3-gram said three times, or a whole sentence said twice."""
    return has_repeated_ngram(text) or has_repeated_sentence(text)


def content_rouge1(predictions: Sequence[str], references: Sequence[str]) -> np.ndarray:
    """ROUGE-1 F-measure per pair over content words only: ``#PersonN#`` tags and function
    words earn nothing, so a gain here is a gain in what the summary says."""
    scores = []
    for prediction, reference in zip(predictions, references, strict=True):
        p, r = Counter(content_words(prediction)), Counter(content_words(reference))
        hits = sum((p & r).values())
        if not hits:
            scores.append(0.0)
            continue
        precision, recall = hits / sum(p.values()), hits / sum(r.values())
        scores.append(2 * precision * recall / (precision + recall))
    return np.array(scores)


PERSON_TAG = re.compile(r"#Person\d#")


def in_person_style(text: str) -> bool:
    """True for a DialogSum-style summary: it names the speakers ``#Person1#``, ``#Person2#``."""
    return bool(PERSON_TAG.search(text))


def copies_example(output: str, example_summary: str, own_reference: str) -> bool:
    """True when ``output`` says more of an in-context example's summary than of the summary of
    the dialogue it was asked about (content-word ROUGE-1): it summarized the example."""
    to_example, to_own = content_rouge1([output, output], [example_summary, own_reference])
    return bool(to_example > to_own)


def vocabulary(texts: Sequence[str]) -> frozenset[str]:
    """Every lower-cased word (letters, digits, apostrophes) of ``texts``."""
    return frozenset(w for t in texts for w in words(t, drop_tags=False))


def has_non_word(text: str, known: frozenset[str]) -> bool:
    """True when ``text`` holds a word that ``known`` (a corpus's vocabulary) lacks: the
    made-up words of sampling from too flat a distribution."""
    return any(w not in known for w in words(text))
