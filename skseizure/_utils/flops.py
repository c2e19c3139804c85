"""Parameter and FLOP counts of torch networks (used before/after pruning).

FLOPs come from :class:`torch.utils.flop_counter.FlopCounterMode`, which counts
operators at the ATen level. Its convention, used everywhere in skseizure:

- convolutions and matrix products (``conv``, ``mm``, ``addmm``, ``bmm``, the
  matrix products inside ``nn.LSTM``/attention) count **2 FLOPs per
  multiply-accumulate** (one multiply + one add);
- element-wise operations (bias adds outside ``addmm``, BatchNorm in eval,
  activations, pooling) count **0**.

So for a network made of convolutions and linear layers, FLOPs = 2 x MACs.
"""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

__all__ = ["count_flops", "count_params"]


def _example(module, example_inputs):
    if isinstance(example_inputs, torch.Tensor):
        return example_inputs
    if isinstance(example_inputs, (tuple, list)) and all(
        isinstance(d, int) for d in example_inputs
    ):
        param = next(module.parameters(), None)
        device = param.device if param is not None else "cpu"
        return torch.zeros(tuple(example_inputs), dtype=torch.float32, device=device)
    raise TypeError(
        "example_inputs must be a tensor or an input shape such as (1, n_channels, n_times); "
        f"got {type(example_inputs).__name__}."
    )


def count_flops(module, example_inputs):
    """Forward-pass FLOPs of ``module`` for one input batch.

    Parameters
    ----------
    module : torch.nn.Module
        Network; evaluated in ``eval`` mode (restored afterwards) under
        ``torch.no_grad()`` so that only the forward pass is counted.
    example_inputs : torch.Tensor or tuple of int
        An input batch, or its shape, e.g. ``(1, n_channels, n_times)`` for the
        FLOPs of one window.

    Returns
    -------
    flops : int
        Total FLOPs for that batch, 2 per multiply-accumulate of convolutions and
        matrix products, 0 for element-wise operations (see module docstring).
    """
    x = _example(module, example_inputs)
    was_training = module.training
    module.eval()
    try:
        # no_grad rather than inference_mode: the latter breaks parametrized layers
        # under FlopCounterMode (seen with a weight-normalised EEGNet).
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            module(x)
    finally:
        module.train(was_training)
    return int(counter.get_total_flops())


def count_params(module, trainable_only=True):
    """Number of parameters of ``module``.

    Parameters
    ----------
    module : torch.nn.Module
    trainable_only : bool, default=True
        Count only parameters with ``requires_grad`` (BatchNorm running
        statistics are buffers and never counted).

    Returns
    -------
    n_params : int
    """
    return int(
        sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)
    )
