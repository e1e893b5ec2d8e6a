"""Load DialogSum (course: the Hub; tiny: JSON Lines in ``assets/``) and check its schema."""

from __future__ import annotations

import json
from pathlib import Path

from datasets import DatasetDict, load_dataset
from datasets.utils.logging import (
    disable_progress_bar,
    enable_progress_bar,
    is_progress_bar_enabled,
)

from utils.errors import RESTORE_ASSETS, LabsError, hub_hint, library_reason
from utils.profiles import Profile

SPLITS = ("train", "validation", "test")
REQUIRED_COLUMNS = ("id", "dialogue", "summary", "topic")
NON_EMPTY_COLUMNS = ("id", "dialogue", "summary")
"""Columns that must hold text (every column must hold a string; ``topic`` may be empty)."""


def _field_problem(row: dict, column: str) -> str | None:
    """Why ``row[column]`` is not usable, or None: a string, non-empty where required."""
    value = row[column]
    if not isinstance(value, str):
        shown = "null" if value is None else f"{value!r:.40} ({type(value).__name__})"
        return f"{column!r} is {shown}, not a string"
    if column in NON_EMPTY_COLUMNS and not value.strip():
        return f"{column!r} is empty"
    return None


def _check_json_lines(path: Path, columns: list[str] | None) -> list[str]:
    """Fail with the file and line number of the first row that breaks DialogSum's schema.

    Every row must have the same columns as the first row read (``columns``, else this file's
    first row): the four of DialogSum plus any extra ones the corpus ships. Returns them.
    """
    restore = f"Fix or delete that line, or {RESTORE_ASSETS}."
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}, line {line_number},"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabsError(f"{where} is not valid JSON ({exc.msg}). {restore}") from None
            if not isinstance(row, dict):
                raise LabsError(
                    f"{where} is not a JSON object; each line must be one row with "
                    f"the columns {', '.join(REQUIRED_COLUMNS)}. {restore}"
                )
            missing = [column for column in REQUIRED_COLUMNS if column not in row]
            if missing:
                raise LabsError(
                    f"{where} has no {missing[0]!r} column (found: "
                    f"{', '.join(row)}). DialogSum rows need "
                    f"{', '.join(REQUIRED_COLUMNS)}. {restore}"
                )
            columns = columns or list(row)
            extra = [c for c in row if c not in columns]
            absent = [c for c in columns if c not in row]
            if extra or absent:  # load_dataset would fail on it later, naming no line
                found = (
                    f"has the column(s) {', '.join(map(repr, extra))} that"
                    if extra
                    else f"lacks the column(s) {', '.join(map(repr, absent))} that"
                )
                raise LabsError(
                    f"{where} {found} the other rows do not; every row needs the "
                    f"same columns ({', '.join(columns)}). {restore}"
                )
            for column in REQUIRED_COLUMNS:
                problem = _field_problem(row, column)
                if problem:
                    raise LabsError(f"{where} row id {row['id']!r}: {problem}. {restore}")
    return columns or list(REQUIRED_COLUMNS)


def _local_data_files(folder: Path) -> dict[str, str]:
    """The split files in ``folder``, each checked line by line before ``load_dataset``."""
    if not folder.is_dir():
        raise LabsError(
            f"The offline data folder {folder} is missing. It ships with the "
            f"repository: {RESTORE_ASSETS}."
        )
    files = {split: folder / f"{split}.jsonl" for split in SPLITS}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise LabsError(f"Missing data file(s): {', '.join(missing)}; {RESTORE_ASSETS}.")
    columns = None
    for path in files.values():
        columns = _check_json_lines(path, columns)
    return {split: str(path) for split, path in files.items()}


def check_dialogsum(dataset: DatasetDict, source: str) -> None:
    """Raise a LabsError naming the split and column/row that breaks DialogSum's schema."""
    for split in SPLITS:
        if split not in dataset:
            raise LabsError(f"{source} has no {split!r} split (found: {list(dataset)}).")
        columns = dataset[split].column_names
        for column in REQUIRED_COLUMNS:
            if column not in columns:
                raise LabsError(
                    f"The {split} split of {source} has no {column!r} column (found: "
                    f"{', '.join(columns)}). DialogSum rows need {', '.join(REQUIRED_COLUMNS)}."
                )
        table = dataset[split].select_columns(list(REQUIRED_COLUMNS))
        for index, row in enumerate(table):
            for column in REQUIRED_COLUMNS:
                problem = _field_problem(row, column)
                if problem:
                    raise LabsError(
                        f"Row {index} (id {row['id']!r}) of the {split} split of {source}: "
                        f"{problem}. Remove or fix that row, or reload the data set (tiny: "
                        f"`git checkout -- assets`)."
                    )


def load_dialogsum(profile: Profile) -> DatasetDict:
    """DialogSum's train/validation/test splits for ``profile``, schema-checked.

    course: ``load_dataset("knkarthick/dialogsum")``; tiny: ``load_dataset("json", ...)`` on
    the synthetic corpus in ``assets/dialogsum``. Both have the columns id, dialogue, summary,
    topic.
    """
    source = profile.dataset_id
    local = Path(source)
    # The "Generating split" bars appear only when the Arrow cache is cold, so they would
    # make notebook outputs differ between a first and a second run: keep them off here.
    bars_were_on = is_progress_bar_enabled()
    disable_progress_bar()
    try:
        if local.is_absolute() or local.exists():
            dataset = load_dataset("json", data_files=_local_data_files(local))
        else:
            dataset = load_dataset(source)
    except LabsError:
        raise
    except Exception as exc:
        if local.exists():
            hint = (
                f"the files are valid JSON Lines with DialogSum's columns, so check that "
                f"every split has the same columns, or {RESTORE_ASSETS}"
            )
        else:
            hint = hub_hint(source, exc)
        raise LabsError(
            f"Could not load the data set {source!r}: {hint}. "
            f"(The library said: {library_reason(exc)})"
        ) from exc
    finally:
        if bars_were_on:
            enable_progress_bar()
    check_dialogsum(dataset, source)
    return dataset
