"""scripts/finetune_ddp.py really trains data-parallel: two CPU processes (gloo), synchronized."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from utils.paths import REPO_ROOT, TINY_T5_DIR

SCRIPT = REPO_ROOT / "scripts" / "finetune_ddp.py"
STEPS, BATCH = 3, 4

pytestmark = pytest.mark.skipif(
    not (TINY_T5_DIR / "config.json").is_file(), reason="the tiny model is not built (make assets)"
)


def _run_ddp(tmp_path: Path, method: str) -> list[dict]:
    report_dir = tmp_path / f"report-{method}"
    env = dict(
        os.environ, LABS_PROFILE="tiny", OMP_NUM_THREADS="1", HF_DATASETS_DISABLE_PROGRESS_BARS="1"
    )
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        str(SCRIPT),
        "--method",
        method,
        "--max-steps",
        str(STEPS),
        "--batch-size",
        str(BATCH),
        "--report-dir",
        str(report_dir),
    ]
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads((report_dir / f"rank{r}.json").read_text()) for r in range(2)]


@pytest.mark.parametrize("method", ["full", "lora"])
def test_two_cpu_processes_train_in_sync(tmp_path: Path, method: str) -> None:
    rank0, rank1 = _run_ddp(tmp_path, method)
    # Both ranks took part, in one world of two, over gloo.
    assert (rank0["rank"], rank1["rank"]) == (0, 1)
    assert rank0["world_size"] == rank1["world_size"] == 2
    assert rank0["backend"] == rank1["backend"] == "gloo"
    # Each rank trained the same number of steps on its own shard of the data.
    for report in (rank0, rank1):
        assert report["steps"] == STEPS
        assert report["examples_seen"] == STEPS * BATCH
    assert rank0["data_checksum"] != rank1["data_checksum"]
    # The weights moved, and identically on both ranks: the gradients were averaged.
    assert rank0["weights_checksum_before"] == rank1["weights_checksum_before"]
    assert rank0["weights_checksum_after"] != rank0["weights_checksum_before"]
    assert rank0["weights_checksum_after"] == rank1["weights_checksum_after"]
    if method == "lora":
        assert rank0["trainable_parameters"] < 0.05 * rank0["total_parameters"]
