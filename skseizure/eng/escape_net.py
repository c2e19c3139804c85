"""ESCAPE-Net: the CNN of Koh et al. (J. Neural Eng. 2020) for nerve-cuff CAP signatures.

The layer table is Table II of the MobilESCAPE-Net paper (Gokdag et al., arXiv
2505.06241); the input size is fixed by its parameter count: 91,837,635 trainable parameters
``= 87,235 + 256 * 64 * H * W`` gives ``H * W = 5,600 = 56 electrodes x 100 samples``
with one input channel.
"""

from __future__ import annotations

from torch import nn

from .._utils.flops import count_flops

__all__ = ["ESCAPENet"]


class _MaxPoolSame(nn.Sequential):
    """MaxPool 2x2, stride 1, Keras ``padding='same'``.

    Keras pads a stride-1 2x2 pool with one row/column at the bottom/right;
    padding with ``-inf`` keeps the max of the real values (after a ReLU a zero
    pad would give the same result, but ``-inf`` is exact for any input).
    """

    def __init__(self, kernel_size=2):
        extra = kernel_size - 1
        # ConstantPad2d takes (left, right, top, bottom); Keras puts the extra
        # element after (right/bottom) for even kernels.
        pad = (extra // 2, extra - extra // 2, extra // 2, extra - extra // 2)
        super().__init__(
            nn.ConstantPad2d(pad, float("-inf")),
            nn.MaxPool2d(kernel_size, stride=1),
        )


class ESCAPENet(nn.Module):
    """ESCAPE-Net (Koh, Balas, Nachman & Zariffa, 2020) for spatiotemporal CAP signatures.

    Architecture (Table II of the MobilESCAPE-Net paper; 'same' padding and
    stride-1 pools keep the feature maps at ``n_electrodes x n_times``)::

        Conv 8x8, 64, ReLU -> MaxPool 2x2/1 same -> Conv 4x4, 64, ReLU
        -> MaxPool 2x2/1 same -> Conv 2x2, 64, ReLU -> Flatten
        -> Linear(64*H*W, 256), ReLU -> Linear(256, n_classes)

    With the defaults (1 x 56 x 100 input, 3 classes) it has exactly
    **91,837,635** trainable parameters, and 1,146,881,536 FLOPs per signature
    by :func:`count_flops` (2 x 573,440,768 MACs; the paper rounds to "1.1 G").

    Parameters
    ----------
    n_electrodes : int, default=56
        Rows of the signature (cuff electrodes, ``n_rings * n_electrodes_per_ring``).
    n_times : int, default=100
        Columns of the signature (samples; 100 samples = 3.33 ms at 30 kHz).
    n_classes : int, default=3
        Outputs (dorsiflexion, plantarflexion, pricking in the paper).
    n_filters : int, default=64
        Filters of each convolution.
    n_hidden : int, default=256
        Units of the hidden fully connected layer.
    kernel_sizes : tuple of int, default=(8, 4, 2)
        Square kernels of the three convolutions (PyTorch ``padding='same'``,
        which pads ``(k-1)//2`` before and the rest after, like Keras).
    dropout : float, default=0.0
        Dropout before the hidden fully connected layer (not in the paper's
        table; 0 disables it and adds no layer).

    Notes
    -----
    Input: ``(batch, 1, n_electrodes, n_times)`` float32. Output: logits
    ``(batch, n_classes)`` (softmax is left to the loss / ``predict_proba``).
    The last linear layer is the attribute ``final_layer``.
    """

    def __init__(
        self,
        n_electrodes=56,
        n_times=100,
        n_classes=3,
        n_filters=64,
        n_hidden=256,
        kernel_sizes=(8, 4, 2),
        dropout=0.0,
    ):
        super().__init__()
        self.n_electrodes = int(n_electrodes)
        self.n_times = int(n_times)
        self.n_classes = int(n_classes)
        k1, k2, k3 = kernel_sizes
        self.features = nn.Sequential(
            nn.Conv2d(1, n_filters, k1, padding="same"),
            nn.ReLU(),
            _MaxPoolSame(2),
            nn.Conv2d(n_filters, n_filters, k2, padding="same"),
            nn.ReLU(),
            _MaxPoolSame(2),
            nn.Conv2d(n_filters, n_filters, k3, padding="same"),
            nn.ReLU(),
        )
        layers = [nn.Flatten()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        layers += [
            nn.Linear(n_filters * self.n_electrodes * self.n_times, n_hidden),
            nn.ReLU(),
        ]
        self.classifier = nn.Sequential(*layers)
        self.final_layer = nn.Linear(n_hidden, n_classes)

    def forward(self, x):
        """Logits for signatures ``x`` of shape ``(batch, 1, n_electrodes, n_times)``."""
        if x.ndim == 3:  # (batch, n_electrodes, n_times): add the image channel
            x = x.unsqueeze(1)
        return self.final_layer(self.classifier(self.features(x)))

    def count_flops(self, batch_size=1):
        """FLOPs (2 x MACs, ``torch.utils.flop_counter`` convention) for ``batch_size`` inputs."""
        return count_flops(self, (batch_size, 1, self.n_electrodes, self.n_times))
