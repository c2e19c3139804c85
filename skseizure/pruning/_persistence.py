"""Safe save/load of pruned network estimators.

A pruned network no longer matches its class defaults, so its weights cannot be
loaded into a freshly built module. The file written here is an ordinary
skseizure model file (:mod:`skseizure.estimators.persistence`: tensors + a JSON
configuration with a checksum, read with ``torch.load(weights_only=True)``; no
code from the file runs) carrying the pruning record as extension state
(registered below with :func:`~skseizure.estimators.persistence.register_extension`):

- ``pruning_steps_``: ``[[root_conv_name, [removed output-channel indices]], ...]``
  in pruning order;
- ``pruning_input_shape_``: the shape of one input window (to trace the graph).

:func:`load_pruned` rebuilds the unpruned network from the configuration,
**replays** the recorded removals with Torch-Pruning's dependency graph (so every
coupled layer is resized exactly as during pruning), then loads the weights with
``strict=True``: the reloaded estimator predicts bit-identically.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from skorch import NeuralNet

from ..estimators import BaseNetClassifier
from ..estimators.persistence import load_estimator, register_extension, save_estimator
from ._torch_pruning import replay_pruning

__all__ = ["save_pruned", "load_pruned", "PRUNING_ATTRS"]

#: Fitted attributes that mark an estimator as pruned.
PRUNING_ATTRS = ("pruning_steps_", "pruning_input_shape_")
#: Largest example input traced when replaying (elements); guards against absurd shapes.
_MAX_EXAMPLE_ELEMENTS = 50_000_000


def _checked_record(state):
    """The pruning record ``{attribute: value}`` as ``(shape, steps)``; ``ValueError`` if malformed."""
    missing = [a for a in PRUNING_ATTRS if a not in state]
    if missing:
        raise ValueError(f"the pruning record lacks {missing}.")
    shape = state["pruning_input_shape_"]
    if not (isinstance(shape, (list, tuple)) and 1 <= len(shape) <= 4 and all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in shape)):
        raise ValueError(f"pruning_input_shape_ must be 1 to 4 positive ints, got {shape!r}.")
    if 2 * int(np.prod([int(s) for s in shape], dtype=np.int64)) > _MAX_EXAMPLE_ELEMENTS:
        raise ValueError(f"pruning_input_shape_ {shape!r} is implausibly large.")
    steps = state["pruning_steps_"]
    ok = isinstance(steps, list) and all(
        isinstance(step, (list, tuple)) and len(step) == 2 and isinstance(step[0], str)
        and isinstance(step[1], list)
        and all(isinstance(i, numbers.Integral) and not isinstance(i, bool) and i >= 0
                for i in step[1])
        for step in steps)
    if not ok:
        raise ValueError("pruning_steps_ must be a list of [layer name, [channel indices]].")
    return tuple(int(s) for s in shape), [(name, [int(i) for i in idxs]) for name, idxs in steps]


def _replay(est):
    """Shrink ``est.module_`` as recorded (called by the loader before the weights load)."""
    shape, steps = _checked_record({a: getattr(est, a) for a in PRUNING_ATTRS})
    param = next(est.module_.parameters())
    example = torch.zeros((2,) + shape, dtype=torch.float32, device=param.device)
    replay_pruning(est.module_, example, steps)


register_extension("pruning", PRUNING_ATTRS, _replay, loader="skseizure.pruning.load_pruned",
                   check=_checked_record)


def _network_of(obj):
    """The fitted network estimator inside ``obj`` (a pruner, pipeline or network)."""
    if hasattr(obj, "steps"):  # Pipeline: its last step
        obj = obj.steps[-1][1]
    if not isinstance(obj, NeuralNet) and hasattr(obj, "estimator"):  # a meta-estimator
        if not hasattr(obj, "estimator_"):
            raise ValueError(f"This {type(obj).__name__} is not fitted yet; call fit before saving.")
        return obj.estimator_
    return obj


def save_pruned(estimator, path, *, overwrite=False):
    """Save a (possibly) pruned network estimator to one safe file.

    Parameters
    ----------
    estimator : StructuredPruner, skseizure network estimator or Pipeline
        A fitted :class:`~skseizure.pruning.StructuredPruner` (its ``estimator_`` is
        saved), a network estimator it produced, or a Pipeline ending in either
        (only the network is saved, not the preprocessing steps).
    path : str or path-like
        Target file (suggested suffix ``.skseizure.pt``).
    overwrite : bool, default=False
        An existing file is an error unless True.

    Returns
    -------
    path : pathlib.Path
    """
    return save_estimator(_network_of(estimator), path, overwrite=overwrite)


def load_pruned(path, *, device=None, trusted=None):
    """Load a network estimator saved by :func:`save_pruned` (pruned or not).

    Parameters
    ----------
    path : str or path-like
    device : str or None
        Map the weights to this device (default: the saved one, CPU if CUDA is
        unavailable).
    trusted : list of str or None
        Extra class names the file may name (see
        :func:`skseizure.estimators.persistence.load_estimator`).

    Returns
    -------
    estimator : skseizure network estimator
        Fitted, with the pruned architecture; ``predict``/``predict_proba`` are
        bit-identical to the saved estimator's.

    Raises
    ------
    ModelFileError
        (a ``ValueError``) The file is not a valid skseizure model file, names a
        class outside the registry, or its pruning record does not fit the saved
        architecture.
    """
    return load_estimator(path, cls=BaseNetClassifier, device=device, trusted=trusted,
                          extensions=("pruning",))
