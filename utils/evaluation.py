"""ROUGE and toxicity through the evaluate modules shipped in ``utils/metrics``, plus the
statistics the labs report: comparison tables and bootstrap confidence intervals."""

from __future__ import annotations

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


def load_toxicity(model_id: str) -> evaluate.EvaluationModule:
    """The packaged toxicity measurement over the classifier ``model_id``.

    ``keep_in_memory``: evaluate would otherwise write its Arrow cache under a folder named
    after the config, and a local model path as config name means inside the model folder.
    """
    return evaluate.load(str(METRICS_DIR / "toxicity"), model_id, module_type="measurement",
                         keep_in_memory=True)


def rouge_scores(
    predictions: Sequence[str], references: Sequence[str], per_example: bool = False
) -> dict:
    """ROUGE-1/2/L/Lsum F-measures: means, or one list per type with ``per_example``."""
    return load_rouge().compute(
        predictions=list(predictions), references=list(references),
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
            raise ValueError(f"paired bootstrap needs equal lengths, got {data.shape} and "
                             f"{base.shape}")
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
