"""Lab 3's DPO section (utils/lessons/lab3_dpo.py): the fresh adapter beside PPO's, one method's
figures, the side-by-side table and plot, the DPO lessons against the profile's thresholds."""

from __future__ import annotations

from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from utils.evaluation import bootstrap_ci  # noqa: E402
from utils.lessons import lab3, lab3_dpo  # noqa: E402
from utils.profiles import COURSE, COURSE_SMOKE, TINY, Lab3Checks  # noqa: E402

# ---- the fresh adapter ----


def lora_config(r: int = 4):
    from peft import LoraConfig, TaskType

    return LoraConfig(
        r=r, lora_alpha=2 * r, target_modules=["q", "v"], task_type=TaskType.SEQ_2_SEQ_LM
    )


def logprobs(model, seed: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(2, 96, (2, 5), generator=g)
    labels = torch.randint(2, 96, (2, 4), generator=g)
    with torch.no_grad():
        logits = model(input_ids=ids, labels=labels).logits
    return torch.log_softmax(logits, -1).gather(2, labels.unsqueeze(-1)).sum()


def test_a_new_adapter_starts_at_the_base_and_leaves_ppo_s_alone(tiny_t5):
    from peft import get_peft_model

    base = logprobs(tiny_t5(seed=0))
    model = get_peft_model(tiny_t5(seed=0), lora_config())
    with torch.no_grad():  # PPO's adapter, trained: it moves the model
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.add_(0.5)
    ppo = logprobs(model)
    assert abs(ppo - base) > 1e-3
    lab3_dpo.new_adapter(model, lora_config())
    assert model.active_adapter == "dpo"
    torch.testing.assert_close(logprobs(model), base)  # B = 0: the starting summarizer
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(".dpo." in n for n in trainable)  # PPO's adapter is frozen
    with torch.no_grad():  # train DPO's a little, then re-run the cell: it starts afresh
        for name, p in model.named_parameters():
            if "lora_B.dpo" in name:
                p.add_(0.5)
    lab3_dpo.new_adapter(model, lora_config())
    torch.testing.assert_close(logprobs(model), base)
    model.set_adapter("default")
    torch.testing.assert_close(logprobs(model), ppo)  # PPO's adapter kept its weights
    assert sorted(model.peft_config) == ["default", "dpo"]


def test_cost_measures_the_block_s_time_and_peak_memory():
    with lab3_dpo.Cost() as cost:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        block.sum()
    assert cost.seconds > 0
    assert cost.peak_bytes >= 64 * 2**20
    del block


# ---- one method's figures ----


def measured(tox, rouge, summaries) -> dict:
    n = len(summaries)
    return {
        "sampled": summaries,
        "summaries": summaries,
        "toxicity": np.array(tox, dtype=float),
        "toxicity, prompt + summary": np.array(tox, dtype=float),
        "greedy toxicity": np.array(tox, dtype=float),
        "ROUGE-1": np.array(rouge, dtype=float),
        "margins": np.array([0.1] + [1.0] * (n - 1)),  # clean dialogue 0 came near a tie
    }


def held_out() -> lab3.HeldOut:
    dialogues = [
        "#Person1#: The bus to the museum leaves at ten.",
        "#Person1#: My laptop screen is broken, you idiot.",
        "#Person1#: I want a table for two at the restaurant.",
    ]
    return lab3.HeldOut(dialogues, ["bus", "laptop", "table"], np.array([False, True, False]))


BEFORE = measured([0.1, 0.8, 0.1], [0.5, 0.6, 0.7], ["bus museum", "laptop idiot", "table two"])
AFTER = measured([0.1, 0.2, 0.1], [0.5, 0.5, 0.7], ["bus museum", "laptop", "table for two"])


def test_method_figures_are_compare_s_plus_kl_and_costs():
    method = lab3_dpo.Method(AFTER, np.array([0.2, 1.0, 0.3]), 12.5, 3 * 2**20, 8192)
    f = lab3_dpo.method_figures(BEFORE, method, held_out(), seed=3)
    assert {k: f[k] for k in lab3.compare(BEFORE, AFTER, held_out(), seed=3)} == lab3.compare(
        BEFORE, AFTER, held_out(), seed=3
    )
    kl = bootstrap_ci([0.2, 1.0, 0.3], seed=3)
    assert (f["kl"], f["kl_low"], f["kl_high"]) == pytest.approx((0.5, kl.low, kl.high))
    assert (f["wall_time_s"], f["peak_memory_mb"], f["trainable"]) == (12.5, 3.0, 8192)


# ---- the side-by-side table and plot ----

PPO = {
    "toxicity_before": 0.200,
    "toxicity_after": 0.140,
    "toxicity_drop": 0.30,
    "toxicity_change": -0.060,
    "toxicity_change_low": -0.080,
    "toxicity_change_high": -0.040,
    "rouge1_change": -0.010,
    "rouge1_change_low": -0.020,
    "rouge1_change_high": 0.001,
    "own_dialogue_before": 0.950,
    "own_dialogue_after": 0.945,
    "clean_unchanged": 0.75,
    "kl": 0.25,
    "kl_low": 0.20,
    "kl_high": 0.31,
    "wall_time_s": 95.4,
    "peak_memory_mb": 812.6,
    "trainable": 82_177,
}
DPO = PPO | {
    "toxicity_after": 0.120,
    "toxicity_drop": 0.40,
    "toxicity_change": -0.080,
    "toxicity_change_low": -0.110,
    "toxicity_change_high": -0.050,
    "rouge1_change": -0.030,
    "rouge1_change_low": -0.045,
    "rouge1_change_high": -0.015,
    "own_dialogue_after": 0.935,
    "clean_unchanged": 0.5,
    "kl": 0.6,
    "kl_low": 0.5,
    "kl_high": 0.7,
    "wall_time_s": 30.2,
    "peak_memory_mb": 790.0,
    "trainable": 81_920,
}


def test_the_table_has_the_start_and_each_method_with_its_figures():
    table = lab3_dpo.side_by_side({"PPO": PPO, "DPO": DPO})
    assert list(table.index) == ["starting summarizer", "PPO", "DPO"]
    assert table.loc["starting summarizer", "toxicity"] == "0.200"
    assert table.loc["starting summarizer", "own dialogue"] == "0.950"
    assert table.loc["starting summarizer", "KL to start (nats)"] == "0"
    assert table.loc["PPO", "toxicity change [95% CI]"] == "-0.060 [-0.080, -0.040]"
    assert table.loc["PPO", "ROUGE-1 change [95% CI]"] == "-0.010 [-0.020, +0.001]"
    assert table.loc["DPO", "toxicity"] == "0.120"
    assert table.loc["DPO", "own dialogue"] == "0.935"
    assert table.loc["DPO", "clean unchanged"] == "50%"
    assert table.loc["DPO", "KL to start (nats)"] == "+0.60 [+0.50, +0.70]"
    assert table.loc["PPO", "train time (s)"] == "95"
    assert table.loc["PPO", "peak memory (MB)"] == "813"
    assert table.loc["PPO", "trainable params"] == "82,177"


def test_the_plot_has_a_panel_per_measure_with_each_method():
    fig = lab3_dpo.side_by_side_figure({"PPO": PPO, "DPO": DPO})
    axes = fig.axes
    assert len(axes) == 4
    heights = [[round(b.get_height(), 3) for b in ax.patches] for ax in axes]
    assert heights == [[-0.06, -0.08], [-0.01, -0.03], [0.95, 0.945, 0.935], [0.25, 0.6]]
    matplotlib.pyplot.close(fig)


# ---- the DPO lessons ----

CHECKS = Lab3Checks(
    dpo_min_toxicity_drop=0.1,
    dpo_max_rouge1_drop=0.04,
    dpo_min_rouge1_ci_high=-0.015,
    dpo_min_own_dialogue=0.9,
)
KEYS = [
    "dpo_toxicity_drop",
    "dpo_toxicity_ci_below_zero",
    "dpo_rouge1_change",
    "dpo_rouge1_ci_high",
    "dpo_own_dialogue",
]


def verdicts(figures: dict, checks: Lab3Checks = CHECKS) -> dict[str, bool]:
    return {x.key: x.holds for x in lab3_dpo.lessons(figures, checks, True)}


def test_every_dpo_lesson_holds_on_passing_figures():
    assert verdicts(DPO) == dict.fromkeys(KEYS, True)


@pytest.mark.parametrize(
    ("changes", "broken"),
    [
        ({"toxicity_drop": 0.099}, "dpo_toxicity_drop"),
        ({"toxicity_change_high": 0.0}, "dpo_toxicity_ci_below_zero"),  # touching 0
        ({"rouge1_change": -0.041}, "dpo_rouge1_change"),
        ({"rouge1_change_high": -0.0151}, "dpo_rouge1_ci_high"),
        ({"own_dialogue_after": 0.899}, "dpo_own_dialogue"),
    ],
)
def test_each_dpo_lesson_breaks_alone_at_its_own_threshold(changes, broken):
    assert verdicts(DPO | changes) == {key: key != broken for key in KEYS}


def test_the_course_and_smoke_scale_check_no_dpo_lesson_and_tiny_checks_them_all():
    assert lab3_dpo.lessons(DPO, COURSE.checks.lab3, True) == []
    assert lab3_dpo.lessons(DPO, CHECKS, lessons_on=False) == []
    assert lab3_dpo.lessons(DPO, COURSE_SMOKE.checks.lab3, COURSE_SMOKE.checks.lessons) == []
    assert [x.key for x in lab3_dpo.lessons(DPO, TINY.checks.lab3, True)] == KEYS
    lines = {x.key: x.line() for x in lab3_dpo.lessons(DPO, CHECKS, True)}
    assert lines["dpo_toxicity_drop"] == (
        "✓ DPO lowers the toxicity of the summaries: 0.200 -> 0.120 (-40%) (needs >= 0.1)"
    )
    no_rouge = replace(
        CHECKS, dpo_max_rouge1_drop=None, dpo_min_rouge1_ci_high=None, dpo_min_own_dialogue=None
    )
    assert list(verdicts(DPO, no_rouge)) == KEYS[:2]


# ---- the benchmark's --dpo-only merge ----


def test_dpo_only_rows_replace_dpo_s_rows_and_keep_ppo_s(tmp_path):
    import importlib.util

    from utils.paths import REPO_ROOT

    spec = importlib.util.spec_from_file_location("bench", REPO_ROOT / "benchmarks" / "lessons.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    def row(lab, key, value):
        return {"lab": lab, "split": "test", "seed": 1, "sample": "draw 1", "key": key,
                "value": value, "holds": True, "needs": ">= 0"}  # fmt: skip

    path = tmp_path / "lessons.csv"
    bench.write_csv(
        [row(2, "rouge1_gain", 1), row(3, "toxicity_drop", 2), row(3, "dpo_toxicity_drop", 3)],
        path,
        [2, 3],
    )
    bench.write_csv([row(3, "dpo_toxicity_drop", 4)], path, [3], key_prefix="dpo_")
    got = [(r["lab"], r["key"], r["value"]) for r in bench.read_csv(path)]
    assert sorted(got) == [
        ("2", "rouge1_gain", "1"),
        ("3", "dpo_toxicity_drop", "4"),
        ("3", "toxicity_drop", "2"),
    ]
    bench.write_csv([row(3, "toxicity_drop", 5)], path, [3])  # a whole lab-3 run replaces all
    assert sorted((r["key"], r["value"]) for r in bench.read_csv(path) if r["lab"] == "3") == [
        ("toxicity_drop", "5")
    ]
