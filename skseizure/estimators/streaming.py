"""Training and predicting from windows on disk, one batch at a time.

Every skseizure network estimator accepts the lazy windows of an on-disk store
(:attr:`skseizure.datasets.store.WindowStore.X`) wherever it accepts an array::

    from skseizure.datasets.store import WindowStore
    store = WindowStore("corpus.store")
    X, y, groups = store.as_arrays()
    clf = LightCNNClassifier(random_state=0).fit(X, y, groups=groups)
    proba = clf.predict_proba(X)

``fit`` checks the windows chunk by chunk (never ``np.asarray`` on the store), the
internal validation split uses ``groups`` (subject-wise) exactly as for arrays, and the
loaders read each batch with a few positional file reads (:class:`StoreDataset`), so the
resident memory does not grow with the corpus. ``iterator_train__num_workers=k`` reads
batches in ``k`` loader processes (the dataset pickles as a path and an index).
"""

from __future__ import annotations

import numpy as np
import torch
from skorch.dataset import Dataset

__all__ = ["StoreDataset"]


class StoreDataset(Dataset):
    """skorch ``Dataset`` over lazy windows (a store's ``X``) and in-memory labels.

    Parameters
    ----------
    X : StoreArray or lazy window array
        Anything with ``shape`` (n_windows, ...), ``__len__`` and
        ``read(indices) -> ndarray``.
    y : array-like of shape (n_windows,) or None
        Labels (encoded by the estimator); ``None`` when predicting.
    length : int or None
        Ignored unless given (skorch signature).

    Notes
    -----
    PyTorch's ``DataLoader`` (and ``torch.utils.data.Subset``, which the internal
    validation split uses) fetch a batch through :meth:`__getitems__`: one pass over
    the batch's windows in file order (consecutive runs merged) instead of one read per
    window.
    """

    def __init__(self, X, y=None, length=None):
        self.X = X
        self.y = None if y is None else np.asarray(y)
        self._len = len(X) if length is None else int(length)
        if self.y is not None and len(self.y) != self._len:
            raise ValueError(f"X has {self._len} windows but y has {len(self.y)} labels.")

    def __len__(self):
        return self._len

    def __getitem__(self, i):
        return self.__getitems__([i])[0]

    def __getitems__(self, indices):
        """The samples ``(X_i, y_i)`` of a batch, read from disk in one pass."""
        idx = np.asarray(indices, dtype=np.int64)
        Xb = torch.from_numpy(self.X.read(idx))
        if self.y is None:
            ys = [torch.Tensor([0])] * len(idx)  # skorch's placeholder for y=None
        else:
            ys = list(torch.as_tensor(self.y[idx]).unbind(0))
        return list(zip(Xb.unbind(0), ys))
