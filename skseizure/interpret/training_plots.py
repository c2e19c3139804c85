"""Figures of a fitted network: training curves and confusion matrix (matplotlib).

Both functions draw on a given ``Axes`` (or create a figure) and return it; they never call
``plt.show``. They work for any fitted skseizure network estimator (its skorch ``history``)
and, for the confusion matrix, any fitted classifier.
"""

from __future__ import annotations

import numpy as np

__all__ = ["training_history", "plot_training_curves", "plot_confusion_matrix"]


def _axes(ax, figsize):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def _history_of(estimator):
    """The skorch history of a network, or of the network inside a pipeline/pruner."""
    for candidate in (estimator, getattr(estimator, "estimator_", None),
                      getattr(estimator, "best_estimator_", None)):
        if candidate is None:
            continue
        if hasattr(candidate, "steps"):  # a Pipeline: its last step
            candidate = candidate.steps[-1][1]
        history = getattr(candidate, "history_", None)
        if history is None:
            history = getattr(candidate, "history", None)
        if history is not None and len(history):
            return history
    raise ValueError(f"{type(estimator).__name__} has no training history: fit a network "
                     "estimator first (or pass the fitted network).")


def training_history(estimator, keys=None):
    """Per-epoch training figures of a fitted network as arrays.

    Parameters
    ----------
    estimator : fitted network estimator (or a Pipeline / StructuredPruner around one)
    keys : sequence of str or None
        History columns to return; None: every numeric column present in all epochs
        (e.g. ``train_loss``, ``valid_loss``, ``valid_f1``).

    Returns
    -------
    history : dict of str to ndarray of shape (n_epochs,)
        Includes ``"epoch"`` (1-based).
    """
    history = _history_of(estimator)
    epochs = list(history)
    if keys is None:
        common = set(epochs[0])
        for row in epochs[1:]:
            common &= set(row)
        keys = sorted(k for k in common if k not in ("epoch", "batches", "dur")
                      and isinstance(epochs[0][k], (int, float, np.floating, np.integer))
                      and not isinstance(epochs[0][k], bool))
    out = {"epoch": np.array([row.get("epoch", i + 1) for i, row in enumerate(epochs)])}
    for key in keys:
        missing = [i + 1 for i, row in enumerate(epochs) if key not in row]
        if missing:
            raise KeyError(f"{key!r} is missing from epochs {missing[:5]}; recorded columns: "
                           f"{sorted(epochs[0])}.")
        out[key] = np.array([row[key] for row in epochs], dtype=float)
    return out


def plot_training_curves(estimator, keys=None, ax=None, figsize=(6, 3.5)):
    """Loss (left axis) and validation scores (right axis) per epoch.

    Parameters
    ----------
    estimator : fitted network estimator (or a Pipeline / StructuredPruner around one)
    keys : sequence of str or None
        Columns to draw (default: all numeric ones; names containing ``loss`` go on the
        left axis, the others on a twin right axis).
    ax : matplotlib Axes or None
    figsize : tuple, default=(6, 3.5)

    Returns
    -------
    ax : matplotlib Axes
        The loss axes (the score axes is ``ax.right_ax`` when drawn).
    """
    hist = training_history(estimator, keys)
    ax = _axes(ax, figsize)
    epoch = hist.pop("epoch")
    losses = {k: v for k, v in hist.items() if "loss" in k}
    scores = {k: v for k, v in hist.items() if "loss" not in k}
    for name, values in losses.items():
        ax.plot(epoch, values, marker="o", ms=3, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    handles, labels = ax.get_legend_handles_labels()
    if scores:
        right = ax.twinx()
        for i, (name, values) in enumerate(scores.items()):
            right.plot(epoch, values, ls="--", color=f"C{len(losses) + i}", label=name)
        right.set_ylabel("score")
        h2, l2 = right.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
        ax.right_ax = right
    if handles:
        ax.legend(handles, labels, fontsize="small", loc="best")
    return ax


def plot_confusion_matrix(estimator, X, y, *, normalize=None, labels=None, ax=None, figsize=(4, 4)):
    """Confusion matrix of a fitted classifier on ``X, y`` (held-out data, please).

    Parameters
    ----------
    estimator : fitted classifier
    X : array-like
        Inputs accepted by ``estimator.predict``.
    y : array-like of shape (n_windows,)
        True labels.
    normalize : {"true", "pred", "all"} or None
        As :func:`sklearn.metrics.confusion_matrix`.
    labels : sequence or None
        Class order (default: ``estimator.classes_``).
    ax : matplotlib Axes or None
    figsize : tuple, default=(4, 4)

    Returns
    -------
    ax : matplotlib Axes
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    ax = _axes(ax, figsize)
    labels = list(getattr(estimator, "classes_", [])) if labels is None else list(labels)
    ConfusionMatrixDisplay.from_estimator(estimator, X, y, labels=labels or None,
                                          normalize=normalize, ax=ax, colorbar=False)
    return ax
