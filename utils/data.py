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

from utils.errors import LabsError
from utils.profiles import Profile

SPLITS = ("train", "validation", "test")
REQUIRED_COLUMNS = ("id", "dialogue", "summary", "topic")


def _check_json_lines(path: Path) -> None:
    """Fail with the file and line number of the first row that is not a JSON object."""
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabsError(
                    f"{path}, line {line_number}, is not valid JSON ({exc.msg}). Fix or delete "
                    f"that line, or restore the shipped files with `git checkout -- assets` "
                    f"(or rebuild them with `make assets`)."
                ) from None
            if not isinstance(row, dict):
                raise LabsError(f"{path}, line {line_number}, is not a JSON object; each line "
                                f"must be one row with the columns {', '.join(REQUIRED_COLUMNS)}.")
            missing = [column for column in REQUIRED_COLUMNS if column not in row]
            if missing:
                raise LabsError(
                    f"{path}, line {line_number}, has no {missing[0]!r} column (found: "
                    f"{', '.join(row)}). DialogSum rows need {', '.join(REQUIRED_COLUMNS)}; "
                    f"restore the shipped file with `git checkout -- assets` or `make assets`."
                )


def _local_data_files(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        raise LabsError(
            f"The offline data folder {folder} is missing. It ships with the repository: "
            f"restore it with `git checkout -- assets` or rebuild it with `make assets`."
        )
    files = {split: folder / f"{split}.jsonl" for split in SPLITS}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise LabsError(f"Missing data file(s): {', '.join(missing)}. Restore them with "
                        f"`git checkout -- assets` or rebuild them with `make assets`.")
    for path in files.values():
        _check_json_lines(path)
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
        for index, (row_id, dialogue) in enumerate(
            zip(dataset[split]["id"], dataset[split]["dialogue"], strict=True)
        ):
            if not isinstance(dialogue, str) or not dialogue.strip():
                raise LabsError(
                    f"Row {index} (id {row_id!r}) of the {split} split of {source} has an empty "
                    f"dialogue. Remove that row or restore the data (`git checkout -- assets`)."
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
        hint = (
            "The files are readable JSON, so check that every split has the same columns, or "
            "restore them with `git checkout -- assets`."
            if local.exists()
            else "The course profile needs the Hugging Face Hub (or its cache); offline, use "
            "`LABS_PROFILE=tiny`."
        )
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise LabsError(f"Could not load the data set {source!r}: {reason}. {hint}") from exc
    finally:
        if bars_were_on:
            enable_progress_bar()
    check_dialogsum(dataset, source)
    return dataset
