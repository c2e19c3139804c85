"""Apply imbalanced-learn samplers to 3-D EEG windows, keeping ``groups`` aligned.

imbalanced-learn samplers reject arrays with more than two dimensions and do
not resample side arrays such as subject ids. :class:`WindowResampler` wraps
any sampler so that it works on ``(n_windows, n_channels, n_times)`` windows inside an
:class:`imblearn.pipeline.Pipeline` — resampling happens at fit time only —
and hands the resampled subject ids to the next step. :class:`SubjectSMOTE`
synthesises minority windows within each subject, so that synthetic windows
keep a subject id and can be combined with ``GroupKFold`` and the networks'
subject-wise inner split.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, clone

from .._utils.validation import check_groups, check_windows
from .augmentation import interpolate_minority

__all__ = ["GroupedWindows", "SubjectSMOTE", "WindowResampler"]


class GroupedWindows(np.ndarray):
    """ndarray of windows that carries the subject id of each window.

    Returned by :meth:`WindowResampler.fit_resample` so that ``groups`` reach
    the next pipeline step (skseizure network estimators read ``X.groups``
    when it is present). Any view or slice drops ``groups`` (it could no longer
    be aligned), so the ids can never silently go out of sync.

    Attributes
    ----------
    groups : ndarray of shape (n_windows,) or None
        Resampled subject ids (when the sampler received ``groups``).
    sample_indices : ndarray of shape (n_windows,) or None
        Index of each window in the sampler's input; lets a later step align
        ``groups`` given for the *un-resampled* data (imblearn does not route
        parameters to ``fit_resample`` unless metadata routing is enabled).
    """

    def __new__(cls, X, groups=None, sample_indices=None):
        obj = np.asarray(X).view(cls)
        obj.groups = None if groups is None else np.asarray(groups)
        obj.sample_indices = None if sample_indices is None else np.asarray(sample_indices)
        return obj

    def __array_finalize__(self, obj):
        # Never inherit: a slice/view of the windows is not aligned with the ids.
        self.groups = None
        self.sample_indices = None

    def __reduce__(self):
        # pickle as a plain ndarray plus the ids (joblib/caching)
        return (GroupedWindows, (np.asarray(self).view(np.ndarray), self.groups,
                                 self.sample_indices))


def resolve_groups(X, groups):
    """Subject ids aligned with ``X``.

    Parameters
    ----------
    X : ndarray or GroupedWindows
    groups : array-like or None
        Ids given by the caller; for a :class:`GroupedWindows` they may be
        those of the data *before* resampling.

    Returns
    -------
    groups : ndarray or None
        ``X.groups`` when carried; else ``groups[X.sample_indices]`` when the
        caller's ids match the un-resampled data; else ``groups`` unchanged.
    """
    if isinstance(X, GroupedWindows):
        if X.groups is not None and len(X.groups) == len(X):
            return X.groups
        if groups is not None and X.sample_indices is not None:
            groups = np.asarray(groups)
            if groups.ndim == 1 and len(groups) != len(X) and len(groups) > X.sample_indices.max():
                return groups[X.sample_indices]
    return groups


class WindowResampler(BaseEstimator):
    """Run an imbalanced-learn sampler on windows of any dimensionality.

    The windows are flattened to ``(n_windows, n_features)`` for the sampler
    and restored afterwards.

    - Samplers that select existing windows (all under-samplers,
      ``RandomOverSampler``; they expose ``sample_indices_``) resample the
      original windows and the ``groups`` with exactly the same indices.
    - Samplers that synthesise new windows (SMOTE, ADASYN …) work on the
      flattened signal; they cannot tell which subject a synthetic window
      belongs to, so combining them with ``groups`` raises ``ValueError``.
      Use :class:`SubjectSMOTE` (alone or as ``sampler``) instead.
    - A :class:`SubjectSMOTE` ``sampler`` gets the windows and ``groups`` as
      they are; its result is returned unchanged.

    Parameters
    ----------
    sampler : imblearn sampler or None, default=None
        Any object with ``fit_resample(X2d, y)``; cloned before use. None
        means ``RandomUnderSampler(random_state=random_state)``.
    random_state : int or None, default=None
        Used only when ``sampler`` is None.

    Attributes
    ----------
    sampler_ : fitted clone of ``sampler``
    sample_indices_ : ndarray of int or None
        Indices of the kept/duplicated windows (None for synthesising samplers).

    Examples
    --------
    >>> from imblearn.pipeline import Pipeline
    >>> from imblearn.under_sampling import RandomUnderSampler
    >>> from skseizure.estimators.light_cnn import LightCNNClassifier
    >>> from skseizure.estimators.sampling import WindowResampler
    >>> pipe = Pipeline([
    ...     ("resample", WindowResampler(RandomUnderSampler(random_state=0))),
    ...     ("clf", LightCNNClassifier(max_epochs=5, random_state=0)),
    ... ])
    >>> # with metadata routing:   pipe.fit(X, y, groups=groups)
    >>> # without routing:         pipe.fit(X, y, clf__groups=groups)
    >>> # either way the network's inner split sees the resampled ids

    Notes
    -----
    Put the resampler directly before the network (transformers between them
    would drop the carried ids). With metadata routing enabled,
    ``fit_resample`` requests ``groups`` by default.
    """

    __metadata_request__fit_resample = {"groups": True}

    def __init__(self, sampler=None, random_state=None):
        self.sampler = sampler
        self.random_state = random_state

    def fit(self, X, y, groups=None):
        """Fit the sampler (imblearn calls :meth:`fit_resample` directly)."""
        self.fit_resample(X, y, groups=groups)
        return self

    def fit_resample(self, X, y, groups=None):
        """Resample windows (and groups).

        Parameters
        ----------
        X : array-like of shape (n_windows, ...)
            Windows, e.g. ``(n, C, T)``; any number of dimensions >= 2.
        y : array-like of shape (n_windows,)
        groups : array-like of shape (n_windows,) or None
            Subject ids, resampled with the windows.

        Returns
        -------
        X_res : GroupedWindows of shape (n_resampled, ...)
            Carries ``groups`` (resampled) as ``X_res.groups`` and the
            selected indices as ``X_res.sample_indices``.
        y_res : ndarray of shape (n_resampled,)
        """
        X = check_windows(X, ndim=(2, 3, 4, 5), dtype=None)
        y = np.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} windows but y has {y.shape[0]} labels.")
        groups = check_groups(groups, X.shape[0])
        if groups is None:
            groups = resolve_groups(X, None)
        if self.sampler is None:
            from imblearn.under_sampling import RandomUnderSampler

            sampler = RandomUnderSampler(random_state=self.random_state)
        else:
            sampler = clone(self.sampler)
        if isinstance(sampler, SubjectSMOTE):
            self.sampler_ = sampler
            self.sample_indices_ = None
            return sampler.fit_resample(X, y, groups=groups)
        flat = X.reshape(X.shape[0], -1)
        X_flat, y_res = sampler.fit_resample(flat, y)
        indices = getattr(sampler, "sample_indices_", None)
        self.sampler_ = sampler
        if indices is not None:
            indices = np.asarray(indices)
            self.sample_indices_ = indices
            X_res = X[indices]
            groups_res = None if groups is None else groups[indices]
            y_res = y[indices]
        else:
            self.sample_indices_ = None
            if groups is not None:
                raise ValueError(
                    f"{type(sampler).__name__} synthesises new windows, so their subject "
                    "cannot be known and groups cannot stay aligned. Use a sampler that "
                    "selects windows (RandomUnderSampler, RandomOverSampler, NearMiss …), "
                    "SubjectSMOTE (synthetic windows within each subject), or do not pass "
                    "groups."
                )
            X_res = np.asarray(X_flat, dtype=X.dtype).reshape((-1,) + X.shape[1:])
            groups_res = None
        return GroupedWindows(X_res, groups_res, indices), y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class SubjectSMOTE(BaseEstimator):
    """SMOTE within each subject: synthetic minority windows keep a subject id.

    Every class smaller than ``sampling_strategy`` times the largest class is
    topped up with windows interpolated between two windows of that class **of
    the same subject** (a seed and one of its ``k_neighbors`` nearest
    same-subject windows; Chawla et al. 2002, "SMOTE: synthetic minority
    over-sampling technique", JAIR 16, doi:10.1613/jair.953). The class counts
    are balanced over all subjects together (so subjects whose windows are all
    of one class are fine); seeds are drawn uniformly among the minority windows
    of subjects having at least two of them. Each synthetic window carries its
    subject's id, so the output combines with ``GroupKFold`` and with the
    subject-wise inner split of the networks. See
    :func:`~skseizure.estimators.augmentation.interpolate_minority`.

    Parameters
    ----------
    sampling_strategy : "auto" or float in (0, 1], default="auto"
        Target size of every smaller class as a fraction of the largest class
        (``"auto"``: 1.0, balanced).
    k_neighbors : int, default=5
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    synthetic_sources_ : ndarray of shape (n_synthetic, 2)
        Indices (into the input) of the two windows each synthetic window lies
        between.
    synthetic_weights_ : ndarray of shape (n_synthetic,)
        Interpolation weights ``lam`` (``x_i + lam * (x_j - x_i)``).

    Notes
    -----
    Output windows are the input windows followed by the synthetic ones.
    ``X_res.sample_indices`` holds ``arange(n)`` for the input windows and the
    seed window's index for each synthetic window (same subject), so ``groups``
    given to a later step for the un-resampled data are re-indexed correctly.
    Without ``groups`` all windows count as one subject and a warning says so.

    Examples
    --------
    >>> from imblearn.pipeline import Pipeline
    >>> from skseizure.estimators import CNNBiLSTMClassifier
    >>> from skseizure.estimators.sampling import SubjectSMOTE
    >>> pipe = Pipeline([("smote", SubjectSMOTE(random_state=0)),
    ...                  ("clf", CNNBiLSTMClassifier(max_epochs=5, random_state=0))])
    >>> # pipe.fit(X, y, smote__groups=groups, clf__groups=groups)
    """

    __metadata_request__fit_resample = {"groups": True}

    def __init__(self, sampling_strategy="auto", k_neighbors=5, random_state=None):
        self.sampling_strategy = sampling_strategy
        self.k_neighbors = k_neighbors
        self.random_state = random_state

    def fit(self, X, y, groups=None):
        """Fit (imblearn calls :meth:`fit_resample` directly)."""
        self.fit_resample(X, y, groups=groups)
        return self

    def fit_resample(self, X, y, groups=None):
        """Add synthetic minority windows, each within one subject.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
        y : array-like of shape (n_windows,)
        groups : array-like of shape (n_windows,) or None
            Subject ids.

        Returns
        -------
        X_res : GroupedWindows of shape (n_windows + n_synthetic, n_channels, n_times)
            Carries ``groups`` (None without groups) and ``sample_indices``.
        y_res : ndarray of shape (n_windows + n_synthetic,)
        """
        from sklearn.utils import check_random_state

        X = check_windows(X, ndim=3, dtype=None)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"X has {X.shape[0]} windows but y has shape {y.shape}.")
        groups = check_groups(groups, X.shape[0])
        if groups is None:
            groups = resolve_groups(X, None)
        ratio = self.sampling_strategy
        if isinstance(ratio, str) and ratio == "auto":
            ratio = 1.0
        elif (isinstance(ratio, (bool, np.bool_)) or not isinstance(ratio, numbers.Real)
              or not 0.0 < ratio <= 1.0):
            raise ValueError("sampling_strategy must be 'auto' or a float in (0, 1], "
                             f"got {ratio!r}.")
        seed = check_random_state(self.random_state).randint(0, 2**31 - 1)
        new = interpolate_minority(np.asarray(X), y, groups, ratio=ratio,
                                   k_neighbors=self.k_neighbors, random_state=seed)
        self.synthetic_sources_ = new.sources
        self.synthetic_weights_ = new.positions
        X_res = np.concatenate([np.asarray(X), new.X.astype(X.dtype, copy=False)])
        y_res = np.concatenate([y, new.y])
        groups_res = None if groups is None else np.concatenate([groups, new.groups])
        indices = np.concatenate([np.arange(X.shape[0]), new.sources[:, 0]])
        return GroupedWindows(X_res, groups_res, indices), y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
