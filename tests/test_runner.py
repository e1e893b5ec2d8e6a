import nbformat
import pytest

from utils.__main__ import main
from utils.errors import LabsError
from utils.runner import find_labs, format_summary, run_notebook


def _notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nprint(os.environ['LABS_PROFILE'])"),
                nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)
    return path


def test_run_notebook_executes_and_saves(tmp_path):
    path = _notebook(tmp_path / "lab9_ok.ipynb", "x = 6 * 7\nprint(x)")
    result = run_notebook(path, "tiny", tmp_path / "out")
    assert result.status == "ok"
    executed = nbformat.read(result.output, as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "tiny"
    assert executed.cells[1].outputs[0]["text"].strip() == "42"


def test_failing_notebook_is_reported(tmp_path):
    path = _notebook(tmp_path / "lab8_bad.ipynb", "raise RuntimeError('lesson broke')")
    result = run_notebook(path, "tiny", tmp_path / "out")
    assert result.status.startswith("FAILED")
    assert "lesson broke" in result.status
    assert "FAILED" in format_summary([result])


def test_find_labs_lists_the_three_labs_and_rejects_unknown_numbers():
    names = [p.name for p in find_labs()]
    assert [n[:4] for n in names] == ["lab1", "lab2", "lab3"]
    with pytest.raises(LabsError, match="lab"):
        find_labs([7])


def test_cli_bad_profile_exits_2_with_one_paragraph(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--profile", "bogus"])
    assert main(["run", "--lab", "7"]) == 2
    err = capsys.readouterr().err
    assert "No notebook for lab(s) [7]" in err and "Traceback" not in err
