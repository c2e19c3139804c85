"""Parameter and FLOP counts before/after pruning.

:func:`count_flops` follows the convention of :mod:`skseizure._utils.flops` (2 FLOPs
per multiply-accumulate of convolutions and matrix products, element-wise operations
not counted) and makes sure the matrix products inside recurrent layers
(``nn.LSTM``, ``nn.GRU``, ``nn.RNN``) are counted: the fused oneDNN (CPU) and cuDNN
(GPU) recurrent kernels are invisible to ``torch.utils.flop_counter.FlopCounterMode``
and would count 0, so they are switched off while counting.
"""

from __future__ import annotations

import warnings

import torch

from .._utils import flops as _flops
from .._utils.flops import count_params

__all__ = ["count_flops", "count_params"]


def count_flops(module, example_inputs):
    """Forward-pass FLOPs of ``module`` for one input batch, recurrent layers included.

    Parameters
    ----------
    module : torch.nn.Module
        Network; evaluated in ``eval`` mode (restored afterwards) without gradients.
    example_inputs : torch.Tensor or tuple of int
        An input batch, or its shape, e.g. ``(1, n_channels, n_times)`` for the
        FLOPs of one window.

    Returns
    -------
    flops : int
        2 per multiply-accumulate of convolutions and matrix products (those of
        the LSTM gates included), 0 for element-wise operations.
    """
    with warnings.catch_warnings():
        # toggling oneDNN prints a note about TF32 on Intel GPUs; irrelevant here
        warnings.simplefilter("ignore", UserWarning)
        with torch.backends.mkldnn.flags(enabled=False), torch.backends.cudnn.flags(enabled=False):
            return _flops.count_flops(module, example_inputs)
