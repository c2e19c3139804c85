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
(:mod:`skseizure.estimators.dcrnn_pretrain`); the authors' released pre-trained encoders
initialise the classifier through ``pretrained="pretrained_..._12s.pth.tar"``.

Clips of different lengths (seizure-type classification: one clip per seizure, from 2 s
before its onset to its end, see :func:`skseizure.datasets.seizure_onset_clips`) are given
as :class:`PaddedClips` (``{"x": features, "seq_lengths": valid steps}``); skorch splits
``seq_lengths`` with the batches in ``fit``, ``predict`` and ``predict_proba``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch
from skorch.callbacks import EpochScoring
from skorch.utils import to_numpy, to_tensor

from ..datasets.clips import SEIZURE_TYPE_CLASSES
from ..models.dcrnn import DCRNN
from ..preprocessing.graphs import CorrelationGraph, DistanceGraph  # noqa: F401 - doctest names
from ._base import BaseNetClassifier
from ._dcrnn_finetune import (
    copy_encoder_layers,
    encoder_recursion,
    max_f1_threshold,
    resolve_pretrained_encoder,
)
from ._graph_input import GraphInputMixin, PaddedClips, _step_mask, check_padded_clips
from .dcrnn_pretrain import DCRNNPretrainer
from .training import proba_encoded

__all__ = ["DCRNNClassifier", "DCRNNPretrainer", "PaddedClips"]


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

    Stacked DCGRU layers over the clip's FFT steps, the hidden state of every node at the
    clip's last valid step through a per-node linear layer, and the maximum over nodes
    (:class:`skseizure.models.DCRNN`). Binary problems use **one logit** (the paper's
    ``BCEWithLogitsLoss``; internally presented as the two logits ``[0, z]`` so that the
    shared cross-entropy gives exactly the binary cross-entropy, ``predict_proba`` gives
    ``[1 - sigmoid(z), sigmoid(z)]`` and ``decision_function`` gives ``z``). With the paper
    configuration the network has exactly 168,641 (distance graph) / 280,769
    (correlation graph) trainable parameters, 168,836 / 280,964 for 4 classes.
    :meth:`for_seizure_types` returns the paper's seizure-type classifier.

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
    module__chain_supports : bool or None, default=None
        Reproduce the authors' un-reset diffusion recursion (see :mod:`skseizure.models.dcrnn`).
        ``None``: as the pre-trained encoder when ``pretrained`` is given (``True`` for
        the released correlation-graph checkpoints, whose weights need it), else ``False``.
    module__basis : {"chebyshev", "power"} or None, default=None
        Diffusion polynomial basis; ``None``: as the pre-trained encoder, else the paper's
        basis of the graph's ``filter_type``.
    pretrained : path-like, DCRNNPretrainer, FrozenEstimator, torch module or None, default=None
        Pre-trained encoder whose layers ``0 .. num_layers-1`` initialise this network's
        encoder (the decoder is discarded, the head is fresh, nothing is frozen; the
        authors' ``build_finetune_model``):

        - the path of a checkpoint released with the paper
          (``pretrained_{distance,correlation}_graph_{12s,60s}.pth.tar``), read with
          :func:`skseizure.models.load_released_dcrnn` (weights only; its graph type must
          match ``graph``: ``DistanceGraph()`` for ``distance``,
          ``CorrelationGraph(top_k=3)`` for ``correlation``; the input must be 100 FFT
          bins of 1-s steps at 200 Hz on the 19 nodes of
          :data:`~skseizure.datasets.DCRNN_19`, in that order);
        - a :class:`~skseizure.models.DCRNNSeq2Seq` (or :class:`~skseizure.models.DCRNN`);
        - a fitted :class:`DCRNNPretrainer`, wrapped in
          :class:`sklearn.frozen.FrozenEstimator` so that ``clone`` (``GridSearchCV``,
          ``cross_validate``) keeps it fitted.

        Not stored by :meth:`save` (the saved weights already contain the fine-tuned encoder).
    threshold : None, float or "max_f1", default=None
        Binary problems: ``predict`` returns the positive class when its probability is
        ``>= threshold``. ``None``: the larger probability (0.5). ``"max_f1"``: the
        threshold of highest F1 on the inner validation split, chosen after training (the
        paper's detection threshold); needs ``valid_size`` and ``train_split="auto"``.
    standardize : bool, default=True
        Standardise the features with one global scalar mean/std learnt in ``fit``
        (after building the graph from the raw features; padded steps left out).
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
        Any :class:`~skseizure.estimators._base.BaseNetClassifier` / skorch parameter
        (e.g. ``classes``).

    Attributes
    ----------
    graph_ : fitted graph builder
    ch_names_ : list of str or None
    mean_, std_ : float
        Global standardisation constants (log-amplitude units), over valid steps.
    reflect_perm_ : ndarray of int or None
        Channel permutation of the reflection.
    n_channels_in_, n_steps_in_, n_bins_in_ : int
    input_shape_ : tuple of int
        ``(n_steps, n_channels, n_bins)`` seen in ``fit``: clips with another number
        of steps, channels or bins are refused at predict time.
    threshold_ : float or None
        Decision threshold on the positive-class probability used by ``predict``
        (``None``: the larger probability).
    classes_ : ndarray

    Notes
    -----
    ``X`` is an array ``(n, T, C, M)`` of clips of ``T`` valid steps, or a
    :class:`PaddedClips` (a dict ``{"x": ..., "seq_lengths": ...}`` is converted) for
    clips padded to ``T``: the network reads its output at step ``seq_lengths - 1``, the
    padding is excluded from the standardisation constants and from the correlation
    graph and is 0 after standardisation. Pass :class:`PaddedClips` (not a plain dict)
    to ``cross_validate`` / ``GridSearchCV`` so that they can index it.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skseizure.preprocessing import FFTLogAmplitude           # doctest: +SKIP
    >>> pipe = make_pipeline(FFTLogAmplitude(sfreq=200),
    ...                      DCRNNClassifier(graph=CorrelationGraph(top_k=3)))  # doctest: +SKIP
    >>> types = DCRNNClassifier.for_seizure_types(CorrelationGraph(top_k=3))
    >>> types.lr, types.max_epochs, types.module__dropout, list(types.classes)
    (0.0003, 60, 0.5, ['CF', 'GN', 'AB', 'CT'])
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
        module__chain_supports=None,
        module__basis=None,
        pretrained=None,
        threshold=None,
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
            module__basis=module__basis,
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
        self.threshold = threshold
        self.standardize = standardize
        self.augment = augment
        self.scale_range = scale_range
        self.reflect_prob = reflect_prob
        self.clip_grad_norm = clip_grad_norm

    def __setattr__(self, name, value):
        # ``pretrained`` may be a torch module (DCRNNSeq2Seq): a plain parameter, not a
        # component skorch should register, train or save
        if name == "pretrained":
            object.__setattr__(self, name, value)
            return
        super().__setattr__(name, value)

    @classmethod
    def for_seizure_types(cls, graph=None, **params):
        """The paper's seizure-type classifier (Tang et al., 2022; the authors' run script).

        Four classes (combined focal, generalised non-specific, absence, combined tonic:
        ``classes=("CF", "GN", "AB", "CT")``, see :func:`skseizure.datasets.merge_seizure_types`),
        cross-entropy, ``lr=3e-4``, 60 epochs, 2 DCGRU layers of 64 units, ``K = 2``,
        dropout 0.5, augmentation, batch 40, weight decay 5e-4. Give it one clip per seizure
        (:func:`skseizure.datasets.seizure_onset_clips`, 12 or 60 one-second steps) as
        :class:`PaddedClips`.

        Parameters
        ----------
        graph : DistanceGraph, CorrelationGraph or None
        **params
            Overrides of any parameter (``pretrained=...``, ``random_state=...``).

        Returns
        -------
        estimator : DCRNNClassifier
            Unfitted.
        """
        recipe = dict(classes=list(SEIZURE_TYPE_CLASSES), criterion=torch.nn.CrossEntropyLoss,
                      lr=3e-4, max_epochs=60, module__num_units=64, module__num_layers=2,
                      module__max_diffusion_step=2, module__dropout=0.5, augment=True,
                      batch_size=40, optimizer__weight_decay=5e-4)
        recipe.update(params)
        return cls(graph, **recipe)

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
        """Fit the graph and the standardisation; return the inferred module arguments."""
        self._fit_graph(X["x"], X["seq_lengths"])
        n_classes = int(len(self.classes_))
        self._check_threshold(n_classes)
        kwargs = {"input_dim": self.n_bins_in_,
                  "n_outputs": 1 if n_classes == 2 else n_classes,
                  "filter_type": self.graph_.filter_type}
        encoder = resolve_pretrained_encoder(self.pretrained)
        if encoder is not None:
            rec = encoder_recursion(encoder)
            n_sup = self.graph_.n_supports
            if rec["num_supports"] != n_sup:
                raise ValueError(
                    f"The pre-trained encoder uses {rec['num_supports']} graph support(s) and "
                    f"graph={type(self.graph_).__name__}(filter_type={self.graph_.filter_type!r}) "
                    f"gives {n_sup}: use the graph it was trained with (distance checkpoints: "
                    "DistanceGraph(); correlation checkpoints: CorrelationGraph(top_k=3))."
                )
            kwargs["basis"] = rec["basis"]
            if n_sup > 1:  # with one support the recursion quirk changes nothing
                kwargs["chain_supports"] = rec["chain_supports"]
        return kwargs

    def _check_threshold(self, n_classes):
        t = self.threshold
        ok = (t is None or (isinstance(t, str) and t == "max_f1")
              or (isinstance(t, numbers.Real) and not isinstance(t, bool) and 0.0 <= t <= 1.0))
        if not ok:
            raise ValueError(f"threshold must be None, a probability in [0, 1] or 'max_f1'; got {t!r}.")
        if t is not None and n_classes != 2:
            raise ValueError(f"threshold applies to binary problems; y has {n_classes} classes.")
        if t == "max_f1" and not (self._has_validation() and self.train_split == "auto"):
            raise ValueError(
                "threshold='max_f1' picks the threshold on the inner validation split: set "
                "valid_size (e.g. 0.1) and train_split='auto', or give a float threshold."
            )

    def initialize_module(self):
        """Build the network and copy the pre-trained encoder layers into it."""
        super().initialize_module()
        if self.pretrained is not None and hasattr(self, "module_kwargs_from_data_"):
            copy_encoder_layers(self.module_, resolve_pretrained_encoder(self.pretrained))
        return self

    def _check_X(self, X, reset):
        """Clips as :class:`PaddedClips` (an array gets ``seq_lengths = n_steps``)."""
        if isinstance(X, dict):
            if set(X) != {"x", "seq_lengths"}:
                raise ValueError(
                    f"X as a dict must have exactly the keys 'x' and 'seq_lengths'; got {sorted(X)}."
                )
            x = self._check_features(X["x"], reset)
            return PaddedClips(x=x, seq_lengths=check_padded_clips(x, X["seq_lengths"]))
        x = self._check_features(X, reset)
        return PaddedClips(x=x, seq_lengths=np.full(x.shape[0], x.shape[1], dtype=np.int64))

    # ---------------------------------------------------------------- fit / predict
    def _fit_encoded(self, X, y_enc, groups, fit_params, first_call):
        super()._fit_encoded(X, y_enc, groups, fit_params, first_call)
        t = self.threshold
        if t is None or not isinstance(t, str):
            self.threshold_ = None if t is None else float(t)
            return self
        valid = getattr(self, "valid_indices_", None)
        y_valid = y_enc[valid] if valid is not None else np.zeros(0)
        best = None
        if y_valid.size:
            proba = BaseNetClassifier.predict_proba(self, X[np.asarray(valid)])
            best = max_f1_threshold(y_valid, proba[:, 1])
        if best is None:
            warnings.warn(
                "threshold='max_f1': the validation split holds no positive clip; using 0.5.",
                UserWarning, stacklevel=3)
            best = 0.5
        self.threshold_ = best
        return self

    def predict(self, X):
        """Predicted labels (from ``classes_``), shape (n_clips,); see ``threshold``."""
        proba = self.predict_proba(X)
        t = getattr(self, "threshold_", None)
        if t is None or proba.shape[1] != 2:
            return self.classes_[proba.argmax(axis=1)]
        return self.classes_[(proba[:, 1] >= t).astype(np.int64)]

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

        ``x`` is a batch of clips (tensor ``(B, T, C, M)``) or a dict with ``"x"`` and
        ``"seq_lengths"``. Returns logits ``(B, n_classes)``; for binary problems ``[0, z]``.
        """
        lengths = None
        if isinstance(x, dict):
            x, lengths = x["x"], x["seq_lengths"]
        x = to_tensor(x, device=self.device)
        mask = _step_mask(lengths, x.shape[1], x)
        if mask is not None:
            x = x * mask  # padding contributes nothing to the correlation graph
        supports = self._supports_for(x)
        if getattr(self, "_augmenting_", False):
            x, supports, _ = self._augment(x, supports)
        if lengths is not None:
            fit_params = dict(fit_params, seq_lengths=torch.as_tensor(lengths, device=x.device))
        out = self.module_(self._standardize(x, mask), supports, **fit_params)
        if out.shape[1] == 1:
            out = torch.cat([torch.zeros_like(out), out], dim=1)
        return out
