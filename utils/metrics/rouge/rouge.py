"""ROUGE as an `evaluate` metric, computed locally with Google's `rouge_score`.

Shipped inside the package and loaded by path (``evaluate.load(".../rouge")``), so no
code is fetched from the Hub. Differences from the Hub's ``rouge`` module, on purpose:
the aggregate is the plain mean of per-example F-measures (the Hub's uses a random
bootstrap median, so it changes from run to run), which keeps notebook outputs repeatable.
"""

import datasets
import evaluate
from rouge_score import rouge_scorer

_DESCRIPTION = """ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum F-measures between predictions and
references, from the `rouge_score` package (a re-implementation of ROUGE-1.5.5)."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of generated texts.
    references: list of reference texts, one per prediction.
    rouge_types: which scores to compute (default rouge1, rouge2, rougeL, rougeLsum).
    use_stemmer: Porter-stem words before matching (default False).
    use_aggregator: return the mean over examples (default True) or one score per example.
Returns:
    dict of rouge type -> float (aggregated) or list of floats (per example).
Examples:
    >>> rouge = evaluate.load("utils/metrics/rouge")
    >>> rouge.compute(predictions=["hello there"], references=["hello there"])["rouge1"]
    1.0
"""

_CITATION = """@inproceedings{lin-2004-rouge, title = "{ROUGE}: A Package for Automatic
Evaluation of Summaries", author = "Lin, Chin-Yew", year = "2004"}"""

DEFAULT_ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Rouge(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
            codebase_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
        )

    def _compute(
        self, predictions, references, rouge_types=None, use_stemmer=False, use_aggregator=True
    ):
        rouge_types = list(rouge_types or DEFAULT_ROUGE_TYPES)
        scorer = rouge_scorer.RougeScorer(rouge_types=rouge_types, use_stemmer=use_stemmer)
        per_example = {t: [] for t in rouge_types}
        for prediction, reference in zip(predictions, references, strict=True):
            scores = scorer.score(reference, prediction)
            for t in rouge_types:
                per_example[t].append(scores[t].fmeasure)
        if not use_aggregator:
            return per_example
        return {t: sum(v) / len(v) if v else 0.0 for t, v in per_example.items()}
