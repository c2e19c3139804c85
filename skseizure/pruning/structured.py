"""Accuracy-constrained structured pruning as a scikit-learn meta-estimator."""

from __future__ import annotations

import copy
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.metrics import check_scoring
from sklearn.utils.validation import check_is_fitted

from .._utils.random import seed_from_random_state
from .._utils.validation import check_groups, check_windows
from ..estimators.training import (
    check_input_shape,
    check_labels,
    inner_validation_split,
    warn_window_wise_split,
)
from ._persistence import save_pruned
from ._retraining import (
    bisect_amount,
    fit_network,
    is_skorch_net,
    module_device,
    network_has_validation,
    prune_copy,
    retrain,
)
from ._torch_pruning import conv_layers, find_output_layer, prune_module
from .flops import count_flops, count_params

__all__ = ["StructuredPruner"]


class StructuredPruner(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Structured (kernel-wise) pruning of a network classifier, with an accuracy constraint.

    Implements the method of Mounvik K and Harshit (2025), "Accuracy-Constrained CNN
    Pruning for Efficient and Reliable EEG-Based Seizure Detection" (arXiv
    2509.05190): train the network, score
    every convolution kernel by the L1 norm of its weights, keep the top
    ``1 - amount`` kernels **per convolution layer**, build a physically smaller
    network (kept output channels; BatchNorm, depthwise convolutions, the next
    layer's input channels, the LSTM input size and the fully connected layer resized
    to match, through Torch-Pruning's dependency graph), retrain it under the same
    conditions, and keep it only if its validation score does not drop by more than
    ``max_score_drop``.

    Parameters
    ----------
    estimator : skorch NeuralNet classifier
        The network estimator to prune, e.g. ``skseizure.estimators.LightCNNClassifier``.
        It is cloned and fitted in :meth:`fit` (unless ``prefit=True``). Its module
        must contain convolutions; its output layer (attribute ``final_layer`` of the
        module, else the last ``nn.Linear`` with one output per class) is never pruned.
    amount : float in [0, 1), default=0.5
        Fraction of the kernels (output channels) of every prunable convolution to
        remove: ``floor(amount * n_kernels)`` per layer, never all. With
        ``max_score_drop`` set, this is the largest fraction tried.
    importance : {"l1", "l2"} or torch_pruning importance, default="l1"
        Kernel score. ``"l1"``: ``sum(|W_j|)`` of each kernel, per layer (the paper's;
        Torch-Pruning's ``MagnitudeImportance(p=1, group_reduction="first",
        normalizer=None)``). ``"l2"``: squared L2 norm (same ranking as L2).
    scoring : str or callable, default="f1_macro"
        Validation score compared before and after pruning (any sklearn scorer).
    max_score_drop : float >= 0 or None, default=None
        Accuracy constraint, in units of ``scoring`` (0.01 = one point of macro-F1).
        None: prune exactly ``amount``. A number: search by bisection over
        ``[0, amount]`` (``n_search_steps`` retrainings after trying ``amount``
        itself) for the largest fraction whose validation score is at least
        ``baseline_score_ - max_score_drop``; the path is in ``history_``. If no
        fraction passes, the unpruned network is kept (``amount_ == 0``). Bisection
        assumes the score decreases with the pruned fraction.
    retrain : bool, default=True
        Retrain the pruned network with the estimator's own settings (fresh
        optimizer, learning-rate schedule and early stopping; same data). False gives
        one-shot pruning.
    prefit : bool, default=False
        If True, ``estimator`` is already fitted and is used as the baseline as is
        (a deep copy is pruned; the object passed is never modified). It may be an
        ``estimator_`` pruned before (pruning again continues its record). The
        validation part of ``X`` scores it, so pass data it was not trained on if
        ``baseline_score_`` should be a held-out score. ``clone``
        returns an unfitted estimator, so a cloned pruner with ``prefit=True``
        cannot be fitted (as with sklearn's ``SelectFromModel``).
    validation_fraction : float in (0, 1) or None, default=0.2
        Fraction of the windows held out from training to compute
        ``baseline_score_`` and ``pruned_score_`` and to apply the constraint, split
        by :func:`skseizure.estimators.inner_validation_split`: whole subjects when
        ``groups`` are given; windows, stratified, otherwise (``fit`` then warns).
        The final networks are trained on the rest. None trains on everything; the
        scores are then NaN and ``max_score_drop`` must be None.
    n_search_steps : int, default=3
        Bisection steps of the constrained search.
    random_state : int, RandomState or None, default=None
        Seeds the validation split and the retraining (torch's generator is forked,
        so the global state is left untouched).

    Attributes
    ----------
    estimator_ : skorch NeuralNet
        The fitted, pruned (and retrained) estimator used by ``predict``.
    baseline_estimator_ : skorch NeuralNet
        The fitted, unpruned estimator.
    amount_ : float
        Accepted pruning fraction (``amount`` unless the constraint lowered it).
    baseline_score_, pruned_score_ : float
        Validation scores of the unpruned and the accepted network (NaN without a
        validation split).
    kernel_retention_ : dict
        ``{"overall": float, "per_layer": {layer_name: float}}``: fraction of the
        convolution kernels kept (the paper's "No. of kernels"), over all convolutions
        (protected ones included) and per convolution.
    protected_layers_ : dict of str to str
        Convolutions left unpruned and why.
    removed_channels_ : dict of str to list of int
        Output channels removed from each pruned root convolution (original indices),
        enough to rebuild the pruned architecture from the unpruned one.
    n_params_before_, n_params_after_ : int
        Trainable parameters of the module.
    flops_before_, flops_after_ : int
        Forward FLOPs for one window, from ``torch.utils.flop_counter.FlopCounterMode``
        (2 FLOPs per multiply-accumulate of convolutions and matrix products;
        element-wise operations not counted).
    history_ : list of dict
        Every candidate tried: ``amount``, ``score``, ``accepted``, ``n_params``,
        ``flops``, ``kernel_retention``.
    classes_ : ndarray
        Class labels (from ``estimator_``).
    n_channels_in_ : int
        Number of input channels seen in ``fit``.
    input_shape_ : tuple of int
        Shape of one window seen in ``fit``; other shapes are refused at predict.
    validation_indices_ : ndarray of int or None
        Indices (into the ``X`` given to ``fit``) of the held-out validation windows
        (whole subjects when ``groups`` were given).

    Notes
    -----
    Pruning removes feature-map channels of the network, never EEG input channels.
    Layers whose width is fixed are protected: the classifier output layer, a
    depthwise convolution reading the input directly, and grouped convolutions with a
    depth multiplier other than 1 (write those as concatenated depthwise
    convolutions, as ``skseizure.eng.mobilescape_net.DepthwiseConv2d`` does).
    Only convolutions are pruned; hidden linear layers and LSTM hidden sizes keep
    their width (their inputs shrink with the convolutions feeding them).

    **Routing groups** (as for the network estimators): in a ``Pipeline`` pass
    ``clf__groups=g``; in ``GridSearchCV`` either ``search.fit(X, y, groups=g,
    clf__groups=g)`` or, with ``sklearn.set_config(enable_metadata_routing=True)``,
    just ``search.fit(X, y, groups=g)`` (``fit`` requests ``groups`` by default).

    Examples
    --------
    >>> from skseizure.estimators import LightCNNClassifier  # doctest: +SKIP
    >>> pruner = StructuredPruner(LightCNNClassifier(max_epochs=20), amount=0.5,
    ...                           max_score_drop=0.01)  # doctest: +SKIP
    >>> pruner.fit(X, y, groups=infant_ids).kernel_retention_["overall"]  # doctest: +SKIP
    0.5
    """

    # ``groups`` is requested by default when sklearn metadata routing is enabled
    # (as for the network estimators), so a search routes them to the pruner.
    __metadata_request__fit = {"groups": True}

    def __init__(
        self,
        estimator,
        amount=0.5,
        importance="l1",
        scoring="f1_macro",
        max_score_drop=None,
        retrain=True,
        prefit=False,
        validation_fraction=0.2,
        n_search_steps=3,
        random_state=None,
    ):
        self.estimator = estimator
        self.amount = amount
        self.importance = importance
        self.scoring = scoring
        self.max_score_drop = max_score_drop
        self.retrain = retrain
        self.prefit = prefit
        self.validation_fraction = validation_fraction
        self.n_search_steps = n_search_steps
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # networks take 3-D windows (n, C, T), or 4-D signatures
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags

    # ------------------------------------------------------------------ checks
    def _validate_params(self):
        def number(v):
            return isinstance(v, numbers.Real) and not isinstance(v, bool)

        amount, drop, frac = self.amount, self.max_score_drop, self.validation_fraction
        if not (number(amount) and 0.0 <= amount < 1.0):  # also refuses NaN
            raise ValueError(
                f"amount must be a fraction in [0, 1) of the kernels to remove; got {amount!r}."
            )
        if drop is not None and not (number(drop) and drop >= 0):
            raise ValueError(f"max_score_drop must be None or a number >= 0; got {drop!r}.")
        if frac is not None and not (number(frac) and 0 < frac < 1):
            raise ValueError(f"validation_fraction must be None or in (0, 1); got {frac!r}.")
        if drop is not None and frac is None:
            raise ValueError(
                "max_score_drop needs a validation split: set validation_fraction "
                "(e.g. 0.2), or max_score_drop=None."
            )
        steps = self.n_search_steps
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
            raise ValueError(f"n_search_steps must be an integer >= 0; got {steps!r}.")

    def _check_prunable(self, estimator):
        name = type(estimator).__name__
        if not is_skorch_net(estimator):
            raise TypeError(
                f"StructuredPruner needs a skorch network estimator (skorch.NeuralNet, "
                f"e.g. skseizure.estimators.LightCNNClassifier); got {name}, which has no "
                "torch module to prune."
            )

    def _check_module(self, estimator):
        module = estimator.module_
        if not conv_layers(module):
            raise TypeError(
                f"StructuredPruner cannot prune {type(estimator).__name__}: its module "
                f"{type(module).__name__} has no convolution layer (structured pruning "
                "removes convolution kernels)."
            )

    def _split(self, y, groups, seed):
        """Indices of the pruner's training and validation windows."""
        if self.validation_fraction is None:
            return np.arange(y.shape[0]), None
        if groups is not None and np.unique(groups).size < 2:
            raise ValueError(
                "groups hold a single subject: a subject-wise validation split needs "
                "at least 2 (or set validation_fraction=None)."
            )
        return inner_validation_split(y, groups, self.validation_fraction, random_state=seed)

    def _score(self, estimator, X, y):
        if X is None:
            return float("nan")
        scorer = check_scoring(estimator, scoring=self.scoring)
        return float(scorer(estimator, X, y))

    def _example_inputs(self, module, X):
        return torch.as_tensor(X[:2], device=module_device(module))

    def _candidate(self, base, amount, X, y, groups, fit_params, X_val, y_val, seed):
        """Prune a copy of ``base`` at ``amount``, retrain it, score it."""
        n_outputs = len(getattr(base, "classes_", [])) or None
        module, report = prune_copy(base, amount, self._example_inputs(base.module_, X),
                                    importance=self.importance, n_outputs=n_outputs)
        est = copy.deepcopy(base)
        if report.removed:
            est.module_ = module
            if self.retrain:
                retrain(est, X, y, groups, fit_params, seed)
            else:
                # one-shot: still a fresh optimizer on the new parameters
                est.initialize_optimizer()
        score = self._score(est, X_val, y_val)
        return est, report, score

    def _check_fit_input(self, X, y, groups):
        X = check_windows(X, ndim=(3, 4))
        y = check_labels(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must be 1-D with one label per window ({X.shape[0]}); got shape {y.shape}."
            )
        groups = check_groups(groups, X.shape[0])
        fits_network = not self.prefit or self.retrain
        if groups is None and (self.validation_fraction is not None
                               or (fits_network and network_has_validation(self.estimator))):
            warn_window_wise_split(
                type(self).__name__, stacklevel=4,
                split="validation split (pruning constraint and the network's early stopping)",
                disable="validation_fraction=None and the network's valid_size=None")
        return X, y, groups

    def _baseline_report(self, base, X):
        """Report of the unpruned network (kept when no candidate passes)."""
        return prune_module(copy.deepcopy(base.module_), self._example_inputs(base.module_, X),
                            0.0, ignored_layers=[find_output_layer(base.module_)])

    def _baseline(self, X, y, groups, fit_params, seed):
        if not self.prefit:
            return fit_network(clone(self.estimator), X, y, groups, fit_params, seed)
        est = self.estimator
        if not (getattr(est, "initialized_", False) and hasattr(est, "module_")):
            raise ValueError(
                f"prefit=True but {type(est).__name__} is not fitted; fit it "
                "first or use prefit=False."
            )
        return copy.deepcopy(est)

    # ------------------------------------------------------------------- fit
    def fit(self, X, y, groups=None, **fit_params):
        """Fit the baseline network, prune it, retrain it, apply the constraint.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows (float32). 4-D inputs such as ``(n, 1, n_electrodes, n_times)``
            signatures are accepted for 2-D networks.
        y : array-like of shape (n_windows,)
            Labels; NaN, None or inf are refused.
        groups : array-like of shape (n_windows,), optional
            Subject ids: the validation split is then subject-wise, and they are
            passed on to the network's ``fit`` (its own early-stopping split).
            Without them (and with a validation split) ``fit`` warns.
        **fit_params : dict
            Passed to the network's ``fit``.

        Returns
        -------
        self : StructuredPruner
        """
        self._validate_params()
        self._check_prunable(self.estimator)
        X, y, groups = self._check_fit_input(X, y, groups)
        seed = seed_from_random_state(self.random_state)
        train, val = self._split(y, groups, seed)
        X_tr, y_tr = X[train], y[train]
        g_tr = None if groups is None else groups[train]
        X_val, y_val = (None, None) if val is None else (X[val], y[val])

        base = self._baseline(X_tr, y_tr, g_tr, fit_params, seed)
        self._check_module(base)
        module = base.module_
        one = torch.as_tensor(X[:1], device=module_device(module))
        self.n_channels_in_ = int(X.shape[1])
        self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        self.validation_indices_ = None if val is None else np.asarray(val)
        self.baseline_estimator_ = base
        self.baseline_score_ = self._score(base, X_val, y_val)
        self.n_params_before_ = count_params(module)
        self.flops_before_ = count_flops(module, one)

        history = []

        def attempt(amount):
            est, report, score = self._candidate(
                base, amount, X_tr, y_tr, g_tr, fit_params, X_val, y_val, seed
            )
            history.append({
                "amount": float(amount),
                "score": score,
                "accepted": None,
                "n_params": count_params(est.module_),
                "flops": count_flops(est.module_, one),
                "kernel_retention": report.kernel_retention["overall"],
            })
            return est, report, score

        if self.max_score_drop is None:
            est, report, score = attempt(self.amount)
            history[-1]["accepted"] = True
            best = (float(self.amount), est, report, score)
        else:
            threshold = self.baseline_score_ - float(self.max_score_drop)
            best = bisect_amount(attempt, history, float(self.amount), threshold,
                                 int(self.n_search_steps),
                                 lambda: (base, self._baseline_report(base, X),
                                          self.baseline_score_))
        self.amount_, self.estimator_, report, self.pruned_score_ = best
        self.history_ = history
        self.kernel_retention_ = report.kernel_retention
        self.protected_layers_ = dict(report.protected)
        self.removed_channels_ = {k: list(v) for k, v in report.removed.items()}
        if report.removed:
            # the pruning record travels with the network so that save_pruned /
            # load_pruned can rebuild the pruned architecture without pickled code;
            # a network pruned before (prefit) keeps its earlier steps first
            earlier = [list(step) for step in getattr(base, "pruning_steps_", [])]
            self.estimator_.pruning_steps_ = earlier + [
                [name, list(idxs)] for name, idxs in report.steps
            ]
            self.estimator_.pruning_input_shape_ = [int(s) for s in X.shape[1:]]
        self.n_params_after_ = count_params(self.estimator_.module_)
        self.flops_after_ = count_flops(self.estimator_.module_, one)
        return self

    def save(self, path, *, overwrite=False):
        """Save the pruned network (``estimator_``) to one safe file.

        See :func:`skseizure.pruning.save_pruned`; read it back with
        :func:`skseizure.pruning.load_pruned`, which returns the network estimator
        (bit-identical predictions).

        Returns
        -------
        path : pathlib.Path
        """
        check_is_fitted(self, "estimator_")
        return save_pruned(self, path, overwrite=overwrite)

    # ------------------------------------------------------------ delegation
    @property
    def classes_(self):
        """Class labels of the fitted network."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.classes_

    def predict(self, X):
        """Predicted labels, shape ``(n_windows,)``, from the pruned network."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(self._check_X(X))

    def predict_proba(self, X):
        """Class probabilities, shape ``(n_windows, n_classes)``, from the pruned network."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(self._check_X(X))

    def score(self, X, y, sample_weight=None):
        """The pruned network's own ``score`` (accuracy for classifiers)."""
        check_is_fitted(self, "estimator_")
        X = self._check_X(X)
        if sample_weight is None:
            return self.estimator_.score(X, y)
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def _check_X(self, X):
        """Windows of the shape seen in ``fit`` (channels first, then the other axes)."""
        X = check_windows(X, ndim=(3, 4))
        if X.shape[1] != self.n_channels_in_:
            raise ValueError(
                f"X has {X.shape[1]} channels, but StructuredPruner was fitted with "
                f"{self.n_channels_in_} channels."
            )
        names = ("n_channels", "n_times") if X.ndim == 3 else ("n_channels", "height", "width")
        check_input_shape(X, getattr(self, "input_shape_", None), axis_names=names,
                          estimator_name=type(self).__name__)
        return X
