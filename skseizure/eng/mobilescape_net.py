"""MobilESCAPE-Net (Gokdag et al., arXiv 2505.06241): a light CNN for nerve-cuff CAP signatures.

Table II of the paper, with the one reading that reproduces its 67,843
trainable parameters exactly: the last depthwise
convolution has a depth multiplier of 2 (64 -> 128 channels), followed by a
1x1 convolution 128 -> 128.
"""

from __future__ import annotations

import torch
from torch import nn

from .._utils.flops import count_flops

__all__ = ["MobilESCAPENet", "DepthwiseConv2d"]


class DepthwiseConv2d(nn.Module):
    """Depthwise convolution with a depth multiplier, built from plain depthwise convs.

    A Keras ``DepthwiseConv2D(depth_multiplier=m)`` maps ``C`` channels to
    ``m * C`` with one ``k x k`` filter per output channel. It is written here
    as ``m`` ordinary depthwise convolutions (``groups == in == out``) whose
    outputs are concatenated on the channel axis: the same function (up to a
    channel permutation that the following 1x1 convolution absorbs) and the
    same parameters (``m * C * (k*k + 1)``), but a form that dependency-graph
    pruners (Torch-Pruning) shrink correctly. A single
    ``Conv2d(C, m*C, groups=C)`` is not: Torch-Pruning treats it as a generic
    group convolution and mis-slices it.

    Parameters
    ----------
    in_channels : int
        Input channels ``C``.
    kernel_size : int
        Odd square kernel; 'same' padding ``k // 2``.
    depth_multiplier : int, default=1
        Output channels per input channel.
    bias : bool, default=True
        One bias per output channel.

    Notes
    -----
    Input ``(batch, C, H, W)``, output ``(batch, m * C, H, W)``. Output channel
    ``j * C + c`` is filter ``j`` applied to input channel ``c``.
    """

    def __init__(self, in_channels, kernel_size, depth_multiplier=1, bias=True):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv2d(
                in_channels, in_channels, kernel_size, padding=kernel_size // 2,
                groups=in_channels, bias=bias,
            )
            for _ in range(int(depth_multiplier))
        )

    def forward(self, x):
        """Apply every depthwise filter bank and stack the results on channels."""
        if len(self.convs) == 1:
            return self.convs[0](x)
        return torch.cat([conv(x) for conv in self.convs], dim=1)


class MobilESCAPENet(nn.Module):
    """MobilESCAPE-Net for spatiotemporal CAP signatures (n_electrodes x n_times images).

    Layers (input ``(batch, 1, 56, 100)``; convolutions keep the size, pools are
    2x2 stride 2 'valid')::

        Conv 9x9, 64, ReLU, BN                      56x100x64   5,248 + 128
        MaxPool                                     28x50
        Depthwise 5x5 (bias) + Pointwise 64, ReLU, BN            1,664 + 4,160 + 128
        MaxPool                                     14x25
        Depthwise 3x3 (bias) + Pointwise 64, ReLU, BN            640 + 4,160 + 128
        MaxPool                                     7x12
        Depthwise 3x3, depth multiplier 2 + Pointwise 128, ReLU  1,280 + 16,512
        MaxPool                                     3x6x128
        Global average pooling -> Linear(128, 256), ReLU -> Linear(256, 3)
                                                                 33,024 + 771

    Total **67,843** trainable parameters (BatchNorm running statistics are
    buffers, not parameters). :func:`~skseizure.pruning.count_flops`
    gives 80,293,120 FLOPs = 2 x 40,146,560 MACs per signature; the paper's
    81.8 M / 82.8 M additionally count bias, pooling and BN operations.

    Parameters
    ----------
    n_electrodes : int, default=56
        Rows of the signature (cuff electrodes).
    n_times : int, default=100
        Columns of the signature (samples).
    n_classes : int, default=3
        Outputs.
    n_filters : tuple of int, default=(64, 64, 64, 128)
        Output channels of the four blocks. The depth multiplier of each
        depthwise convolution is ``n_filters[i] // n_filters[i-1]`` when that
        divides exactly, else 1 (so the default block 4 uses multiplier 2).
    kernel_sizes : tuple of int, default=(9, 5, 3, 3)
        Odd square kernels of the four blocks (symmetric 'same' padding ``k//2``).
    n_hidden : int, default=256
        Units of the hidden fully connected layer.
    dropout : float, default=0.0
        Dropout after global average pooling (not in the paper; 0 adds no layer).

    Notes
    -----
    The module is built from standard layers only (``Conv2d`` with ``groups``
    for the depthwise convolutions, :class:`DepthwiseConv2d` (concatenated
    depthwise convs) for the multiplier-2 one, ``BatchNorm2d``, ``MaxPool2d``,
    ``AdaptiveAvgPool2d``, ``Linear``) so that structured pruners (Torch-Pruning)
    can trace and shrink it. The last linear layer is ``final_layer``.
    Output: logits ``(batch, n_classes)``.
    """

    def __init__(
        self,
        n_electrodes=56,
        n_times=100,
        n_classes=3,
        n_filters=(64, 64, 64, 128),
        kernel_sizes=(9, 5, 3, 3),
        n_hidden=256,
        dropout=0.0,
    ):
        super().__init__()
        self.n_electrodes = int(n_electrodes)
        self.n_times = int(n_times)
        self.n_classes = int(n_classes)
        n_filters = tuple(int(f) for f in n_filters)
        kernel_sizes = tuple(int(k) for k in kernel_sizes)
        if len(n_filters) != 4 or len(kernel_sizes) != 4:
            raise ValueError("n_filters and kernel_sizes must have 4 entries (one per block).")
        if any(k % 2 == 0 for k in kernel_sizes):
            raise ValueError(f"kernel_sizes must be odd (symmetric 'same' padding), got {kernel_sizes}.")
        h, w = self.n_electrodes, self.n_times
        for _ in range(4):
            h, w = h // 2, w // 2
        if h < 1 or w < 1:
            raise ValueError(
                f"Input {self.n_electrodes}x{self.n_times} is too small for 4 max-pools of stride 2 "
                "(needs at least 16x16)."
            )

        k0 = kernel_sizes[0]
        layers = [
            # Integer padding k//2 equals 'same' for odd kernels and is understood
            # by every exporter/pruner.
            nn.Conv2d(1, n_filters[0], k0, padding=k0 // 2),
            nn.ReLU(),
            nn.BatchNorm2d(n_filters[0]),
            nn.MaxPool2d(2, stride=2),
        ]
        for i in range(1, 4):
            c_in, c_out, k = n_filters[i - 1], n_filters[i], kernel_sizes[i]
            mult = c_out // c_in if c_out % c_in == 0 and c_out >= c_in else 1
            layers += [
                # mult == 1 stays a bare Conv2d so the usual case is a plain Sequential.
                nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in)
                if mult == 1
                else DepthwiseConv2d(c_in, k, depth_multiplier=mult),
                nn.Conv2d(c_in * mult, c_out, 1),  # pointwise
                nn.ReLU(),
            ]
            if i < 3:  # Table II: no BatchNorm after the last block
                layers.append(nn.BatchNorm2d(c_out))
            layers.append(nn.MaxPool2d(2, stride=2))
        self.features = nn.Sequential(*layers)
        head = [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        if dropout:
            head.append(nn.Dropout(dropout))
        head += [nn.Linear(n_filters[3], n_hidden), nn.ReLU()]
        self.classifier = nn.Sequential(*head)
        self.final_layer = nn.Linear(n_hidden, n_classes)

    def forward(self, x):
        """Logits for signatures ``x`` of shape ``(batch, 1, n_electrodes, n_times)``."""
        if x.ndim == 3:  # (batch, n_electrodes, n_times): add the image channel
            x = x.unsqueeze(1)
        return self.final_layer(self.classifier(self.features(x)))

    def count_flops(self, batch_size=1):
        """FLOPs (2 x MACs, ``torch.utils.flop_counter`` convention) for ``batch_size`` inputs."""
        return count_flops(self, (batch_size, 1, self.n_electrodes, self.n_times))
