"""load_recordings on real files laid out as each distributor ships them, then windowing."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from skseizure.datasets import LazyRecording, RecordingCorpus, load_recordings, make_windows
from skseizure.datasets import recordings as recordings_module
from skseizure.io import read_edf
from tests.datasets import _trees


@pytest.fixture
def chbmit(shared_data, tmp_path):
    return _trees.chbmit_tree(shared_data, tmp_path / "chbmit")


def _crop(shared_data, name):
    return read_edf(shared_data / "chbmit" / "edf" / name)


def test_chbmit_layout_is_indexed_from_headers_and_annotations(chbmit, monkeypatch):
    def no_signal(*args, **kwargs):
        raise AssertionError("indexing must not read the signal")

    monkeypatch.setattr(recordings_module, "read_edf", no_signal)
    corpus = load_recordings(chbmit)
    assert isinstance(corpus, RecordingCorpus) and len(corpus) == 2
    assert corpus.subjects == ["chb01"]
    non, sz = corpus
    assert isinstance(sz, LazyRecording) and sz.layout == "chbmit"
    assert (non.name, sz.name) == ("chb01_03_NonSeizure", "chb01_03_Seizure")
    assert sz.seizures == [(1.0, 41.0)] and non.seizures == []
    assert sz.sfreq == 256.0 and sz.n_times == 41 * 256 and sz.duration == 41.0
    assert len(sz.ch_names) == 23 and sz.ch_names[14] == "T8-P8-0" and sz.ch_names[-1] == "T8-P8-1"
    assert sz.units == ["V"] * 23
    assert corpus["chb01_03_Seizure"] is sz
    frame = corpus.to_frame()
    assert list(frame["recording"]) == ["chb01_03_NonSeizure", "chb01_03_Seizure"]
    assert list(frame["seizure_s"]) == [0.0, 40.0] and set(frame["subject"]) == {"chb01"}
    events = corpus.events()
    assert events.to_dict("records") == [
        {"recording": "chb01_03_Seizure", "subject": "chb01", "onset_s": 1.0, "offset_s": 41.0}
    ]
    with pytest.raises(AssertionError, match="must not read"):
        corpus.make_windows(window_s=4.0)


def test_chbmit_windows_equal_the_signal_and_map_back_to_time(chbmit, shared_data):
    corpus = load_recordings(chbmit)
    w = corpus.make_windows(window_s=4.0, step_s=2.0, min_seizure_overlap=0.5)
    meta = w.metadata
    assert w.X.shape == (2 * 19, 23, 1024) and w.sfreq == 256.0
    assert list(w.groups) == ["chb01"] * 38
    assert set(meta["recording"]) == {"chb01_03_NonSeizure", "chb01_03_Seizure"}
    sz = _crop(shared_data, _trees.SEIZURE_CROP)
    rows = np.flatnonzero(meta["recording"] == "chb01_03_Seizure")
    for k in rows[[0, 7, -1]]:
        start = int(round(meta.loc[k, "start_s"] * 256))
        np.testing.assert_array_equal(w.X[k], sz.data[:, start:start + 1024])
    # The seizure covers 1-41 s: the first window (0-4 s) overlaps it by 3 s (>= half).
    labels = meta.loc[rows, "label"].to_numpy()
    assert labels.all()
    assert not meta.loc[meta["recording"] == "chb01_03_NonSeizure", "label"].any()
    # a stricter rule leaves the first window out
    strict = corpus.make_windows(window_s=4.0, step_s=2.0, min_seizure_overlap=1.0)
    first = strict.metadata.query("recording == 'chb01_03_Seizure' and start_s == 0")
    assert first["label"].tolist() == [0] and first["seizure_overlap_s"].tolist() == [3.0]


def test_continuous_filter_before_cutting_matches_filtering_the_recording(chbmit, shared_data):
    from skseizure.preprocessing import filter_continuous

    band = functools.partial(filter_continuous, l_freq=0.5, h_freq=30.0)
    corpus = load_recordings(chbmit)
    w = make_windows(corpus["chb01_03_Seizure"], window_s=10.0, preprocess=band)
    expected = filter_continuous(_crop(shared_data, _trees.SEIZURE_CROP).data, 256.0, 0.5, 30.0)
    np.testing.assert_array_equal(w.X[1], expected[:, 2560:5120])
    raw = make_windows(corpus["chb01_03_Seizure"], window_s=10.0)
    assert not np.allclose(raw.X[1], w.X[1])  # the hook did filter


def test_channel_selection_and_montage_per_recording(chbmit):
    corpus = load_recordings(chbmit)
    w = corpus.make_windows(window_s=8.0, channels=["CZ-PZ", "FP1-F7"])
    assert w.ch_names == ["CZ-PZ", "FP1-F7"] and w.X.shape[1] == 2
    full = corpus.make_windows(window_s=8.0)
    np.testing.assert_array_equal(w.X[:, 0], full.X[:, 17])

    def difference(rec):  # a user montage: FP1-F3 minus FP1-F7 = F7-F3
        from skseizure.io import EEGRecording

        data = rec.data[[4]] - rec.data[[0]]
        return EEGRecording(data=data, sfreq=rec.sfreq, ch_names=["F7-F3"], subject=rec.subject,
                            name=rec.name, seizures=rec.seizures)

    banana = corpus.make_windows(window_s=8.0, montage="bipolar")  # picked where recorded
    assert banana.ch_names[0] == "Fp1-F7" and banana.X.shape[1] == 18
    np.testing.assert_array_equal(banana.X[:, :14], full.X[:, :14])
    np.testing.assert_array_equal(banana.X[:, 15:], full.X[:, 15:18])

    d = corpus.make_windows(window_s=8.0, montage=difference)
    np.testing.assert_allclose(d.X[:, 0], full.X[:, 4] - full.X[:, 0], rtol=1e-6, atol=1e-12)


def test_bids_layout_reads_events_and_windows_like_chbmit(shared_data, tmp_path, chbmit):
    bids = load_recordings(_trees.bids_tree(shared_data, tmp_path / "bids"))
    assert bids.subjects == ["sub-01"] and [r.layout for r in bids] == ["bids", "bids"]
    assert bids[0].seizures == [] and bids[1].seizures == [(1.0, 41.0)]
    a = bids.make_windows(window_s=4.0)
    b = load_recordings(chbmit).make_windows(window_s=4.0)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)


def test_tusz_layout(shared_data, tmp_path):
    corpus = load_recordings(_trees.tusz_tree(shared_data, tmp_path / "tusz"))
    assert corpus.subjects == ["aaaaaaac"]
    assert [r.seizures for r in corpus] == [[], [(1.0, 41.0)]]
    w = corpus.make_windows(window_s=2.0)
    assert w.y.sum() == 20 and len(w) == 40


def test_siena_layout_with_a_partial_download(shared_data, tmp_path):
    root = _trees.siena_tree(shared_data, tmp_path / "siena")
    with pytest.raises(FileNotFoundError, match="PN00-2.edf"):
        load_recordings(root)
    corpus = load_recordings(root, on_missing="ignore")
    (rec,) = corpus
    # Registration 19.39.33; seizure 19.58.36-19.59.46 -> 1143-1213 s.
    assert rec.subject == "PN00" and rec.seizures == [(1143.0, 1213.0)]
    w = corpus.make_windows(window_s=10.0)
    ictal = w.metadata.loc[w.y == 1, "start_s"].to_numpy()
    np.testing.assert_array_equal(ictal, np.arange(1140.0, 1210.0, 10.0))


def test_helsinki_layout_with_the_real_tables(shared_data, tmp_path):
    root = _trees.helsinki_tree(shared_data, tmp_path / "helsinki")
    by_rule = {
        rule: load_recordings(root, agreement=rule) for rule in ("any", "majority", "all")
    }
    corpus = by_rule["majority"]
    assert corpus.subjects == ["68", "79"] and corpus.sfreq == 16.0
    seconds = {rule: corpus_.to_frame().set_index("recording")["seizure_s"]
               for rule, corpus_ in by_rule.items()}
    # infant 68: experts A, B, C mark 33, 76 and 0 s; infant 79: 198, 475, 242 s.
    assert seconds["all"]["eeg68"] == 0.0
    assert seconds["any"]["eeg68"] >= 76.0 and seconds["any"]["eeg79"] >= 475.0
    assert seconds["all"]["eeg79"] <= 198.0 <= seconds["majority"]["eeg79"]
    only_b = load_recordings(root, experts=["B"])
    assert only_b.to_frame().set_index("recording")["seizure_s"].to_dict() == {
        "eeg68": 76.0, "eeg79": 475.0,
    }
    w = corpus.make_windows(window_s=1.0, channels=["EEG Fp1-Ref"])
    assert set(w.groups) == {"68", "79"}
    per_second = w.metadata.groupby("recording")["label"].sum()
    assert per_second.to_dict() == seconds["majority"].astype(int).to_dict()


def test_real_neonatal_edfs_with_a_user_table(shared_data, tmp_path):
    """The two real neonatal EDFs (no seizures) read as a Helsinki-style folder."""
    import shutil

    root = tmp_path / "neonatal"
    root.mkdir()
    src = shared_data / "neonatal-demo-edf"
    shutil.copyfile(src / "eeg_burst_eg.edf", root / "eeg1.edf")
    shutil.copyfile(src / "preterm_demo.edf", root / "eeg2.edf")
    table = pd.DataFrame({"1": [0] * 211 + [None] * 450, "2": [0] * 661}, dtype="Int64")
    table.to_csv(root / "annotations_2017_A.csv", index=False)
    corpus = load_recordings(root)
    first, second = corpus
    assert first.ch_names[0] == "EEG Fp1-Ref" and len(first.ch_names) == 21
    assert second.ch_names == ["F7-C3", "C3-T5", "F7-T3", "T3-T5", "F8-C4", "C4-T6", "F8-T4",
                               "T4-T6"]
    w = make_windows(first, window_s=30.0, channels=["EEG Fp1-Ref", "EEG Cz-Ref"])
    rec = read_edf(src / "eeg_burst_eg.edf", channels=["EEG Fp1-Ref", "EEG Cz-Ref"])
    np.testing.assert_array_equal(w.X[2], rec.data[:, 60 * 256:90 * 256])
    assert len(w) == 7 and not w.y.any()
    # Montages derived per recording from the referential channels.
    banana = make_windows(first, window_s=30.0, montage="bipolar")
    assert banana.ch_names[:2] == ["Fp1-F7", "F7-T7"] and banana.X.shape == (7, 18, 7680)
    ref = read_edf(src / "eeg_burst_eg.edf", channels=["EEG Fp1-Ref", "EEG F7-Ref"])
    np.testing.assert_allclose(banana.X[2, 0], (ref.data[0] - ref.data[1])[60 * 256:90 * 256],
                               rtol=1e-5, atol=1e-10)
    car = make_windows(first, window_s=30.0, montage="average")
    assert car.X.shape[1] == 19
    np.testing.assert_allclose(car.X.mean(axis=1), 0.0, atol=1e-9)
    with pytest.raises(KeyError, match="Fp1-F7"):
        make_windows(second, window_s=30.0, montage="bipolar")  # 8 bipolar channels only


def test_mixed_rates_are_refused_or_resampled(shared_data, tmp_path, chbmit):
    siena = _trees.siena_tree(shared_data, tmp_path / "siena")
    with pytest.raises(ValueError, match=r"different sampling rates \(32 Hz: PN00-1; 256 Hz"):
        load_recordings([chbmit, siena], on_missing="ignore")
    corpus = load_recordings([chbmit, siena], on_missing="ignore", sfreq=32.0)
    assert corpus.sfreq == 32.0 and corpus.subjects == ["PN00", "chb01"]
    w = make_windows(corpus.select(subjects="chb01"), window_s=4.0, channels=["FP1-F7"])
    assert w.sfreq == 32.0 and w.X.shape == (20, 1, 128)
    # resampled with an anti-alias filter: the 256 Hz signal's 1-8 Hz content is kept
    rec = corpus["chb01_03_Seizure"].load()
    assert rec.sfreq == 32.0 and rec.n_times == 41 * 32
    with pytest.raises(ValueError, match="different sampling rates"):
        make_windows([corpus["PN00-1"], load_recordings(chbmit)[0]], window_s=4.0)
