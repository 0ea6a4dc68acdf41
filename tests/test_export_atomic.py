"""kgraph.export.atomic: whole files or nothing."""

from __future__ import annotations

import os
import stat

import pytest

from kgraph.errors import ExportError
from kgraph.export.atomic import atomic_open, atomic_write_bytes, atomic_write_text


def test_atomic_write_text_creates_the_file(tmp_path):
    target = tmp_path / "graph.json"
    atomic_write_text(target, "Schrödinger φ\n")
    assert target.read_bytes() == "Schrödinger φ\n".encode("utf-8")
    assert os.listdir(tmp_path) == ["graph.json"]


def test_atomic_write_text_keeps_newlines_as_given(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write_text(target, "a\r\nb\n")
    assert target.read_bytes() == b"a\r\nb\n"


def test_atomic_write_bytes_replaces_an_existing_file(tmp_path):
    target = tmp_path / "graph.bin"
    target.write_bytes(b"old")
    atomic_write_bytes(target, b"\x00new")
    assert target.read_bytes() == b"\x00new"
    assert os.listdir(tmp_path) == ["graph.bin"]


@pytest.mark.parametrize("mode", ["w", "wb"])
def test_atomic_open_failure_leaves_old_file_and_no_temp(tmp_path, mode):
    target = tmp_path / "graph.ttl"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_open(target, mode) as handle:
            handle.write("partial" if mode == "w" else b"partial")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["graph.ttl"]


def test_atomic_open_failure_creates_nothing(tmp_path):
    with pytest.raises(KeyError):
        with atomic_open(tmp_path / "new.txt") as handle:
            handle.write("partial")
            raise KeyError("x")
    assert os.listdir(tmp_path) == []


def test_atomic_open_failed_rename_is_an_export_error(tmp_path, monkeypatch):
    target = tmp_path / "graph.json"
    target.write_text("old")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ExportError, match="graph.json.*No space left"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["graph.json"]


def test_atomic_write_missing_directory_is_an_export_error(tmp_path):
    target = tmp_path / "missing" / "graph.json"
    with pytest.raises(ExportError) as info:
        atomic_write_text(target, "x")
    assert str(target) in str(info.value)
    assert "does not exist" in str(info.value)


def test_atomic_write_to_a_directory_is_an_export_error(tmp_path):
    with pytest.raises(ExportError, match="is a directory"):
        atomic_write_text(tmp_path, "x")


def test_atomic_write_unwritable_directory_is_an_export_error(tmp_path, monkeypatch):
    real_open = os.open

    def denied(path, flags, mode=0o777, **kw):
        if str(path).startswith(str(tmp_path)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", denied)
    target = tmp_path / "graph.json"
    with pytest.raises(ExportError) as info:
        atomic_write_text(target, "x")
    message = str(info.value)
    assert str(target) in message and "not writable" in message and "Permission denied" in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions")
def test_atomic_write_read_only_directory_is_an_export_error(tmp_path):
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="not writable"):
            atomic_write_text(directory / "graph.json", "x")
    finally:
        directory.chmod(0o755)


def test_atomic_write_keeps_permissions_of_replaced_file(tmp_path):
    target = tmp_path / "graph.json"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_atomic_write_new_file_follows_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640


def test_atomic_open_rejects_other_modes(tmp_path):
    with pytest.raises(ValueError, match="unsupported mode 'a'"):
        with atomic_open(tmp_path / "a.txt", "a"):
            pass
