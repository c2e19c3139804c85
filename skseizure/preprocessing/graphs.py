"""EEG graph builders of Tang et al. (ICLR 2022): distance graph and correlation graph.

Design: how a graph reaches the estimator
-----------------------------------------
The graph builders are scikit-learn transformers (``fit`` / ``transform`` turn
features into adjacency matrices) **and** they are passed to the network estimator as
a parameter::

    make_pipeline(FFTLogAmplitude(sfreq=200),
                  DCRNNClassifier(graph=CorrelationGraph(top_k=3)))

The estimator clones the builder at ``fit`` and calls :meth:`supports` on every batch,
rather than a transformer attaching the adjacency to the features, because

- ``X`` stays a plain ``(n, T, C, M)`` array, so every splitter, ``cross_validate``,
  skorch's internal validation split, the occlusion maps (which edit ``X``) and
  ``predict_proba`` work unchanged;
- the graph parameters stay searchable: ``GridSearchCV(pipe, {"dcrnnclassifier__graph__top_k":
  [2, 3, 4]})`` or ``{"graph__kappa": [0.8, 0.9]}`` on the bare estimator (nested
  ``get_params``/``set_params`` as for any meta-estimator);
- the correlation graph is a function of each clip, so it is recomputed from whatever
  clip the network sees (augmented in training, occluded in interpretation).

Conventions
-----------
Adjacency ``A[i, j]`` is the weight of the edge from node ``i`` to node ``j``; self
loops are kept (weight 1). Supports are the matrices ``S`` the diffusion convolution
applies to node features as ``S @ X`` (``X`` of shape ``(C, F)``):

- ``filter_type="laplacian"`` (one support, the paper's choice for the undirected
  distance graph): ``A <- max(A, A.T)``, ``L = I - D^-1/2 A D^-1/2`` with ``D`` the row
  sums **including** the self-loops, ``lambda_max`` its largest eigenvalue
  and ``L~ = 2 L / lambda_max - I`` (with the self-loops
  ``lambda_max = 0.79056`` for the 19-electrode graph, not 2).
- ``filter_type="dual_random_walk"`` (two supports, the paper's choice for the directed
  correlation graph): ``[(D_O^-1 A).T, (D_I^-1 A.T).T]`` with ``D_O``/``D_I`` the out/in
  degrees (row sums of ``A`` / ``A.T``). The transposes are the authors' (and the original
  DCRNN's) convention: mass diffuses along the edges forward and
  backward.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.sparse.csgraph import laplacian
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._utils.validation import check_n_channels, check_windows
from ..datasets.channels import TUSZ_19
from ..datasets.electrodes import pairwise_distances

__all__ = [
    "DistanceGraph",
    "CorrelationGraph",
    "distance_adjacency",
    "correlation_adjacency",
    "scaled_laplacian",
    "random_walk_supports",
    "compute_supports",
]

_FILTER_TYPES = ("laplacian", "dual_random_walk")


# --------------------------------------------------------------------------- maths
def distance_adjacency(distances, kappa=0.9, sigma=None):
    """Thresholded Gaussian kernel of the paper (Tang et al., 2022, Section 2.2.1).

    ``W = exp(-(d / sigma)^2)`` and ``W[d > kappa] = 0``.

    Parameters
    ----------
    distances : ndarray of shape (C, C)
        Euclidean distances (unit-sphere units), 0 on the diagonal.
    kappa : float, default=0.9
        Threshold on the **distance** (not on the weight), in unit-sphere units.
    sigma : float or None
        Kernel width. ``None``: population standard deviation of **all** ``C*C``
        entries, diagonal zeros included (0.51916 for the 19 electrodes), as the
        authors do. Note: no factor 2 in the denominator.

    Returns
    -------
    W : ndarray of shape (C, C), float64
        Symmetric, diagonal 1.
    """
    d = np.asarray(distances, dtype=np.float64)
    if sigma is None:
        sigma = float(d[np.isfinite(d)].std())
    W = np.exp(-((d / sigma) ** 2))
    W[~(d <= kappa)] = 0.0  # also zeroes inf / NaN distances
    return W


def correlation_adjacency(X, top_k=3):
    """Per-clip correlation graph (Tang et al., 2022, Section 2.2.1).

    For each clip, the feature vector of channel ``i`` is flattened (``(T, C, M)`` ->
    ``C`` vectors of length ``T*M``); the edge weight is the absolute *zero-lag
    normalised cross-correlation* ``|<x_i, x_j>| / sqrt(<x_i, x_i> <x_j, x_j>)`` (no mean
    removal, exactly the value ``scipy.signal.correlate(..., mode='valid')`` returns on
    equal-length vectors, normalised). Each row keeps its ``top_k`` largest off-diagonal
    entries plus the self-edge (weight 1), so the graph is **directed**.

    Parameters
    ----------
    X : ndarray of shape (n, T, C, M) or (n, C, L)
        FFT features ``(n_clips, n_steps, n_channels, n_bins)`` or raw windows.
    top_k : int, default=3
        Neighbours kept per node (tau in the paper), ``1 <= top_k < C``.

    Returns
    -------
    A : ndarray of shape (n, C, C), float32
    """
    X = np.asarray(X)
    if X.ndim == 4:
        V = np.transpose(X, (0, 2, 1, 3)).reshape(X.shape[0], X.shape[2], -1)
    elif X.ndim == 3:
        V = X
    else:
        raise ValueError(f"X must be (n, T, C, M) or (n, C, L); got shape {X.shape}.")
    V = V.astype(np.float64, copy=False)
    n, C, _ = V.shape
    if not (isinstance(top_k, numbers.Integral) and 1 <= top_k < C):
        raise ValueError(f"top_k must be an integer in [1, {C - 1}] for {C} channels; got {top_k!r}.")
    gram = np.einsum("nil,njl->nij", V, V)
    energy = np.sqrt(np.clip(np.einsum("nii->ni", gram), 0.0, None))
    denom = energy[:, :, None] * energy[:, None, :]
    # an all-zero channel (e.g. occluded) correlates with nothing rather than NaN
    with np.errstate(invalid="ignore", divide="ignore"):
        A = np.where(denom > 0, np.abs(gram) / np.where(denom > 0, denom, 1.0), 0.0)
    idx = np.arange(C)
    A[:, idx, idx] = 0.0
    # stable sort: ties broken by the lower channel index, deterministically
    order = np.argsort(-A, axis=-1, kind="stable")[..., :top_k]
    mask = np.zeros_like(A, dtype=bool)
    np.put_along_axis(mask, order, True, axis=-1)
    mask[:, idx, idx] = True
    A[:, idx, idx] = 1.0
    return np.where(mask, A, 0.0).astype(np.float32)


def scaled_laplacian(adjacency, lambda_max=None):
    """Scaled normalised Laplacian ``2 L / lambda_max - I`` of ``max(A, A.T)``.

    ``L = I - D^-1/2 A D^-1/2`` with ``D`` the row sums of ``A`` **including** the
    self-loops (the authors' convention), computed as ``D^-1/2 (D_off - A_off) D^-1/2``
    from the combinatorial Laplacian of :func:`scipy.sparse.csgraph.laplacian` (which
    ignores the diagonal). A node of degree 0 gets ``L[i, i] = 1``.

    Parameters
    ----------
    adjacency : ndarray of shape (C, C)
        Non-negative edge weights.
    lambda_max : float or None
        ``None``: largest eigenvalue of ``L`` (:func:`numpy.linalg.eigvalsh`: exact
        and fast for graphs of tens of nodes).

    Returns
    -------
    L_tilde : ndarray of shape (C, C), float32
    lambda_max : float

    Raises
    ------
    ValueError
        If the graph has no edge between distinct nodes (``L = 0``).
    """
    A = np.asarray(adjacency, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"adjacency must be a square (C, C) matrix; got shape {A.shape}.")
    A = np.maximum(A, A.T)
    C = A.shape[0]
    if not (A[~np.eye(C, dtype=bool)] > 0).any():
        raise ValueError(
            f"The graph has no edge between its {C} nodes (only self-loops), so its "
            "Laplacian is 0 and cannot be scaled; loosen the edge threshold."
        )
    d = A.sum(1)
    d_inv_sqrt = np.where(d > 0, 1.0 / np.sqrt(np.where(d > 0, d, 1.0)), 0.0)
    L = d_inv_sqrt[:, None] * laplacian(A, normed=False) * d_inv_sqrt[None, :]
    L[np.diag_indices(C)] += d == 0  # isolated node: L[i, i] = 1 - 0
    if lambda_max is None:
        lambda_max = float(np.linalg.eigvalsh(L)[-1])
    if not lambda_max > 0:
        raise ValueError(f"lambda_max must be positive, got {lambda_max!r}.")
    return (2.0 * L / lambda_max - np.eye(C)).astype(np.float32), float(lambda_max)


def _random_walk(A):
    d = A.sum(-1)
    with np.errstate(divide="ignore"):
        d_inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), 0.0)
    return d_inv[..., :, None] * A


def random_walk_supports(adjacency):
    """Dual random-walk supports ``[(D_O^-1 A).T, (D_I^-1 A.T).T]``.

    Parameters
    ----------
    adjacency : ndarray of shape (C, C) or (n, C, C)

    Returns
    -------
    supports : ndarray of shape (2, C, C) or (n, 2, C, C), float32
    """
    A = np.asarray(adjacency, dtype=np.float64)
    At = np.swapaxes(A, -1, -2)
    fwd = np.swapaxes(_random_walk(A), -1, -2)
    bwd = np.swapaxes(_random_walk(At), -1, -2)
    return np.stack([fwd, bwd], axis=-3).astype(np.float32)


def compute_supports(adjacency, filter_type):
    """Supports of one adjacency ``(C, C)`` or a batch ``(n, C, C)``.

    Returns ``(S, C, C)`` or ``(n, S, C, C)`` float32, ``S = 1`` for ``"laplacian"`` and
    ``2`` for ``"dual_random_walk"``.
    """
    if filter_type not in _FILTER_TYPES:
        raise ValueError(f"filter_type must be one of {_FILTER_TYPES}; got {filter_type!r}.")
    A = np.asarray(adjacency)
    if filter_type == "dual_random_walk":
        return random_walk_supports(A)
    if A.ndim == 2:
        return scaled_laplacian(A)[0][None]
    return np.stack([scaled_laplacian(a)[0][None] for a in A])


def _channel_axis(X):
    return 2 if X.ndim == 4 else 1


# --------------------------------------------------------------------------- builders
class _GraphBase(TransformerMixin, BaseEstimator):
    #: True when the adjacency depends on the clip (recomputed per batch).
    per_clip = False

    @property
    def n_supports(self):
        """Number of support matrices (1 for ``"laplacian"``, 2 for ``"dual_random_walk"``)."""
        return 1 if self.filter_type == "laplacian" else 2

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Raw windows (n, C, T) or FFT clips (n, T, C, M); never 2-D tables.
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags

    def _check_filter_type(self):
        if self.filter_type not in _FILTER_TYPES:
            raise ValueError(
                f"filter_type must be one of {_FILTER_TYPES}; got {self.filter_type!r}."
            )

    def _validate_X(self, X):
        return check_windows(X, ndim=(3, 4), name="X")

    def fitted_ch_names(self, n_channels):
        """Channel names this graph refers to (``ch_names`` or the paper's 19 for 19 channels).

        Returns ``None`` when unknown.
        """
        if self.ch_names is not None:
            return list(self.ch_names)
        if n_channels == len(TUSZ_19):
            return list(TUSZ_19)
        return None


class DistanceGraph(_GraphBase):
    """Electrode-distance graph: thresholded Gaussian kernel on unit-sphere distances.

    ``W_ij = exp(-(d_ij / sigma)^2)`` if ``d_ij <= kappa`` else 0 (paper, Section 2.2.1). The
    same undirected graph is used for every clip. Positions come from the idealised
    unit-sphere 10-20 layout (19 electrodes; reproduces the authors'
    ``distances_3d.csv`` within 1e-4 and their 36 edges), from MNE's ``standard_1020``
    template projected on the unit sphere for other electrodes, and bipolar channels
    ``"A-B"`` sit at the midpoint of A and B (our extension), see
    :mod:`skseizure.datasets.electrodes`.

    See the module docstring for why the builder is passed to the estimator
    (``DCRNNClassifier(graph=DistanceGraph(...))``) and how to grid-search ``kappa``.

    Parameters
    ----------
    ch_names : list of str or None, default=None
        Channel names in the order of the channel axis of ``X``. Referential
        (``"Fp1"``, ``"EEG FP1-REF"``, old/new names T3=T7, T4=T8, T5=P7, T6=P8) or bipolar
        (``"Fp1-F7"``). ``None``: the paper's 19 channels
        (FP1, FP2, F3, F4, C3, C4, P3, P4, O1, O2, F7, F8, T3, T4, T5, T6, FZ, CZ, PZ).
    kappa : float, default=0.9
        Distance threshold (unit-sphere units; the electrode sphere has radius 1).
    sigma : float or None, default=None
        Kernel width; ``None`` = std of all pairwise distances including the zero
        diagonal (0.51916 for the paper's 19 electrodes).
    filter_type : {"laplacian", "dual_random_walk"}, default="laplacian"
        Support type given to the diffusion convolution (paper: Laplacian/Chebyshev).

    Attributes
    ----------
    ch_names_ : list of str
    distances_ : ndarray of shape (C, C)
    sigma_ : float
    adjacency_ : ndarray of shape (C, C), float32
    supports_ : ndarray of shape (S, C, C), float32
    lambda_max_ : float or None
        Largest Laplacian eigenvalue (``filter_type="laplacian"``).
    n_channels_in_ : int

    Examples
    --------
    >>> g = DistanceGraph().fit()
    >>> int((g.adjacency_ > 0).sum() - 19) // 2
    36
    """

    per_clip = False

    def __init__(self, ch_names=None, kappa=0.9, sigma=None, filter_type="laplacian"):
        self.ch_names = ch_names
        self.kappa = kappa
        self.sigma = sigma
        self.filter_type = filter_type

    def fit(self, X=None, y=None):
        """Compute the fixed adjacency and supports.

        Parameters
        ----------
        X : array-like of shape (n, T, C, M) or (n, C, L), or None
            Only used to check that ``C`` equals ``len(ch_names)``.
        y : ignored

        Returns
        -------
        self
        """
        self._check_filter_type()
        if not isinstance(self.kappa, numbers.Real) or not self.kappa > 0:
            raise ValueError(f"kappa must be a positive distance; got {self.kappa!r}.")
        if self.sigma is not None and not (isinstance(self.sigma, numbers.Real) and self.sigma > 0):
            raise ValueError(f"sigma must be None or a positive number; got {self.sigma!r}.")
        ch_names = list(TUSZ_19) if self.ch_names is None else [str(c) for c in self.ch_names]
        if X is not None:
            X = self._validate_X(X)
            n_ch = X.shape[_channel_axis(X)]
            if n_ch != len(ch_names):
                raise ValueError(
                    f"X has {n_ch} channels but the DistanceGraph has {len(ch_names)} "
                    f"channel names ({'the default 19' if self.ch_names is None else 'ch_names'}); "
                    "pass ch_names matching the channel axis."
                )
        self.ch_names_ = ch_names
        self.distances_ = pairwise_distances(ch_names)
        self.sigma_ = (
            float(self.distances_.std()) if self.sigma is None else float(self.sigma)
        )
        self.adjacency_ = distance_adjacency(self.distances_, self.kappa, self.sigma_).astype(
            np.float32
        )
        self._check_has_edges()
        if self.filter_type == "laplacian":
            L, self.lambda_max_ = scaled_laplacian(self.adjacency_)
            self.supports_ = L[None]
        else:
            self.lambda_max_ = None
            self.supports_ = random_walk_supports(self.adjacency_)
        self.n_channels_in_ = len(ch_names)
        return self

    def _check_has_edges(self):
        off_diagonal = ~np.eye(len(self.ch_names_), dtype=bool)
        if not (self.adjacency_[off_diagonal] > 0).any():
            closest = float(self.distances_[off_diagonal].min(initial=np.inf))
            C = len(self.ch_names_)
            raise ValueError(
                f"kappa={self.kappa!r} leaves no edge between the {C} electrodes (the "
                f"closest pair is {closest:.4g} apart on the unit sphere): the graph "
                f"would have only self-loops. Use kappa >= {closest:.4g} (default 0.9)."
            )

    def _check_X(self, X):
        check_is_fitted(self, "adjacency_")
        X = self._validate_X(X)
        check_n_channels(X, self.n_channels_in_, estimator_name="DistanceGraph",
                         axis=_channel_axis(X))
        return X

    def transform(self, X):
        """Adjacency for every clip (the same matrix repeated).

        Parameters
        ----------
        X : array-like of shape (n, T, C, M) or (n, C, L)

        Returns
        -------
        A : ndarray of shape (n, C, C), float32
        """
        X = self._check_X(X)
        return np.repeat(self.adjacency_[None], X.shape[0], axis=0)

    def supports(self, X=None):
        """Support matrices: the fixed ``supports_`` of shape ``(S, C, C)`` (``X`` unused)."""
        check_is_fitted(self, "supports_")
        return self.supports_

    def fitted_ch_names(self, n_channels):  # noqa: D102 - documented in base
        return list(TUSZ_19) if self.ch_names is None else list(self.ch_names)


class CorrelationGraph(_GraphBase):
    """Per-clip correlation graph: absolute normalised zero-lag cross-correlation, top-k, directed.

    For each clip, ``W_ij = |x_i * x_j|`` (normalised cross-correlation at lag 0 of the
    flattened ``T*M`` feature vectors of channels ``i`` and ``j``, no mean removal) if
    ``j`` is among the ``top_k`` strongest neighbours of ``i``, else 0; self-edges have
    weight 1 (paper, Section 2.2.1). Compute it, as the authors do, on the
    **unstandardised** log-amplitude FFT clip: :class:`~skseizure.estimators.DCRNNClassifier`
    does that for you (it standardises after building the graph).

    See the module docstring for why the builder is passed to the estimator
    (``DCRNNClassifier(graph=CorrelationGraph(top_k=3))``).

    Parameters
    ----------
    top_k : int, default=3
        Neighbours kept per node (tau; the paper searched {2, 3, 4}).
    filter_type : {"dual_random_walk", "laplacian"}, default="dual_random_walk"
        Support type (paper: dual random walk). ``"laplacian"`` symmetrises each graph
        and computes its eigenvalue per clip (slower).
    ch_names : list of str or None, default=None
        Only used for drawing the graph on the scalp and for the left-right reflection
        augmentation of the estimator; the adjacency itself needs no positions.

    Attributes
    ----------
    n_channels_in_ : int
    """

    per_clip = True

    def __init__(self, top_k=3, filter_type="dual_random_walk", ch_names=None):
        self.top_k = top_k
        self.filter_type = filter_type
        self.ch_names = ch_names

    def fit(self, X, y=None):
        """Record the number of channels and validate ``top_k``.

        Parameters
        ----------
        X : array-like of shape (n, T, C, M) or (n, C, L)
        y : ignored

        Returns
        -------
        self
        """
        self._check_filter_type()
        X = self._validate_X(X)
        n_ch = X.shape[_channel_axis(X)]
        if not (isinstance(self.top_k, numbers.Integral) and 1 <= self.top_k < n_ch):
            raise ValueError(
                f"top_k must be an integer in [1, {n_ch - 1}] for {n_ch} channels; got {self.top_k!r}."
            )
        if self.ch_names is not None and len(self.ch_names) != n_ch:
            raise ValueError(f"{len(self.ch_names)} ch_names for {n_ch} channels in X.")
        self.n_channels_in_ = n_ch
        return self

    def transform(self, X):
        """Adjacency of each clip.

        Parameters
        ----------
        X : array-like of shape (n, T, C, M) or (n, C, L)

        Returns
        -------
        A : ndarray of shape (n, C, C), float32
            Row ``i`` holds the ``top_k`` strongest correlations of channel ``i`` and 1 on
            the diagonal.
        """
        check_is_fitted(self, "n_channels_in_")
        X = self._validate_X(X)
        check_n_channels(X, self.n_channels_in_, estimator_name="CorrelationGraph",
                         axis=_channel_axis(X))
        return correlation_adjacency(X, self.top_k)

    def supports(self, X):
        """Support matrices of each clip -> ``(n, S, C, C)`` float32."""
        return compute_supports(self.transform(X), self.filter_type)
