"""The lazy window array of an on-disk window store (see :mod:`skseizure.datasets.store`).

:class:`StoreArray` reads windows from the store's ``X.npy`` with plain file reads — no
memory map, whose touched pages would stay in the process's memory and make it grow with the
corpus — so that a network can train on a corpus larger than memory, one batch at a time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["StoreArray", "StoreError"]


class StoreError(ValueError):
    """A window store is missing, incomplete or inconsistent (the message names the path)."""


def _npy_header(shape, dtype):
    """The ``.npy`` (version 1.0) header of a C-order array of ``shape``.

    NumPy pads the header so that the first axis can grow to 21 digits without
    changing its length; the store relies on it to rewrite the header in place.
    """
    import io

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
              "fortran_order": False, "shape": tuple(int(s) for s in shape)})
    return buf.getvalue()


class StoreArray:
    """Lazy ``(n_windows, n_channels, n_times)`` float32 view of a store's ``X.npy``.

    Parameters
    ----------
    path : path-like
        The ``.npy`` file.
    rows : ndarray of int or None, default=None
        Windows of the file this view selects, in order (None: all).
    all_finite : bool or None, default=None
        Whether every value of the file is finite, when known (recorded by
        :class:`StoreWriter`); lets estimators skip a full NaN scan.

    Notes
    -----
    Pickles as its path and row selection, so that worker processes reading a shared
    filesystem receive a few bytes instead of the windows.
    """

    def __init__(self, path, rows=None, all_finite=None):
        self.path = Path(path)
        try:
            with open(self.path, "rb") as fh:
                version = np.lib.format.read_magic(fh)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, fortran, dtype = read_header(fh)
                self._offset = fh.tell()
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read the window array {self.path}: {exc}") from None
        if fortran or len(shape) != 3 or dtype != np.float32:
            raise StoreError(
                f"{self.path} must hold a C-order float32 (n_windows, n_channels, n_times) "
                f"array; found shape {shape}, dtype {dtype}, fortran_order={fortran}.")
        expected = self._offset + int(np.prod(shape)) * dtype.itemsize
        if self.path.stat().st_size != expected:
            raise StoreError(
                f"{self.path} is truncated or was not finalised: {self.path.stat().st_size} "
                f"bytes for shape {shape} ({expected} expected).")
        self._file_shape = tuple(int(s) for s in shape)
        self.rows = None if rows is None else np.asarray(rows, dtype=np.int64)
        self.all_finite = all_finite

    # ------------------------------------------------------------ array protocol
    @property
    def shape(self):
        n = self._file_shape[0] if self.rows is None else self.rows.size
        return (n,) + self._file_shape[1:]

    dtype = np.dtype(np.float32)
    ndim = 3

    @property
    def size(self):
        return int(np.prod(self.shape))

    @property
    def nbytes(self):
        return self.size * 4

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        return f"StoreArray(shape={self.shape}, dtype=float32, path={str(self.path)!r})"

    def _file_rows(self, key):
        """Rows of the file selected by ``key`` (int array, in order)."""
        n = len(self)
        if isinstance(key, slice):
            local = np.arange(n)[key]
        else:
            key = np.asarray(key)
            if key.dtype == bool:
                if key.shape != (n,):
                    raise IndexError(f"boolean index of shape {key.shape} for {n} windows.")
                local = np.flatnonzero(key)
            elif key.dtype.kind in "iu":
                local = key.astype(np.int64).ravel()
                if local.size and (local.min() < -n or local.max() >= n):
                    raise IndexError(f"window index out of range for {n} windows.")
                local = np.where(local < 0, local + n, local)
            else:
                raise IndexError(f"windows are indexed by int, slice or bool; got {key.dtype}.")
        return local if self.rows is None else self.rows[local]

    def __getitem__(self, key):
        if isinstance(key, tuple):
            head, rest = (key[0], key[1:]) if key else (slice(None), ())
            if all(r is Ellipsis for r in rest):
                return self[head]
            return np.asarray(self[head])[(slice(None),) + rest] if not np.isscalar(head) \
                else self[head][rest]
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"window {key} out of range for {n} windows.")
            row = int(key) % n
            return self.read(np.array([row]))[0]
        return StoreArray(self.path, rows=self._file_rows(key), all_finite=self.all_finite)

    def read(self, index=None):
        """Read windows into memory.

        Parameters
        ----------
        index : array-like of int, slice or None
            Windows of this view to read (None: all).

        Returns
        -------
        ndarray of shape (n_selected, n_channels, n_times), float32
        """
        rows = self._file_rows(slice(None) if index is None else index)
        shape = (rows.size,) + self._file_shape[1:]
        if rows.size == 0:
            return np.empty(shape, dtype=np.float32)
        order = None
        if rows.size > 1 and np.any(np.diff(rows) < 0):
            order = np.argsort(rows, kind="stable")
            rows = rows[order]
        buf = np.empty(shape, dtype=np.float32)
        row_bytes = buf[0].nbytes
        # Positional reads of runs of consecutive windows. Unlike a memory map, the
        # pages read go to the OS page cache, not to this process's resident set, so
        # streaming a store larger than memory does not grow it.
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        starts = np.concatenate([[0], breaks])
        stops = np.concatenate([breaks, [rows.size]])
        with open(self.path, "rb", buffering=0) as fh:
            for a, b in zip(starts, stops):
                view = memoryview(buf[a:b]).cast("B")
                fh.seek(self._offset + int(rows[a]) * row_bytes)
                got = 0
                while got < len(view):
                    n = fh.readinto(view[got:])
                    if not n:
                        raise StoreError(f"{self.path} ended while reading window {rows[a]}.")
                    got += n
        if order is None:
            return buf
        out = np.empty_like(buf)
        out[order] = buf
        return out

    def iter_chunks(self, chunk=4096):
        """Yield ``(start, stop, windows)`` over this view, ``chunk`` windows at a time."""
        chunk = int(chunk)
        if chunk < 1:
            raise ValueError(f"chunk must be a positive number of windows, got {chunk}.")
        for start in range(0, len(self), chunk):
            stop = min(start + chunk, len(self))
            yield start, stop, self.read(slice(start, stop))

    def __array__(self, dtype=None, copy=None):
        out = self.read()
        return out if dtype is None else out.astype(dtype, copy=False)
