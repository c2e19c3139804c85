"""On-disk window stores: corpora larger than memory.

A :class:`WindowStore` is a folder holding the windows of a corpus as one
``(n_windows, n_channels, n_times)`` float32 array in NumPy's ``.npy`` format, plus
``y``, ``groups`` (subject ids), one metadata row per window and a small JSON
description::

    corpus.store/
        X.npy          windows, float32, C order (a standard NumPy file)
        y.npy          labels, int64
        groups.npy     subject ids (absent when the recordings have no subject)
        metadata.csv   subject, recording, start_s, end_s, label, ... (one row per window)
        store.json     sfreq, ch_names, units, shape, all_finite (written last)

Why a plain ``.npy`` file (readable with ``numpy.load(path, mmap_mode="r")``) rather
than zarr: it needs nothing beyond NumPy, a window is
one contiguous record (``n_channels * n_times * 4`` bytes) so random access by window —
what a shuffling training loader does — is one page-aligned read, and any number of
joblib or Dask worker processes on machines that share the filesystem can read the same
file at once without locks. Zarr would add compression (EEG compresses poorly as float32)
and cloud object storage, at the price of a dependency and chunk-granular reads.

:attr:`WindowStore.X` is a :class:`StoreArray`, a lazy array-like: ``len``, ``shape``,
``dtype``; ``X[i]`` reads one window, ``X[rows]`` (slice, integer or boolean index) is
another lazy view (so scikit-learn's cross-validation slices folds without reading them),
``np.asarray(X)`` reads everything. Reads are positional file reads (one per run of
consecutive windows), not a memory map: a memory map keeps every page it touched in the
process's resident set, so one epoch over a 100-h store would grow it by the store's
size; read pages go to the OS page cache instead. :meth:`WindowStore.memmap` still gives
a ``numpy.memmap`` for those who want one. The network estimators stream batches from it
(:class:`skseizure.estimators.streaming.StoreDataset`); window transformers run on it
chunk by chunk with :func:`transform_to_store`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from .store_array import StoreArray, StoreError, _npy_header
from .windowing import _METADATA_COLUMNS, Windows, _iter_recordings, _plan

__all__ = ["StoreArray", "StoreError", "StoreWriter", "WindowStore", "transform_to_store",
           "windows_to_store"]

_INFO = "store.json"
_FORMAT = "skseizure-window-store"
_VERSION = 1


class WindowStore:
    """A window store on disk (see the module docstring for the layout).

    Parameters
    ----------
    path : path-like
        The store folder, written by :class:`StoreWriter`, :func:`windows_to_store` or
        :func:`transform_to_store`.

    Attributes
    ----------
    X : StoreArray of shape (n_windows, n_channels, n_times)
        The windows, float32, read lazily.
    y : ndarray of shape (n_windows,), int64
    groups : ndarray of shape (n_windows,) or None
        Subject ids.
    sfreq : float
        Sampling rate in Hz.
    ch_names : list of str
    units : str
    metadata : pandas.DataFrame
        Read from ``metadata.csv`` on first access.

    Raises
    ------
    StoreError
        The folder is not a complete store (missing ``store.json`` or arrays, sizes that
        disagree); the message names the path.
    """

    def __init__(self, path):
        self.path = Path(path)
        info_path = self.path / _INFO
        if not info_path.is_file():
            raise StoreError(
                f"{self.path} is not a finalised window store (no {_INFO}); it may still be "
                "being written, or its writer failed.")
        try:
            info = json.loads(info_path.read_text())
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {info_path}: {exc}") from None
        if info.get("format") != _FORMAT:
            raise StoreError(f"{info_path} does not describe a {_FORMAT} "
                             f"(format={info.get('format')!r}).")
        self.info = info
        self.sfreq = float(info["sfreq"])
        self.ch_names = [str(c) for c in info["ch_names"]]
        self.units = str(info.get("units", "V"))
        self.X = StoreArray(self.path / "X.npy", all_finite=info.get("all_finite"))
        self.y = self._load_npy("y.npy")
        self.groups = self._load_npy("groups.npy") if info.get("has_groups") else None
        n = len(self.X)
        for name, arr in (("y", self.y), ("groups", self.groups)):
            if arr is not None and arr.shape != (n,):
                raise StoreError(f"{self.path}: {name} has shape {arr.shape} for {n} windows.")
        if self.X.shape[1] != len(self.ch_names):
            raise StoreError(f"{self.path}: {len(self.ch_names)} channel names for "
                             f"{self.X.shape[1]} channels.")
        self._metadata = None

    def _load_npy(self, name):
        try:
            return np.load(self.path / name, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {self.path / name}: {exc}") from None

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = pd.read_csv(self.path / "metadata.csv",
                                         dtype={"subject": str, "recording": str})
        return self._metadata

    def __len__(self):
        return len(self.X)

    def as_arrays(self):
        """``(X, y, groups)``: the lazy windows and their labels and subject ids."""
        return self.X, self.y, self.groups

    def memmap(self):
        """The windows as a read-only ``numpy.memmap`` (pages stay resident once read)."""
        return np.load(self.path / "X.npy", mmap_mode="r")

    def to_windows(self):
        """Read everything into an in-memory :class:`~skseizure.datasets.Windows`."""
        return Windows(X=self.X.read(), y=self.y.copy(),
                       groups=None if self.groups is None else self.groups.copy(),
                       sfreq=self.sfreq, ch_names=list(self.ch_names),
                       metadata=self.metadata.copy(), units=self.units)

    def __repr__(self):
        n_groups = "None" if self.groups is None else len(np.unique(self.groups))
        n, c, t = self.X.shape
        return (f"WindowStore(path={str(self.path)!r}, n_windows={n}, n_channels={c}, "
                f"n_times={t}, sfreq={self.sfreq} Hz, n_groups={n_groups})")


class StoreWriter:
    """Append windows to a new store; finalise on :meth:`close` (or leaving ``with``).

    Parameters
    ----------
    path : path-like
        Folder to create.
    n_channels, n_times : int
        Shape of one window.
    sfreq : float
        Sampling rate in Hz.
    ch_names : sequence of str
    units : str, default="V"
    overwrite : bool, default=False
        Replace an existing folder (only one that is a window store).

    Notes
    -----
    Windows go straight to the file; only labels, subject ids (a few bytes per window)
    are kept in memory, metadata rows are appended to the CSV as they come. Leaving a
    ``with`` block by an exception deletes the partial store.
    """

    def __init__(self, path, *, n_channels, n_times, sfreq, ch_names, units="V",
                 overwrite=False):
        self.path = Path(path)
        if self.path.exists():
            if not overwrite:
                raise FileExistsError(f"{self.path} exists; pass overwrite=True to replace it.")
            if not (self.path / _INFO).is_file() and any(self.path.iterdir()):
                raise StoreError(f"refusing to overwrite {self.path}: not a window store.")
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        self.shape1 = (int(n_channels), int(n_times))
        if len(ch_names) != self.shape1[0]:
            raise ValueError(f"{len(ch_names)} channel names for {n_channels} channels.")
        self.sfreq, self.ch_names, self.units = float(sfreq), [str(c) for c in ch_names], units
        self._fh = open(self.path / "X.npy", "wb")
        self._header_len = len(_npy_header((0,) + self.shape1, np.float32))
        self._fh.write(_npy_header((0,) + self.shape1, np.float32))
        self._n, self._y, self._groups, self._finite = 0, [], [], True
        self._has_groups = None

    def append(self, X, y, groups=None, metadata=None):
        """Write windows ``X`` (m, n_channels, n_times) with labels, subject ids and rows."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        if X.ndim != 3 or X.shape[1:] != self.shape1:
            raise ValueError(f"windows of shape {X.shape[1:]} for a store of {self.shape1}.")
        y = np.asarray(y, dtype=np.int64).ravel()
        if y.shape != (X.shape[0],):
            raise ValueError(f"{y.size} labels for {X.shape[0]} windows.")
        has = groups is not None
        if self._has_groups is None:
            self._has_groups = has
        elif has != self._has_groups:
            raise ValueError("groups given for some appends and not for others.")
        self._finite = self._finite and bool(np.isfinite(X).all())
        self._fh.write(X.tobytes())
        self._y.append(y)
        if has:
            self._groups.append(np.asarray(groups).astype(str))
        if metadata is None:
            metadata = pd.DataFrame({"label": y})
        metadata = pd.DataFrame(metadata).reset_index(drop=True)
        metadata.to_csv(self.path / "metadata.csv", mode="a", header=self._n == 0, index=False)
        self._n += X.shape[0]

    def close(self):
        """Finalise the store and return it opened as a :class:`WindowStore`."""
        if self._fh.closed:
            return WindowStore(self.path)
        header = _npy_header((self._n,) + self.shape1, np.float32)
        if len(header) != self._header_len:  # cannot happen below 10**21 windows
            raise StoreError(f"cannot finalise {self.path}: header size changed.")
        self._fh.seek(0)
        self._fh.write(header)
        self._fh.close()
        np.save(self.path / "y.npy", np.concatenate(self._y) if self._y else
                np.empty(0, np.int64), allow_pickle=False)
        if self._has_groups:
            np.save(self.path / "groups.npy", np.concatenate(self._groups), allow_pickle=False)
        info = {"format": _FORMAT, "version": _VERSION, "sfreq": self.sfreq,
                "ch_names": self.ch_names, "units": self.units,
                "shape": [self._n, *self.shape1], "dtype": "float32",
                "has_groups": bool(self._has_groups), "all_finite": self._finite}
        (self.path / _INFO).write_text(json.dumps(info, indent=1))
        return WindowStore(self.path)

    def abort(self):
        """Close and delete the partial store."""
        if not self._fh.closed:
            self._fh.close()
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort()
            return False
        self.close()
        return False


def windows_to_store(recordings, path, *, window_s, step_s=None, min_seizure_overlap=0.5,
                     drop_partial=True, channels=None, montage=None, preprocess=None,
                     n_jobs=None, overwrite=False):
    """Cut recordings into labelled windows written to an on-disk store.

    The same windows, labels, groups and metadata as
    :func:`~skseizure.datasets.make_windows` with the same arguments, but each
    recording's windows go to disk as soon as it is cut: memory holds a few recordings
    (one per joblib worker), whatever the size of the corpus.

    Parameters
    ----------
    recordings : EEGRecording, LazyRecording, RecordingCorpus or a sequence of them
    path : path-like
        Folder of the new store.
    window_s, step_s, min_seizure_overlap, drop_partial, channels, montage, preprocess, n_jobs
        As :func:`~skseizure.datasets.make_windows` (``n_jobs`` recordings are read,
        filtered and cut in parallel; they are written in input order).
    overwrite : bool, default=False
        Replace an existing store.

    Returns
    -------
    WindowStore
    """
    sources, plan, has_groups = _plan(recordings, window_s, step_s, min_seizure_overlap,
                                      drop_partial, preprocess, montage)
    writer = None
    try:
        for X_rec, rows, wanted in _iter_recordings(sources, plan, channels, n_jobs):
            meta = pd.DataFrame(rows, columns=_METADATA_COLUMNS)
            if writer is None:
                writer = StoreWriter(path, n_channels=X_rec.shape[1], n_times=X_rec.shape[2],
                                     sfreq=plan["sfreq"], ch_names=wanted, overwrite=overwrite)
            writer.append(X_rec, meta["label"].to_numpy(),
                          meta["subject"].to_numpy() if has_groups else None, meta)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    return writer.close()


def transform_to_store(transformer, store, path, *, chunk=4096, overwrite=False):
    """Apply a fitted window transformer to a store, chunk by chunk, into a new store.

    For transformers that act on each window independently once fitted
    (:class:`~skseizure.preprocessing.ChannelStandardizer`,
    :class:`~skseizure.preprocessing.WindowStandardizer`, window filters …) and keep the
    ``(n_windows, n_channels, n_times)`` shape. Fit a transformer with statistics on a
    subset first (e.g. ``ChannelStandardizer().fit(store.X[::10])``, which reads every
    tenth window), or on the training subjects only.

    Parameters
    ----------
    transformer : fitted transformer
        ``transform(X)`` of a ``(m, n_channels, n_times)`` chunk.
    store : WindowStore or path-like
    path : path-like
        Folder of the new store (labels, groups and metadata are copied).
    chunk : int, default=4096
        Windows per chunk: memory holds about three chunks.
    overwrite : bool, default=False

    Returns
    -------
    WindowStore

    Raises
    ------
    sklearn.exceptions.NotFittedError
        ``transformer`` is not fitted.
    ValueError
        The transformer changes the number of windows or the window shape.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(transformer)
    store = store if isinstance(store, WindowStore) else WindowStore(store)
    meta = store.metadata
    writer = StoreWriter(path, n_channels=store.X.shape[1], n_times=store.X.shape[2],
                         sfreq=store.sfreq, ch_names=store.ch_names, units=store.units,
                         overwrite=overwrite)
    with writer:
        for start, stop, Xc in store.X.iter_chunks(chunk):
            out = np.asarray(transformer.transform(Xc))
            if out.shape != Xc.shape:
                raise ValueError(
                    f"{type(transformer).__name__}.transform turned windows of shape "
                    f"{Xc.shape} into {out.shape}; transform_to_store needs a "
                    "shape-preserving window transformer.")
            writer.append(out, store.y[start:stop],
                          None if store.groups is None else store.groups[start:stop],
                          meta.iloc[start:stop])
    return WindowStore(writer.path)
