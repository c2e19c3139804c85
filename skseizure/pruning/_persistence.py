"""Safe save/load of pruned network estimators.

A pruned network no longer matches its class defaults, so its weights cannot be
loaded into a freshly built module. The file written here is an ordinary
skseizure estimator file (see :mod:`skseizure.estimators.serialization`: a
``torch.save`` archive of tensors + a JSON configuration, read back with
``torch.load(weights_only=True)``; no pickled code) whose fitted attributes also
hold the pruning record:

- ``pruning_steps_``: ``[[root_conv_name, [removed output-channel indices]], ...]``
  in pruning order;
- ``pruning_input_shape_``: the shape of one input window (to trace the graph).

:func:`load_pruned` rebuilds the unpruned network from the configuration,
**replays** the recorded removals with Torch-Pruning's dependency graph (so every
coupled layer is resized exactly as during pruning), then loads the weights with
``strict=True``: the reloaded estimator predicts bit-identically.
"""

from __future__ import annotations


import torch

from ..estimators import serialization as _ser
from ._torch_pruning import replay_pruning

__all__ = ["save_pruned", "load_pruned", "PRUNING_ATTRS"]

#: Fitted attributes that mark an estimator as pruned.
PRUNING_ATTRS = ("pruning_steps_", "pruning_input_shape_")


def _network_of(obj):
    """The fitted network estimator inside ``obj`` (a pruner, pipeline or network)."""
    from .structured import StructuredPruner

    if hasattr(obj, "steps"):  # Pipeline: its last step
        obj = obj.steps[-1][1]
    if isinstance(obj, StructuredPruner):
        if not hasattr(obj, "estimator_"):
            raise ValueError("This StructuredPruner is not fitted yet; call fit before saving.")
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
    net = _network_of(estimator)
    return _ser.save_estimator(net, path, overwrite=overwrite)


def load_pruned(path, *, device=None):
    """Load a network estimator saved by :func:`save_pruned` (pruned or not).

    Parameters
    ----------
    path : str or path-like
    device : str or None
        Map the weights to this device (default: the saved one, CPU if CUDA is
        unavailable).

    Returns
    -------
    estimator : skseizure network estimator
        Fitted, with the pruned architecture; ``predict``/``predict_proba`` are
        bit-identical to the saved estimator's.

    Raises
    ------
    ValueError
        If the file is not an skseizure estimator file, names a class outside
        skseizure, or its pruning record does not fit the saved architecture.
    """
    from skorch.history import History

    from ..estimators._base import BaseNetClassifier

    payload, config, arrays = _ser.read_estimator_file(path)
    if "pruning_steps_" not in config["fitted"]:
        return BaseNetClassifier.load(path, device=device)
    est = _ser.build_saved_estimator(BaseNetClassifier, config, arrays, path, device=device)
    klass = type(est)
    shape = tuple(int(s) for s in est.pruning_input_shape_)
    module = est.module_
    param = next(module.parameters())
    example = torch.zeros((2,) + shape, dtype=torch.float32, device=param.device)
    steps = [(str(name), [int(i) for i in idxs]) for name, idxs in est.pruning_steps_]
    try:
        replay_pruning(module, example, steps)
        module.load_state_dict(payload["state_dict"], strict=True)
    except (RuntimeError, ValueError, IndexError) as exc:
        raise ValueError(
            f"the pruned weights in {path} do not fit {klass.__name__}'s network after "
            f"replaying the recorded pruning (different architecture?): {exc}"
        ) from exc
    # the optimizer was built on the unpruned parameters: rebuild it on the pruned ones
    est.initialize_optimizer()
    est.history_ = History(_ser._decode(config["history"], arrays))
    module.eval()
    return est
