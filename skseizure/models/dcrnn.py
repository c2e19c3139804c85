"""Diffusion-convolutional recurrent networks (DCRNN) for EEG graphs (Tang et al., ICLR 2022).

Plain ``torch.nn`` modules; graph supports are computed outside (see
:mod:`skseizure.preprocessing.graphs`) and passed to ``forward`` as a tensor of shape
``(S, N, N)`` (one graph for the whole batch) or ``(B, S, N, N)`` (one graph per clip).

Mathematics
-----------
A diffusion convolution of node features ``X`` (``N x F``) with ``S`` supports and ``K``
diffusion steps concatenates ``1 + S*K`` terms and applies one linear map::

    Z = [X, P_1(S_1) X, ..., P_K(S_1) X, ..., P_1(S_S) X, ..., P_K(S_S) X] @ W + b

- ``basis="chebyshev"`` (paper eq. 2, used for the scaled Laplacian of the undirected
  distance graph): ``P_k = T_k`` the Chebyshev polynomials, ``T_0 = I``, ``T_1 = S``,
  ``T_k = 2 S T_{k-1} - T_{k-2}``.
- ``basis="power"`` (paper eq. 1, the bidirectional random walk of the directed
  correlation graph): ``P_k(S) = S^k``.

Every support's recursion **starts from X**. The authors' code (inherited from the
original DCRNN code) does not reset the recursion variables ``x0``/``x1`` between
supports, so with dual random walk and ``K = 2`` its second support contributes
``S_2 S_1 X`` and ``2 S_2^2 S_1 X - S_1 X`` instead of ``S_2 X`` and ``S_2^2 X``, and it
uses the Chebyshev recursion for the random-walk supports too (github.com/tsy935/eeg-gnn-ssl).
``chain_supports=True`` together with ``basis="chebyshev"`` reproduces that code exactly
(needed only to load the released checkpoints); with one support both are identical.

The weight matrix has the authors' layout: row ``f * (1 + S*K) + m`` multiplies feature
``f`` of term ``m``, so the parameter counts equal the paper's (168,641 / 280,769 for
detection, 417,572 / 690,980 for the pre-training seq2seq model).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "DiffusionGraphConv",
    "DCGRUCell",
    "DCRNNEncoder",
    "DCRNN",
    "DCRNNSeq2Seq",
    "default_basis",
]

_FILTER_TYPES = {"laplacian": 1, "dual_random_walk": 2}


def default_basis(filter_type):
    """Paper's basis for a support type: Chebyshev for the Laplacian, powers for random walks."""
    return "chebyshev" if filter_type == "laplacian" else "power"


def _num_supports(filter_type):
    try:
        return _FILTER_TYPES[filter_type]
    except KeyError:
        raise ValueError(
            f"filter_type must be one of {sorted(_FILTER_TYPES)}; got {filter_type!r}."
        ) from None


def _apply_support(S, x):
    """``S @ x`` for ``S`` (N, N) shared or (B, N, N) per clip, ``x`` (B, N, F)."""
    if S.dim() == 2:
        return torch.einsum("nm,bmf->bnf", S, x)
    return torch.bmm(S, x)


class DiffusionGraphConv(nn.Module):
    """Diffusion graph convolution of ``[inputs, state]`` (see the module docstring).

    Parameters
    ----------
    num_supports : int
        ``S``: 1 for the scaled Laplacian, 2 for dual random walk.
    input_dim, hid_dim : int
        Feature sizes of the inputs and of the recurrent state (concatenated, inputs first).
    output_dim : int
    max_diffusion_step : int, default=2
        ``K``.
    basis : {"chebyshev", "power"}, default="chebyshev"
    chain_supports : bool, default=False
        Reproduce the original code's un-reset recursion across supports (quirk).

    Notes
    -----
    Shapes: inputs ``(B, N, input_dim)``, state ``(B, N, hid_dim)``, supports ``(S, N, N)`` or
    ``(B, S, N, N)`` -> ``(B, N, output_dim)``.
    """

    def __init__(self, num_supports, input_dim, hid_dim, output_dim, max_diffusion_step=2,
                 basis="chebyshev", chain_supports=False):
        super().__init__()
        if basis not in ("chebyshev", "power"):
            raise ValueError(f"basis must be 'chebyshev' or 'power'; got {basis!r}.")
        if max_diffusion_step < 0:
            raise ValueError(f"max_diffusion_step must be >= 0; got {max_diffusion_step}.")
        self.num_supports = int(num_supports)
        self.max_diffusion_step = int(max_diffusion_step)
        self.basis = basis
        self.chain_supports = bool(chain_supports)
        self.num_matrices = self.num_supports * self.max_diffusion_step + 1
        self.input_size = input_dim + hid_dim
        self.output_dim = output_dim
        self.weight = nn.Parameter(torch.empty(self.input_size * self.num_matrices, output_dim))
        self.bias = nn.Parameter(torch.empty(output_dim))
        self.reset_parameters()

    def reset_parameters(self):
        """Authors' init: Xavier normal (gain 1.414) weights, zero biases."""
        nn.init.xavier_normal_(self.weight, gain=1.414)
        nn.init.zeros_(self.bias)

    def forward(self, inputs, state, supports):
        x0 = torch.cat([inputs, state], dim=-1)
        B, N, F = x0.shape
        n_sup = supports.shape[-3]
        if n_sup != self.num_supports:
            raise ValueError(f"expected {self.num_supports} support(s), got {n_sup}.")
        terms = [x0]
        if self.max_diffusion_step > 0:
            z0 = x0
            for s in range(n_sup):
                S = supports[s] if supports.dim() == 3 else supports[:, s]
                if not self.chain_supports:
                    z0 = x0  # paper: every support's polynomial acts on X itself
                z1 = _apply_support(S, z0)
                terms.append(z1)
                for _ in range(2, self.max_diffusion_step + 1):
                    if self.basis == "chebyshev":
                        z2 = 2.0 * _apply_support(S, z1) - z0
                    else:
                        z2 = _apply_support(S, z1)
                    terms.append(z2)
                    # the original code carries (x0, x1) <- (T_{k-1}, T_k) into the
                    # next support too; that is the chain_supports quirk
                    z1, z0 = z2, z1
        x = torch.stack(terms, dim=-1)  # (B, N, F, M): row index f * M + m as the authors
        x = x.reshape(B * N, F * self.num_matrices)
        out = x @ self.weight + self.bias
        return out.reshape(B, N, self.output_dim)


class DCGRUCell(nn.Module):
    """GRU cell whose matrix products are diffusion convolutions (paper eqs. 3-4).

    ``r, u = sigmoid(Theta_ru *G [X, H] + b)``; ``C = tanh(Theta_C *G [X, r * H] + b_C)``;
    ``H' = u * H + (1 - u) * C``. Gate biases start at 0 (the authors' ``bias_start=1.0``
    is never used by their code).

    Parameters
    ----------
    input_dim : int
    num_units : int
    num_supports : int
    max_diffusion_step : int, default=2
    basis : {"chebyshev", "power"}, default="chebyshev"
    chain_supports : bool, default=False
    activation : {"tanh", "relu"}, default="tanh"
    """

    def __init__(self, input_dim, num_units, num_supports, max_diffusion_step=2,
                 basis="chebyshev", chain_supports=False, activation="tanh"):
        super().__init__()
        if activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu'; got {activation!r}.")
        self.input_dim = input_dim
        self.num_units = num_units
        self.activation = activation
        kw = dict(num_supports=num_supports, input_dim=input_dim, hid_dim=num_units,
                  max_diffusion_step=max_diffusion_step, basis=basis,
                  chain_supports=chain_supports)
        self.dconv_gate = DiffusionGraphConv(output_dim=2 * num_units, **kw)
        self.dconv_candidate = DiffusionGraphConv(output_dim=num_units, **kw)

    def forward(self, inputs, state, supports):
        """``inputs`` (B, N, input_dim), ``state`` (B, N, num_units) -> new state."""
        value = torch.sigmoid(self.dconv_gate(inputs, state, supports))
        r, u = torch.split(value, self.num_units, dim=-1)
        c = self.dconv_candidate(inputs, r * state, supports)
        c = torch.tanh(c) if self.activation == "tanh" else torch.relu(c)
        return u * state + (1.0 - u) * c


def _make_cell(input_dim, num_units, filter_type, max_diffusion_step, basis, chain_supports,
               activation):
    return DCGRUCell(input_dim, num_units, _num_supports(filter_type), max_diffusion_step,
                     basis or default_basis(filter_type), chain_supports, activation)


class DCRNNEncoder(nn.Module):
    """Stacked DCGRU layers run over time; each layer starts from a zero state.

    Shapes: ``x`` ``(B, T, N, input_dim)`` -> outputs of the top layer ``(B, T, N, num_units)``
    and the final state of every layer ``(num_layers, B, N, num_units)``.
    """

    def __init__(self, input_dim, num_units=64, num_layers=2, filter_type="laplacian",
                 max_diffusion_step=2, basis=None, chain_supports=False, activation="tanh"):
        super().__init__()
        self.num_units = num_units
        self.layers = nn.ModuleList(
            _make_cell(input_dim if i == 0 else num_units, num_units, filter_type,
                       max_diffusion_step, basis, chain_supports, activation)
            for i in range(num_layers)
        )

    def forward(self, x, supports, initial_state=None):
        B, T, N, _ = x.shape
        seq = x
        finals = []
        for i, cell in enumerate(self.layers):
            h = (x.new_zeros(B, N, self.num_units) if initial_state is None
                 else initial_state[i])
            outs = []
            for t in range(T):
                h = cell(seq[:, t], h, supports)
                outs.append(h)
            seq = torch.stack(outs, dim=1)
            finals.append(h)
        return seq, torch.stack(finals, dim=0)


class DCRNN(nn.Module):
    """DCRNN for seizure detection / classification (``DCRNNModel_classification``).

    The top layer's state at the last valid step (``seq_lengths - 1``) goes through
    ``dropout -> ReLU -> Linear(num_units, n_outputs)`` **per node**, then the maximum
    over nodes gives the clip's logits.

    Parameters
    ----------
    input_dim : int, default=100
        ``M``, features per node and step (FFT bins).
    n_outputs : int, default=1
        1 for binary detection (one logit), ``n_classes`` for classification.
    num_units : int, default=64
    num_layers : int, default=2
    filter_type : {"laplacian", "dual_random_walk"}, default="laplacian"
    max_diffusion_step : int, default=2
    dropout : float, default=0.0
    basis : {"chebyshev", "power"} or None, default=None
        ``None``: :func:`default_basis` of ``filter_type``.
    chain_supports : bool, default=False
    activation : {"tanh", "relu"}, default="tanh"

    Notes
    -----
    Shapes: ``x`` ``(B, T, N, input_dim)``, ``supports`` ``(S, N, N)`` or ``(B, S, N, N)``,
    ``seq_lengths`` ``(B,)`` (optional, default ``T``) -> logits ``(B, n_outputs)``.
    """

    def __init__(self, input_dim=100, n_outputs=1, num_units=64, num_layers=2,
                 filter_type="laplacian", max_diffusion_step=2, dropout=0.0, basis=None,
                 chain_supports=False, activation="tanh"):
        super().__init__()
        self.encoder = DCRNNEncoder(input_dim, num_units, num_layers, filter_type,
                                    max_diffusion_step, basis, chain_supports, activation)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(num_units, n_outputs)

    def node_logits(self, x, supports, seq_lengths=None):
        """Per-node logits ``(B, N, n_outputs)`` before the max over nodes."""
        out, _ = self.encoder(x, supports)
        B, T = out.shape[:2]
        if seq_lengths is None:
            last = out[:, -1]
        else:
            idx = torch.as_tensor(seq_lengths, device=out.device).long().clamp(1, T) - 1
            last = out[torch.arange(B, device=out.device), idx]
        return self.fc(torch.relu(self.dropout(last)))

    def forward(self, x, supports, seq_lengths=None):
        return self.node_logits(x, supports, seq_lengths).max(dim=1).values


class DCRNNSeq2Seq(nn.Module):
    """Encoder-decoder DCRNN for self-supervised next-clip prediction (``DCRNNModel_nextTimePred``).

    The encoder's final states (one per layer) initialise the decoder; the first decoder
    input is a zero "GO" frame; each step runs the decoder cells, dropout, a per-node
    ``Linear(num_units, output_dim)`` projection, and feeds the prediction back as the
    next input (no teacher forcing, the authors' default).

    As in the authors' code, decoder layers ``1 .. num_layers-1`` are **one shared cell**
    (``share_decoder_cells=True``); that is what gives the paper's 417,572 / 690,980
    parameters for 3 layers.

    Parameters
    ----------
    input_dim : int, default=100
    output_dim : int or None, default=None
        Features predicted per node and step (``None`` = ``input_dim``).
    horizon : int, default=12
        Steps predicted (``T'``; the paper: 12 one-second steps).
    num_units, num_layers, filter_type, max_diffusion_step, basis, chain_supports, activation
        As :class:`DCRNN` (paper: 64 units, 3 layers, K = 2).
    dropout : float, default=0.0
    share_decoder_cells : bool, default=True

    Notes
    -----
    Shapes: ``x`` ``(B, T, N, input_dim)`` -> prediction ``(B, horizon, N, output_dim)``.
    """

    def __init__(self, input_dim=100, output_dim=None, horizon=12, num_units=64, num_layers=3,
                 filter_type="laplacian", max_diffusion_step=2, dropout=0.0, basis=None,
                 chain_supports=False, activation="tanh", share_decoder_cells=True):
        super().__init__()
        output_dim = input_dim if output_dim is None else output_dim
        self.output_dim = output_dim
        self.horizon = horizon
        self.num_units = num_units
        self.encoder = DCRNNEncoder(input_dim, num_units, num_layers, filter_type,
                                    max_diffusion_step, basis, chain_supports, activation)
        make = lambda d: _make_cell(d, num_units, filter_type, max_diffusion_step, basis,  # noqa: E731
                                    chain_supports, activation)
        first = make(output_dim)
        if num_layers == 1:
            cells = [first]
        elif share_decoder_cells:
            shared = make(num_units)
            cells = [first] + [shared] * (num_layers - 1)
        else:
            cells = [first] + [make(num_units) for _ in range(num_layers - 1)]
        # a ModuleList holding the same module twice registers its parameters once
        self.decoder_cells = nn.ModuleList(cells)
        self.dropout = nn.Dropout(dropout)
        self.projection = nn.Linear(num_units, output_dim)

    def forward(self, x, supports, horizon=None):
        horizon = self.horizon if horizon is None else int(horizon)
        _, states = self.encoder(x, supports)
        B, _, N, _ = x.shape
        hs = list(states)
        inp = x.new_zeros(B, N, self.output_dim)
        preds = []
        for _ in range(horizon):
            layer_in = inp
            for i, cell in enumerate(self.decoder_cells):
                hs[i] = cell(layer_in, hs[i], supports)
                layer_in = hs[i]
            out = self.projection(self.dropout(layer_in))
            preds.append(out)
            inp = out
        return torch.stack(preds, dim=1)
