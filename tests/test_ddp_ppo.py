"""The PPO loop runs data-parallel under torchrun (2 CPU processes, gloo) and stays in sync."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_ppo_runs_on_two_ranks_and_keeps_lora_in_sync(tmp_path: Path):
    steps = 3
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    # own process group, so a hang kills the ranks too, not only the launcher
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node",
            "2",
            str(REPO / "scripts" / "ppo_ddp.py"),
            "--out",
            str(tmp_path),
            "--steps",
            str(steps),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
    assert proc.returncode == 0, stdout[-3000:] + stderr[-3000:]
    for rank in (0, 1):
        for step in range(1, steps + 1):
            assert f"rank {rank}/2 step {step} reward" in stdout, stdout
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["rank"] for r in ranks] == [0, 1] and all(r["world"] == 2 for r in ranks)
    assert all(r["steps"] == steps for r in ranks)
    # each rank sampled its own share of the batch: 8 / 2 = 4 prompts per step
    assert all(r["n_local_texts"] == 4 * steps for r in ranks)
    assert ranks[0]["local_texts_sha256"] != ranks[1]["local_texts_sha256"]
    # metrics are reduced across ranks, and the LoRA + value head weights are bit-identical
    assert ranks[0]["rewards"] == ranks[1]["rewards"]
    assert ranks[0]["weights_checksum"] == ranks[1]["weights_checksum"]
    assert ranks[0]["lora_B_abs_sum"] > 0  # the adapter did train (B starts at 0)
