import json
import re
import shutil

import pytest
from datasets import DatasetDict

from utils.data import REQUIRED_COLUMNS, SPLITS, check_dialogsum, load_dialogsum
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
    with pytest.raises(LabsError, match="git checkout -- assets"):
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
    assert f"test.jsonl, line 2, row id {rows[1]['id']!r}: 'dialogue' is empty" in str(info.value)


def test_missing_split_file(corpus_copy):
    folder, profile = corpus_copy
    (folder / "test.jsonl").unlink()
    with pytest.raises(LabsError, match="test.jsonl"):
        load_dialogsum(profile)
    shutil.rmtree(folder)


def _rewrite(path, edit):
    """Apply ``edit`` to the rows of a JSON Lines file; returns the rows."""
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    edit(rows)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def test_null_summary_fails_at_load_with_file_and_line(corpus_copy):
    folder, profile = corpus_copy
    rows = _rewrite(folder / "train.jsonl", lambda rows: rows[3].update(summary=None))
    with pytest.raises(LabsError) as info:
        load_dialogsum(profile)
    message = str(info.value)
    assert f"train.jsonl, line 4, row id {rows[3]['id']!r}: 'summary' is null" in message
    assert message.index("git checkout -- assets") < message.index("make assets")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  ", "'summary' is empty"),
        (42, "'summary' is 42 (int), not a string"),
    ],
)
def test_summary_must_be_non_empty_text(corpus_copy, value, expected):
    folder, profile = corpus_copy
    rows = _rewrite(folder / "validation.jsonl", lambda rows: rows[0].update(summary=value))
    with pytest.raises(
        LabsError,
        match=re.escape(f"validation.jsonl, line 1, row id {rows[0]['id']!r}: {expected}."),
    ):
        load_dialogsum(profile)


def test_empty_topic_is_allowed_but_must_be_text(corpus_copy):
    folder, profile = corpus_copy
    _rewrite(folder / "test.jsonl", lambda rows: rows[0].update(topic=""))
    assert load_dialogsum(profile)["test"][0]["topic"] == ""
    _rewrite(folder / "test.jsonl", lambda rows: rows[0].update(topic=None))
    with pytest.raises(LabsError, match="test.jsonl, line 1, .*'topic' is null"):
        load_dialogsum(profile)


def test_extra_column_in_one_row_is_named_with_file_and_line(corpus_copy):
    folder, profile = corpus_copy
    _rewrite(folder / "validation.jsonl", lambda rows: rows[2].update(speaker_count=2))
    with pytest.raises(LabsError) as info:
        load_dialogsum(profile)
    assert "validation.jsonl, line 3, has the column(s) 'speaker_count'" in str(info.value)


def test_column_missing_from_a_later_split_is_named(corpus_copy):
    folder, profile = corpus_copy
    extra = [
        c
        for c in json.loads((folder / "train.jsonl").open().readline())
        if c not in REQUIRED_COLUMNS
    ]
    if not extra:
        pytest.skip("the shipped corpus has no optional column to drop")
    _rewrite(folder / "test.jsonl", lambda rows: rows[4].pop(extra[0]))
    with pytest.raises(
        LabsError, match=f"test.jsonl, line 5, lacks the column\\(s\\) '{extra[0]}'"
    ):
        load_dialogsum(profile)


def test_hub_data_is_checked_too():
    """The course profile's data comes from the Hub, not from lines: rows are named by index."""
    from datasets import Dataset

    good = {
        "id": ["a", "b"],
        "dialogue": ["#Person1#: Hi.", "#Person1#: Bye."],
        "summary": ["One greets.", None],
        "topic": ["greeting", "farewell"],
    }
    dataset = DatasetDict({split: Dataset.from_dict(good) for split in SPLITS})
    with pytest.raises(
        LabsError,
        match=r"Row 1 \(id 'b'\) of the train split of hub: "
        r"'summary' is null",
    ):
        check_dialogsum(dataset, "hub")


def test_course_profile_offline_says_what_is_set_and_what_to_do(monkeypatch, tiny_profile):
    from dataclasses import replace

    import datasets.config
    import huggingface_hub.constants

    # the libraries read these variables when imported, so switch their constants too
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    profile = replace(tiny_profile, dataset_id="knkarthick/dialogsum")
    with pytest.raises(LabsError) as info:
        load_dialogsum(profile)
    message = str(info.value)
    assert message.startswith(
        "Could not load the data set 'knkarthick/dialogsum': HF_HUB_OFFLINE=1 is set"
    )
    assert "`LABS_PROFILE=tiny`" in message and "\n" not in message


def test_hub_hint_without_offline_switch_points_at_the_network(monkeypatch):
    import huggingface_hub.constants

    from utils.errors import hub_hint

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # set after the import: not in force
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    hint = hub_hint("knkarthick/dialogsum")
    assert "spelt as on the Hub" in hint and "internet connection" in hint
    assert "HF_HUB_OFFLINE" not in hint
