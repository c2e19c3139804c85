"""Accuracy-constrained structured pruning as a scikit-learn meta-estimator."""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.metrics import check_scoring
from sklearn.utils.validation import check_is_fitted

from .._utils.random import seed_from_random_state
from .._utils.validation import check_groups, check_windows
from ..estimators.training import check_input_shape, check_labels, warn_window_wise_split
from ._checks import check_pruner_params, held_out_splits
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

    Implements the method of N. Harshit (2025), "Accuracy-Constrained CNN Pruning
    for Efficient and Reliable EEG-Based Seizure Detection" (arXiv:2509.05190):
    train the network, score every convolution kernel by the L1 norm of its weights,
    keep the top ``1 - amount`` kernels **per convolution layer**, build a physically
    smaller network (kept output channels; BatchNorm, depthwise convolutions, the
    next layer's input channels, the LSTM input size and the fully connected layer,
    also after a per-channel reshape, resized to match, through Torch-Pruning's
    dependency graph), retrain it under the same conditions, and keep it only if its
    validation score does not drop by more than ``max_score_drop``.

    Three disjoint parts of the data (whole subjects when ``groups`` are given):
    the **test** part (``test_fraction``) only measures ``baseline_score_`` and
    ``pruned_score_``; the **validation** part (``validation_fraction`` of the rest,
    drawn only when ``max_score_drop`` is set) chooses the amount; the networks are
    trained on the remaining windows. With ``refit=True`` the chosen network is then
    retrained on all the windows given to ``fit``.

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
        ``max_score_drop`` set, this is the largest fraction tried. A plain parameter,
        so ``GridSearchCV`` can search it (selecting on its own held-out folds).
    importance : {"l1", "l2"} or torch_pruning importance, default="l1"
        Kernel score. ``"l1"``: ``sum(|W_j|)`` of each kernel, per layer (the paper's;
        Torch-Pruning's ``MagnitudeImportance(p=1, group_reduction="first",
        normalizer=None)``). ``"l2"``: squared L2 norm (same ranking as L2).
    scoring : str or callable, default="f1_macro"
        Score of the constraint and of the reported scores (any sklearn scorer).
    max_score_drop : float >= 0 or None, default=None
        Accuracy constraint, in units of ``scoring`` (0.01 = one point of macro-F1).
        None: prune exactly ``amount`` (no validation split). A number: search by
        bisection over ``[0, amount]`` (``n_search_steps`` retrainings after trying
        ``amount`` itself) for the largest fraction whose **validation** score is at
        least ``baseline_validation_score_ - max_score_drop``; the path is in
        ``history_``. If no fraction passes, the unpruned network is kept
        (``amount_ == 0``). Bisection assumes the score decreases with the fraction.
    retrain : bool, default=True
        Retrain the pruned network with the estimator's own settings (fresh
        optimizer, learning-rate schedule and early stopping; same data). False gives
        one-shot pruning.
    prefit : bool, default=False
        If True, ``estimator`` is already fitted and is used as the baseline as is
        (a deep copy is pruned; the object passed is never modified). It may be an
        ``estimator_`` pruned before (pruning again continues its record). Its scores
        are held-out only if it was not trained on the ``X`` given to ``fit``.
        ``clone`` returns an unfitted estimator, so a cloned pruner with
        ``prefit=True`` cannot be fitted (as with sklearn's ``SelectFromModel``).
    validation_fraction : float in (0, 1) or None, default=0.2
        Fraction of the windows left after the test split held out to choose the
        amount (used only with ``max_score_drop``), split by
        :func:`skseizure.estimators.inner_validation_split`: whole subjects when
        ``groups`` are given; windows, stratified, otherwise (``fit`` then warns).
    test_fraction : float in (0, 1) or None, default=0.2
        Fraction of all windows held out first, never trained on nor used for any
        choice, to measure ``baseline_score_`` and ``pruned_score_``. None: those
        scores are NaN.
    refit : bool, default=False
        After scoring, retrain the chosen network (pruned, or the baseline when
        ``amount_ == 0``) on all the windows given to ``fit`` (training, validation
        and test parts; fresh optimizer, warm weights). ``pruned_score_`` then
        estimates the refitted network's score, as ``best_score_`` does in
        ``GridSearchCV``.
    n_search_steps : int, default=3
        Bisection steps of the constrained search.
    random_state : int, RandomState or None, default=None
        Seeds the splits and the (re)training (torch's generator is forked, so the
        global state is left untouched).

    Attributes
    ----------
    estimator_ : skorch NeuralNet
        The fitted, pruned (and retrained) estimator used by ``predict``.
    baseline_estimator_ : skorch NeuralNet
        The fitted, unpruned estimator (trained on the training part).
    amount_ : float
        Accepted pruning fraction (``amount`` unless the constraint lowered it).
    baseline_score_, pruned_score_ : float
        Test-part scores of the unpruned and of the accepted network, before any
        refit (NaN when ``test_fraction=None``).
    baseline_validation_score_ : float
        Validation score of the unpruned network, the reference of the constraint
        (NaN without a validation split).
    kernel_retention_ : dict
        ``{"overall": float, "per_layer": {layer_name: float}}``: fraction of the
        convolution kernels kept (the paper's "No. of kernels"), over all convolutions
        (protected ones included) and per convolution.
    protected_layers_ : dict of str to str
        Convolutions left unpruned and why.
    removed_channels_ : dict of str to list of int
        Output channels removed from each pruned root convolution (original indices).
    n_params_before_, n_params_after_ : int
        Trainable parameters of the module.
    flops_before_, flops_after_ : int
        Forward FLOPs for one window, from ``torch.utils.flop_counter.FlopCounterMode``
        (2 FLOPs per multiply-accumulate of convolutions and matrix products;
        element-wise operations not counted).
    history_ : list of dict
        Every candidate tried: ``amount``, ``score`` (validation; NaN without a
        validation split), ``accepted``, ``n_params``, ``flops``, ``kernel_retention``.
    classes_ : ndarray
        Class labels (from ``estimator_``).
    n_channels_in_ : int
        Number of input channels seen in ``fit``.
    input_shape_ : tuple of int
        Shape of one window seen in ``fit``; other shapes are refused at predict.
    validation_indices_, test_indices_ : ndarray of int or None
        Indices (into the ``X`` given to ``fit``) of the validation and test windows.

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
        test_fraction=0.2,
        refit=False,
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
        self.test_fraction = test_fraction
        self.refit = refit
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

    def _score(self, estimator, X, y, idx):
        """Score of ``estimator`` on the windows ``idx`` of ``X`` (NaN for None)."""
        if idx is None:
            return float("nan")
        scorer = check_scoring(estimator, scoring=self.scoring)
        return float(scorer(estimator, X[idx], y[idx]))

    def _example_inputs(self, module, X):
        return torch.as_tensor(X[:2], device=module_device(module))

    def _candidate(self, base, amount, X, y, groups, fit_params, seed):
        """Prune a copy of ``base`` at ``amount`` and retrain it on ``X``."""
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
        return est, report

    def _check_fit_input(self, X, y, groups):
        X = check_windows(X, ndim=(3, 4))
        y = check_labels(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must be 1-D with one label per window ({X.shape[0]}); got shape {y.shape}."
            )
        groups = check_groups(groups, X.shape[0])
        fits_network = not self.prefit or self.retrain or self.refit
        searches = self.max_score_drop is not None
        if groups is None and (self.test_fraction is not None or searches
                               or (fits_network and network_has_validation(self.estimator))):
            warn_window_wise_split(
                type(self).__name__, stacklevel=4,
                split="held-out split (reported scores, pruning constraint and the "
                      "network's early stopping)",
                disable="test_fraction=None and the network's valid_size=None")
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

    def _search(self, base, data, train, val, fit_params, seed, one):
        """Prune ``amount`` (or search ``[0, amount]``); returns (amount, est, report, score).

        ``data`` is ``(X, y, groups)`` as given to ``fit``; candidates are trained on
        the windows ``train`` and scored on ``val``.
        """
        X, y, groups = data
        X_tr, y_tr = X[train], y[train]
        g_tr = None if groups is None else groups[train]
        history = self.history_ = []

        def attempt(amount):
            est, report = self._candidate(base, amount, X_tr, y_tr, g_tr, fit_params, seed)
            history.append({
                "amount": float(amount),
                "score": self._score(est, X, y, val),
                "accepted": None,
                "n_params": count_params(est.module_),
                "flops": count_flops(est.module_, one),
                "kernel_retention": report.kernel_retention["overall"],
            })
            return est, report, history[-1]["score"]

        if self.max_score_drop is None:
            est, report, score = attempt(self.amount)
            history[-1]["accepted"] = True
            return float(self.amount), est, report, score
        threshold = self.baseline_validation_score_ - float(self.max_score_drop)
        return bisect_amount(attempt, history, float(self.amount), threshold,
                             int(self.n_search_steps),
                             lambda: (base, self._baseline_report(base, X_tr),
                                      self.baseline_validation_score_))

    # ------------------------------------------------------------------- fit
    def fit(self, X, y, groups=None, **fit_params):
        """Fit the baseline network, prune it, retrain it, apply the constraint, score.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows (float32). 4-D inputs such as ``(n, 1, n_electrodes, n_times)``
            signatures are accepted for 2-D networks.
        y : array-like of shape (n_windows,)
            Labels; NaN, None or inf are refused.
        groups : array-like of shape (n_windows,), optional
            Subject ids: the test and validation splits are then subject-wise, and
            they are passed on to the network's ``fit`` (its own early-stopping
            split). Without them (and with a held-out split) ``fit`` warns.
        **fit_params : dict
            Passed to the network's ``fit``.

        Returns
        -------
        self : StructuredPruner
        """
        check_pruner_params(self)
        self._check_prunable(self.estimator)
        X, y, groups = self._check_fit_input(X, y, groups)
        seed = seed_from_random_state(self.random_state)
        val_fraction = None if self.max_score_drop is None else self.validation_fraction
        train, val, test = held_out_splits(y, groups, self.test_fraction, val_fraction, seed)
        g_tr = None if groups is None else groups[train]
        base = self._baseline(X[train], y[train], g_tr, fit_params, seed)
        self._check_module(base)
        one = torch.as_tensor(X[:1], device=module_device(base.module_))
        self.n_channels_in_ = int(X.shape[1])
        self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        self.validation_indices_ = None if val is None else np.asarray(val)
        self.test_indices_ = None if test is None else np.asarray(test)
        self.baseline_estimator_ = base
        self.baseline_validation_score_ = self._score(base, X, y, val)
        self.baseline_score_ = self._score(base, X, y, test)
        self.n_params_before_ = count_params(base.module_)
        self.flops_before_ = count_flops(base.module_, one)
        self.amount_, est, report, _ = self._search(base, (X, y, groups), train, val,
                                                    fit_params, seed, one)
        self.pruned_score_ = self._score(est, X, y, test)
        self.kernel_retention_ = report.kernel_retention
        self.protected_layers_ = dict(report.protected)
        self.removed_channels_ = {k: list(v) for k, v in report.removed.items()}
        if report.removed:
            # the pruning record travels with the network so that save_pruned /
            # load_pruned can rebuild the pruned architecture without pickled code;
            # a network pruned before (prefit) keeps its earlier steps first
            earlier = [list(step) for step in getattr(base, "pruning_steps_", [])]
            est.pruning_steps_ = earlier + [[name, list(idxs)] for name, idxs in report.steps]
            est.pruning_input_shape_ = [int(s) for s in X.shape[1:]]
        if self.refit:
            est = retrain(copy.deepcopy(est), X, y, groups, fit_params, seed)
        self.estimator_ = est
        self.n_params_after_ = count_params(est.module_)
        self.flops_after_ = count_flops(est.module_, one)
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
