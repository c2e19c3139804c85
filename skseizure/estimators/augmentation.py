"""Training-time augmentation of EEG windows ``(n_windows, n_channels, n_times)``.

Four seeded transforms, usable on their own or by any network estimator:

- :func:`overlap_windows` — extra windows cut with overlap from two consecutive
  windows of the same recording (a denser sliding window over the training
  signal, as in Truong et al. 2018, "Convolutional neural networks for seizure
  prediction using intracranial and scalp electroencephalogram", Neural
  Networks 105, doi:10.1016/j.neunet.2018.04.018);
- :func:`random_scale` — a random gain per window;
- :func:`random_shift` — a circular or zero-padded time shift per window;
- :func:`interpolate_minority` — SMOTE-like synthetic windows (Chawla et al.
  2002, "SMOTE: synthetic minority over-sampling technique", JAIR 16,
  doi:10.1613/jair.953) interpolated between two minority windows **of the same
  subject**, never across subjects.

:class:`WindowAugmentationMixin` applies them inside a skorch estimator derived
from :class:`~skseizure.estimators.BaseNetClassifier`, to the training part of
the internal split only (never to the validation windows, never at predict).
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors

from .._utils.validation import check_groups

__all__ = [
    "AugmentationWarning",
    "SyntheticWindows",
    "interpolate_minority",
    "overlap_windows",
    "random_scale",
    "random_shift",
]


class AugmentationWarning(UserWarning):
    """An augmentation had to fall back on an assumption (e.g. no subject ids)."""


@dataclass
class SyntheticWindows:
    """New windows made from pairs of existing windows.

    Attributes
    ----------
    X : ndarray of shape (n_new, n_channels, n_times)
    y : ndarray of shape (n_new,)
        Label shared by both source windows.
    groups : ndarray of shape (n_new,) or None
        Subject id shared by both source windows (None when none were given).
    sources : ndarray of shape (n_new, 2), int
        Indices ``(i, j)`` (into the input) of the two windows each new window
        comes from.
    positions : ndarray of shape (n_new,)
        Where between the sources the new window lies: the start offset in
        samples into ``concat(X[i], X[j])`` (:func:`overlap_windows`), or the
        interpolation weight ``lam`` of ``X[i] + lam * (X[j] - X[i])``
        (:func:`interpolate_minority`).
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray | None
    sources: np.ndarray
    positions: np.ndarray

    def __len__(self):
        return int(self.X.shape[0])


def _rng(random_state):
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def _windows(X):
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError("X must be windows of shape (n_windows, n_channels, n_times); "
                         f"got {X.shape}.")
    return X


def _empty(X, y, groups):
    return SyntheticWindows(X[:0].copy(), np.asarray(y)[:0].copy(),
                            None if groups is None else np.asarray(groups)[:0].copy(),
                            np.zeros((0, 2), dtype=np.int64), np.zeros(0))


# ------------------------------------------------------------------ parameter checks
def _check_scale_range(scale_range, name="scale_range"):
    """``(low, high)`` gains with ``0 < low <= high``, as floats."""
    try:
        low, high = (float(v) for v in scale_range)
    except (TypeError, ValueError):
        msg = f"{name} must be a pair (low, high) of gains, got {scale_range!r}."
        raise TypeError(msg) from None
    if not (np.isfinite(low) and np.isfinite(high) and 0.0 < low <= high):
        raise ValueError(f"{name} must satisfy 0 < low <= high, got {scale_range!r}.")
    return low, high


def _check_int(value, name, *, low=0, high=None):
    """An int in ``[low, high)`` (no upper bound when ``high`` is None)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}.")
    if value < low or (high is not None and value >= high):
        upper = "" if high is None else f" and < {high}"
        raise ValueError(f"{name} must be >= {low}{upper}, got {value}.")
    return int(value)


def _check_fraction(value, name, *, closed_high):
    ok = (not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Real)
          and (0.0 < value <= 1.0 if closed_high else 0.0 < value < 1.0))
    if not ok:
        interval = "(0, 1]" if closed_high else "(0, 1)"
        raise ValueError(f"{name} must be a float in {interval}, got {value!r}.")
    return float(value)


# ------------------------------------------------------------------------ transforms
def random_scale(X, scale_range=(0.8, 1.2), random_state=None):
    """Multiply each window by a random gain drawn uniformly in ``scale_range``.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_times)
    scale_range : (float, float), default=(0.8, 1.2)
        ``(low, high)``, ``0 < low <= high``; one gain per window, shared by
        its channels (dimensionless).
    random_state : int, numpy Generator, RandomState or None

    Returns
    -------
    X_scaled : ndarray, same shape and dtype as ``X``
    gains : ndarray of shape (n_windows,)
    """
    X = _windows(X)
    low, high = _check_scale_range(scale_range)
    gains = _rng(random_state).uniform(low, high, size=X.shape[0])
    return (X * gains[:, None, None].astype(X.dtype)).astype(X.dtype, copy=False), gains


def random_shift(X, max_shift, mode="circular", random_state=None):
    """Shift each window in time by a random integer in ``[-max_shift, max_shift]`` samples.

    A positive shift ``s`` delays the signal: ``out[..., t] = X[..., t - s]``.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_times)
    max_shift : int
        Largest shift in samples, ``0 <= max_shift < n_times``.
    mode : {"circular", "zero"}, default="circular"
        ``"circular"`` wraps the samples pushed out of the window round to the
        other end (``np.roll``); ``"zero"`` drops them and pads with zeros.
    random_state : int, numpy Generator, RandomState or None

    Returns
    -------
    X_shifted : ndarray, same shape and dtype as ``X``
    shifts : ndarray of shape (n_windows,), int
    """
    X = _windows(X)
    n_times = X.shape[2]
    max_shift = _check_int(max_shift, "max_shift (samples, < n_times)", high=n_times)
    if mode not in ("circular", "zero"):
        raise ValueError(f"mode must be 'circular' or 'zero', got {mode!r}.")
    shifts = _rng(random_state).integers(-max_shift, max_shift + 1, size=X.shape[0])
    src = np.arange(n_times)[None, :] - shifts[:, None]  # (n, T) source sample of each output
    if mode == "circular":
        out = np.take_along_axis(X, (src % n_times)[:, None, :].repeat(X.shape[1], 1), axis=2)
    else:
        valid = (src >= 0) & (src < n_times)
        out = np.take_along_axis(X, np.clip(src, 0, n_times - 1)[:, None, :].repeat(X.shape[1], 1),
                                 axis=2)
        out = np.where(valid[:, None, :], out, np.zeros((), X.dtype))
    return out.astype(X.dtype, copy=False), shifts


def _segment_codes(n, groups, recordings):
    """One integer per window: windows with equal codes belong to one recording."""
    codes = np.zeros(n, dtype=np.int64)
    for ids in (groups, recordings):
        if ids is not None:
            _, inv = np.unique(np.asarray(ids), return_inverse=True)
            codes = codes * (inv.max() + 1) + inv.ravel()
    return codes


def overlap_windows(X, y, overlap=0.5, *, groups=None, recordings=None, starts=None):
    """Extra windows cut with overlap from consecutive windows of one recording.

    Two windows ``i`` and ``j`` are *consecutive* when they belong to the same
    subject (``groups``) and recording (``recordings``), carry the same label,
    and ``j`` starts ``n_times`` samples after ``i`` (to within half a
    sample). Their
    concatenation ``c = concat(X[i], X[j], axis=time)`` is then a stretch of
    signal of ``2 * n_times`` samples; the new windows are
    ``c[:, off:off + n_times]`` for ``off = hop, 2 hop, ... < n_times`` with
    ``hop = max(1, round(n_times * (1 - overlap)))`` — the windows a sliding
    window of that overlap would have added. Pairs with different labels are
    skipped (the label of a window straddling a seizure onset is ambiguous).

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_times)
    y : array-like of shape (n_windows,)
    overlap : float in (0, 1), default=0.5
        Overlap between successive cut windows (0.5: one new window per pair,
        0.75: three).
    groups : array-like of shape (n_windows,) or None
        Subject ids; windows of different subjects are never joined.
    recordings : array-like of shape (n_windows,) or None
        Recording ids (None: one recording per subject).
    starts : array-like of shape (n_windows,) or None
        First sample of each window in its recording (NaN: position unknown,
        never joined). None **assumes** that, within a recording, the windows
        appear in ``X`` in time order and back to back (window ``k + 1`` starts
        where window ``k`` ends).

    Returns
    -------
    SyntheticWindows
        ``positions`` are the offsets ``off`` in samples.
    """
    X = _windows(X)
    n, _, n_times = X.shape
    y = np.asarray(y)
    overlap = _check_fraction(overlap, "overlap", closed_high=False)
    groups = check_groups(groups, n)
    recordings = check_groups(recordings, n, name="recordings")
    if starts is None:
        starts = np.arange(n, dtype=float) * n_times
    else:
        starts = np.asarray(starts, dtype=float)
        if starts.shape != (n,):
            raise ValueError(f"starts must have shape ({n},), got {starts.shape}.")
    codes = _segment_codes(n, groups, recordings)
    order = np.lexsort((starts, codes))  # by recording, then by start (NaN last)
    a, b = order[:-1], order[1:]
    gap = np.abs(starts[b] - starts[a] - n_times)
    pair = (codes[a] == codes[b]) & (y[a] == y[b]) & (gap < 0.5)  # NaN never pairs
    a, b = a[pair], b[pair]
    hop = max(1, int(round(n_times * (1.0 - overlap))))
    offsets = np.arange(hop, n_times, hop)
    if a.size == 0 or offsets.size == 0:
        return _empty(X, y, groups)
    joined = np.concatenate([X[a], X[b]], axis=2)  # (n_pairs, n_channels, 2 n_times)
    new = np.concatenate([joined[:, :, off:off + n_times] for off in offsets])
    pairs = np.tile(np.stack([a, b], axis=1), (offsets.size, 1))
    pos = np.repeat(offsets, a.size)
    return SyntheticWindows(new, y[pairs[:, 0]],
                            None if groups is None else groups[pairs[:, 0]], pairs, pos)


def _n_to_make(y, ratio):
    """Synthetic windows per class so that every class reaches ``ratio * n_majority``."""
    classes, counts = np.unique(y, return_counts=True)
    target = int(np.floor(ratio * counts.max()))
    return {c: max(0, target - k) for c, k in zip(classes, counts)}


def _same_subject_pairs(X, members, n_new, k_neighbors, rng):
    """``n_new`` (seed, partner) index pairs, both in the same ``members`` array.

    Seeds are drawn uniformly over all members; the partner is one of the
    seed's ``k_neighbors`` nearest (Euclidean) windows of its own array.
    """
    pool = np.concatenate(members)
    owner = np.concatenate([np.full(m.size, k) for k, m in enumerate(members)])
    seeds = rng.integers(0, pool.size, size=n_new)
    picks = rng.random(n_new)
    pairs = np.empty((n_new, 2), dtype=np.int64)
    for k, m in enumerate(members):
        todo = np.flatnonzero(owner[seeds] == k)
        if todo.size == 0:
            continue
        flat = X[m].reshape(m.size, -1).astype(np.float64)
        n_near = min(k_neighbors, m.size - 1)
        local = seeds[todo] - np.flatnonzero(owner == k)[0]  # seed position within m
        near = NearestNeighbors(n_neighbors=n_near + 1).fit(flat).kneighbors(
            flat[local], return_distance=False)
        # drop the seed itself (kept last by a stable sort), keep its n_near neighbours
        near = np.take_along_axis(near, np.argsort(near == local[:, None], axis=1,
                                                   kind="stable"), axis=1)[:, :n_near]
        choice = (picks[todo] * n_near).astype(int)
        pairs[todo, 0] = m[local]
        pairs[todo, 1] = m[near[np.arange(todo.size), choice]]
    return pairs


def interpolate_minority(X, y, groups=None, *, ratio=1.0, k_neighbors=5, random_state=None):
    """SMOTE-like synthetic minority windows, interpolated within one subject only.

    For every class with fewer than ``ratio * n_majority`` windows, seed windows
    are drawn uniformly (with replacement) among that class's windows whose
    subject has at least two windows of the class; each seed ``x_i`` is joined
    to one of its ``k_neighbors`` nearest windows ``x_j`` (Euclidean, over the
    flattened window) **of the same subject and class**, and the new window is
    ``x_i + lam * (x_j - x_i)`` with ``lam ~ U(0, 1)``. It inherits the class
    and the subject id. Subjects with a single window of a class contribute no
    seeds (an :class:`AugmentationWarning` says so when no subject can).

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_times)
    y : array-like of shape (n_windows,)
    groups : array-like of shape (n_windows,) or None
        Subject ids. None warns (:class:`AugmentationWarning`) and treats all
        windows as one subject.
    ratio : float in (0, 1], default=1.0
        Target size of every smaller class as a fraction of the largest class
        (1.0 balances the classes).
    k_neighbors : int, default=5
        Nearest same-subject neighbours among which the partner is drawn.
    random_state : int, numpy Generator, RandomState or None

    Returns
    -------
    SyntheticWindows
        ``positions`` are the weights ``lam``; ``groups`` is None when no
        groups were given.
    """
    X = _windows(X)
    n = X.shape[0]
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got {y.shape}.")
    ratio = _check_fraction(ratio, "ratio", closed_high=True)
    k_neighbors = _check_int(k_neighbors, "k_neighbors", low=1)
    given = check_groups(groups, n)
    if given is None:
        warnings.warn("interpolate_minority got no groups: all windows are treated as one "
                      "subject, so synthetic windows may mix subjects.",
                      AugmentationWarning, stacklevel=2)
    subj = np.zeros(n, np.int64) if given is None else np.unique(given, return_inverse=True)[1]
    rng = _rng(random_state)
    sources = []
    for cls, n_new in _n_to_make(y, ratio).items():
        members = [np.flatnonzero((y == cls) & (subj == s)) for s in np.unique(subj[y == cls])]
        members = [m for m in members if m.size >= 2]
        if n_new and not members:
            warnings.warn(f"no subject has two windows of class {cls!r}: no synthetic windows "
                          "for it.", AugmentationWarning, stacklevel=2)
        elif n_new:
            sources.append(_same_subject_pairs(X, members, n_new, k_neighbors, rng))
    if not sources:
        return _empty(X, y, given)
    sources = np.concatenate(sources)
    lam = rng.uniform(0.0, 1.0, size=len(sources))
    xi, xj = X[sources[:, 0]], X[sources[:, 1]]
    new = (xi + lam[:, None, None] * (xj - xi)).astype(X.dtype, copy=False)
    return SyntheticWindows(new, y[sources[:, 0]], None if given is None else given[sources[:, 0]],
                            sources, lam)


# ------------------------------------------------------------------ estimator hooks
