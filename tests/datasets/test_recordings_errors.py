"""Bad trees and bad input to load_recordings: each a clear error naming the file."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest

from skseizure.datasets import fetch_siena, load_recordings, make_windows
from skseizure.io import AnnotationFormatError
from tests.datasets import _trees
from tests.datasets.test_fetchers import _Server, no_proxy  # noqa: F401 (fixture)


def test_summary_naming_a_missing_file(shared_data, tmp_path):
    extra = "\nFile Name: chb01_04.edf\nFile Start Time: 14:43:12\nFile End Time: 15:43:12\n" \
            "Number of Seizures in File: 0\n"
    root = _trees.chbmit_tree(shared_data, tmp_path / "c", extra_entry=extra)
    with pytest.raises(FileNotFoundError, match=r"chb01-summary.txt lists chb01_04.edf"):
        load_recordings(root)
    with pytest.warns(UserWarning, match="chb01_04.edf"):
        assert len(load_recordings(root, on_missing="warn")) == 2


def test_edf_missing_from_its_summary(shared_data, tmp_path):
    root = _trees.chbmit_tree(shared_data, tmp_path / "c")
    shutil.copyfile(root / "chb01" / _trees.SEIZURE_CROP, root / "chb01" / "chb01_05.edf")
    with pytest.raises(AnnotationFormatError, match="does not list chb01_05.edf"):
        load_recordings(root)


def test_event_past_the_end_of_its_recording(shared_data, tmp_path):
    root = _trees.chbmit_tree(shared_data, tmp_path / "c", onset=30, offset=50)
    with pytest.raises(AnnotationFormatError, match=r"chb01-summary.txt, line \d+: seizure "
                                                    r"\(30 s, 50 s\) .* ends after the file"):
        load_recordings(root)
    # BIDS events without recordingDuration: checked against the EDF header.
    root = _trees.bids_tree(shared_data, tmp_path / "b")
    events = next(root.rglob("*run-01_events.tsv"))
    events.write_text("onset\tduration\teventType\n30.00\t20.00\tsz\n")
    with pytest.raises(AnnotationFormatError, match=r"seizure \(30 s, 50 s\) of "
                                                    r"sub-01_.*_eeg.edf lies outside") as info:
        load_recordings(root)
    assert "run-01_events.tsv" in str(info.value) and "41.000 s" in str(info.value)


def test_siena_registration_longer_than_the_edf(shared_data, tmp_path):
    root = _trees.siena_tree(shared_data, tmp_path / "s", seconds=1500.0)
    with pytest.raises(AnnotationFormatError, match="PN00-1.edf: the list gives a registration of 2605 s "
                                                    "but PN00-1.edf lasts 1500.0 s"):
        load_recordings(root, on_missing="ignore")


def test_bids_tree_without_events(shared_data, tmp_path):
    root = _trees.bids_tree(shared_data, tmp_path / "b", with_events=False)
    with pytest.raises(FileNotFoundError, match=r"2 BIDS recording\(s\) .* no events file") as info:
        load_recordings(root)
    assert "run-00_events.tsv" in str(info.value)


def test_same_subject_under_two_roots(shared_data, tmp_path):
    a = _trees.chbmit_tree(shared_data, tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    with pytest.raises(ValueError, match=r"subject id 'chb01' occurs in chbmit layout under"):
        load_recordings([a, b])


def test_same_recording_twice_and_unknown_layouts(shared_data, tmp_path):
    bids = _trees.bids_tree(shared_data, tmp_path / "b")
    with pytest.raises(ValueError, match="no known layout"):
        load_recordings(tmp_path / "b" / "sub-01" / "ses-01" / "eeg" / "..")
    with pytest.raises(ValueError, match="unknown layout"):
        load_recordings(bids, layout="edf")
    with pytest.raises(FileNotFoundError, match="data folder not found"):
        load_recordings(tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"subject\(s\) \['sub-02'\] not found"):
        load_recordings(bids, subjects=["sub-02"])


def test_unclaimed_edf_files(shared_data, tmp_path):
    root = _trees.bids_tree(shared_data, tmp_path / "b")
    shutil.copyfile(shared_data / "chbmit" / "edf" / _trees.SEIZURE_CROP, root / "stray.edf")
    with pytest.raises(ValueError, match=r"1 EDF file\(s\) .* belong to no recognised recording"):
        load_recordings(root)


def test_helsinki_table_length_differs_from_the_edf(shared_data, tmp_path):
    root = tmp_path / "h"
    root.mkdir()
    mat = shared_data / "helsinki-neonatal" / "annotations" / "annotations_2017.mat"
    shutil.copyfile(mat, root / mat.name)
    shutil.copyfile(shared_data / "neonatal-demo-edf" / "eeg_burst_eg.edf", root / "eeg1.edf")
    with pytest.raises(AnnotationFormatError, match="infant 1: the tables annotate 6993 s but "
                                                    "eeg1.edf lasts 211.0 s"):
        load_recordings(root)


def test_window_longer_than_a_lazy_recording(shared_data, tmp_path):
    corpus = load_recordings(_trees.chbmit_tree(shared_data, tmp_path / "c"))
    with pytest.raises(ValueError, match="longer than recording 'chb01_03_NonSeizure'"):
        make_windows(corpus, window_s=60.0)
    with pytest.raises(ValueError, match="must keep"):
        make_windows(corpus, window_s=4.0, preprocess=lambda data, sfreq: data[:, ::2])


@pytest.fixture
def siena_release(shared_data, tmp_path, no_proxy):  # noqa: F811
    root = _trees.siena_tree(shared_data, tmp_path / "physionet-siena")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    (root / "SHA256SUMS.txt").write_text("".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()} {p.relative_to(root).as_posix()}\n"
        for p in files
    ))
    server = _Server(root)
    yield server
    server.close()


def test_fetch_then_read_then_window(siena_release, tmp_path):
    paths = fetch_siena(["PN00"], path=tmp_path / "cache", base_url=siena_release.url)
    assert sorted(p.name for p in paths) == ["PN00-1.edf", "Seizures-list-PN00.txt"]
    corpus = load_recordings(tmp_path / "cache" / "siena-scalp-eeg", on_missing="ignore")
    assert corpus.subjects == ["PN00"] and corpus[0].seizures == [(1143.0, 1213.0)]
    w = corpus.make_windows(window_s=60.0, step_s=30.0, min_seizure_overlap=0.5)
    meta = w.metadata
    np.testing.assert_array_equal(meta.loc[w.y == 1, "start_s"], [1140.0, 1170.0])
    assert (w.groups == "PN00").all() and w.X.shape[1:] == (2, 60 * 32)
