"""Which input columns of a linear layer a convolution's output channels feed.

Used by the pruning engine (:mod:`skseizure.pruning._torch_pruning`) where
Torch-Pruning's index mapping through ``reshape``/``flatten`` is wrong: a network
that reshapes per-EEG-channel feature maps to ``(batch, n_chans, n_filters)`` and
flattens them feeds column ``c * n_filters + j`` from kernel ``j``, not
``j * n_positions + ...``. The probe below finds the columns from the network itself.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

__all__ = ["probed_columns"]


def _linear_inputs(module, linears, x):
    """Inputs of each linear layer in ``linears`` for the batch ``x``, as 2-D arrays."""
    seen = {}
    handles = [lin.register_forward_pre_hook(
        lambda mod, args: seen.__setitem__(mod, args[0].detach().reshape(-1, args[0].shape[-1])))
        for lin in linears]
    try:
        with torch.no_grad():
            module(x)
    finally:
        for h in handles:
            h.remove()
    return seen


def probed_columns(module, root_name, idxs, linears, x):
    """Input columns of each linear layer that the output channels ``idxs`` of ``root_name`` feed.

    On a copy of ``module`` (eval mode, BatchNorm made the identity so that a shift
    keeps its sign), the channels ``idxs`` of the root convolution's output are shifted
    by ``+delta`` and by ``-delta`` (``delta`` far above every activation); a column
    that moves in either run is fed by them. Returns ``{linear_name: sorted columns}``.
    """
    probe = copy.deepcopy(module).eval()
    named = dict(probe.named_modules())
    for m in probe.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                if m.affine:
                    m.weight.fill_(1.0)
                    m.bias.zero_()
                if m.track_running_stats and m.running_mean is not None:
                    m.running_mean.zero_()
                    m.running_var.fill_(1.0)
    lins = [named[n] for n in linears]
    base = _linear_inputs(probe, lins, x)
    scale = max(float(v.abs().max()) for v in base.values()) if base else 0.0
    moved = {lin: torch.zeros(lin.in_features, dtype=torch.bool) for lin in lins}
    index = torch.as_tensor(list(idxs), dtype=torch.long)
    for sign in (1.0, -1.0):
        delta = sign * 1e4 * (1.0 + scale + float(x.abs().max()))

        def shift(mod, args, out, delta=delta):
            out = out.clone()
            out[:, index] += delta
            return out

        handle = named[root_name].register_forward_hook(shift)
        try:
            shifted = _linear_inputs(probe, lins, x)
        finally:
            handle.remove()
        for lin in lins:
            if lin in shifted and lin in base:
                moved[lin] |= (shifted[lin] != base[lin]).any(0).cpu()
    return {n: [int(i) for i in torch.nonzero(moved[named[n]]).flatten()] for n in linears}
