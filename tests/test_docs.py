"""Figures in the docs are generated from what the labs and benchmarks printed, never typed."""

import importlib.util

from utils.paths import REPO_ROOT


def _lessons_benchmark():
    spec = importlib.util.spec_from_file_location(
        "lessons_benchmark", REPO_ROOT / "benchmarks" / "lessons.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_labs_readme_shows_what_the_notebooks_and_the_benchmark_printed():
    bench = _lessons_benchmark()
    text = bench.LABS_README.read_text()
    committed = text[
        text.index(bench.DOCS_BEGIN) : text.index(bench.DOCS_END) + len(bench.DOCS_END)
    ]
    notebooks = sorted((REPO_ROOT / "labs").glob("lab*.ipynb"))
    expected = bench.docs_block(notebooks, bench.read_csv(bench.RESULTS_CSV))
    assert committed == expected, (
        "labs/README.md is stale: run `python benchmarks/lessons.py --docs`"
    )
