"""A 1-D CNN shared across channels and pooled over channels (any channel count)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from .._utils.validation import per_block

__all__ = ["ChannelPooledCNN"]


class ChannelPooledCNN(nn.Module):
    """Per-channel 1-D CNN whose evidence is pooled over channels.

    Every channel of a window goes, on its own, through the same small 1-D CNN
    (``Conv1d('same') -> BatchNorm1d -> ReLU -> Dropout -> MaxPool1d`` blocks, then the
    mean and the maximum over time, then one linear layer): this gives per-channel
    seizure logits ``(batch, n_chans, n_outputs)`` (:meth:`channel_logits`). The window's
    logits are their **log-mean-exp over channels**::

        logits[b, k] = log( mean_c exp(channel_logits[b, c, k]) )
                     = logsumexp_c(channel_logits[b, c, k]) - log(n_chans)

    Why log-mean-exp: a seizure may be focal (seen on a few channels only) or generalised;
    the log-mean-exp lies between the mean and the maximum over channels, so strong
    evidence on a few channels raises the window's logit (as the maximum would) while
    one noisy channel alone moves it less than a hard maximum, and every channel receives
    a gradient during training. Subtracting ``log(n_chans)`` makes a montage of any size
    give the same output for the same per-channel evidence, so a network trained on 18
    bipolar channels can be applied to 8 or 19 channels.

    Weights do not depend on ``n_chans``: the network accepts any number of channels at
    every call. The window length is fixed by ``n_times`` (checked at each call).

    Parameters
    ----------
    n_chans : int
        Number of channels of the training windows (informative only; any count is
        accepted at inference).
    n_outputs : int
        Number of classes (logits).
    n_times : int
        Window length in samples (``>= pool_size ** len(n_filters)``).
    n_filters : sequence of int, default=(8, 16, 16)
        Output channels of the convolution blocks.
    kernel_sizes : int or sequence of int, default=(7, 5, 3)
        Odd kernel sizes, one per block.
    pool_size : int, default=2
        Max-pool size and stride after each block.
    drop_prob : float, default=0.2
        Dropout probability in every block.

    Notes
    -----
    Shapes: input ``(batch, C, n_times)`` float32, any ``C >= 1`` -> output
    ``(batch, n_outputs)`` logits. Parameters: per block ``w*cin*k + w`` (convolution)
    ``+ 2w`` (batch norm), then ``2*last*n_outputs + n_outputs`` (linear on the mean and
    maximum over time); independent of ``n_chans`` and ``n_times``.

    Examples
    --------
    >>> import torch
    >>> net = ChannelPooledCNN(n_chans=18, n_outputs=2, n_times=64).eval()
    >>> net(torch.zeros(4, 8, 64)).shape
    torch.Size([4, 2])
    >>> net.channel_logits(torch.zeros(4, 8, 64)).shape
    torch.Size([4, 8, 2])
    """

    def __init__(self, n_chans, n_outputs, n_times, n_filters=(8, 16, 16),
                 kernel_sizes=(7, 5, 3), pool_size=2, drop_prob=0.2):
        super().__init__()
        n_blocks = len(n_filters) if isinstance(n_filters, Sequence) else 3
        n_filters = per_block(n_filters, n_blocks, "n_filters")
        kernel_sizes = per_block(kernel_sizes, n_blocks, "kernel_sizes")
        if any(k % 2 == 0 or k < 1 for k in kernel_sizes):
            raise ValueError(f"kernel_sizes must be odd positive integers, got {kernel_sizes}.")
        if int(pool_size) < 1:
            raise ValueError(f"pool_size must be >= 1, got {pool_size}.")
        self.n_chans = int(n_chans)
        self.n_outputs = int(n_outputs)
        self.n_times = int(n_times)
        self.pool_size = int(pool_size)
        self.min_n_times = self.pool_size ** n_blocks
        if self.n_times < self.min_n_times:
            raise ValueError(
                f"ChannelPooledCNN needs windows of at least {self.min_n_times} samples "
                f"(pool_size={self.pool_size} ** {n_blocks} blocks); got n_times={self.n_times}."
            )
        blocks, cin = [], 1
        for width, k in zip(n_filters, kernel_sizes):
            blocks.append(nn.Sequential(
                nn.Conv1d(cin, width, k, padding=k // 2),
                nn.BatchNorm1d(width),
                nn.ReLU(),
                nn.Dropout(drop_prob),
                nn.MaxPool1d(self.pool_size),
            ))
            cin = width
        self.features = nn.Sequential(*blocks)
        self.final_layer = nn.Linear(2 * cin, self.n_outputs)

    def _check_input(self, x):
        if x.ndim != 3:
            raise ValueError(f"expected input (batch, n_chans, n_times), got shape {tuple(x.shape)}.")
        if x.shape[1] < 1:
            raise ValueError("ChannelPooledCNN needs at least one channel.")
        if x.shape[-1] != self.n_times:
            raise ValueError(
                f"ChannelPooledCNN was built for windows of n_times={self.n_times} samples; "
                f"got {x.shape[-1]}."
            )

    def channel_logits(self, x):
        """Per-channel logits.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, C, n_times)

        Returns
        -------
        logits : torch.Tensor of shape (batch, C, n_outputs)
        """
        self._check_input(x)
        batch, n_ch, n_t = x.shape
        h = self.features(x.reshape(batch * n_ch, 1, n_t))
        h = torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1)
        return self.final_layer(h).reshape(batch, n_ch, self.n_outputs)

    def forward(self, x):
        """Window logits ``(batch, n_outputs)``: log-mean-exp of :meth:`channel_logits`."""
        per_channel = self.channel_logits(x)
        return torch.logsumexp(per_channel, dim=1) - math.log(per_channel.shape[1])
