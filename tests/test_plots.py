"""Plots: the smoothed PPO curve is the trailing mean of the per-step values."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from utils.plots import metric_curves  # noqa: E402


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
