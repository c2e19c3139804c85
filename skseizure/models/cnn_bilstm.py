"""CNN–BiLSTM seizure detector after NeuroCare (S. Khalid, github.com/shaheerkhalid989/seizure_detection_model).

NeuroCare's README describes ``Conv1D + BatchNorm + ReLU -> MaxPooling +
Dropout -> Bidirectional LSTM -> fully connected -> softmax``; its code
actually builds a smaller, unidirectional model. The
defaults here follow the **README's intent** with sizes that are **our
choice** (two conv blocks 32/64, kernel 5, pool 4, dropout 0.3, BiLSTM 32
units per direction, FC 32). :meth:`CNNBiLSTM.code_faithful_kwargs` returns
the hyper-parameters of the published code (Conv 8 k3, pool 4, dropout 0.3,
unidirectional LSTM 16, Dense 16).

Parameter count in torch differs from Keras by the LSTM's second bias
vector: for the code-faithful model on 19 channels torch counts 2,450
parameters (Keras: 2,386 trainable), i.e. ``+ 4 * hidden`` per direction.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["CNNBiLSTM"]


class CNNBiLSTM(nn.Module):
    """Convolutional front-end followed by a (bi)directional LSTM.

    Parameters
    ----------
    n_chans : int
        Number of EEG channels.
    n_outputs : int
        Number of classes.
    n_times : int
        Window length in samples; any length ``>= pool_size ** len(n_filters)``.
    n_filters : sequence of int, default=(32, 64)
        Output channels of the conv blocks (``Conv1d('same') -> BatchNorm ->
        ReLU -> MaxPool -> Dropout``).
    kernel_size : int, default=5
        Odd kernel size of every convolution.
    pool_size : int, default=4
    drop_prob : float, default=0.3
        Dropout after each conv block and before the output layer.
    lstm_hidden : int, default=32
        LSTM units per direction.
    lstm_layers : int, default=1
    bidirectional : bool, default=True
    fc_hidden : int or None, default=32
        Width of the hidden dense layer (ReLU); None goes straight to the
        output layer.

    Notes
    -----
    Shapes: input ``(batch, n_chans, n_times)`` -> logits ``(batch, n_outputs)``. The
    LSTM reads the pooled feature sequence and the final hidden states of
    both directions (concatenated) feed the dense head.
    """

    def __init__(self, n_chans, n_outputs, n_times, n_filters=(32, 64), kernel_size=5, pool_size=4,
                 drop_prob=0.3, lstm_hidden=32, lstm_layers=1, bidirectional=True, fc_hidden=32):
        super().__init__()
        if isinstance(n_filters, Sequence) and not isinstance(n_filters, str):
            n_filters = tuple(int(f) for f in n_filters)
        else:
            n_filters = (int(n_filters),)
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd, got {kernel_size}.")
        self.n_chans = int(n_chans)
        self.n_outputs = int(n_outputs)
        self.n_times = int(n_times)
        self.min_n_times = int(pool_size) ** len(n_filters)
        self._check_n_times(self.n_times)
        blocks = []
        in_ch = self.n_chans
        for width in n_filters:
            blocks.append(nn.Sequential(
                nn.Conv1d(in_ch, width, kernel_size, padding=kernel_size // 2),
                nn.BatchNorm1d(width),
                nn.ReLU(),
                nn.MaxPool1d(pool_size),
                nn.Dropout(drop_prob),
            ))
            in_ch = width
        self.features = nn.Sequential(*blocks)
        self.lstm = nn.LSTM(in_ch, lstm_hidden, num_layers=lstm_layers, batch_first=True,
                            bidirectional=bool(bidirectional))
        n_dir = 2 if bidirectional else 1
        head = []
        feat = n_dir * lstm_hidden
        if fc_hidden:
            head += [nn.Linear(feat, fc_hidden), nn.ReLU()]
            feat = fc_hidden
        head.append(nn.Dropout(drop_prob))
        self.head = nn.Sequential(*head)
        self.final_layer = nn.Linear(feat, self.n_outputs)

    @staticmethod
    def code_faithful_kwargs():
        """Hyper-parameters of NeuroCare's published code (its Keras model, not its README).

        Returns
        -------
        dict
            ``n_filters=(8,)``, ``kernel_size=3``, ``pool_size=4``,
            ``drop_prob=0.3``, ``lstm_hidden=16``, ``bidirectional=False``,
            ``fc_hidden=16`` (the code's l2(0.01) on the LSTM kernel is not
            reproduced; use ``optimizer__weight_decay`` if wanted).
        """
        return dict(n_filters=(8,), kernel_size=3, pool_size=4, drop_prob=0.3, lstm_hidden=16,
                    lstm_layers=1, bidirectional=False, fc_hidden=16)

    def _check_n_times(self, n_times):
        if n_times < self.min_n_times:
            raise ValueError(
                f"CNNBiLSTM needs windows of at least {self.min_n_times} samples "
                f"(pool_size ** number of conv blocks); got n_times={n_times}."
            )

    def forward(self, x):
        """Logits ``(batch, n_outputs)`` for ``x`` of shape ``(batch, n_chans, n_times)``."""
        if x.ndim != 3:
            raise ValueError(f"expected input (batch, n_chans, n_times), got shape {tuple(x.shape)}.")
        self._check_n_times(x.shape[-1])
        z = self.features(x).transpose(1, 2)  # (batch, steps, features)
        out, _ = self.lstm(z)  # (batch, steps, n_dir * hidden), top layer
        # Final hidden state of each direction, read from the output sequence rather than
        # from ``h_n``: the same values (forward direction ends at the last step, backward
        # at the first), but a path that dependency-graph pruners can trace, so the conv
        # feeding the LSTM (and the LSTM's input size) can be pruned.
        hidden = self.lstm.hidden_size
        if self.lstm.bidirectional:
            last = torch.cat([out[:, -1, :hidden], out[:, 0, hidden:]], dim=1)
        else:
            last = out[:, -1, :]
        return self.final_layer(self.head(last))
