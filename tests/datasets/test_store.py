"""On-disk window stores and parallel windowing, on real CHB-MIT files laid out as shipped."""

from __future__ import annotations

import functools
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import FunctionTransformer

from skseizure.datasets import load_recordings, make_windows
from skseizure.datasets.montages import CHBMIT_18
from skseizure.datasets.store import (
    StoreError,
    StoreWriter,
    WindowStore,
    transform_to_store,
    windows_to_store,
)
from skseizure.preprocessing import filter_continuous
from skseizure.preprocessing.standardization import ChannelStandardizer, WindowStandardizer
from tests.datasets import _trees

BAND = functools.partial(filter_continuous, l_freq=0.5, h_freq=30.0)


@pytest.fixture(scope="module")
def corpus(shared_data, tmp_path_factory):
    root = _trees.chbmit_tree(shared_data, tmp_path_factory.mktemp("chb"))
    return load_recordings(root)


def _small_store(path, n=50, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3, 8)).astype(np.float32)
    y = (np.arange(n) % 3 == 0).astype(int)
    groups = np.where(np.arange(n) < 20, "s1", "s2")
    with StoreWriter(path, n_channels=3, n_times=8, sfreq=8.0, ch_names=["a", "b", "c"]) as w:
        w.append(X[:20], y[:20], groups[:20])
        w.append(X[20:], y[20:], groups[20:])
    return X, y, groups


def _assert_same_windows(store, windows):
    np.testing.assert_array_equal(np.asarray(store.X), windows.X)
    np.testing.assert_array_equal(store.y, windows.y)
    np.testing.assert_array_equal(store.groups, windows.groups)
    assert store.ch_names == windows.ch_names and store.sfreq == windows.sfreq
    pd.testing.assert_frame_equal(store.metadata, windows.metadata, check_dtype=False)


# ----------------------------------------------------------------------------- store format


def test_writer_round_trip_and_lazy_indexing(tmp_path):
    X, y, groups = _small_store(tmp_path / "s")
    store = WindowStore(tmp_path / "s")
    assert store.X.shape == (50, 3, 8) and store.X.dtype == np.float32 and len(store) == 50
    assert store.X.all_finite is True
    np.testing.assert_array_equal(store.y, y)
    np.testing.assert_array_equal(store.groups, groups)
    # A standard .npy file: numpy opens it without skseizure.
    np.testing.assert_array_equal(np.load(tmp_path / "s" / "X.npy"), X)
    np.testing.assert_array_equal(store.X[7], X[7])
    np.testing.assert_array_equal(store.X[-1], X[-1])
    view = store.X[[40, 3, 5]]  # lazy: a view, read on demand, in the requested order
    assert type(view).__name__ == "StoreArray" and view.shape == (3, 3, 8)
    np.testing.assert_array_equal(np.asarray(view), X[[40, 3, 5]])
    np.testing.assert_array_equal(np.asarray(view[1:]), X[[3, 5]])
    np.testing.assert_array_equal(np.asarray(store.X[y == 1]), X[y == 1])
    np.testing.assert_array_equal(store.X[[1, 2], ...].read(), X[[1, 2]])  # sklearn's form
    np.testing.assert_array_equal(store.X[2:5, 1], X[2:5, 1])
    chunks = list(store.X.iter_chunks(16))
    assert [(a, b) for a, b, _ in chunks] == [(0, 16), (16, 32), (32, 48), (48, 50)]
    np.testing.assert_array_equal(np.concatenate([c for *_, c in chunks]), X)
    # Views pickle as a path and an index, not as windows.
    assert len(pickle.dumps(view)) < 1000
    np.testing.assert_array_equal(np.asarray(pickle.loads(pickle.dumps(view))), X[[40, 3, 5]])
    with pytest.raises(IndexError, match="out of range"):
        store.X[50]
    with pytest.raises(IndexError, match="boolean index"):
        store.X[np.ones(3, bool)]


def test_incomplete_or_corrupted_stores_are_refused(tmp_path):
    with pytest.raises(StoreError, match="not a finalised window store"):
        WindowStore(tmp_path)
    _small_store(tmp_path / "s")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        StoreWriter(tmp_path / "s", n_channels=3, n_times=8, sfreq=8.0, ch_names="abc")
    x_path = tmp_path / "s" / "X.npy"
    x_path.write_bytes(x_path.read_bytes()[:-4])
    with pytest.raises(StoreError, match=r"X\.npy is truncated"):
        WindowStore(tmp_path / "s")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep me")
    with pytest.raises(StoreError, match="not a window store"):
        StoreWriter(tmp_path / "other", n_channels=3, n_times=8, sfreq=8.0, ch_names="abc",
                    overwrite=True)
    assert (tmp_path / "other" / "notes.txt").exists()


def test_failed_writer_leaves_nothing_and_records_nan(tmp_path):
    with pytest.raises(ValueError, match="windows of shape"):
        with StoreWriter(tmp_path / "s", n_channels=3, n_times=8, sfreq=8.0,
                         ch_names="abc") as w:
            w.append(np.zeros((2, 3, 8)), [0, 1])
            w.append(np.zeros((2, 3, 9)), [0, 1])
    assert not (tmp_path / "s").exists()
    X = np.zeros((4, 3, 8), np.float32)
    X[2, 1, 3] = np.nan
    with StoreWriter(tmp_path / "n", n_channels=3, n_times=8, sfreq=8.0, ch_names="abc") as w:
        w.append(X, [0, 1, 0, 1])
    store = WindowStore(tmp_path / "n")
    assert store.X.all_finite is False and store.groups is None


# ----------------------------------------------------------------------------- windowing


def test_windows_to_store_equals_make_windows(corpus, tmp_path):
    kwargs = dict(window_s=4.0, step_s=2.0, preprocess=BAND)
    expected = make_windows(corpus, **kwargs)
    store = windows_to_store(corpus, tmp_path / "w", **kwargs)
    assert len(store) == len(expected) == 2 * 19 and store.y.sum() == expected.y.sum() > 0
    _assert_same_windows(store, expected)
    again = WindowStore(tmp_path / "w").to_windows()
    np.testing.assert_array_equal(again.X, expected.X)


@pytest.mark.parametrize("channels", [None, list(CHBMIT_18)])
def test_parallel_windowing_is_identical(corpus, tmp_path, channels):
    # Three recordings so that at least two go through joblib workers even when the
    # first one fixes the channel list.
    recordings = [corpus[0], corpus[1], corpus[0]]
    kwargs = dict(window_s=2.0, preprocess=BAND, channels=channels)
    serial = make_windows(recordings, **kwargs, n_jobs=1)
    parallel = make_windows(recordings, **kwargs, n_jobs=2)
    np.testing.assert_array_equal(parallel.X, serial.X)
    np.testing.assert_array_equal(parallel.y, serial.y)
    pd.testing.assert_frame_equal(parallel.metadata, serial.metadata)
    store = windows_to_store(recordings, tmp_path / "p", **kwargs, n_jobs=2)
    _assert_same_windows(store, serial)


def test_windows_to_store_errors_name_the_recording(corpus, tmp_path):
    with pytest.raises(ValueError, match="longer than recording"):
        windows_to_store(corpus, tmp_path / "e", window_s=60.0)
    assert not (tmp_path / "e").exists()


# ----------------------------------------------------------------------------- transformers


def test_transform_to_store_matches_in_memory(corpus, tmp_path):
    store = windows_to_store(corpus, tmp_path / "w", window_s=2.0)
    X = np.asarray(store.X)
    scaler = ChannelStandardizer().fit(store.X[::2])  # statistics from a lazy subset
    out = transform_to_store(scaler, store, tmp_path / "z", chunk=7)
    np.testing.assert_array_equal(np.asarray(out.X), scaler.transform(X))
    np.testing.assert_array_equal(out.y, store.y)
    pd.testing.assert_frame_equal(out.metadata, store.metadata)
    win = transform_to_store(WindowStandardizer().fit(X[:1]), tmp_path / "w", tmp_path / "ws",
                             chunk=5)
    np.testing.assert_allclose(np.asarray(win.X).std(axis=-1), 1.0, atol=1e-3)
    with pytest.raises(NotFittedError):
        transform_to_store(ChannelStandardizer(), store, tmp_path / "nf")


def test_transform_to_store_refuses_shape_changes(tmp_path):
    X, _, _ = _small_store(tmp_path / "s")
    crop = FunctionTransformer(lambda X: X[..., :-1]).fit(X)
    with pytest.raises(ValueError, match="shape-preserving"):
        transform_to_store(crop, tmp_path / "s", tmp_path / "c")
    assert not (tmp_path / "c").exists()
