"""Graph input shared by the DCRNN estimators: graph building, global standardisation,
training-time augmentation and the ``graph__*`` parameter plumbing.

Input: log-amplitude FFT clips ``(n_clips, n_steps, n_channels, n_bins)`` from
:class:`~skseizure.preprocessing.FFTLogAmplitude`, unstandardised (the graph is built on
the raw log-amplitudes, then the features are standardised with one global scalar mean
and std learnt in ``fit``).

Clips of different lengths (seizure-type classification) travel as :class:`PaddedClips`
(``{"x": features, "seq_lengths": valid steps}``): steps from ``seq_lengths`` onward are
padding. They are left out of the standardisation constants, zeroed before the graph is
computed (so the correlation graph is exactly that of the unpadded clip: zero steps add
nothing to the zero-lag correlations), and set to 0 after standardisation (the authors'
``padding_val=0``).
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.base import clone
from skorch.callbacks import EarlyStopping, GradientNormClipping, LRScheduler
from skorch.helper import SliceDict

from .._utils.validation import check_n_channels, check_windows
from ..datasets.electrodes import mirror_permutation
from ..preprocessing.graphs import CorrelationGraph, DistanceGraph
from .graph_torch import correlation_adjacency_torch, supports_torch
from .persistence import register_persistable
from .training import silent_sink

__all__ = ["GraphInputMixin", "PaddedClips", "check_padded_clips", "refit_graph"]

# graph builders are parameters of the DCRNN estimators: model files may name them
register_persistable(DistanceGraph, CorrelationGraph)


class PaddedClips(SliceDict):
    """FFT clips with their numbers of valid steps, sliceable like an array.

    A :class:`skorch.helper.SliceDict` with the keys ``"x"`` and ``"seq_lengths"`` whose
    ``shape`` is that of ``x``: scikit-learn splitters, ``cross_validate`` and
    ``GridSearchCV`` index it like the feature array, and skorch hands every batch's
    ``seq_lengths`` to the estimator together with its clips.

    Parameters
    ----------
    x : ndarray of shape (n_clips, n_steps, n_channels, n_bins)
        Log-amplitude FFT clips, unstandardised; steps ``seq_lengths[i]`` onward of clip
        ``i`` are padding (any value).
    seq_lengths : ndarray of shape (n_clips,), int
        Valid steps per clip, in ``[1, n_steps]``.

    Examples
    --------
    >>> import numpy as np
    >>> clips = PaddedClips(x=np.zeros((3, 12, 19, 100), "float32"), seq_lengths=np.array([12, 5, 7]))
    >>> clips.shape, clips[1:]["seq_lengths"].tolist()
    ((3, 12, 19, 100), [5, 7])
    """

    def __init__(self, x, seq_lengths):
        super().__init__(x=x, seq_lengths=seq_lengths)

    @property
    def shape(self):
        return tuple(self["x"].shape)


def check_padded_clips(X, lengths):
    """Validate ``seq_lengths`` against the clips ``X`` ``(n, T, C, M)``; int64 ``(n,)``."""
    arr = np.asarray(lengths)
    if arr.ndim != 1 or arr.shape[0] != X.shape[0]:
        raise ValueError(
            f"seq_lengths must be 1-D with one entry per clip ({X.shape[0]}); got shape {arr.shape}."
        )
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not (np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr))
                and np.all(arr == np.round(arr))):
            raise ValueError(f"seq_lengths must be whole numbers of steps; got dtype {arr.dtype}.")
    arr = arr.astype(np.int64)
    bad = (arr < 1) | (arr > X.shape[1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"seq_lengths must lie in [1, n_steps={X.shape[1]}]; clip {i} has {arr[i]}."
        )
    return arr


def _step_mask(lengths, n_steps, like):
    """``(B, T, 1, 1)`` 1/0 mask of the valid steps (tensor) or None when all are valid."""
    if lengths is None:
        return None
    lengths = torch.as_tensor(lengths, device=like.device).long()
    if bool((lengths >= n_steps).all()):
        return None
    steps = torch.arange(n_steps, device=like.device)
    return (steps[None, :] < lengths[:, None]).to(like.dtype)[:, :, None, None]


class GraphInputMixin:
    """Graph building, global standardisation and augmentation shared by both estimators."""

    _input_ndim = 4
    _channel_axis = 2
    #: names of the non-batch axes, used when refusing clips of another shape
    _input_axis_names = ("n_steps", "n_channels", "n_bins")
    #: the fitted graph is rebuilt from ``graph`` when a model file is loaded
    _rebuilt_attributes = ("graph_",)

    def _restore_fitted_state(self):
        """Rebuild ``graph_`` after loading (called by :mod:`.persistence`)."""
        self.graph_ = refit_graph(self.graph, self.n_channels_in_)

    # -- graph parameter plumbing: route ``graph__*`` to the graph object -------------
    def set_params(self, **params):
        graph_params = {k[len("graph__"):]: v for k, v in params.items() if k.startswith("graph__")}
        rest = {k: v for k, v in params.items() if not k.startswith("graph__")}
        if "graph" in rest:
            self.graph = rest.pop("graph")
        if rest:
            super().set_params(**rest)
        if graph_params:
            if self.graph is None:
                self.graph = DistanceGraph()
            self.graph.set_params(**graph_params)
        return self

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        # skorch lists stray "graph__x" attributes; nested values come from the object
        for key in [k for k in params if k.startswith("graph__")]:
            params.pop(key)
        if deep and getattr(self, "graph", None) is not None and hasattr(self.graph, "get_params"):
            for k, v in self.graph.get_params(deep=False).items():
                params[f"graph__{k}"] = v
        return params

    # -- fit-time preparation ----------------------------------------------------------
    def _fit_graph(self, X, seq_lengths=None):
        graph = DistanceGraph() if self.graph is None else self.graph
        if not hasattr(graph, "supports") or not hasattr(graph, "fit"):
            raise TypeError(
                f"graph must be a DistanceGraph or CorrelationGraph (or a builder with fit/"
                f"supports), got {type(graph).__name__}."
            )
        self.graph_ = clone(graph).fit(X)
        self.n_channels_in_ = int(X.shape[2])
        self.n_steps_in_ = int(X.shape[1])
        self.n_bins_in_ = int(X.shape[3])
        self.ch_names_ = self.graph_.fitted_ch_names(self.n_channels_in_)
        p = self.reflect_prob
        if not (isinstance(p, numbers.Real) and 0.0 <= p <= 1.0):
            raise ValueError(f"reflect_prob must be in [0, 1]; got {p!r}.")
        if self.augment and p > 0:
            if self.ch_names_ is None:
                raise ValueError(
                    "Left-right reflection needs channel names: give the graph ch_names "
                    "(e.g. CorrelationGraph(ch_names=...)) or set reflect_prob=0."
                )
            self.reflect_perm_ = mirror_permutation(self.ch_names_)
        else:
            self.reflect_perm_ = None
        lo, hi = self.scale_range
        if not (0 < lo <= hi):
            raise ValueError(f"scale_range must be (low, high) with 0 < low <= high; got {self.scale_range!r}.")
        if self.standardize:
            # one scalar mean/std over all training features (the authors' StandardScaler),
            # padded steps left out
            valid = X
            if seq_lengths is not None and np.any(np.asarray(seq_lengths) < X.shape[1]):
                valid = X[np.arange(X.shape[1])[None, :] < np.asarray(seq_lengths)[:, None]]
            self.mean_ = float(valid.mean(dtype=np.float64))
            self.std_ = float(valid.std(dtype=np.float64)) or 1.0
        else:
            self.mean_, self.std_ = 0.0, 1.0
        return self

    @property
    def occlusion_fill_value_(self):
        """Value in ``X`` units that becomes 0 in the network's standardised input.

        :func:`skseizure.interpret.occlusion_map` uses it (``fill_value="auto"``) so that
        occluded entries are zero-filled in the network's input, as in the paper.
        """
        return float(self.mean_)

    def _supports_for(self, x):
        """Supports for a batch of raw features (tensor (B, T, C, M), padding zeroed)."""
        if self.graph_.per_clip and hasattr(self.graph_, "top_k"):
            # the correlation graph of every clip, built where the batch is (no host copy)
            if x.shape[-2] != self.graph_.n_channels_in_:
                raise ValueError(f"the graph was fitted on {self.graph_.n_channels_in_} channels, "
                                 f"the batch has {x.shape[-2]}.")
            adjacency = correlation_adjacency_torch(x.detach(), int(self.graph_.top_k))
            return supports_torch(adjacency, self.graph_.filter_type).to(x.dtype)
        if self.graph_.per_clip:
            sup = self.graph_.supports(x.detach().cpu().numpy())
        else:
            sup = self.graph_.supports()
        return torch.as_tensor(sup, dtype=x.dtype, device=x.device)

    def _augment(self, x, supports, y=None):
        """Random amplitude scaling and left-right reflection (training only).

        Scaling the raw signal by ``s ~ U(scale_range)`` adds ``log(s)`` to every
        log-amplitude; the reflection swaps every homologous channel pair (P3/P4
        included) and permutes the graph's rows and columns the same way. ``y`` (next
        clip, pre-training) gets the same scale and reflection.
        """
        B = x.shape[0]
        lo, hi = self.scale_range
        if hi > lo or lo != 1.0:
            s = torch.empty(B, device=x.device, dtype=x.dtype).uniform_(lo, hi)
            shift = torch.log(s).view(B, 1, 1, 1)
            x = x + shift
            if y is not None:
                y = y + shift
        if self.reflect_perm_ is not None and self.reflect_prob > 0:
            flip = torch.rand(B, device=x.device) < self.reflect_prob
            if bool(flip.any()):
                perm = torch.as_tensor(self.reflect_perm_, device=x.device)
                x = torch.where(flip.view(B, 1, 1, 1), x[:, :, perm], x)
                if y is not None:
                    y = torch.where(flip.view(B, 1, 1, 1), y[:, :, perm], y)
                if supports.dim() == 3:
                    supports = supports.unsqueeze(0).expand(B, *supports.shape).contiguous()
                flipped = supports[:, :, perm][:, :, :, perm]
                supports = torch.where(flip.view(B, 1, 1, 1), flipped, supports)
        return x, supports, y

    def _standardize(self, x, mask=None):
        x = (x - self.mean_) / self.std_
        return x if mask is None else x * mask

    def _check_features(self, X, reset):
        X = check_windows(X, ndim=4, dtype=np.float32)
        if not reset:
            check_n_channels(X, self.n_channels_in_, estimator_name=type(self).__name__, axis=2)
            if X.shape[3] != self.n_bins_in_:
                raise ValueError(
                    f"X has {X.shape[3]} frequency bins, but {type(self).__name__} was fitted "
                    f"with {self.n_bins_in_}."
                )
        return X

    def _training_callbacks(self, has_valid):
        cbs = [
            ("gradient_clipping", GradientNormClipping(gradient_clip_value=self.clip_grad_norm)),
            ("lr_scheduler", LRScheduler(policy="CosineAnnealingLR", T_max=max(1, self.max_epochs))),
        ]
        if has_valid and self.patience is not None:
            cbs.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.patience, lower_is_better=True,
                load_best=True, sink=silent_sink)))
        return cbs


def refit_graph(graph, n_channels):
    """Fit a clone of ``graph`` (``None``: ``DistanceGraph()``) for ``n_channels`` channels.

    Used when loading a model file: both graph builders only need the number of
    channels (the correlation graph is computed per clip at predict time).
    """
    graph = DistanceGraph() if graph is None else clone(graph)
    if isinstance(graph, DistanceGraph):
        return graph.fit()
    return graph.fit(np.ones((1, 1, n_channels, 1), dtype=np.float32))
