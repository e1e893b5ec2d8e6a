"""Plots: the smoothed PPO curve is the trailing mean of the per-step values; CI bars span the
bootstrap interval."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from utils.plots import bar_chart_with_ci, metric_curves  # noqa: E402


def test_smoothed_curve_is_the_trailing_mean_of_the_last_steps():
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0]
    fig = metric_curves([{"r": v} for v in values], ["r"], smooth=3)
    raw, smoothed = fig.axes[0].get_lines()
    assert list(raw.get_ydata()) == values
    assert list(raw.get_xdata()) == list(range(1, 8))  # steps count from 1, as PPO logs them
    expected = pd.Series(values).rolling(3, min_periods=1).mean().tolist()
    assert list(smoothed.get_ydata()) == expected


def test_unsmoothed_curve_draws_the_values_alone():
    fig = metric_curves([{"r": 1.0}, {"r": 2.0}], ["r"])
    (line,) = fig.axes[0].get_lines()
    assert list(line.get_ydata()) == [1.0, 2.0]


def test_bar_chart_with_ci_draws_each_mean_and_its_bootstrap_interval():
    scores = {"base": {"rouge1": [0.1, 0.2, 0.6]}, "tuned": {"rouge1": [0.5, 0.7, 0.9]}}
    ax = bar_chart_with_ci(scores, seed=3).axes[0]
    assert [round(p.get_height(), 6) for p in ax.patches] == [0.3, 0.7]
    # each error bar spans the percentile-bootstrap CI, computed here by hand
    rng = np.random.default_rng(3)
    data = np.array(scores["base"]["rouge1"])
    means = data[rng.integers(0, 3, size=(2000, 3))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    segments = ax.collections[0].get_segments()[0]  # the first system's bar: (x, low), (x, high)
    assert np.allclose([segments[0][1], segments[1][1]], [low, high])


def test_metric_panels_are_titled_in_words_where_a_title_is_given():
    history = [{"objective/kl": 0.1, "ppo/loss/value": 0.2}]
    fig = metric_curves(history, ["objective/kl", "ppo/loss/value"], titles={"objective/kl": "KL"})
    assert [ax.get_title() for ax in fig.axes] == ["KL", "ppo/loss/value"]


def test_the_histogram_legend_shows_the_colour_the_overlap_is_drawn_in():
    from utils.plots import histograms

    fig = histograms({"before": [0.5] * 10, "after": [0.5] * 4}, bins=1)
    ax = fig.axes[0]
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["before", "after", "before and after overlap"]
    shown = np.array(legend.legend_handles[2].get_facecolor()[:3])
    # read the colour the canvas drew inside both bars (at height 2 of the 4 they share)
    fig.canvas.draw()
    x, y = ax.transData.transform((0.5, 2.0))
    pixels = np.asarray(fig.canvas.buffer_rgba())
    drawn = pixels[pixels.shape[0] - int(round(y)), int(round(x)), :3] / 255
    assert np.allclose(shown, drawn, atol=2 / 255)
