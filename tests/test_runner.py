import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import utils.paths
import utils.profiles
import utils.runner
from utils.__main__ import main
from utils.errors import LabsError
from utils.paths import REPO_ROOT
from utils.runner import (
    LOCK_FILE,
    LabRun,
    find_labs,
    format_summary,
    lesson_lines,
    run_labs,
    run_lock,
    run_notebook,
    strip_volatile_metadata,
)

STALE = "STALE committed output"
LESSON = "✓ six sevens make the answer: 42 (needs 42)"


@pytest.fixture(autouse=True)
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh outputs folder (LABS_OUTPUTS_DIR) per test: the runs here never lock or fill
    the repository's own outputs/, where a real run may be going on."""
    folder = tmp_path / "outputs"
    monkeypatch.setattr(utils.paths, "OUTPUTS_DIR", folder)
    monkeypatch.setattr(utils.profiles, "OUTPUTS_DIR", folder)
    monkeypatch.setenv("LABS_OUTPUTS_DIR", str(folder))
    return folder


def _notebook(path: Path, *sources: str) -> Path:
    """A notebook whose first cell prints the profile, each cell holding a stale output."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# synthetic lab")]
    for source in ("import os\nprint(os.environ['LABS_PROFILE'])", *sources):
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=STALE)]
        cell.execution_count = 99
        cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _alive(pid: int) -> bool:
    """True if process ``pid`` exists and is not a zombie (Linux /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_run_notebook_executes_clean_and_saves(tmp_path):
    path = _notebook(tmp_path / "lab9_ok.ipynb", f"x = 6 * 7\nprint(x)\nprint({LESSON!r})")
    out = tmp_path / "out"
    out.mkdir()
    (out / "lab9_ok.failed.ipynb").write_text("{}")  # an old failure, no longer true
    result = run_notebook(path, "tiny", out)
    assert (result.status, result.output, result.error) == ("ok", out / "lab9_ok.ipynb", "")
    executed = nbformat.read(result.output, as_version=4)
    assert executed.cells[1].outputs[0]["text"].strip() == "tiny"
    assert executed.cells[2].outputs[0]["text"] == f"42\n{LESSON}\n"
    assert result.lessons == [LESSON]  # read from the check cell's own output
    assert [c.execution_count for c in executed.cells[1:]] == [1, 2]
    assert all("execution" not in c.metadata for c in executed.cells)
    assert not (out / "lab9_ok.failed.ipynb").exists()
    assert sorted(p.name for p in out.iterdir()) == ["lab9_ok.ipynb"]  # no temporary left
    umask = os.umask(0)
    os.umask(umask)
    assert result.output.stat().st_mode & 0o777 == 0o666 & ~umask  # as any file the user saves


def test_failure_keeps_the_good_run_and_saves_a_cleared_failed_copy(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    good = out / "lab8_bad.ipynb"
    good.write_text("the last good run")
    before = _sha256(good)
    long_message = "the lesson broke; " + "do this and that to fix it, " * 8 + "END"
    path = _notebook(
        tmp_path / "lab8_bad.ipynb",
        "print('before')",
        f"from utils.errors import LabsError\nraise LabsError({long_message!r})",
        "print('never runs')",
    )
    result = run_notebook(path, "tiny", out)
    assert (
        result.status == "FAILED" and result.cell == 4
    )  # counted from 1: markdown, profile, before, raise
    assert _sha256(good) == before
    assert result.output == out / "lab8_bad.failed.ipynb"
    failed = nbformat.read(result.output, as_version=4)
    assert failed.cells[2].outputs[0]["text"].strip() == "before"
    assert failed.cells[3].outputs[-1]["output_type"] == "error"
    assert failed.cells[4].outputs == [] and failed.cells[4].execution_count is None
    assert STALE not in result.output.read_text()
    # the whole message, without the ANSI colour codes LabsError's traceback hook adds
    assert result.error == f"LabsError: {long_message}"
    summary = format_summary([result])
    assert long_message in summary and "\x1b" not in summary and "at cell 4" in summary


def test_cell_timeout_is_applied(tmp_path):
    path = _notebook(tmp_path / "lab7_slow.ipynb", "import time\ntime.sleep(30)")
    start = time.perf_counter()
    result = run_notebook(path, "tiny", tmp_path / "out", timeout_s=2)
    assert time.perf_counter() - start < 25
    assert result.status == "FAILED" and "CellTimeoutError" in result.error
    assert "2 seconds" in result.error


def test_unwritable_output_dir_fails_before_executing(tmp_path):
    marker = tmp_path / "ran"
    path = _notebook(tmp_path / "lab6_x.ipynb", f"open({str(marker)!r}, 'w').close()")
    blocked = tmp_path / "outputs"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(LabsError, match=f"{blocked} is a file, not a folder.*--output-dir"):
        run_notebook(path, "tiny", blocked / "executed")
    with pytest.raises(LabsError, match="Move or delete that file"):
        run_labs(profile="tiny", output_dir=blocked / "executed", labs_dir=tmp_path)
    if os.geteuid() != 0:  # root may write into a read-only folder
        read_only = tmp_path / "read-only"
        read_only.mkdir(mode=0o500)
        with pytest.raises(LabsError, match="Permission denied.*chmod -R u\\+w"):
            run_notebook(path, "tiny", read_only)
    assert not marker.exists()


def test_cli_passes_the_profile_cell_timeout(monkeypatch, tmp_path):
    import utils.runner
    from utils.profiles import get_profile

    seen = {}

    def fake_run_labs(lab_numbers, profile, output_dir, timeout_s, labs_dir):
        seen.update(profile=profile, timeout_s=timeout_s, output_dir=output_dir)
        return []

    monkeypatch.setattr(utils.runner, "run_labs", fake_run_labs)
    assert main(["run", "--profile", "tiny", "--output-dir", str(tmp_path)]) == 0
    expected = getattr(get_profile("tiny", verbose=False), "cell_timeout_s", 1800)
    assert seen == {"profile": "tiny", "timeout_s": expected, "output_dir": tmp_path}


def test_ctrl_c_stops_the_whole_run_kills_the_kernel_and_exits_130(tmp_path):
    labs = tmp_path / "labs"
    labs.mkdir()
    pid_file = tmp_path / "kernel.pid"
    _notebook(
        labs / "lab1_sleepy.ipynb",
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(120)",
    )
    _notebook(labs / "lab2_next.ipynb", "print('lab 2')")
    out = tmp_path / "executed"
    out.mkdir()
    good = out / "lab1_sleepy.ipynb"
    good.write_text("the last good run")
    before = _sha256(good)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "utils",
            "run",
            "--profile",
            "tiny",
            "--labs-dir",
            str(labs),
            "--output-dir",
            str(out),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    deadline = time.monotonic() + 120
    while not pid_file.exists() or not pid_file.read_text():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
        time.sleep(0.2)
    kernel_pid = int(pid_file.read_text())
    os.killpg(proc.pid, signal.SIGINT)
    start = time.monotonic()
    stdout, _ = proc.communicate(timeout=30)
    assert time.monotonic() - start < 15
    assert proc.returncode == 130, stdout
    assert not _alive(kernel_pid)
    assert _sha256(good) == before
    assert "lab1_sleepy" in stdout and "INTERRUPTED at cell 3" in stdout
    assert "not run: lab2_next" in stdout and "Traceback" not in stdout
    failed = nbformat.read(out / "lab1_sleepy.failed.ipynb", as_version=4)
    assert STALE not in nbformat.writes(failed)
    assert not (out / "lab2_next.ipynb").exists()


def test_strip_volatile_metadata_and_clean_command(tmp_path, capsys):
    path = _notebook(tmp_path / "lab5_meta.ipynb", "1 + 1")
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].metadata["tags"] = ["keep-me"]
    nbformat.write(nb, path)
    assert main(["clean", str(path)]) == 0
    cleaned = nbformat.read(path, as_version=4)
    assert all("execution" not in c.metadata for c in cleaned.cells)
    assert cleaned.cells[1].metadata["tags"] == ["keep-me"]
    assert cleaned.cells[1].outputs[0]["text"] == STALE  # outputs are kept
    assert strip_volatile_metadata(cleaned) == 0
    before = _sha256(path)
    assert main(["clean", str(path)]) == 0
    assert _sha256(path) == before
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: 2 cell(s) cleaned",
        f"{path}: already clean",
    ]


def test_find_labs_lists_the_three_labs_and_rejects_unknown_numbers():
    names = [p.name for p in find_labs()]
    assert [n[:4] for n in names] == ["lab1", "lab2", "lab3"]
    with pytest.raises(LabsError, match="lab"):
        find_labs([7])


def test_cli_bad_profile_exits_2_with_one_paragraph(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--profile", "bogus"])
    assert main(["run", "--profile", "tiny", "--lab", "7"]) == 2
    err = capsys.readouterr().err
    assert "No notebook for lab(s) [7]" in err and "Traceback" not in err


# ---- the summary: each lab's lessons, read from its executed notebook ----


def _executed(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    """An executed notebook, no kernel needed: one code cell per (source, printed text)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# a lab")]
    for source, printed in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell("the end"))
    return nb


def test_summary_lists_the_lessons_the_check_cell_printed(outputs):
    check = (
        "LoRA trains 3.74% of the parameters\n"
        "✓ LoRA beats the base model: ROUGE-1 +0.221 [+0.205, +0.238] (needs >= 0.05)\n"
        "✗ PPO lowers toxicity: -3% (needs a drop of 15% or more)\n"
        "  ✓ an indented line is not a lesson\n"
    )
    nb = _executed(("print('✓ an early cell')", "✓ an early cell\n"), ("report(lessons)", check))
    lessons = lesson_lines(nb)
    assert lessons == [
        "✓ LoRA beats the base model: ROUGE-1 +0.221 [+0.205, +0.238] (needs >= 0.05)",
        "✗ PPO lowers toxicity: -3% (needs a drop of 15% or more)",
    ]
    saved = outputs / "executed" / "lab2_x.ipynb"
    rows = [
        LabRun("lab2_x", "tiny", 225.0, "ok", saved, lessons=lessons),
        LabRun("lab3_y", "tiny", 254.0, "ok", REPO_ROOT / "outputs" / "executed" / "lab3_y.ipynb"),
        LabRun("lab4_z", "tiny", 0.0, "not run"),
    ]
    lines = format_summary(rows).splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("lab2_x"))
    assert lines[row + 1 : row + 4] == [
        f"    {lessons[0]}",
        f"    {lessons[1]}",
        f"    executed notebook: {saved}",  # outside the repository: as given
    ]
    row = next(i for i, line in enumerate(lines) if line.startswith("lab3_y"))
    assert lines[row + 1 : row + 3] == [
        "    lessons: none printed",
        "    executed notebook: outputs/executed/lab3_y.ipynb",  # inside: relative
    ]
    assert lines[-1].startswith("lab4_z") and "not run" in lines[-1]
    assert lesson_lines(_executed(("1 + 1", "2\n"))) == []


# ---- the runner's own save on a full disk ----


def test_a_full_disk_at_the_save_ends_in_one_paragraph_and_the_summary(
    tmp_path, monkeypatch, capsys
):
    labs = tmp_path / "labs"
    labs.mkdir()
    _notebook(labs / "lab1_first.ipynb", f"print({LESSON!r})")
    _notebook(labs / "lab2_next.ipynb", "print('lab 2')")
    out = tmp_path / "executed"
    out.mkdir()
    good = out / "lab1_first.ipynb"
    good.write_text("the last good run")

    def full_disk(notebook, handle, *args, **kwargs):
        handle.write('{"cells": [')  # half a notebook, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(utils.runner.nbformat, "write", full_disk)
    argv = ["run", "--profile", "tiny", "--labs-dir", str(labs), "--output-dir", str(out)]
    assert main(argv) == 1
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert sorted(p.name for p in out.iterdir()) == ["lab1_first.ipynb"]  # no temporary left
    assert good.read_text() == "the last good run"
    lines = printed.out.splitlines()
    assert any(line.startswith("lab1_first") and "NOT SAVED" in line for line in lines)
    assert any(line.startswith("lab2_next") and "not run" in line for line in lines)
    assert f"    {LESSON}" in lines  # what the lab proved, though it could not be saved
    message = lines[-1]
    assert message.startswith("The lab passed, but its executed notebook could not be saved as ")
    assert "No space left on device (errno 28)" in message and "--output-dir" in message
    assert "nothing half-written was left" in message


def test_a_read_only_models_folder_fails_before_any_lab_runs(tmp_path, outputs, monkeypatch):
    """Lab 2 saves its models in outputs/<profile>/: checked before lab 1 starts."""
    from tests.test_paths import make_read_only

    marker = tmp_path / "ran"
    path = _notebook(tmp_path / "lab1_x.ipynb", f"open({str(marker)!r}, 'w').close()")
    make_read_only(outputs / "tiny", monkeypatch)
    try:
        with pytest.raises(LabsError) as info:
            run_labs(profile="tiny", output_dir=tmp_path / "executed", labs_dir=path.parent)
    finally:
        (outputs / "tiny").chmod(0o755)
    assert "where the labs save fine-tuned models and adapters" in str(info.value)
    assert "chmod -R u+w" in str(info.value) and not marker.exists()


def test_too_little_room_fails_before_any_lab_runs(tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    marker = tmp_path / "ran"
    path = _notebook(tmp_path / "lab1_x.ipynb", f"open({str(marker)!r}, 'w').close()")
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 10**8, 10**8))
    with pytest.raises(LabsError, match="needs about 300 MB and 100 MB are free"):
        run_labs(profile="tiny", output_dir=tmp_path / "executed", labs_dir=path.parent)
    assert not marker.exists()


# ---- one run at a time per outputs folder ----


def test_a_second_run_on_the_same_outputs_folder_stops_at_once(tmp_path, outputs, capsys):
    marker = tmp_path / "ran"
    labs = tmp_path / "labs"
    labs.mkdir()
    _notebook(labs / "lab1_x.ipynb", f"open({str(marker)!r}, 'w').close()")
    with run_lock(outputs):  # the first run
        start = time.perf_counter()
        assert main(["run", "--profile", "tiny", "--labs-dir", str(labs)]) == 2
        assert time.perf_counter() - start < 5
    message = capsys.readouterr().err.strip()
    assert message.startswith(f"error: Another run is using the outputs folder {outputs} (pid ")
    assert f"pid {os.getpid()}, started 20" in message and "command `python" in message
    assert "LABS_OUTPUTS_DIR=" in message and "nothing was executed" in message
    assert "\n" not in message and not marker.exists()
    assert not (outputs / LOCK_FILE).exists()  # released when the first run ended


def test_a_lock_left_by_a_dead_run_is_taken_over_with_a_note(outputs, capsys):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    outputs.mkdir()
    left = {
        "pid": dead_pid,
        "started": "2026-12-04T10:00:00+00:00",
        "command": "python -m utils run",
    }
    (outputs / LOCK_FILE).write_text(json.dumps(left))
    with run_lock(outputs) as lock:
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    note = capsys.readouterr().out
    assert note.startswith("Note: taking over ") and f"pid {dead_pid}" in note
    assert "2026-12-04T10:00:00" in note and not (outputs / LOCK_FILE).exists()


def test_runs_on_different_outputs_folders_do_not_block_each_other(tmp_path, outputs):
    """A held lock on one folder; a real `python -m utils run` on another passes, holding its
    own folder's lock while its lab runs."""
    other = tmp_path / "other-outputs"
    labs = tmp_path / "labs"
    labs.mkdir()
    _notebook(
        labs / "lab1_x.ipynb",
        f"import json\nprint(json.load(open({str(other / LOCK_FILE)!r}))['command'])",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "LABS_OUTPUTS_DIR": str(other)}
    with run_lock(outputs):
        out = subprocess.run(
            [sys.executable, "-m", "utils", "run", "--profile", "tiny", "--labs-dir", str(labs)],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert out.returncode == 0, out.stdout + out.stderr
    executed = nbformat.read(other / "executed" / "lab1_x.ipynb", as_version=4)
    assert executed.cells[2].outputs[0]["text"].strip() == (
        f"python -m utils run --profile tiny --labs-dir {labs}"
    )
    assert not (other / LOCK_FILE).exists()
