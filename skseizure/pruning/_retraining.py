"""Fitting, pruning and retraining steps of :class:`~skseizure.pruning.StructuredPruner`.

Module-level functions so that the meta-estimator keeps to its public behaviour;
nothing here is part of the public API.
"""

from __future__ import annotations

import copy
import inspect
import warnings

import torch

from ..estimators.training import WindowWiseSplitWarning
from ._torch_pruning import find_output_layer, prune_module

__all__ = [
    "accepts_groups",
    "bisect_amount",
    "fit_network",
    "is_skorch_net",
    "module_device",
    "network_has_validation",
    "prune_copy",
    "retrain",
]


def is_skorch_net(estimator):
    """True for a skorch ``NeuralNet`` (the pruner needs its ``module_``)."""
    from skorch import NeuralNet

    return isinstance(estimator, NeuralNet)


def accepts_groups(estimator):
    """True when ``estimator.fit`` takes ``groups``."""
    try:
        return "groups" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return False


def network_has_validation(estimator):
    """True when the network holds out part of its training data for early stopping."""
    train_split = getattr(estimator, "train_split", None)
    if train_split is None:
        return False
    if isinstance(train_split, str):
        return bool(getattr(estimator, "valid_size", None))
    return True


def module_device(module):
    """Device of the first parameter of ``module`` (CPU when it has none)."""
    param = next(module.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def fit_network(est, X, y, groups, fit_params, seed):
    """``est.fit`` with torch seeded by ``seed`` (global RNG restored afterwards).

    ``groups`` are passed when the network accepts them. The network's own
    warning about a window-wise split is silenced: the pruner gives it once.
    """
    kwargs = dict(fit_params)
    if groups is not None and accepts_groups(est):
        kwargs["groups"] = groups
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WindowWiseSplitWarning)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            est.fit(X, y, **kwargs)
    return est


def retrain(est, X, y, groups, fit_params, seed):
    """Retrain a pruned network in place with a fresh optimizer, callbacks and history."""
    # skorch keeps references to the old Parameters in the optimizer: build a new
    # optimizer (and callbacks: early stopping, LR schedule, checkpoints) and a new
    # history, then fit with warm_start so that ``initialize()`` does not rebuild
    # the module from its (unpruned) class arguments.
    est.initialize_optimizer()
    est.initialize_callbacks()
    est.initialize_history()
    warm_start = est.warm_start
    est.warm_start = True
    try:
        fit_network(est, X, y, groups, fit_params, seed)
    finally:
        est.warm_start = warm_start
    return est


def prune_copy(base, amount, example, *, importance="l1", n_outputs=None):
    """Prune a deep copy of ``base.module_`` by ``amount``.

    Returns
    -------
    module : torch.nn.Module
        The pruned copy (``base`` is untouched).
    report : PruneReport
    """
    module = copy.deepcopy(base.module_)
    report = prune_module(
        module,
        example,
        float(amount),
        importance=importance,
        ignored_layers=[find_output_layer(module, n_outputs)],
    )
    return module, report


def bisect_amount(attempt, history, amount, threshold, n_steps, baseline):
    """Largest pruned fraction in ``[0, amount]`` whose score stays >= ``threshold``.

    Parameters
    ----------
    attempt : callable
        ``attempt(fraction) -> (estimator, report, score)``; appends one entry
        to ``history``.
    history : list of dict
        Entries of the candidates; their ``"accepted"`` flag is set here.
    amount : float
        Largest fraction, tried first.
    threshold : float
        Lowest acceptable validation score.
    n_steps : int
        Bisection steps after ``amount`` was rejected.
    baseline : callable
        ``baseline() -> (estimator, report, score)`` of the unpruned network, kept
        when no candidate passes (bisection assumes the score falls with the fraction).

    Returns
    -------
    amount, estimator, report, score
        The accepted candidate.
    """
    est, report, score = attempt(amount)
    history[-1]["accepted"] = bool(score >= threshold)
    if history[-1]["accepted"]:
        return amount, est, report, score
    best = (0.0, *baseline())
    lo, hi = 0.0, amount  # lo is always acceptable (0 = the baseline itself), hi is not
    for _ in range(int(n_steps)):
        mid = round(0.5 * (lo + hi), 12)  # tidy float noise in history_
        est, report, score = attempt(mid)
        history[-1]["accepted"] = bool(score >= threshold)
        if history[-1]["accepted"]:
            lo = mid
            best = (mid, est, report, score)
        else:
            hi = mid
    return best
