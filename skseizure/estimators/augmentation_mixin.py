"""The augmentation hook of a network estimator: training windows only, seeded.

:class:`WindowAugmentationMixin` applies the transforms of
:mod:`skseizure.estimators.augmentation` to the training part of the inner split of a
:class:`~skseizure.estimators.BaseNetClassifier` (never to its validation windows, never at
predict).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch
from skorch.dataset import unpack_data
from skorch.utils import to_numpy

from .._utils.validation import check_groups
from .augmentation import (
    AugmentationWarning,
    _check_fraction,
    _check_int,
    _check_scale_range,
    interpolate_minority,
    overlap_windows,
    random_scale,
    random_shift,
)

__all__ = ["WindowAugmentationMixin"]


def _is_off(value):
    return value is None or (value is False) or (isinstance(value, numbers.Real) and value == 0)


class WindowAugmentationMixin:
    """Training-time augmentation for skorch estimators on ``(n, C, T)`` windows.

    Mix in before :class:`~skseizure.estimators.BaseNetClassifier` and store the
    parameters ``augment_overlap``, ``augment_scale``, ``augment_shift``,
    ``augment_shift_mode`` and ``augment_minority`` in ``__init__`` (see
    :class:`~skseizure.estimators.CNNBiLSTMClassifier` for their meaning).

    - After the internal train/validation split, the **training part** is
      extended once per ``fit`` with :func:`overlap_windows` and then
      :func:`interpolate_minority` (on the original plus overlap windows).
    - Every training batch is then rescaled (:func:`random_scale`) and
      shifted (:func:`random_shift`) afresh.
    - Validation batches and prediction never pass through these hooks.

    All draws come from one numpy ``Generator`` (``augment_rng_``) seeded by
    ``random_seed_`` and the number of epochs already run; torch's random
    stream (weight initialisation, dropout) is not touched, so with every
    augmentation off the estimator trains exactly as without this mixin.
    ``fit`` takes two optional fit parameters for :func:`overlap_windows`,
    ``recordings`` and ``starts`` (see :meth:`fit_loop`).
    """

    __metadata_request__fit = {"groups": True, "recordings": True, "starts": True}

    #: Neighbours among which the partner of a synthetic minority window is drawn.
    _augment_k_neighbors = 5

    def _augment_config(self, n_times=None):
        """Validated augmentation settings (None where an augmentation is off)."""
        cfg = {"overlap": None, "scale": None, "shift": None, "minority": None}
        if not _is_off(self.augment_overlap):
            cfg["overlap"] = _check_fraction(self.augment_overlap, "augment_overlap",
                                             closed_high=False)
        if not _is_off(self.augment_scale):
            cfg["scale"] = _check_scale_range(self.augment_scale, "augment_scale")
        if not _is_off(self.augment_shift):
            cfg["shift"] = _check_int(self.augment_shift, "augment_shift (samples, < n_times)",
                                      high=n_times)
            if self.augment_shift_mode not in ("circular", "zero"):
                raise ValueError("augment_shift_mode must be 'circular' or 'zero', got "
                                 f"{self.augment_shift_mode!r}.")
        if self.augment_minority is True:
            cfg["minority"] = 1.0
        elif not _is_off(self.augment_minority):
            cfg["minority"] = _check_fraction(self.augment_minority, "augment_minority",
                                              closed_high=True)
        return cfg

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's fit loop, after taking out the ``recordings``/``starts`` fit parameters.

        ``fit(X, y, groups, recordings=..., starts=...)`` (sliced per fold by
        ``GridSearchCV``; requested by default under metadata routing):

        - ``recordings``: array of shape (n_windows,), the recording id of each
          window (``augment_overlap`` joins only windows of one recording;
          None: one recording per subject);
        - ``starts``: array of shape (n_windows,), the first sample of each
          window in its recording (NaN: unknown). None assumes that the
          windows of a recording appear in ``X`` in time order, back to back.
        """
        recordings = fit_params.pop("recordings", None)
        starts = fit_params.pop("starts", None)
        n = len(X)
        self._augment_config(np.shape(X)[-1])
        self.fit_recordings_ = check_groups(recordings, n, name="recordings")
        if starts is not None:
            starts = np.asarray(starts, dtype=float)
            if starts.shape != (n,):
                raise ValueError(f"starts must have shape ({n},) (one first sample per window), "
                                 f"got {starts.shape}.")
        self.fit_starts_ = starts
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            self.fit_recordings_ = self.fit_starts_ = None

    def _train_indices(self, train, n):
        if isinstance(train, torch.utils.data.Subset) and len(train.dataset) == n:
            return np.asarray(train.indices, dtype=np.int64)
        if len(train) == n:
            return np.arange(n)
        raise ValueError(
            f"{type(self).__name__}: augment_overlap/augment_minority need train_split='auto', "
            "None, or a split returning torch Subsets of the data given to fit.")

    def get_split_datasets(self, X, y=None, **fit_params):
        """Internal split, then the training part extended by the static augmentations."""
        train, valid = super().get_split_datasets(X, y, **fit_params)
        seed = getattr(self, "random_seed_", None)
        self.augment_rng_ = np.random.default_rng([0 if seed is None else int(seed),
                                                   len(self.history_ or [])])
        cfg = self._augment_config(np.shape(X)[-1])
        counts = {"original": len(train), "overlap": 0, "minority": 0}
        if cfg["overlap"] is not None or cfg["minority"] is not None:
            idx = self._train_indices(train, len(X))
            Xs, ys = [np.asarray(X)[idx]], [to_numpy(y)[idx]]
            g = getattr(self, "fit_groups_", None)
            gs = [None if g is None else np.asarray(g)[idx]]
            if cfg["overlap"] is not None:
                new = self._overlap(Xs[0], ys[0], gs[0], idx, cfg["overlap"])
                Xs.append(new.X), ys.append(new.y), gs.append(new.groups)
                counts["overlap"] = len(new)
            if cfg["minority"] is not None:
                g_all = None if gs[0] is None else np.concatenate(gs)
                new = interpolate_minority(np.concatenate(Xs), np.concatenate(ys), g_all,
                                           ratio=cfg["minority"],
                                           k_neighbors=self._augment_k_neighbors,
                                           random_state=self.augment_rng_)
                Xs.append(new.X), ys.append(new.y)
                counts["minority"] = len(new)
            train = self.get_dataset(np.concatenate(Xs), np.concatenate(ys))
        self.augmentation_counts_ = counts
        return train, valid

    def _overlap(self, X, y, groups, idx, overlap):
        recordings = getattr(self, "fit_recordings_", None)
        starts = getattr(self, "fit_starts_", None)
        if groups is None and recordings is None:
            warnings.warn(f"{type(self).__name__}: augment_overlap without groups or recordings "
                          "treats all windows as one recording.", AugmentationWarning,
                          stacklevel=2)
        # Without starts, the position in X stands for time, so windows held out
        # for validation break the chain instead of being bridged.
        starts = idx.astype(float) * X.shape[2] if starts is None else starts[idx]
        return overlap_windows(X, y, overlap, groups=groups,
                               recordings=None if recordings is None else recordings[idx],
                               starts=starts)

    def augment_batch(self, X):
        """Scale and shift one training batch (``augment_scale``, ``augment_shift``).

        Parameters
        ----------
        X : torch.Tensor or ndarray of shape (batch, n_channels, n_times)

        Returns
        -------
        X_aug : same type, shape and device as ``X``
        """
        cfg = self._augment_config(X.shape[-1])
        rng = getattr(self, "augment_rng_", None)
        if rng is None:
            rng = self.augment_rng_ = np.random.default_rng(0)
        x = to_numpy(X)
        if cfg["scale"] is not None:
            x, _ = random_scale(x, cfg["scale"], rng)
        if cfg["shift"] is not None:
            x, _ = random_shift(x, cfg["shift"], self.augment_shift_mode, rng)
        return torch.as_tensor(x).to(X.device) if torch.is_tensor(X) else x

    def train_step_single(self, batch, **fit_params):
        """skorch training step on an augmented batch (validation steps are untouched)."""
        if not (_is_off(self.augment_scale) and _is_off(self.augment_shift)):
            Xi, yi = unpack_data(batch)
            batch = (self.augment_batch(Xi), yi)
        return super().train_step_single(batch, **fit_params)
