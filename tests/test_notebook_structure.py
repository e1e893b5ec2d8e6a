"""The three labs are one template: same opening cells, numbered headings, one settings cell,
library loads wrapped in explain_load_errors, and lab 2's trainer arguments built once."""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import re

import pytest

from utils.finetune import build_training_args
from utils.paths import LABS_DIR, REPO_ROOT
from utils.profiles import TINY

LABS = sorted(LABS_DIR.glob("lab[0-9]_*.ipynb"))
SETTINGS_MARK = "# ---- settings: every value this lab reads from the profile ----"


def _cells(path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _python(cell: dict) -> ast.Module:
    """A code cell parsed as Python, IPython magics (``%...``) left out."""
    lines = [line for line in _source(cell).splitlines() if not line.lstrip().startswith("%")]
    return ast.parse("\n".join(lines))


SETUP_CELL = """%matplotlib inline
from utils.notebook import start_lab  # this repository's package: pip install -r requirements.txt

profile = start_lab()  # checks the packages; prints the profile, why and the seed; seeds all"""
"""Every lab's first code cell, word for word: three lines of code, no path hunting
(``-e .`` in requirements.txt installs the package)."""


def test_there_are_three_labs():
    assert [p.name[:4] for p in LABS] == ["lab1", "lab2", "lab3"]


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name[:4])
def test_first_cells_follow_the_template(path):
    n = path.name[3]
    cells = _cells(path)
    kinds = [c["cell_type"] for c in cells[:7]]
    assert kinds == ["markdown", "markdown", "code", "markdown", "code", "markdown", "code"]
    assert _source(cells[0]).startswith(f"# Lab {n}: ")
    assert _source(cells[1]).startswith(f"## {n}.1 Setup")
    assert _source(cells[2]).strip() == SETUP_CELL
    imports = _python(cells[4]).body
    assert imports and all(isinstance(node, ast.Import | ast.ImportFrom) for node in imports[:3])
    assert _source(cells[6]).startswith(SETTINGS_MARK)


def test_the_setup_cell_is_the_same_in_every_lab():
    setups = {_source(_cells(path)[2]) for path in LABS}
    assert len(setups) == 1


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name[:4])
def test_headings_are_numbered_in_order_and_end_with_takeaways(path):
    n = path.name[3]
    headings = [
        line
        for c in _cells(path)
        if c["cell_type"] == "markdown"
        for line in _source(c).splitlines()
        if line.startswith("## ")
    ]
    numbers = [re.match(rf"## {n}\.(\d+) ", h) for h in headings]
    assert all(numbers), headings
    assert [int(m.group(1)) for m in numbers] == list(range(1, len(headings) + 1))
    assert headings[-1].endswith("Summary and takeaways")


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name[:4])
def test_no_profile_field_is_read_outside_the_settings_cell(path):
    for index, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code" or _source(cell).startswith(SETTINGS_MARK):
            continue
        reads = re.findall(r"\bprofile\.\w+", _source(cell))
        assert not reads, f"cell {index} reads {reads}"


def _loads_outside_explain(tree: ast.Module) -> list[str]:
    """Library loads (``*.from_pretrained(...)``, ``pipeline(...)``) not inside a
    ``with explain_load_errors(...)`` block."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
            isinstance(item.context_expr, ast.Call)
            and getattr(item.context_expr.func, "id", "") == "explain_load_errors"
            for item in node.items
        ):
            guarded.update(id(inner) for inner in ast.walk(node))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) not in guarded:
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("from_pretrained", "pipeline"):
                bad.append(ast.unparse(node)[:80])
    return bad


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name[:4])
def test_every_load_is_explained_and_utils_imports_are_by_name(path):
    for index, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code":
            continue
        tree = _python(cell)
        assert not _loads_outside_explain(tree), (index, _loads_outside_explain(tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "utils":
                pytest.fail(f"cell {index}: `from utils import ...`; use `from utils.x import y`")


def test_the_load_check_catches_a_bare_load():
    bare = ast.parse("tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)")
    wrapped = ast.parse('with explain_load_errors("t", M):\n    t = A.from_pretrained(M)')
    assert _loads_outside_explain(bare) and not _loads_outside_explain(wrapped)


def _load_ddp_script():
    spec = importlib.util.spec_from_file_location(
        "finetune_ddp", REPO_ROOT / "scripts" / "finetune_ddp.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lab2_namespace(profile, *cell_starts: str) -> dict:
    """Run lab 2's imports and settings cells, then the cells starting with ``cell_starts``, as
    the notebook runs them, with ``profile``; returns the names they define."""
    lab2 = next(p for p in LABS if p.name.startswith("lab2"))
    cells = [_source(c) for c in _cells(lab2) if c["cell_type"] == "code"]
    settings = next(i for i, s in enumerate(cells) if s.startswith(SETTINGS_MARK))
    chosen = [cells[settings - 1], cells[settings]]  # the imports cell, then the settings
    chosen += [next(s for s in cells if s.startswith(start)) for start in cell_starts]
    namespace = {"profile": profile, "print": lambda *a, **k: None}
    for source in chosen:
        exec(source, namespace)  # noqa: S102 - the notebook's own cells, as the notebook runs them
    return namespace


@pytest.mark.parametrize("method", ["full", "lora"])
def test_lab2_and_the_ddp_script_train_with_the_builders_arguments(method, tmp_path, monkeypatch):
    """Lab 2 writes its Seq2SeqTrainingArguments out; they must be build_training_args's, which
    lab 3 and world/ train with through make_trainer. The DDP script's trainer adds only what
    several processes need."""
    monkeypatch.setattr("utils.profiles.OUTPUTS_DIR", tmp_path)  # profile.outputs_dir
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from utils.data import load_dialogsum

    shown = _lab2_namespace(TINY, "training_args = {")["training_args"][method].to_dict()
    lab_dir = TINY.outputs_dir / "lab2"
    built = build_training_args(TINY, method, lab_dir / f"{method}-trainer").to_dict()
    assert shown == built
    assert built["learning_rate"] == (
        TINY.lab2.full_ft_learning_rate if method == "full" else TINY.lab2.lora_learning_rate
    )

    script = _load_ddp_script()
    args = argparse.Namespace(method=method, max_steps=None, batch_size=None)
    tokenizer = AutoTokenizer.from_pretrained(TINY.model_id)
    model = AutoModelForSeq2SeqLM.from_pretrained(TINY.model_id)
    rows = load_dialogsum(TINY)["train"].select(range(4))
    trainer = script.build_trainer(args, TINY, 0, model, tokenizer, rows)
    from_script = trainer.args.to_dict()
    differing = {k for k in built if built[k] != from_script[k]}
    assert differing == {"output_dir", "ddp_find_unused_parameters"}, differing
    assert trainer.train_dataset.num_rows == 4


def test_lab2_shows_the_lora_config_lab3_rebuilds():
    """Lab 3 retrains lab 2's adapter with make_trainer (build_lora_config) when lab 2's is
    missing: the LoraConfig lab 2 writes out must be that one."""
    from utils.finetune import build_lora_config

    shown = _lab2_namespace(TINY, "lora_config = LoraConfig(")["lora_config"].to_dict()
    assert shown == build_lora_config(TINY).to_dict()
