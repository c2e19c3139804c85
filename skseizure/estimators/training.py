"""Training helpers shared by every skseizure network estimator and the pruner.

- :func:`inner_validation_split`: the internal train/validation split used for
  early stopping (subject-wise with ``groups``);
- :func:`seeded_iterator`: skorch ``get_iterator`` with seeded shuffling;
- :func:`valid_accuracy`, :func:`valid_f1_macro`, :func:`proba_encoded`:
  skorch ``EpochScoring`` callables on label-encoded targets;
- :func:`check_labels`: refuses missing (NaN/None) or infinite labels;
- :func:`check_input_shape`: refuses windows whose shape differs from the one
  seen in ``fit``;
- :class:`WindowWiseSplitWarning` and :func:`warn_window_wise_split`: the
  warning given when early stopping holds out windows instead of subjects.

Everything is module level so that the estimators stay picklable.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch
from sklearn.model_selection import (
    GroupShuffleSplit,
    ShuffleSplit,
    StratifiedGroupKFold,
    StratifiedShuffleSplit,
)
from skorch import NeuralNetClassifier
from skorch.utils import to_numpy

__all__ = [
    "WindowWiseSplitWarning",
    "check_input_shape",
    "check_labels",
    "inner_validation_split",
    "proba_encoded",
    "seeded_iterator",
    "silent_sink",
    "softmax",
    "valid_accuracy",
    "valid_f1_macro",
    "warn_window_wise_split",
]


class WindowWiseSplitWarning(UserWarning):
    """Early stopping uses a window-wise split because no ``groups`` were given."""


def warn_window_wise_split(estimator_name, *, split="early-stopping validation split",
                           disable="valid_size=None", stacklevel=3):
    """Warn that the internal validation split is window-wise, not subject-wise.

    Windows of one subject are strongly correlated: a validation split that puts
    windows of the same subject on both sides makes early stopping select on an
    optimistic score.

    Parameters
    ----------
    estimator_name : str
        Name used in the message.
    split : str
        What the split is used for, named in the message.
    disable : str
        The parameter setting that turns the split off, named in the message.
    stacklevel : int, default=3
    """
    warnings.warn(
        f"{estimator_name} was fitted without groups: its {split} is window-wise, not "
        "subject-wise (windows of one subject end up on both sides). Pass subject ids "
        "with fit(X, y, groups=subject_ids) (clf__groups=... in a Pipeline), or set "
        f"{disable} to train without a validation split.",
        WindowWiseSplitWarning,
        stacklevel=stacklevel,
    )


def check_labels(y, *, name="y"):
    """Return ``y`` as a 1-D array, refusing missing or infinite labels.

    Parameters
    ----------
    y : array-like of shape (n_windows,) or (n_windows, 1)
        Class labels (ints, strings, floats ...).
    name : str, default="y"

    Returns
    -------
    y : ndarray of shape (n_windows,)

    Raises
    ------
    ValueError
        If ``y`` is not 1-D, or holds NaN, None or +/-inf (a missing label
        would otherwise become a class of its own).
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per window), got shape {y.shape}.")
    if y.dtype.kind in "fc":
        bad = ~np.isfinite(y)
    elif y.dtype.kind == "O":
        bad = np.fromiter((_is_missing(v) for v in y), dtype=bool, count=y.size)
    else:
        return y
    if bad.any():
        where = np.flatnonzero(bad)
        shown = ", ".join(str(i) for i in where[:5]) + (", ..." if where.size > 5 else "")
        raise ValueError(
            f"{name} holds {where.size} missing or infinite label(s) (NaN, None or inf) at "
            f"index {shown}; drop or label those windows before fit."
        )
    return y


def _is_missing(v):
    if v is None:
        return True
    if isinstance(v, (numbers.Real, np.number)) and not isinstance(v, (bool, np.bool_)):
        return not np.isfinite(float(v))
    try:
        return bool(v != v)  # NaN-like objects (pandas.NA raises here)
    except (TypeError, ValueError):
        return True


_AXIS_WORD = {"n_times": "samples", "n_channels": "channels", "n_electrodes": "electrodes"}


def check_input_shape(X, expected, *, estimator_name="estimator", axis_names=None):
    """Raise if the non-batch shape of ``X`` differs from the one seen in ``fit``.

    Parameters
    ----------
    X : ndarray of shape (n_windows, ...)
    expected : sequence of int or None
        ``X.shape[1:]`` recorded at fit (e.g. ``(n_channels, n_times)``). None
        skips the check (estimators fitted before it was recorded).
    estimator_name : str
    axis_names : sequence of str or None
        Names of the non-batch axes, e.g. ``("n_channels", "n_times")``.

    Raises
    ------
    ValueError
        Naming the first axis that differs, the expected and the received value.
    """
    if expected is None:
        return
    expected = tuple(int(s) for s in expected)
    got = tuple(int(s) for s in X.shape[1:])
    if got == expected:
        return
    if len(got) != len(expected):
        raise ValueError(
            f"X has windows of shape {got}, but {estimator_name} was fitted with windows "
            f"of shape {expected}."
        )
    names = list(axis_names or ())
    if len(names) != len(expected):
        names = []  # names that do not describe these axes would mislead
    for ax, (e, g) in enumerate(zip(expected, got)):
        if e != g:
            label = names[ax] if ax < len(names) else f"axis {ax + 1}"
            word = _AXIS_WORD.get(label, "")
            raise ValueError(
                f"X has {label}={g}{' ' + word if word else ''} per window (shape {X.shape}), "
                f"but {estimator_name} was fitted with {label}={e} (windows of shape "
                f"{expected}); resample or cut the windows to the fitted length."
            )


def softmax(x):
    """Softmax over the last axis (predict non-linearity for focal loss)."""
    return torch.softmax(x, dim=-1)


def proba_encoded(net, X):
    """Probabilities through skorch's own ``predict_proba`` (cached during scoring)."""
    # During epoch scoring ``X`` is the validation Subset and the forward pass is
    # served from skorch's cache.
    return NeuralNetClassifier.predict_proba(net, X)


def valid_f1_macro(net, X, y):
    """Macro-F1 on label-encoded targets (skorch ``EpochScoring`` callable)."""
    from sklearn.metrics import f1_score

    y_pred = proba_encoded(net, X).argmax(axis=1)
    return f1_score(to_numpy(y), y_pred, average="macro", zero_division=0)


def valid_accuracy(net, X, y):
    """Accuracy on label-encoded targets (skorch ``EpochScoring`` callable)."""
    y_pred = proba_encoded(net, X).argmax(axis=1)
    return float(np.mean(to_numpy(y) == y_pred))


def silent_sink(*args, **kwargs):
    """Sink that discards callback messages (verbosity is the estimator's job)."""
    return None


def inner_validation_split(y, groups=None, valid_size=0.2, random_state=None):
    """Indices of the internal train/validation split used for early stopping.

    Also the validation split of :class:`skseizure.pruning.StructuredPruner`.

    Parameters
    ----------
    y : ndarray of shape (n_windows,)
        Class labels.
    groups : ndarray of shape (n_windows,) or None
        Subject ids. When given (and at least two subjects exist) the split is
        **subject-wise**: no subject has windows on both sides. It uses the
        first fold of ``StratifiedGroupKFold(n_splits=round(1 / valid_size))``
        so that the validation fold keeps the class balance as well as the
        subjects allow, and falls back to ``GroupShuffleSplit`` when there are
        fewer subjects than folds.
        Without groups the split is window-wise and stratified
        (``StratifiedShuffleSplit``); ``ShuffleSplit`` if a class is too rare.
    valid_size : float in (0, 1)
        Fraction of windows (approximately, for grouped splits) held out.
    random_state : int or None

    Returns
    -------
    train_idx, valid_idx : ndarray of int
    """
    y = np.asarray(y)
    n = y.shape[0]
    idx = np.arange(n)
    if (isinstance(valid_size, bool) or not isinstance(valid_size, numbers.Real)
            or not 0.0 < valid_size < 1.0):
        raise ValueError(f"valid_size must be a float in (0, 1), got {valid_size!r}.")
    if groups is not None:
        uniq = np.unique(groups)
        if uniq.size >= 2:
            n_splits = max(2, int(round(1.0 / valid_size)))
            if uniq.size >= n_splits:
                cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
                with warnings.catch_warnings():
                    # "The least populated class has only k members" is expected
                    # for rare seizure classes; the split stays subject-wise.
                    warnings.simplefilter("ignore", UserWarning)
                    return next(iter(cv.split(idx, y, groups)))
            # test_size is a fraction of *subjects*; sklearn rounds it up to >= 1
            cv = GroupShuffleSplit(n_splits=1, test_size=valid_size, random_state=random_state)
            return next(iter(cv.split(idx, y, groups)))
        warnings.warn(
            "groups holds a single subject: the internal validation split falls back to "
            "a window-wise stratified split (windows of that subject on both sides).",
            UserWarning,
            stacklevel=3,
        )
    _, counts = np.unique(y, return_counts=True)
    n_valid = int(np.ceil(valid_size * n))
    if counts.min() >= 2 and n_valid >= counts.size and n - n_valid >= counts.size:
        cv = StratifiedShuffleSplit(n_splits=1, test_size=valid_size, random_state=random_state)
        return next(iter(cv.split(idx, y)))
    cv = ShuffleSplit(n_splits=1, test_size=valid_size, random_state=random_state)
    return next(iter(cv.split(idx)))


def seeded_iterator(net, dataset, training):
    """skorch ``get_iterator`` whose shuffling depends only on ``net.random_seed_``.

    The training loader shuffles with its own ``torch.Generator`` seeded from
    ``random_seed_`` (offset by the epochs already run, so ``partial_fit`` calls
    do not replay the same order); the validation/prediction loader gets a fresh
    generator so that predicting never consumes the caller's global RNG.
    Shared by every skseizure skorch net (classifiers and the DCRNN pre-trainer).
    """
    if training:
        kwargs = net.get_params_for("iterator_train")
        iterator = net.iterator_train
        seed = getattr(net, "random_seed_", None)
        if kwargs.get("shuffle") and seed is not None and "generator" not in kwargs:
            gen = torch.Generator()
            gen.manual_seed(int(seed) + 7919 * len(net.history_ or []))
            kwargs["generator"] = gen
    else:
        kwargs = net.get_params_for("iterator_valid")
        iterator = net.iterator_valid
        if iterator is torch.utils.data.DataLoader:
            # A DataLoader without its own generator draws a base seed from
            # torch's *global* RNG on every pass; predicting must not
            # change the caller's random stream.
            kwargs.setdefault("generator", torch.Generator())
    kwargs.setdefault("batch_size", net.batch_size)
    if kwargs["batch_size"] == -1:
        kwargs["batch_size"] = len(dataset)
    return iterator(dataset, **kwargs)
