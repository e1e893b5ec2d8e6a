"""Plots the labs share: metric bars with confidence intervals, training curves, histograms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def bar_chart(
    values: Mapping[str, Mapping[str, float]],
    errors: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
    title: str = "",
    ylabel: str = "score",
) -> Figure:
    """Grouped bars: one group per metric, one bar per system; optional (low, high) CIs."""
    systems = list(values)
    metrics = list(next(iter(values.values())))
    x = np.arange(len(metrics))
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(metrics) * len(systems) ** 0.5), 4))
    for i, system in enumerate(systems):
        heights = [values[system][m] for m in metrics]
        yerr = None
        if errors and system in errors:
            yerr = np.array(
                [
                    [heights[j] - errors[system][m][0], errors[system][m][1] - heights[j]]
                    for j, m in enumerate(metrics)
                ]
            ).T
        ax.bar(
            x + (i - (len(systems) - 1) / 2) * width,
            heights,
            width,
            yerr=yerr,
            capsize=3,
            label=system,
        )
    ax.set_xticks(x, metrics)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def bar_chart_with_ci(
    per_example: Mapping[str, Mapping[str, Sequence[float]]],
    title: str = "",
    ylabel: str = "score",
    seed: int = 0,
) -> Figure:
    """Grouped bars of each system's mean per metric with its bootstrap 95% CI, from per-example
    scores (``{system: {metric: scores}}``, as ``comparison_table`` takes them)."""
    from utils.evaluation import bootstrap_ci  # plots stays light: evaluate loads on demand

    means, intervals = {}, {}
    for system, scores in per_example.items():
        cis = {metric: bootstrap_ci(values, seed=seed) for metric, values in scores.items()}
        means[system] = {metric: ci.mean for metric, ci in cis.items()}
        intervals[system] = {metric: (ci.low, ci.high) for metric, ci in cis.items()}
    return bar_chart(means, intervals, title=title, ylabel=ylabel)


def loss_curves(
    log_histories: Mapping[str, Sequence[Mapping]], title: str = "Training loss"
) -> Figure:
    """Training loss per step from ``Trainer.state.log_history``, one line per run."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, history in log_histories.items():
        points = [(h["step"], h["loss"]) for h in history if "loss" in h]
        if points:
            steps, losses = zip(*points, strict=True)
            ax.plot(steps, losses, marker=".", label=name)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def metric_curves(
    history: Sequence[Mapping[str, float]],
    keys: Sequence[str],
    title: str = "",
    smooth: int = 1,
    titles: Mapping[str, str] | None = None,
) -> Figure:
    """One small panel per metric key over training steps (e.g. PPO's reward, KL, losses).

    ``smooth`` > 1 draws, over the faded per-step curve, the mean of the last ``smooth`` steps
    (fewer at the start): PPO's metrics are noisy, since each step samples other prompts.
    ``titles`` names a panel in words (``{"objective/kl": "KL to the reference"}``); a key
    without one is its own title."""
    fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 3), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        values = np.array([h[key] for h in history], dtype=float)
        steps = np.arange(1, len(values) + 1)
        if smooth > 1:
            ax.plot(steps, values, marker=".", alpha=0.35, label="per step")
            trailing = [values[max(0, i + 1 - smooth) : i + 1].mean() for i in range(len(values))]
            ax.plot(steps, trailing, linewidth=2, label=f"mean of last {smooth}")
            ax.legend(fontsize="x-small")
        else:
            ax.plot(steps, values, marker=".")
        ax.set_title((titles or {}).get(key, key), fontsize="small")
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def histograms(
    samples: Mapping[str, Sequence[float]], bins: int = 20, xlabel: str = "", title: str = ""
) -> Figure:
    """Overlaid histograms on shared bins, e.g. toxicity before vs after. With two samples the
    legend also shows the colour where their bars overlap."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(6, 3.5))
    all_values = np.concatenate([np.asarray(v, dtype=float) for v in samples.values()])
    edges = np.histogram_bin_edges(all_values, bins=bins)
    alpha, colours = 0.55, []
    for name, values in samples.items():
        patches = ax.hist(values, bins=edges, alpha=alpha, label=name)[2]
        colours.append(np.array(to_rgb(patches[0].get_facecolor())))
    handles, _ = ax.get_legend_handles_labels()
    if len(samples) == 2:  # the second drawn over the first, over the white axes
        first = alpha * colours[0] + (1 - alpha)
        overlap = alpha * colours[1] + (1 - alpha) * first
        handles.append(Patch(facecolor=overlap, label=" and ".join(samples) + " overlap"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.set_title(title)
    ax.legend(handles=handles)
    fig.tight_layout()
    return fig
