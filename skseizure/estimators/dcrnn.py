"""DCRNN estimators (Tang et al., ICLR 2022): seizure detection/classification and
self-supervised next-clip pre-training on EEG graphs.

Input: log-amplitude FFT clips ``(n_clips, T, n_channels, n_bins)`` from
:class:`~skseizure.preprocessing.FFTLogAmplitude`, **unstandardised** (the estimators
build the correlation graph on the raw log-amplitudes, as the authors do, and then
standardise with one global scalar mean and std learnt in ``fit``).

The graph is a parameter: ``graph=DistanceGraph(...)`` or ``graph=CorrelationGraph(...)``
(see :mod:`skseizure.preprocessing.graphs` for why), searchable as ``graph__kappa`` /
``graph__top_k``.
"""

from __future__ import annotations

import json
import numbers
import os
from pathlib import Path

import numpy as np
import torch
from sklearn.base import RegressorMixin, clone
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, EpochScoring, GradientNormClipping, LRScheduler
from skorch.utils import to_numpy, to_tensor

from .._utils.random import seed_from_random_state
from .._utils.validation import check_groups, check_n_channels, check_windows
from ..models.dcrnn import DCRNN, DCRNNSeq2Seq
from ..preprocessing._electrodes import mirror_permutation
from ..preprocessing.graphs import CorrelationGraph, DistanceGraph
from ._base import (
    BaseNetClassifier,
    _proba_encoded,
    _silent,
    inner_validation_split,
    seeded_iterator,
)

__all__ = ["DCRNNClassifier", "DCRNNPretrainer"]


def _valid_auroc(net, X, y):
    """Validation AUROC of the positive class (binary only; NaN with one class)."""
    from sklearn.metrics import roc_auc_score

    y = to_numpy(y)
    if np.unique(y).size < 2:
        return float("nan")
    return float(roc_auc_score(y, _proba_encoded(net, X)[:, 1]))


# --------------------------------------------------------------------------- shared
class _GraphInputMixin:
    """Graph building, global standardisation and augmentation shared by both estimators."""

    _input_ndim = 4
    _channel_axis = 2

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
    def _fit_graph(self, X):
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
            # one scalar mean/std over all training features (the authors' StandardScaler)
            self.mean_ = float(X.mean(dtype=np.float64))
            self.std_ = float(X.std(dtype=np.float64)) or 1.0
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
        """Supports for a batch of raw features (tensor (B, T, C, M))."""
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

    def _standardize(self, x):
        return (x - self.mean_) / self.std_

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
                load_best=True, sink=_silent)))
        return cbs


# --------------------------------------------------------------------------- classifier
class DCRNNClassifier(_GraphInputMixin, BaseNetClassifier):
    """DCRNN seizure detector / seizure-type classifier (Tang et al., ICLR 2022).

    Stacked DCGRU layers over the clip's FFT steps, the last hidden state of every node
    through a per-node linear layer, and the maximum over nodes
    (:class:`skseizure.models.DCRNN`). Binary problems use **one logit** (the paper's
    ``BCEWithLogitsLoss``; internally presented as the two logits ``[0, z]`` so that the
    shared cross-entropy gives exactly the binary cross-entropy, ``predict_proba`` gives
    ``[1 - sigmoid(z), sigmoid(z)]`` and ``decision_function`` gives ``z``). With the paper
    configuration the network has exactly 168,641 (distance graph) / 280,769
    (correlation graph) trainable parameters, 168,836 / 280,964 for 4 classes.

    Parameters
    ----------
    graph : DistanceGraph, CorrelationGraph or None, default=None
        Graph builder (``None``: ``DistanceGraph()``, the paper's 19 electrodes). Its
        ``filter_type`` selects the supports (Laplacian/Chebyshev or dual random walk).
        Search its parameters as ``graph__kappa`` / ``graph__top_k``.
    module__num_units : int, default=64
    module__num_layers : int, default=2
    module__max_diffusion_step : int, default=2
        ``K``.
    module__dropout : float, default=0.0
        Dropout before the per-node linear layer (paper: 0 detection, 0.5 classification).
    module__chain_supports : bool, default=False
        Reproduce the authors' un-reset diffusion recursion (see :mod:`skseizure.models.dcrnn`).
    pretrained : DCRNNPretrainer, FrozenEstimator or None, default=None
        A fitted :class:`DCRNNPretrainer` whose encoder layers ``0 .. num_layers-1``
        initialise this network's encoder (the decoder is discarded, the head is fresh,
        nothing is frozen; the authors' ``build_finetune_model``). Wrap it in
        :class:`sklearn.frozen.FrozenEstimator` so that ``clone`` (``GridSearchCV``,
        ``cross_validate``) keeps it fitted. Not stored by :meth:`save` (the saved weights
        already contain the fine-tuned encoder).
    standardize : bool, default=True
        Standardise the features with one global scalar mean/std learnt in ``fit``
        (after building the graph from the raw features).
    augment : bool, default=True
        Training-time augmentation (paper App. F): amplitude scaling and reflection.
    scale_range : (float, float), default=(0.8, 1.2)
        ``s ~ U(low, high)``; applied as ``+ log(s)`` on the log-amplitudes.
    reflect_prob : float, default=0.5
        Probability of reflecting a clip across the midline (all homologous pairs,
        including P3/P4; the graph is permuted consistently). Needs channel names
        (the graph's ``ch_names`` or the default 19).
    lr : float, default=1e-4
    optimizer__weight_decay : float, default=5e-4
    max_epochs : int, default=100
    batch_size : int, default=40
    patience : int or None, default=5
        Early stopping on the **validation loss** (best weights restored); ``None``
        disables it. The inner validation split is subject-wise when ``groups`` are given.
        Stopping counts epochs without a new *best* loss (skorch); the authors' code
        counts epochs whose loss is not below the *previous* epoch's, and keeps the
        checkpoint with the best validation AUROC (logged here as ``valid_auroc``).
    clip_grad_norm : float, default=5.0
    valid_size : float or None, default=0.1
        Fraction held out for validation (the paper: 90/10 by patient).
    random_state : int, RandomState or None, default=None
    **kwargs
        Any :class:`~skseizure.estimators._base.BaseNetClassifier` / skorch parameter.

    Attributes
    ----------
    graph_ : fitted graph builder
    ch_names_ : list of str or None
    mean_, std_ : float
        Global standardisation constants (log-amplitude units).
    reflect_perm_ : ndarray of int or None
        Channel permutation of the reflection.
    n_channels_in_, n_steps_in_, n_bins_in_ : int
    classes_ : ndarray

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseizure.preprocessing import FFTLogAmplitude           # doctest: +SKIP
    >>> pipe = make_pipeline(FFTLogAmplitude(sfreq=200),
    ...                      DCRNNClassifier(graph=CorrelationGraph(top_k=3)))  # doctest: +SKIP
    """

    def __init__(
        self,
        graph=None,
        *,
        module__num_units=64,
        module__num_layers=2,
        module__max_diffusion_step=2,
        module__dropout=0.0,
        module__chain_supports=False,
        pretrained=None,
        standardize=True,
        augment=True,
        scale_range=(0.8, 1.2),
        reflect_prob=0.5,
        lr=1e-4,
        optimizer__weight_decay=5e-4,
        max_epochs=100,
        batch_size=40,
        patience=5,
        clip_grad_norm=5.0,
        valid_size=0.1,
        lr_patience=None,
        **kwargs,
    ):
        super().__init__(
            module=DCRNN,
            module__num_units=module__num_units,
            module__num_layers=module__num_layers,
            module__max_diffusion_step=module__max_diffusion_step,
            module__dropout=module__dropout,
            module__chain_supports=module__chain_supports,
            lr=lr,
            optimizer__weight_decay=optimizer__weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            patience=patience,
            valid_size=valid_size,
            lr_patience=lr_patience,
            **kwargs,
        )
        self.graph = graph
        self.pretrained = pretrained
        self.standardize = standardize
        self.augment = augment
        self.scale_range = scale_range
        self.reflect_prob = reflect_prob
        self.clip_grad_norm = clip_grad_norm

    # ---------------------------------------------------------------- components
    @property
    def _default_callbacks(self):
        has_valid = self._has_validation()
        cbs = [cb for cb in super()._default_callbacks
               if cb[0] not in ("early_stopping", "lr_scheduler")]
        if has_valid and getattr(self, "label_encoder_", None) is not None \
                and len(self.classes_) == 2:
            cbs.append(("valid_auroc", EpochScoring(
                _valid_auroc, lower_is_better=False, name="valid_auroc", use_caching=True)))
        return cbs + self._training_callbacks(has_valid)

    def _module_kwargs_from_data(self, X, y):
        """Fit the graph and the standardisation; return ``input_dim``, ``n_outputs``, ``filter_type``."""
        self._fit_graph(X)
        n_classes = int(len(self.classes_))
        return {"input_dim": self.n_bins_in_,
                "n_outputs": 1 if n_classes == 2 else n_classes,
                "filter_type": self.graph_.filter_type}

    def initialize_module(self):
        """Build the network and copy the pre-trained encoder layers into it."""
        super().initialize_module()
        pre = self.pretrained
        if pre is not None and hasattr(self, "module_kwargs_from_data_"):
            pre = getattr(pre, "estimator", pre)  # sklearn.frozen.FrozenEstimator
            _load_pretrained_encoder(self.module_, pre)
        return self

    def _check_X(self, X, reset):
        return self._check_features(X, reset)

    # ---------------------------------------------------------------- forward
    def train_step_single(self, batch, **fit_params):
        """One optimisation step on an augmented batch (see :meth:`_augment`)."""
        self._augmenting_ = bool(self.augment)
        try:
            return super().train_step_single(batch, **fit_params)
        finally:
            self._augmenting_ = False

    def infer(self, x, **fit_params):
        """Graph supports from the raw features, (augmentation), standardisation, network.

        Returns logits ``(B, n_classes)``; for binary problems ``[0, z]``.
        """
        x = to_tensor(x, device=self.device)
        supports = self._supports_for(x)
        if getattr(self, "_augmenting_", False):
            x, supports, _ = self._augment(x, supports)
        out = self.module_(self._standardize(x), supports, **fit_params)
        if out.shape[1] == 1:
            out = torch.cat([torch.zeros_like(out), out], dim=1)
        return out

    # ---------------------------------------------------------------- persistence
    def save(self, path, *, overwrite=False):
        """Save weights + JSON configuration (see :meth:`BaseNetClassifier.save`).

        The graph builder is stored by class and parameters; ``pretrained`` is not
        stored (its weights are already part of the fitted network).
        """
        graph, pretrained = self.graph, self.pretrained
        fitted_graph = self.__dict__.pop("graph_", None)
        try:
            self.graph = _graph_to_spec(graph)
            self.pretrained = None
            return super().save(path, overwrite=overwrite)
        finally:
            self.graph, self.pretrained = graph, pretrained
            if fitted_graph is not None:
                self.graph_ = fitted_graph

    @classmethod
    def load(cls, path, *, device=None):
        """Load an estimator written by :meth:`save` (bit-identical predictions)."""
        est = super().load(path, device=device)
        est.graph = _graph_from_spec(est.graph)
        est.graph_ = _refit_graph(est.graph, est.n_channels_in_)
        return est


# --------------------------------------------------------------------------- pre-trainer
class DCRNNPretrainer(_GraphInputMixin, RegressorMixin, NeuralNet):
    """Self-supervised DCRNN pre-training: predict the next clip's features (paper §2.3).

    A sequence-to-sequence DCGRU encoder-decoder (:class:`skseizure.models.DCRNNSeq2Seq`)
    reads a clip of ``T`` steps and predicts the next ``horizon`` steps of the
    (standardised) log-amplitude features; the loss is the mean absolute error. The
    fitted encoder initialises :class:`DCRNNClassifier` through its ``pretrained``
    parameter.

    Training pairs:

    - ``fit(X, y)``: ``X`` ``(n, T, C, M)`` the current clips, ``y`` ``(n, T2, C, M)`` the
      next clips; the target is ``y[:, :horizon]`` (the paper: 12-s clip -> first 12 s of
      the next clip).
    - ``fit(X)``: each ``X[i]`` is one stretch of consecutive steps; its first
      ``T - horizon`` steps are the input and its last ``horizon`` steps the target.

    Augmentation (same scale and reflection on input and target) and the graph
    (computed on the *input* clip) are as in :class:`DCRNNClassifier`.

    Parameters
    ----------
    graph : DistanceGraph, CorrelationGraph or None, default=None
    horizon : int, default=12
        Steps predicted (``T'``).
    module__num_units : int, default=64
    module__num_layers : int, default=3
    module__max_diffusion_step : int, default=2
    module__dropout : float, default=0.0
    module__chain_supports : bool, default=False
    module__share_decoder_cells : bool, default=True
        Decoder layers ``1..L-1`` share one cell as in the authors' code (gives the
        paper's 417,572 / 690,980 parameters).
    standardize, augment, scale_range, reflect_prob
        As :class:`DCRNNClassifier`.
    lr : float, default=5e-4
    optimizer__weight_decay : float, default=5e-4
    max_epochs : int, default=350
    batch_size : int, default=40
    patience : int or None, default=5
    clip_grad_norm : float, default=5.0
    valid_size : float or None, default=0.1
        Subject-wise with ``groups``.
    random_state : int, RandomState or None
    device : str, default="cpu"
    verbose : int, default=0

    Notes
    -----
    The authors train with an RMSE by accident (``loss_fn="MAE"`` is compared with
    ``'mae'``) and evaluate with MAE; this estimator trains with MAE as the paper says.
    Teacher forcing (off by default in their code) is not implemented.
    """

    __metadata_request__fit = {"groups": True}

    def __init__(
        self,
        graph=None,
        *,
        horizon=12,
        module__num_units=64,
        module__num_layers=3,
        module__max_diffusion_step=2,
        module__dropout=0.0,
        module__chain_supports=False,
        module__share_decoder_cells=True,
        standardize=True,
        augment=True,
        scale_range=(0.8, 1.2),
        reflect_prob=0.5,
        lr=5e-4,
        optimizer__weight_decay=5e-4,
        max_epochs=350,
        batch_size=40,
        patience=5,
        clip_grad_norm=5.0,
        valid_size=0.1,
        random_state=None,
        device="cpu",
        verbose=0,
        iterator_train__shuffle=True,
        **kwargs,
    ):
        super().__init__(
            module=DCRNNSeq2Seq,
            criterion=torch.nn.L1Loss,
            optimizer=torch.optim.Adam,
            module__num_units=module__num_units,
            module__num_layers=module__num_layers,
            module__max_diffusion_step=module__max_diffusion_step,
            module__dropout=module__dropout,
            module__chain_supports=module__chain_supports,
            module__share_decoder_cells=module__share_decoder_cells,
            lr=lr,
            optimizer__weight_decay=optimizer__weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            device=device,
            verbose=verbose,
            iterator_train__shuffle=iterator_train__shuffle,
            train_split=None,
            **kwargs,
        )
        self.graph = graph
        self.horizon = horizon
        self.standardize = standardize
        self.augment = augment
        self.scale_range = scale_range
        self.reflect_prob = reflect_prob
        self.patience = patience
        self.clip_grad_norm = clip_grad_norm
        self.valid_size = valid_size
        self.random_state = random_state

    def _get_param_names(self):
        return [n for n in super()._get_param_names()
                if n not in ("module", "criterion", "optimizer", "train_split")
                and not n.startswith("_")]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.non_deterministic = self.random_state is None
        return tags

    def _has_validation(self):
        return bool(self.valid_size)

    @property
    def _default_callbacks(self):
        from skorch.callbacks import EpochTimer, PassthroughScoring, PrintLog

        cbs = [("epoch_timer", EpochTimer()),
               ("train_loss", PassthroughScoring(name="train_loss", on_train=True))]
        if self._has_validation():
            cbs.append(("valid_loss", PassthroughScoring(name="valid_loss")))
        cbs += self._training_callbacks(self._has_validation())
        cbs.append(("print_log", PrintLog()))
        return cbs

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        kwargs.update(getattr(self, "module_kwargs_from_data_", {}) or {})
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def get_iterator(self, dataset, training=False):
        return seeded_iterator(self, dataset, training)

    def get_split_datasets(self, X, y=None, **fit_params):
        dataset = self.get_dataset(X, y)
        self.valid_indices_ = None
        if not self._has_validation():
            return dataset, None
        groups = getattr(self, "fit_groups_", None)
        dummy = np.zeros(len(dataset), dtype=np.int64)
        train_idx, valid_idx = inner_validation_split(
            dummy, groups, self.valid_size, random_state=self.random_seed_)
        self.valid_indices_ = np.asarray(valid_idx)
        return (torch.utils.data.Subset(dataset, train_idx),
                torch.utils.data.Subset(dataset, valid_idx))

    # ---------------------------------------------------------------- data
    def _split_pairs(self, X, y):
        h = self.horizon
        if not (isinstance(h, numbers.Integral) and h >= 1):
            raise ValueError(f"horizon must be a positive integer; got {h!r}.")
        if y is None:
            if X.shape[1] <= h:
                raise ValueError(
                    f"fit(X) without y splits each stretch into input and target: it needs more "
                    f"than horizon={h} steps, got {X.shape[1]}."
                )
            return np.ascontiguousarray(X[:, :-h]), np.ascontiguousarray(X[:, -h:])
        y = check_windows(y, ndim=4, dtype=np.float32, name="y")
        if y.shape[0] != X.shape[0] or y.shape[2:] != X.shape[2:]:
            raise ValueError(
                f"y (next clips) must be (n, T2, C, M) matching X {X.shape}; got {y.shape}."
            )
        if y.shape[1] < h:
            raise ValueError(f"y has {y.shape[1]} steps, fewer than horizon={h}.")
        return X, np.ascontiguousarray(y[:, :h])

    def fit(self, X, y=None, groups=None, **fit_params):
        """Pre-train the encoder-decoder.

        Parameters
        ----------
        X : array-like of shape (n, T, C, M)
            Log-amplitude FFT clips (unstandardised).
        y : array-like of shape (n, T2, C, M) or None
            Next clips (``T2 >= horizon``); ``None`` splits ``X`` (see class docstring).
        groups : array-like of shape (n,) or None
            Subject ids: subject-wise inner validation split.

        Returns
        -------
        self
        """
        X = self._check_features(X, reset=True)
        groups = check_groups(groups, X.shape[0])
        Xin, Y = self._split_pairs(X, y)
        self._fit_graph(Xin)
        self.module_kwargs_from_data_ = {"input_dim": self.n_bins_in_,
                                         "filter_type": self.graph_.filter_type,
                                         "horizon": int(self.horizon)}
        self.random_seed_ = seed_from_random_state(self.random_state)
        self.fit_groups_ = groups
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(self.random_seed_)
                self.initialize()
                NeuralNet.partial_fit(self, Xin, Y, **fit_params)
        finally:
            self.fit_groups_ = None
        return self

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        x = to_tensor(Xi, device=self.device)
        y = to_tensor(yi, device=self.device)
        supports = self._supports_for(x)
        if self.augment:
            x, supports, y = self._augment(x, supports, y)
        y_pred = self.module_(self._standardize(x), supports, **fit_params)
        loss = self.get_loss(y_pred, self._standardize(y), X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = batch
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, self._standardize(to_tensor(yi, device=self.device)),
                                 X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}

    def infer(self, x, **fit_params):
        x = to_tensor(x, device=self.device)
        supports = self._supports_for(x)
        return self.module_(self._standardize(x), supports, **fit_params)

    def predict(self, X):
        """Predicted next steps in log-amplitude units, ``(n, horizon, C, M)`` float32."""
        self.check_is_fitted()
        X = self._check_features(X, reset=False)
        out = NeuralNet.predict_proba(self, X)  # raw module output, no nonlinearity
        return (out * self.std_ + self.mean_).astype(np.float32)

    def score(self, X, y=None, sample_weight=None):
        """Negative mean absolute error (log-amplitude units) of the next-step prediction.

        ``X``, ``y`` as in :meth:`fit` (``y=None`` splits ``X``). Higher is better.
        """
        X = self._check_features(X, reset=False)
        Xin, Y = self._split_pairs(X, y)
        return -float(np.mean(np.abs(self.predict(Xin) - Y)))

    def _get_predict_nonlinearity(self):
        return lambda x: x

    # ---------------------------------------------------------------- persistence
    def save(self, path, *, overwrite=False):
        """Save weights + JSON configuration (loadable with ``torch.load(weights_only=True)``)."""
        from .serialization import FORMAT, FORMAT_VERSION, _Encoder, _class_path

        self.check_is_fitted()
        path = Path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
        enc = _Encoder()
        params = {k: enc(v, k) for k, v in self.get_params(deep=False).items() if k != "graph"}
        fitted = {k: enc(getattr(self, k), k) for k in (
            "mean_", "std_", "n_channels_in_", "n_steps_in_", "n_bins_in_", "ch_names_",
            "reflect_perm_", "module_kwargs_from_data_", "random_seed_")}
        config = {"estimator": _class_path(type(self)), "params": params, "fitted": fitted,
                  "graph": enc(_graph_to_spec(self.graph), "graph")}
        payload = {"format": FORMAT, "format_version": FORMAT_VERSION,
                   "config": json.dumps(config),
                   "state_dict": {k: v.detach().cpu().clone()
                                  for k, v in self.module_.state_dict().items()},
                   "arrays": enc.arrays}
        tmp = path.with_name(path.name + ".tmp")
        torch.save(payload, tmp)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path, *, device=None):
        """Load a pre-trainer written by :meth:`save`."""
        from .serialization import FORMAT, _class_path, _decode

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        payload = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError(f"{path} is not an skseizure estimator file.")
        config = json.loads(payload["config"])
        if config["estimator"] != _class_path(cls):
            raise ValueError(f"{path} holds a {config['estimator']}, not a {cls.__name__}.")
        arrays = payload.get("arrays", {})
        params = {k: _decode(v, arrays) for k, v in config["params"].items()}
        if device is not None:
            params["device"] = device
        est = cls(graph=_graph_from_spec(_decode(config["graph"], arrays)), **params)
        for k, v in config["fitted"].items():
            setattr(est, k, _decode(v, arrays))
        est.graph_ = _refit_graph(est.graph, est.n_channels_in_)
        est.initialize()
        est.module_.load_state_dict(payload["state_dict"], strict=True)
        est.module_.eval()
        return est


# --------------------------------------------------------------------------- helpers
def _load_pretrained_encoder(module, pretrainer):
    """Copy encoder layers ``0 .. L-1`` of a fitted pre-trainer into ``module.encoder``."""
    if not isinstance(pretrainer, DCRNNPretrainer):
        raise TypeError(
            f"pretrained must be a fitted DCRNNPretrainer (optionally in sklearn.frozen."
            f"FrozenEstimator), got {type(pretrainer).__name__}."
        )
    if not getattr(pretrainer, "initialized_", False) or not hasattr(pretrainer, "module_"):
        raise ValueError(
            "pretrained DCRNNPretrainer is not fitted (clone() returns an unfitted copy: wrap "
            "the fitted pre-trainer in sklearn.frozen.FrozenEstimator for GridSearchCV / "
            "cross_validate)."
        )
    src = pretrainer.module_.encoder.layers
    dst = module.encoder.layers
    if len(src) < len(dst):
        raise ValueError(
            f"The pre-trained encoder has {len(src)} layers; the classifier needs {len(dst)}."
        )
    for i, layer in enumerate(dst):
        try:
            layer.load_state_dict(src[i].state_dict(), strict=True)
        except RuntimeError as exc:
            raise ValueError(
                f"Pre-trained encoder layer {i} does not fit the classifier (same graph "
                f"filter_type, num_units, max_diffusion_step and FFT bins needed): {exc}"
            ) from exc


def _graph_to_spec(graph):
    if graph is None:
        return None
    if not isinstance(graph, (DistanceGraph, CorrelationGraph)):
        raise ValueError(
            f"Only DistanceGraph / CorrelationGraph graphs can be saved, got {type(graph).__name__}."
        )
    params = graph.get_params(deep=False)
    if params.get("ch_names") is not None:
        params["ch_names"] = [str(c) for c in params["ch_names"]]
    return {"graph_class": type(graph).__name__, "graph_params": params}


def _graph_from_spec(spec):
    if spec is None or isinstance(spec, (DistanceGraph, CorrelationGraph)):
        return spec
    classes = {"DistanceGraph": DistanceGraph, "CorrelationGraph": CorrelationGraph}
    return classes[spec["graph_class"]](**spec["graph_params"])


def _refit_graph(graph, n_channels):
    graph = DistanceGraph() if graph is None else clone(graph)
    if isinstance(graph, DistanceGraph):
        return graph.fit()
    return graph.fit(np.ones((1, 1, n_channels, 1), dtype=np.float32))
