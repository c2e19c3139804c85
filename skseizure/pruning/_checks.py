"""Parameter checks and held-out splits of :class:`~skseizure.pruning.StructuredPruner`.

Module-level functions so that the meta-estimator keeps to its public behaviour;
nothing here is part of the public API.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..estimators.training import inner_validation_split

__all__ = ["check_pruner_params", "held_out_splits"]


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def check_pruner_params(pruner):
    """Raise ``ValueError`` naming the first invalid parameter of ``pruner``."""
    amount, drop = pruner.amount, pruner.max_score_drop
    if not (_is_number(amount) and 0.0 <= amount < 1.0):  # also refuses NaN
        raise ValueError(
            f"amount must be a fraction in [0, 1) of the kernels to remove; got {amount!r}."
        )
    if drop is not None and not (_is_number(drop) and drop >= 0):
        raise ValueError(f"max_score_drop must be None or a number >= 0; got {drop!r}.")
    for name in ("validation_fraction", "test_fraction"):
        frac = getattr(pruner, name)
        if frac is not None and not (_is_number(frac) and 0 < frac < 1):
            raise ValueError(f"{name} must be None or in (0, 1); got {frac!r}.")
    if drop is not None and pruner.validation_fraction is None:
        raise ValueError(
            "max_score_drop needs a validation split to choose the amount on: set "
            "validation_fraction (e.g. 0.2), or max_score_drop=None."
        )
    steps = pruner.n_search_steps
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"n_search_steps must be an integer >= 0; got {steps!r}.")
    if not isinstance(pruner.refit, (bool, np.bool_)):
        raise ValueError(f"refit must be True or False; got {pruner.refit!r}.")


def _split_off(y, groups, fraction, seed, what):
    if groups is not None and np.unique(groups).size < 2:
        raise ValueError(
            f"groups hold a single subject where the {what} split is drawn: a "
            f"subject-wise split needs at least 2 (or set {what}_fraction=None)."
        )
    return inner_validation_split(y, groups, fraction, random_state=seed)


def held_out_splits(y, groups, test_fraction, validation_fraction, seed):
    """Indices of the training, validation and test windows.

    The test windows (``test_fraction`` of all windows) are drawn first, the
    validation windows (``validation_fraction`` of the rest) second, each with
    :func:`skseizure.estimators.inner_validation_split`: whole subjects when
    ``groups`` are given, stratified windows otherwise. A fraction of None gives
    None for that part.

    Returns
    -------
    train, validation, test : ndarray of int or None
    """
    rest, test = np.arange(y.shape[0]), None
    if test_fraction is not None:
        rest, test = _split_off(y, groups, test_fraction, seed, "test")
    if validation_fraction is None:
        return rest, None, test
    g_rest = None if groups is None else groups[rest]
    train, val = _split_off(y[rest], g_rest, validation_fraction, (seed + 1) % 2**32,
                            "validation")
    return rest[train], rest[val], test
