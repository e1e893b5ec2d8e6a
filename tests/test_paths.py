"""``utils.paths``: writes checked before the work (``check_writable``) and done atomically
(``atomic_folder``)."""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections import namedtuple
from pathlib import Path

import pytest

import utils.paths
from utils.errors import LabsError
from utils.paths import atomic_folder, check_writable


def make_read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``folder`` read-only: by its mode, and for root (who writes anyway) by refusing the
    write probe ``check_writable`` makes there."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    if os.geteuid() == 0:
        real = tempfile.NamedTemporaryFile

        def refuse(*args, dir=None, **kwargs):
            if dir is not None and Path(dir).resolve().is_relative_to(folder.resolve()):
                raise PermissionError(13, "Permission denied", str(dir))
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(utils.paths.tempfile, "NamedTemporaryFile", refuse)


def test_a_writable_folder_is_created_and_left_clean(tmp_path):
    folder = tmp_path / "a" / "b"
    check_writable(folder, "lab 2's fine-tuned model", need_bytes=1)
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_read_only_folder_says_what_to_chmod(tmp_path, monkeypatch):
    outputs = tmp_path / "outputs"
    make_read_only(outputs, monkeypatch)
    try:
        with pytest.raises(LabsError) as info:
            check_writable(outputs / "tiny" / "lab2", "lab 2's fine-tuned model")
    finally:
        outputs.chmod(0o755)
    message = str(info.value)
    assert "Permission denied" in message and "lab 2's fine-tuned model" in message
    chmod = re.search(r"`chmod -R u\+w (\S+)`", message)  # the read-only folder (root: a child)
    assert chmod and Path(chmod[1]).is_relative_to(outputs) and "LABS_OUTPUTS_DIR" in message
    assert "\n" not in message


def test_a_file_in_the_way_is_named(tmp_path):
    (tmp_path / "outputs").write_text("not a folder")
    with pytest.raises(LabsError, match="outputs is a file, not a folder. Move or delete"):
        check_writable(tmp_path / "outputs" / "tiny", "lab 2's adapter", fix="pass --x")
    assert (tmp_path / "outputs").read_text() == "not a folder"


def test_not_enough_room_is_said_before_the_work(tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 5 * 10**6, 5 * 10**6)
    )
    with pytest.raises(LabsError) as info:
        check_writable(tmp_path / "lab2", "lab 2's fine-tuned model", need_bytes=990 * 10**6)
    assert "needs about 990 MB and 5 MB are free" in str(info.value)
    check_writable(tmp_path / "lab2", "lab 2's adapter", need_bytes=4 * 10**6)  # fits


def test_atomic_folder_leaves_nothing_when_the_body_fails(tmp_path):
    target = tmp_path / "full-model"
    with pytest.raises(OSError, match="No space"), atomic_folder(target) as staging:
        (staging / "config.json").write_text("{}")
        raise OSError(28, "No space left on device")  # the weights never came
    assert list(tmp_path.iterdir()) == []  # no target, no staging folder


def test_atomic_folder_keeps_the_old_folder_when_the_body_fails(tmp_path):
    target = tmp_path / "adapter"
    target.mkdir()
    (target / "weights").write_text("old")
    with pytest.raises(RuntimeError), atomic_folder(target) as staging:
        (staging / "weights").write_text("half")
        raise RuntimeError("interrupted")
    assert [p.name for p in tmp_path.iterdir()] == ["adapter"]
    assert (target / "weights").read_text() == "old"


def test_atomic_folder_replaces_the_old_folder_on_success(tmp_path):
    target = tmp_path / "adapter"
    target.mkdir()
    (target / "stale-file").write_text("from the last run")
    with atomic_folder(target) as staging:
        assert staging != target and staging.parent == tmp_path
        (staging / "weights").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["weights"]
    assert (target / "weights").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["adapter"]  # no staging or old copy left


def test_a_read_only_file_system_says_so_instead_of_chmod(tmp_path, monkeypatch):
    def read_only_fs(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(utils.paths.tempfile, "NamedTemporaryFile", read_only_fs)
    with pytest.raises(LabsError) as info:
        check_writable(tmp_path, "executed notebooks", fix="pass another `--output-dir`")
    message = str(info.value)
    assert "(Read-only file system)" in message and "mount it read-write" in message
    assert "chmod" not in message and "--output-dir" in message
