"""Tests for the shared errors and the safe writer of skseizure.io.common."""

from __future__ import annotations

import os
import pickle

import pytest

from skseizure.io import (
    AnnotationFormatError,
    BidsEvent,
    EDFError,
    FileFormatError,
    write_atomic,
    write_bids_events,
)


def test_errors_name_path_and_line_and_pickle():
    err = AnnotationFormatError("a/b.txt", 7, "bad value.")
    assert isinstance(err, FileFormatError) and isinstance(err, ValueError)
    assert str(err) == "a/b.txt, line 7: bad value."
    assert str(EDFError("c.edf", None, "truncated.")) == "c.edf: truncated."
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is AnnotationFormatError
    assert (back.path, back.line, back.problem, str(back)) == (err.path, 7, "bad value.", str(err))


def test_write_atomic_never_overwrites_without_permission(tmp_path):
    path = tmp_path / "out.txt"
    assert write_atomic(path, "first\n") == path
    with pytest.raises(FileExistsError, match="overwrite=True") as info:
        write_atomic(path, "second\n")
    assert str(path) in str(info.value)
    assert path.read_text() == "first\n"
    write_atomic(path, b"third\n", overwrite=True)
    assert path.read_bytes() == b"third\n"
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_write_atomic_refuses_a_directory_and_leaves_nothing(tmp_path, overwrite):
    target = tmp_path / "folder"
    target.mkdir()
    (target / "inside.txt").write_text("keep")
    with pytest.raises(IsADirectoryError, match="is a directory") as info:
        write_atomic(target, "x", overwrite=overwrite)
    assert str(target) in str(info.value)
    assert sorted(os.listdir(tmp_path)) == ["folder"]
    assert os.listdir(target) == ["inside.txt"]
    with pytest.raises(IsADirectoryError):
        write_bids_events(target, [BidsEvent(1.0, 2.0)], overwrite=overwrite)
    assert sorted(os.listdir(tmp_path)) == ["folder"]


def test_write_atomic_missing_folder_and_bad_content(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_atomic(tmp_path / "no" / "x.txt", "x")
    with pytest.raises(TypeError, match="str or bytes"):
        write_atomic(tmp_path / "x.txt", 3)
    assert os.listdir(tmp_path) == []


def test_write_atomic_failure_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "events.tsv"
    path.write_text("old")
    # A file with a name a naive writer would use as its temporary file.
    decoy = tmp_path / ".events.tsv.tmp"
    decoy.write_text("not mine")

    def broken_replace(src, dst):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="simulated"):
        write_atomic(path, "new", overwrite=True)
    assert path.read_text() == "old"
    assert decoy.read_text() == "not mine"
    assert sorted(os.listdir(tmp_path)) == [".events.tsv.tmp", "events.tsv"]


def test_write_bids_events_uses_unique_temporary_names(tmp_path, monkeypatch):
    import tempfile

    seen = []
    real = tempfile.mkstemp

    def spy(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        seen.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    write_bids_events(tmp_path / "a_events.tsv", [BidsEvent(1.0, 2.0)])
    write_bids_events(tmp_path / "a_events.tsv", [BidsEvent(1.0, 3.0)], overwrite=True)
    assert len(seen) == 2 and seen[0] != seen[1]
    assert all(os.path.dirname(n) == str(tmp_path) for n in seen)
    assert os.listdir(tmp_path) == ["a_events.tsv"]
