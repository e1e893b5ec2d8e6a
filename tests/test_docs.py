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


def test_the_world_cards_are_rendered_from_the_measured_figures():
    """assets/README.md and the model cards print world_figures.json, nothing typed by hand."""
    import json

    from utils.paths import ASSETS_DIR
    from world.cards import render_cards

    figures = json.loads((ASSETS_DIR / "world_figures.json").read_text())
    for path, text in render_cards(ASSETS_DIR, figures).items():
        assert path.read_text() == text, f"{path} is stale: run `python -m world measure`"
