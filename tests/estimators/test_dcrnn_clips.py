"""DCRNNClassifier on padded clips (seizure-type classification mechanics) and the max-F1 threshold.

No seizure-type data is available here (TUSZ is not): the clips are cut from real EEG
(the whole CHB-MIT seizures) with the package's clip builder, and their type labels are
synthetic. These tests check the mechanics (batch-wise ``seq_lengths``, padding after
standardisation, padding excluded from the correlation graph, the preset, persistence),
not classification accuracy. The max-F1 threshold is checked on real labelled windows
(Helsinki neonatal, expert A).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, GroupKFold

from skseizure.datasets import SEIZURE_TYPE_CLASSES, seizure_onset_clips
from skseizure.estimators import DCRNNClassifier, PaddedClips
from skseizure.estimators._dcrnn_finetune import max_f1_threshold
from skseizure.preprocessing import CorrelationGraph, FFTLogAmplitude, correlation_adjacency

FAST = dict(module__num_units=8, augment=False, batch_size=4, valid_size=None, random_state=0)


@pytest.fixture(scope="module")
def chb_clips(shared_data):
    """12-step clips of the 4 CHB-MIT seizures: 3 per seizure with 12, 7 and 4 valid steps."""
    from tests._extracts import load_chbmit_seizures

    sfreq = 256
    raw, lengths, groups = [], [], []
    for rec in load_chbmit_seizures(shared_data):
        dur = rec.data.shape[1] / sfreq
        # three "seizures" in the recording: clips of 12, 7 and 4 one-second steps
        events = [(2.0, 12.0), (15.0, 20.0), (23.0, 25.0)]
        assert dur > 25.0
        c, n, kept = seizure_onset_clips(rec.data, sfreq, events, clip_s=12, pad_value=0.0)
        assert kept.tolist() == [0, 1, 2]
        raw.append(c)
        lengths.append(n)
        groups += [rec.name] * len(n)  # all four seizures are chb01: group by recording
    raw, lengths = np.concatenate(raw), np.concatenate(lengths)
    feats = FFTLogAmplitude(sfreq=sfreq, n_bins=32).fit_transform(raw)  # (12, 12, 23, 32)
    return feats, lengths, np.asarray(groups)


def test_clip_lengths_follow_the_seizure_end(chb_clips):
    feats, lengths, _ = chb_clips
    assert feats.shape == (12, 12, 23, 32)
    assert lengths.tolist() == [12, 7, 4] * 4
    # padded steps are exact zeros in time: log(1e-8) after the FFT
    assert np.all(feats[1, 7:] == np.float32(np.log(1e-8)))


def test_seq_lengths_split_with_batches_and_padding_ignored(chb_clips):
    feats, lengths, _ = chb_clips
    y = np.arange(len(lengths)) % 2
    X = PaddedClips(x=feats, seq_lengths=lengths)
    est = DCRNNClassifier(CorrelationGraph(top_k=3), max_epochs=2, **FAST).fit(X, y)
    # standardisation constants over the valid steps only
    valid = np.concatenate([feats[i, :n] for i, n in enumerate(lengths)])
    assert est.mean_ == pytest.approx(float(valid.mean(dtype=np.float64)), rel=1e-6)
    assert est.std_ == pytest.approx(float(valid.std(dtype=np.float64)), rel=1e-6)
    p = est.predict_proba(X)
    # the padding's values change nothing (graph, standardisation, output)
    garbage = feats.copy()
    for i, n in enumerate(lengths):
        garbage[i, n:] = np.random.default_rng(i).normal(5, 3, garbage[i, n:].shape)
    np.testing.assert_allclose(est.predict_proba({"x": garbage, "seq_lengths": lengths}), p, atol=1e-6)
    # one clip at a time (batch of 1) and all at once give the same
    est.set_params(batch_size=1)
    np.testing.assert_allclose(est.predict_proba(X), p, atol=1e-6)
    # a clip of 4 valid steps equals the network run on its 4 steps alone, with the
    # correlation graph of the unpadded clip and the padding at 0 after standardisation
    i = 2
    n = int(lengths[i])
    x = torch.from_numpy(feats[i:i + 1, :n])
    with torch.no_grad():
        sup = torch.from_numpy(est.graph_.supports(feats[i:i + 1, :n]))
        z = est.module_(est._standardize(x), sup)
    np.testing.assert_allclose(est.decision_function(X)[i], z.numpy()[0, 0], atol=1e-5)
    zero_pad = feats[i:i + 1].copy()
    zero_pad[:, n:] = 0
    np.testing.assert_allclose(correlation_adjacency(zero_pad), correlation_adjacency(feats[i:i + 1, :n]))
    assert est.predict(X).shape == (12,)


def test_bad_seq_lengths_are_refused(chb_clips):
    feats, lengths, _ = chb_clips
    est = DCRNNClassifier(CorrelationGraph(top_k=3), max_epochs=0, **FAST)
    y = np.arange(12) % 2
    for bad, match in [(lengths[:-1], "one entry per clip"), (lengths * 2, r"\[1, n_steps=12\]"),
                       (lengths - 4, "clip 2 has 0"), (lengths + 0.5, "whole numbers")]:
        with pytest.raises(ValueError, match=match):
            est.fit({"x": feats, "seq_lengths": bad}, y)
    with pytest.raises(ValueError, match="exactly the keys"):
        est.fit({"x": feats, "lengths": lengths}, y)


def test_seizure_type_preset_fits_four_classes_and_survives_search(chb_clips, tmp_path):
    feats, lengths, groups = chb_clips
    y = np.array(["CF", "GN", "AB"] * 4)  # synthetic labels; "CT" absent from training
    est = DCRNNClassifier.for_seizure_types(
        CorrelationGraph(top_k=3), module__num_units=8, max_epochs=1, valid_size=None,
        batch_size=5, reflect_prob=0.0, random_state=0)
    params = est.get_params()
    assert (params["lr"], params["max_epochs"], params["module__num_layers"],
            params["module__max_diffusion_step"], params["module__dropout"]) == (3e-4, 1, 2, 2, 0.5)
    assert params["criterion"] is torch.nn.CrossEntropyLoss
    X = PaddedClips(x=feats, seq_lengths=lengths)
    est.fit(X, y)
    assert sorted(est.classes_) == sorted(SEIZURE_TYPE_CLASSES)
    proba = est.predict_proba(X)
    assert proba.shape == (12, 4) and np.allclose(proba.sum(1), 1, atol=1e-5)
    assert est.module_.fc.out_features == 4
    # sklearn: clone, grid search over graph and dropout with PaddedClips indexed per fold
    assert clone(est).get_params()["classes"] == list(SEIZURE_TYPE_CLASSES)
    search = GridSearchCV(clone(est), {"graph__top_k": [2, 3]}, cv=GroupKFold(n_splits=2),
                          scoring="accuracy", error_score="raise")
    search.fit(X, y, groups=groups)
    assert search.best_params_["graph__top_k"] in (2, 3)
    # persistence
    path = est.save(tmp_path / "types.skseizure.pt")
    loaded = DCRNNClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), proba)


@pytest.fixture(scope="module")
def helsinki_fft(shared_data):
    from tests._extracts import load_helsinki_neonatal

    ds = load_helsinki_neonatal(shared_data)
    feats = FFTLogAmplitude(sfreq=ds.sfreq).fit_transform(ds.X)  # (781, 1, 18, 32)
    return feats, np.asarray(ds.y), np.asarray(ds.groups), list(ds.ch_names)


def test_max_f1_threshold_on_real_windows(helsinki_fft, tmp_path):
    X, y, groups, names = helsinki_fft
    est = DCRNNClassifier(CorrelationGraph(top_k=3, ch_names=names), threshold="max_f1",
                          module__num_units=8, max_epochs=3, batch_size=64, valid_size=0.25,
                          patience=None, random_state=0).fit(X, y, groups=groups)
    v = est.valid_indices_
    assert v is not None and len(np.unique(groups[v])) < len(np.unique(groups))
    pv = est.predict_proba(X[v])[:, 1]
    assert est.threshold_ == pytest.approx(max_f1_threshold(y[v], pv))
    f1_best = f1_score(y[v], pv >= est.threshold_)
    for t in np.linspace(0.05, 0.95, 19):
        assert f1_best >= f1_score(y[v], pv >= t) - 1e-12
    p = est.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(est.predict(X), (p >= est.threshold_).astype(int))
    loaded = DCRNNClassifier.load(est.save(tmp_path / "thr.skseizure.pt"))
    assert loaded.threshold_ == est.threshold_
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    # a fixed threshold
    fixed = clone(est).set_params(threshold=0.9, max_epochs=0, valid_size=None).fit(X, y)
    assert fixed.threshold_ == 0.9
    np.testing.assert_array_equal(fixed.predict(X), (fixed.predict_proba(X)[:, 1] >= 0.9).astype(int))


def test_max_f1_helper_and_threshold_errors(helsinki_fft):
    assert max_f1_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.35)
    assert max_f1_threshold([0, 0], [0.1, 0.4]) is None
    X, y, _, _ = helsinki_fft
    X, y = X[:40], np.arange(40) % 2
    base = dict(graph=CorrelationGraph(top_k=3), max_epochs=0, module__num_units=8, reflect_prob=0)
    with pytest.raises(ValueError, match="inner validation split"):
        DCRNNClassifier(threshold="max_f1", valid_size=None, **base).fit(X, y)
    with pytest.raises(ValueError, match="binary problems"):
        DCRNNClassifier(threshold=0.3, valid_size=None, **base).fit(X, np.arange(40) % 3)
    for bad in (1.5, "best", True):
        with pytest.raises(ValueError, match="threshold must be"):
            DCRNNClassifier(threshold=bad, valid_size=None, **base).fit(X, y)


def test_end_to_end_from_tusz_rows_to_seizure_types(shared_data, tmp_path):
    """TUSZ-format channel rows -> typed seizures -> four classes -> 60-s clips -> FFT -> fit.

    The signal is real (four CHB-MIT seizures, each after 3 s of silence); the TUSZ rows
    and their types are written here (no TUSZ recording is available).
    """
    from tests._extracts import load_chbmit_seizures
    from skseizure.datasets import merge_seizure_types, read_tusz_csv_bi, typed_seizures

    sfreq = 256
    raw, lengths, labels = [], [], []
    for rec, kind in zip(load_chbmit_seizures(shared_data), ["fnsz", "gnsz", "absz", "tcsz"]):
        data = np.concatenate([np.zeros((23, 3 * sfreq), np.float32), rec.data], axis=1)
        end = data.shape[1] / sfreq
        path = tmp_path / f"{rec.name}.csv"
        path.write_text("channel,start_time,stop_time,label,confidence\n"
                        f"FP1-F7,0.0000,3.0000,bckg,1.0000\n"
                        f"FP1-F7,3.0000,{end:.4f},{kind},1.0000\n"
                        f"F7-T7,3.5000,{end:.4f},{kind},1.0000\n"
                        f"F7-T7,{end - 1:.4f},{end:.4f},mysz,1.0000\n")
        events = typed_seizures(read_tusz_csv_bi(path).events)
        merged, kept = merge_seizure_types([t for _, _, t in events])
        c, n, k = seizure_onset_clips(data, sfreq, [events[i][:2] for i in kept], clip_s=60)
        raw.append(c)
        lengths.append(n)
        labels.append(merged[k])
    X = FFTLogAmplitude(sfreq=sfreq, n_bins=32).fit_transform(np.concatenate(raw))
    lengths, y = np.concatenate(lengths), np.concatenate(labels)
    assert y.tolist() == ["CF", "GN", "AB", "CT"]
    assert X.shape == (4, 60, 23, 32) and (lengths < 60).all() and (lengths > 20).all()
    est = DCRNNClassifier.for_seizure_types(CorrelationGraph(top_k=3), module__num_units=8,
                                            max_epochs=1, valid_size=None, batch_size=2,
                                            reflect_prob=0.0, random_state=0)
    est.fit(PaddedClips(x=X, seq_lengths=lengths), y)
    pred = est.predict({"x": X, "seq_lengths": lengths})
    assert set(pred) <= set(SEIZURE_TYPE_CLASSES) and pred.shape == (4,)
