"""Per-clip correlation graphs and their supports in torch, on the network's device.

The numpy builders of :mod:`skseizure.preprocessing.graphs` define the graphs; during
training and prediction a DCRNN needs a new correlation graph for every clip of every batch.
Computing it in numpy moved each batch from the GPU to the host and back; the functions here
compute the same matrices with torch on the device the batch is already on (in float64 where
the device supports it, as the numpy code does), so the data never leaves it.
"""

from __future__ import annotations

import torch

__all__ = ["correlation_adjacency_torch", "supports_torch"]


def _work_dtype(device):
    # float64 as the numpy reference; Apple's MPS has no float64
    return torch.float32 if device.type == "mps" else torch.float64


def correlation_adjacency_torch(x, top_k):
    """Directed top-k correlation graph of each clip (same rule as the numpy builder).

    Parameters
    ----------
    x : Tensor of shape (B, T, C, M) or (B, C, L)
        FFT clips or raw windows.
    top_k : int
        Neighbours kept per node.

    Returns
    -------
    A : Tensor of shape (B, C, C), float32, on ``x.device``
        ``|<v_i, v_j>| / sqrt(|v_i|^2 |v_j|^2)`` for the ``top_k`` strongest neighbours of
        each row (ties broken by the lower channel index), 1 on the diagonal, 0 elsewhere;
        a channel of zero energy correlates with nothing.
    """
    if x.dim() == 4:
        v = x.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], -1)
    elif x.dim() == 3:
        v = x
    else:
        raise ValueError(f"x must be (B, T, C, M) or (B, C, L); got shape {tuple(x.shape)}.")
    v = v.to(_work_dtype(x.device))
    B, C, _ = v.shape
    if not (isinstance(top_k, int) and 1 <= top_k < C):
        raise ValueError(f"top_k must be an integer in [1, {C - 1}] for {C} channels; got {top_k!r}.")
    gram = v @ v.transpose(1, 2)
    energy = torch.sqrt(torch.clamp(torch.diagonal(gram, dim1=1, dim2=2), min=0.0))
    denom = energy[:, :, None] * energy[:, None, :]
    A = torch.where(denom > 0, gram.abs() / torch.where(denom > 0, denom, torch.ones_like(denom)),
                    torch.zeros_like(denom))
    eye = torch.eye(C, dtype=torch.bool, device=x.device).expand(B, C, C)
    A = A.masked_fill(eye, 0.0)
    # stable descending order: ties go to the lower channel index, as numpy's stable argsort
    order = torch.sort(-A, dim=-1, stable=True).indices[..., :top_k]
    keep = torch.zeros_like(A, dtype=torch.bool).scatter_(-1, order, True) | eye
    A = A.masked_fill(eye, 1.0)
    return torch.where(keep, A, torch.zeros_like(A)).to(torch.float32)


def _random_walk(A):
    d = A.sum(-1)
    d_inv = torch.where(d > 0, 1.0 / torch.where(d > 0, d, torch.ones_like(d)), torch.zeros_like(d))
    return d_inv[..., :, None] * A


def _scaled_laplacian(A):
    A = torch.maximum(A, A.transpose(-1, -2))
    C = A.shape[-1]
    eye = torch.eye(C, dtype=A.dtype, device=A.device)
    off = A * (1 - eye)
    if not bool((off > 0).flatten(1).any(1).all()):
        raise ValueError("a clip's graph has no edge between distinct nodes (only self-loops); "
                         "its Laplacian is 0 and cannot be scaled.")
    d = A.sum(-1)
    d_inv_sqrt = torch.where(d > 0, torch.rsqrt(torch.where(d > 0, d, torch.ones_like(d))),
                             torch.zeros_like(d))
    comb = torch.diag_embed(off.sum(-1)) - off  # combinatorial Laplacian of the off-diagonal
    L = d_inv_sqrt[..., :, None] * comb * d_inv_sqrt[..., None, :]
    L = L + torch.diag_embed((d == 0).to(A.dtype))
    lam = torch.linalg.eigvalsh(L)[..., -1]
    return 2.0 * L / lam[..., None, None] - eye


def supports_torch(adjacency, filter_type):
    """Supports of a batch of adjacency matrices, on their device.

    Parameters
    ----------
    adjacency : Tensor of shape (B, C, C)
    filter_type : {"dual_random_walk", "laplacian"}

    Returns
    -------
    supports : Tensor of shape (B, S, C, C), float32
        ``[(D_O^-1 A)^T, (D_I^-1 A^T)^T]`` (``S = 2``) or the scaled Laplacian of
        ``max(A, A^T)`` with its largest eigenvalue per clip (``S = 1``).
    """
    A = adjacency.to(_work_dtype(adjacency.device))
    if filter_type == "dual_random_walk":
        fwd = _random_walk(A).transpose(-1, -2)
        bwd = _random_walk(A.transpose(-1, -2)).transpose(-1, -2)
        return torch.stack([fwd, bwd], dim=1).to(torch.float32)
    if filter_type == "laplacian":
        return _scaled_laplacian(A)[:, None].to(torch.float32)
    raise ValueError(f"filter_type must be 'dual_random_walk' or 'laplacian'; got {filter_type!r}.")
