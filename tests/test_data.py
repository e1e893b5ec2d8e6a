import json
import shutil

import pytest
from datasets import DatasetDict

from utils.data import REQUIRED_COLUMNS, SPLITS, load_dialogsum
from utils.errors import LabsError
from utils.paths import DIALOGSUM_DIR


@pytest.fixture
def corpus_copy(tmp_path, tiny_profile):
    """A writable copy of the shipped corpus (first rows only) and a profile pointing at it."""
    from dataclasses import replace

    folder = tmp_path / "dialogsum"
    folder.mkdir()
    for split in SPLITS:
        lines = (DIALOGSUM_DIR / f"{split}.jsonl").read_text().splitlines()[:5]
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n")
    return folder, replace(tiny_profile, dataset_id=str(folder))


def test_tiny_corpus_loads_with_schema(tiny_profile):
    dataset = load_dialogsum(tiny_profile)
    assert isinstance(dataset, DatasetDict)
    assert set(dataset) >= set(SPLITS)
    for split in SPLITS:
        assert set(REQUIRED_COLUMNS) <= set(dataset[split].column_names)
    assert dataset["test"][0]["dialogue"].startswith("#Person1#:")


def test_missing_assets_folder_says_how_to_rebuild(tmp_path, tiny_profile):
    from dataclasses import replace

    profile = replace(tiny_profile, dataset_id=str(tmp_path / "nowhere"))
    with pytest.raises(LabsError, match="make assets"):
        load_dialogsum(profile)


def test_malformed_row_names_file_and_line(corpus_copy):
    folder, profile = corpus_copy
    path = folder / "validation.jsonl"
    lines = path.read_text().splitlines()
    lines[2] = '{"id": "broken", "dialogue": '
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(LabsError) as info:
        load_dialogsum(profile)
    assert "validation.jsonl, line 3" in str(info.value)


def test_missing_column_is_named(corpus_copy):
    folder, profile = corpus_copy
    path = folder / "train.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        del row["summary"]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(LabsError, match="'summary' column"):
        load_dialogsum(profile)


def test_empty_dialogue_is_reported_with_its_id(corpus_copy):
    folder, profile = corpus_copy
    path = folder / "test.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[1]["dialogue"] = "   "
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(LabsError) as info:
        load_dialogsum(profile)
    assert "empty dialogue" in str(info.value) and repr(rows[1]["id"]) in str(info.value)


def test_missing_split_file(corpus_copy):
    folder, profile = corpus_copy
    (folder / "test.jsonl").unlink()
    with pytest.raises(LabsError, match="test.jsonl"):
        load_dialogsum(profile)
    shutil.rmtree(folder)
