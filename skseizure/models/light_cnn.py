"""Lightweight 1-D CNN of Harshit (2025), "Accuracy-Constrained CNN Pruning for Efficient and
Reliable EEG-Based Seizure Detection", arXiv:2509.05190."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .._utils.validation import per_block

__all__ = ["LightCNN1d"]


class LightCNN1d(nn.Module):
    """Three-block 1-D CNN with global average pooling (Harshit, arXiv:2509.05190).

    Each block is ``Conv1d('same') -> BatchNorm1d -> activation -> Dropout ->
    MaxPool1d``; the channel width increases block by block. Global average
    pooling over time and one linear layer (``final_layer``) give the logits.

    The paper (Mounvik K & Harshit, arXiv 2509.05190) gives the structure but
    no sizes; **the defaults are our choice**: widths 32/64/128, kernels
    7/5/3, dropout 0.25, max-pool 2. For 23 channels this network has
    40,898 parameters and 16.8 M MACs per 23×1024 window.

    Parameters
    ----------
    n_chans : int
        Number of EEG channels (input channels of the first convolution).
    n_outputs : int
        Number of classes (logits).
    n_times : int
        Window length in samples. Any length ``>= pool_size ** 3`` works
        (global average pooling); ``n_times`` is only checked.
    n_filters : sequence of 3 int, default=(32, 64, 128)
        Output channels of the three convolutions.
    kernel_sizes : int or sequence of 3 int, default=(7, 5, 3)
        Kernel sizes (odd, so that 'same' padding is symmetric).
    pool_size : int, default=2
        Max-pool size and stride after each block.
    drop_prob : float, default=0.25
        Dropout probability in every block.
    activation : type of nn.Module, default=nn.ReLU

    Notes
    -----
    Shapes: input ``(batch, n_chans, n_times)`` float32 -> output ``(batch, n_outputs)`` logits.

    Examples
    --------
    >>> import torch
    >>> net = LightCNN1d(n_chans=23, n_outputs=2, n_times=1024)
    >>> net(torch.zeros(4, 23, 1024)).shape
    torch.Size([4, 2])
    """

    def __init__(self, n_chans, n_outputs, n_times, n_filters=(32, 64, 128),
                 kernel_sizes=(7, 5, 3), pool_size=2, drop_prob=0.25, activation=nn.ReLU):
        super().__init__()
        n_filters = per_block(n_filters, len(n_filters) if isinstance(n_filters, Sequence) else 3,
                              "n_filters")
        n_blocks = len(n_filters)
        kernel_sizes = per_block(kernel_sizes, n_blocks, "kernel_sizes")
        if any(k % 2 == 0 or k < 1 for k in kernel_sizes):
            raise ValueError(f"kernel_sizes must be odd positive integers, got {kernel_sizes}.")
        if pool_size < 1:
            raise ValueError(f"pool_size must be >= 1, got {pool_size}.")
        self.n_chans = int(n_chans)
        self.n_outputs = int(n_outputs)
        self.n_times = int(n_times)
        self.pool_size = int(pool_size)
        self.min_n_times = self.pool_size ** n_blocks
        self._check_n_times(self.n_times)
        blocks = []
        in_ch = self.n_chans
        for width, k in zip(n_filters, kernel_sizes):
            blocks.append(nn.Sequential(
                nn.Conv1d(in_ch, width, k, padding=k // 2),
                nn.BatchNorm1d(width),
                activation(),
                nn.Dropout(drop_prob),
                nn.MaxPool1d(self.pool_size),
            ))
            in_ch = width
        self.features = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.final_layer = nn.Linear(in_ch, self.n_outputs)

    def _check_n_times(self, n_times):
        if n_times < self.min_n_times:
            raise ValueError(
                f"LightCNN1d needs windows of at least {self.min_n_times} samples "
                f"(pool_size={self.pool_size} ** {len(self.features) if hasattr(self, 'features') else 3} "
                f"blocks); got n_times={n_times}."
            )

    def forward(self, x):
        """Logits of shape ``(batch, n_outputs)`` for ``x`` of shape ``(batch, n_chans, n_times)``."""
        if x.ndim != 3:
            raise ValueError(f"expected input (batch, n_chans, n_times), got shape {tuple(x.shape)}.")
        self._check_n_times(x.shape[-1])
        x = self.features(x)
        return self.final_layer(torch.flatten(self.pool(x), 1))
