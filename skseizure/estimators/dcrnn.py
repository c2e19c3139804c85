"""DCRNN seizure detector / seizure-type classifier on EEG graphs (Tang et al., 2022,
"Self-supervised graph neural networks for improved electroencephalographic seizure
analysis", ICLR).

Input: log-amplitude FFT clips ``(n_clips, n_steps, n_channels, n_bins)`` from
:class:`~skseizure.preprocessing.FFTLogAmplitude`, **unstandardised** (the estimators
build the correlation graph on the raw log-amplitudes, as the authors do, and then
standardise with one global scalar mean and std learnt in ``fit``).

The graph is a parameter: ``graph=DistanceGraph(...)`` or ``graph=CorrelationGraph(...)``
(see :mod:`skseizure.preprocessing.graphs` for why), searchable as ``graph__kappa`` /
``graph__top_k``. Self-supervised pre-training is :class:`DCRNNPretrainer`
(:mod:`skseizure.estimators.dcrnn_pretrain`).
"""

from __future__ import annotations

import numpy as np
import torch
from skorch.callbacks import EpochScoring
from skorch.utils import to_numpy, to_tensor

from ..models.dcrnn import DCRNN
from ..preprocessing.graphs import CorrelationGraph, DistanceGraph  # noqa: F401 - doctest names
from ._base import BaseNetClassifier
from ._graph_input import GraphInputMixin
from .dcrnn_pretrain import DCRNNPretrainer
from .training import proba_encoded

__all__ = ["DCRNNClassifier", "DCRNNPretrainer"]


def _valid_auroc(net, X, y):
    """Validation AUROC of the positive class (binary only; NaN with one class)."""
    from sklearn.metrics import roc_auc_score

    y = to_numpy(y)
    if np.unique(y).size < 2:
        return float("nan")
    return float(roc_auc_score(y, proba_encoded(net, X)[:, 1]))


# --------------------------------------------------------------------------- classifier
class DCRNNClassifier(GraphInputMixin, BaseNetClassifier):
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
        Training-time augmentation (Tang et al., 2022, App. F): amplitude scaling and reflection.
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
    input_shape_ : tuple of int
        ``(n_steps, n_channels, n_bins)`` seen in ``fit``: clips with another number
        of steps, channels or bins are refused at predict time.
    classes_ : ndarray

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseizure.preprocessing import FFTLogAmplitude           # doctest: +SKIP
    >>> pipe = make_pipeline(FFTLogAmplitude(sfreq=200),
    ...                      DCRNNClassifier(graph=CorrelationGraph(top_k=3)))  # doctest: +SKIP
    """

    #: the pre-trained model is not stored (its weights are part of the fitted network)
    _unsaved_params = ("pretrained",)

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
