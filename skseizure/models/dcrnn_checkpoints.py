"""Load the self-supervised DCRNN checkpoints released with Tang et al. (ICLR 2022).

Tang, S., Dunnmon, J. A., Saab, K., Zhang, X., Huang, Q., Dubost, F., Rubin, D. L., Lee-Messer, C.
(2022). "Self-supervised graph neural networks for improved electroencephalographic seizure
analysis". ICLR 2022. The authors released four pre-trained next-clip prediction models
(distance or correlation graph, 12-s or 60-s clips; MIT licence, Copyright (c) 2021 Siyi Tang)
as ``pretrained_*.pth.tar`` files holding ``{"model_state": state_dict}``.

:func:`load_released_dcrnn` reads such a file **without unpickling code**
(``torch.load(weights_only=True)``), checks every tensor's name and shape, infers the
graph type from the weight shapes (three diffusion matrices: scaled Laplacian of the
distance graph; five: dual random walk of the correlation graph) and returns a
:class:`~skseizure.models.DCRNNSeq2Seq` that reproduces the authors' outputs. Their
diffusion recursion does not restart between the two random-walk supports (it is inherited
from the original DCRNN code) and uses the Chebyshev form for random walks too; the loaded
model reproduces that (``chain_supports=True``, ``basis="chebyshev"``), which the released
correlation-graph weights need. Models built directly keep the textbook form by default.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch

from .dcrnn import DCRNNSeq2Seq

__all__ = ["ReleasedCheckpointError", "load_released_dcrnn", "released_state_dict"]

_ENC = "encoder.encoding_cells."
_DEC = "decoder.decoding_cells."


class ReleasedCheckpointError(ValueError):
    """A file that is not one of the released DCRNN pre-training checkpoints."""

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def _read_state(path):
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a foreign or corrupt file
        raise ReleasedCheckpointError(path, f"not a loadable weights-only torch file ({exc.__class__.__name__}: "
                                            f"{str(exc).splitlines()[0][:200]}).") from None
    state = obj.get("model_state") if isinstance(obj, dict) else None
    if not isinstance(state, dict) or not state:
        raise ReleasedCheckpointError(path, "expected a dict with a 'model_state' state dict.")
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            raise ReleasedCheckpointError(path, f"entry {key!r} is not a tensor.")
        if not torch.isfinite(value).all():
            raise ReleasedCheckpointError(path, f"entry {key!r} holds NaN or infinite values.")
    return path, state


def _layers(state, prefix):
    idx = sorted({int(k[len(prefix):].split(".")[0]) for k in state if k.startswith(prefix)})
    if idx != list(range(len(idx))) or not idx:
        return 0
    return len(idx)


def released_state_dict(path):
    """The released checkpoint's tensors renamed to :class:`DCRNNSeq2Seq` names, and its settings.

    Parameters
    ----------
    path : path-like
        A ``pretrained_*.pth.tar`` file of the authors' release.

    Returns
    -------
    state_dict : dict of str to Tensor
        Keys of :class:`DCRNNSeq2Seq` (decoder layers ``1..L-1`` are one shared cell).
    params : dict
        ``DCRNNSeq2Seq`` constructor arguments matching the file.

    Raises
    ------
    ReleasedCheckpointError
        A file that is not such a checkpoint (wrong keys, shapes, NaN weights), named.
    """
    path, state = _read_state(path)
    n_enc, n_dec = _layers(state, _ENC), _layers(state, _DEC)
    proj_w = state.get("decoder.projection_layer.weight")
    if n_enc == 0 or n_dec != n_enc or proj_w is None or proj_w.dim() != 2:
        raise ReleasedCheckpointError(path, "missing encoder/decoder cells or projection layer; keys: "
                                            f"{sorted(state)[:6]}...")
    output_dim, num_units = proj_w.shape
    gate_w = state.get(_ENC + "0.dconv_gate.weight")
    deep_w = state.get(_ENC + "1.dconv_gate.weight") if n_enc > 1 else None
    if gate_w is None or gate_w.dim() != 2 or gate_w.shape[1] != 2 * num_units:
        raise ReleasedCheckpointError(path, "unexpected shape of the first encoder gate weight.")
    n_matrices = (deep_w.shape[0] // (2 * num_units)) if deep_w is not None else None
    if n_matrices is None:
        n_matrices = next((m for m in (3, 5) if gate_w.shape[0] % m == 0
                           and gate_w.shape[0] // m > num_units), None)
    filter_type = {3: "laplacian", 5: "dual_random_walk"}.get(n_matrices)
    if filter_type is None:
        raise ReleasedCheckpointError(path, f"{n_matrices} diffusion matrices per cell; the release "
                                            "has 3 (distance graph) or 5 (correlation graph).")
    input_dim = gate_w.shape[0] // n_matrices - num_units
    params = dict(input_dim=int(input_dim), output_dim=int(output_dim), num_units=int(num_units),
                  num_layers=int(n_enc), filter_type=filter_type, max_diffusion_step=2,
                  basis="chebyshev", chain_supports=True, share_decoder_cells=True)
    renamed = {}
    for key, value in state.items():
        new = key.replace(".biases", ".bias")
        if key.startswith(_ENC):
            new = "encoder.layers." + new[len(_ENC):]
        elif key.startswith(_DEC):
            layer = int(key[len(_DEC):].split(".")[0])
            if layer >= 2:
                shared = key.replace(f"{_DEC}{layer}.", f"{_DEC}1.")
                if shared not in state or not torch.equal(state[shared], value):
                    raise ReleasedCheckpointError(path, f"{key} differs from decoder layer 1; the "
                                                        "release shares decoder layers 1.. as one cell.")
            new = "decoder_cells." + new[len(_DEC):]
        elif key.startswith("decoder.projection_layer."):
            new = "projection." + key[len("decoder.projection_layer."):]
        else:
            raise ReleasedCheckpointError(path, f"unexpected entry {key!r}.")
        renamed[new] = value.float()
    return renamed, params


def load_released_dcrnn(path, *, horizon=12):
    """Build a :class:`DCRNNSeq2Seq` from a released pre-training checkpoint.

    Parameters
    ----------
    path : path-like
        ``pretrained_{distance,correlation}_graph_{12s,60s}.pth.tar`` of the release.
    horizon : int, default=12
        Steps predicted (the release: the next clip's first 12 one-second windows).

    Returns
    -------
    model : DCRNNSeq2Seq
        In ``eval()`` mode. Call it as ``model(x, supports)`` with ``x`` of shape
        ``(B, T, 19, 100)`` (standardised FFT log-amplitudes of 1-s windows, nodes in the
        authors' order ``FP1 FP2 F3 F4 C3 C4 P3 P4 O1 O2 F7 F8 T3 T4 T5 T6 FZ CZ PZ``) and
        ``supports`` of shape ``(S, 19, 19)`` or ``(B, S, 19, 19)`` (``S`` = 1 scaled
        Laplacian for the distance graph, 2 random-walk matrices for the correlation graph).
        ``model.encoder`` is the pre-trained encoder to fine-tune for detection.

    Raises
    ------
    ReleasedCheckpointError
        Not a released checkpoint (named, with the problem).
    """
    if not isinstance(horizon, int) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer; got {horizon!r}.")
    state, params = released_state_dict(path)
    model = DCRNNSeq2Seq(horizon=horizon, **params)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ReleasedCheckpointError(path, f"does not match the model: missing {missing}, "
                                            f"unexpected {unexpected}.")
    n_params = sum(p.numel() for p in model.parameters())
    if not math.isfinite(n_params):  # pragma: no cover - defensive
        raise ReleasedCheckpointError(path, "invalid parameter count.")
    return model.eval()
