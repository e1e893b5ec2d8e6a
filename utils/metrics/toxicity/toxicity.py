"""Toxicity as an `evaluate` measurement over a local text-classification model.

Shaped like the Hub's ``toxicity`` measurement (config name = classifier id,
``toxic_label``, aggregations none/maximum/ratio) plus a ``mean`` aggregation, and
shipped in the package so that it loads by path with no code from the Hub. It scores
through ``utils.reward.label_scores``, the one definition of the classifier's scores, and
takes an already loaded pipeline (``classifier=``, which ``evaluate.load`` forwards here)
so that a lab loads the classifier once.
"""

import datasets
import evaluate
from transformers import pipeline

from utils.reward import label_scores

_DESCRIPTION = """Scores each text with a hate-speech classifier; a text's toxicity is the
classifier's probability of `toxic_label`."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of texts to score.
    toxic_label: the classifier label that means toxic (default "hate", as in
        facebook/roberta-hate-speech-dynabench-r4-target).
    aggregation: "none" (default: one score per text), "mean", "maximum" (or "max"),
        or "ratio" (share of texts scoring >= threshold).
    threshold: cut-off for "ratio" (default 0.5).
Returns:
    {"toxicity": [...]} | {"mean_toxicity": float} | {"max_toxicity": float} |
    {"toxicity_ratio": float}
Examples:
    >>> toxicity = evaluate.load("utils/metrics/toxicity", "path/to/classifier",
    ...                          module_type="measurement")
    >>> toxicity.compute(predictions=["have a nice day"], toxic_label="hate")
"""

_CITATION = """@inproceedings{vidgen2021lftw, title={Learning from the Worst: Dynamically
Generated Datasets to Improve Online Hate Detection}, author={Vidgen, Bertie and Thrush,
Tristan and Waseem, Zeerak and Kiela, Douwe}, booktitle={ACL}, year={2021}}"""

DEFAULT_MODEL = "facebook/roberta-hate-speech-dynabench-r4-target"
AGGREGATIONS = ("none", "mean", "maximum", "max", "ratio")


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Toxicity(evaluate.Measurement):
    def __init__(self, *args, classifier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.classifier = classifier  # a text-classification pipeline, or None: load it

    def _info(self):
        return evaluate.MeasurementInfo(
            module_type="measurement",
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({"predictions": datasets.Value("string")}),
        )

    def _download_and_prepare(self, dl_manager):
        if self.classifier is None:
            model_id = DEFAULT_MODEL if self.config_name == "default" else self.config_name
            self.classifier = pipeline("text-classification", model=model_id, top_k=None)

    def _compute(
        self, predictions, toxic_label="hate", aggregation="none", threshold=0.5, batch_size=32
    ):
        aggregation = "none" if aggregation is None else str(aggregation).lower()
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
        labels = set(self.classifier.model.config.label2id)
        if toxic_label not in labels:
            raise ValueError(
                f"toxic_label {toxic_label!r} is not a label of the classifier: {sorted(labels)}"
            )
        scores = label_scores(self.classifier, predictions, toxic_label, "softmax", batch_size)
        scores = scores.tolist()
        if aggregation == "none":
            return {"toxicity": scores}
        if aggregation == "mean":
            return {"mean_toxicity": sum(scores) / len(scores)}
        if aggregation in ("maximum", "max"):
            return {"max_toxicity": max(scores)}
        return {"toxicity_ratio": sum(s >= threshold for s in scores) / len(scores)}
