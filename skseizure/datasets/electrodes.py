"""Electrode positions on the unit sphere, distances and left-right mirroring.

Names are read through :mod:`skseizure.datasets.channels` (one alias table: T3 = T7,
T4 = T8, T5 = P7, T6 = P8; any case; ``EEG ``/``-REF`` decorations), so every function
here accepts old and new 10-20 names alike.

Layout
------
The 19 electrodes of the international 10-20 system used by Tang et al. (2022,
"Self-supervised graph neural networks for improved electroencephalographic seizure
analysis", ICLR) are placed on an *idealised unit sphere*: spherical coordinates
``(theta, phi)`` with ``theta`` the polar angle from Cz and ``phi`` the azimuth from the
nose, positive towards the left ear. Cartesian axes: ``x`` towards the nose, ``y``
towards the left ear, ``z`` towards the vertex.

- Cz ``(0, -)``; Fz ``(45, 0)``; Pz ``(45, 180)``; C3 ``(45, 90)``; C4 ``(45, -90)``.
- Equator (``theta = 90``): Fp1 18, F7 54, T7 90, P7 126, O1 162 degrees and their
  mirror images (negative azimuth) on the right.
- F3 at ``(60.1645, 39.2546)`` degrees; F4, P3, P4 are its mirror images. F3 lies on the
  small circle through F7, Fz and F8 (the 10-20 "F line").

The Euclidean distances of this layout reproduce the authors' published electrode
distances (``distances_3d.csv`` of their code) to better than 1e-4, which is why the
package computes them instead of shipping the file.

**Other electrodes** (e.g. FT9, FT10, A1, M1, AF3 ...) come from MNE's ``standard_1020``
template montage. That template is not a sphere, so each position is *projected onto the
unit sphere*: a sphere is fitted (least squares) to the template positions of the 19
electrodes above, every template position is taken as a unit direction from that centre,
and the rigid rotation (Kabsch) that best maps the 19 template directions onto the
idealised ones is applied. The 19 electrodes themselves always use the idealised
coordinates, so the paper's graph is reproduced exactly.

**Bipolar channels** ``"A-B"`` (CHB-MIT, Helsinki neonatal "double banana") are placed at
the midpoint of electrodes A and B, re-projected onto the unit sphere. This is an
extension: the paper only uses referential channels. Re-projection keeps every node on
the same sphere so that a distance threshold keeps its meaning.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import numpy as np

from .channels import canonical_electrode, parse_channel

__all__ = [
    "electrode_position",
    "channel_position",
    "channel_positions",
    "pairwise_distances",
    "mirror_channel",
    "mirror_permutation",
]

# (polar angle from Cz, azimuth from the nose, positive = left), degrees; canonical names
_F3 = (60.1645, 39.2546)
_SPHERICAL_DEG = {
    "CZ": (0.0, 0.0),
    "FZ": (45.0, 0.0),
    "PZ": (45.0, 180.0),
    "C3": (45.0, 90.0),
    "C4": (45.0, -90.0),
    "FP1": (90.0, 18.0),
    "F7": (90.0, 54.0),
    "T7": (90.0, 90.0),
    "P7": (90.0, 126.0),
    "O1": (90.0, 162.0),
    "FP2": (90.0, -18.0),
    "F8": (90.0, -54.0),
    "T8": (90.0, -90.0),
    "P8": (90.0, -126.0),
    "O2": (90.0, -162.0),
    "F3": _F3,
    "F4": (_F3[0], -_F3[1]),
    "P3": (_F3[0], 180.0 - _F3[1]),
    "P4": (_F3[0], -(180.0 - _F3[1])),
}


def _spherical_to_xyz(theta_deg, phi_deg):
    theta, phi = np.deg2rad(theta_deg), np.deg2rad(phi_deg)
    return np.array(
        [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)]
    )


_IDEAL = {name: _spherical_to_xyz(*angles) for name, angles in _SPHERICAL_DEG.items()}


@lru_cache(maxsize=1)
def _mne_unit_sphere_positions():
    """MNE standard_1020 positions projected on the idealised unit sphere (module doc)."""
    import mne

    with warnings.catch_warnings():
        # MNE >= 1.13 announces a rename of this template; the positions are the same.
        warnings.simplefilter("ignore", FutureWarning)
        montage = mne.channels.make_standard_montage("standard_1020")
    # The template lists old and new names (T3 and T7) at the same position.
    raw = {
        canonical_electrode(k): np.asarray(v, float)
        for k, v in montage.get_positions()["ch_pos"].items()
    }
    # MNE head coordinates: x right, y nose, z up  ->  ours: x nose, y left, z up
    pos = {k: np.array([v[1], -v[0], v[2]]) for k, v in raw.items()}
    ref = [k for k in _IDEAL if k in pos]
    P = np.stack([pos[k] for k in ref])
    # least-squares sphere through the 19 template points: |p|^2 = 2 p.c + (r^2 - |c|^2)
    A = np.column_stack([2 * P, np.ones(len(P))])
    sol, *_ = np.linalg.lstsq(A, (P**2).sum(1), rcond=None)
    centre = sol[:3]
    dirs = {k: (v - centre) / np.linalg.norm(v - centre) for k, v in pos.items()}
    # Kabsch rotation mapping template directions onto the idealised layout
    S = np.stack([dirs[k] for k in ref])
    T = np.stack([_IDEAL[k] for k in ref])
    U, _, Vt = np.linalg.svd(S.T @ T)
    D = np.diag([1.0, 1.0, np.sign(np.linalg.det(U @ Vt))])
    R = U @ D @ Vt
    out = {}
    for k, v in dirs.items():
        w = v @ R
        out[k] = w / np.linalg.norm(w)
    return out


def electrode_position(name):
    """Unit-sphere position of one electrode.

    Parameters
    ----------
    name : str
        Electrode name (any case, old or new 10-20 name, optional ``"EEG "``/``"-REF"``).

    Returns
    -------
    xyz : ndarray of shape (3,)
        Unit vector (x nose, y left ear, z vertex).

    Raises
    ------
    ValueError
        If the electrode is neither in the 10-20 layout nor in ``standard_1020``.
    """
    electrodes = parse_channel(name)
    if len(electrodes) != 1:
        raise ValueError(f"{name!r} is a bipolar channel, not one electrode; use channel_position.")
    key = electrodes[0]
    if key in _IDEAL:
        return _IDEAL[key].copy()
    mne_pos = _mne_unit_sphere_positions()
    if key in mne_pos:
        return mne_pos[key].copy()
    raise ValueError(
        f"Unknown electrode {name!r}: not in the 10-20 layout nor in MNE's standard_1020 montage."
    )


def channel_position(name):
    """Unit-sphere position of a referential (``"C3"``) or bipolar (``"C3-P3"``) channel.

    A bipolar channel sits at the midpoint of its two electrodes, projected back on the
    unit sphere (see the module docstring). A referential channel against an ear or
    mastoid (``"C3-A2"``) sits at its active electrode.

    Returns
    -------
    xyz : ndarray of shape (3,)
    """
    pts = [electrode_position(e) for e in parse_channel(name)]
    if len(pts) == 1:
        return pts[0]
    mid = (pts[0] + pts[1]) / 2.0
    norm = np.linalg.norm(mid)
    if norm < 1e-9:
        raise ValueError(f"Bipolar channel {name!r} joins antipodal electrodes.")
    return mid / norm


def channel_positions(ch_names):
    """Stack :func:`channel_position` for a list of channels -> ``(n_channels, 3)``."""
    return np.stack([channel_position(c) for c in ch_names])


def pairwise_distances(ch_names):
    """Euclidean distances between channel positions -> ``(n_channels, n_channels)``."""
    P = channel_positions(ch_names)
    return np.sqrt(np.maximum(((P[:, None, :] - P[None, :, :]) ** 2).sum(-1), 0.0))


def _mirror_electrode(e):
    m = re.fullmatch(r"([A-Z]+)(\d+|Z)", e)
    if m is None:
        raise ValueError(f"Cannot mirror electrode {e!r} (expected letters + number or 'Z').")
    stem, idx = m.groups()
    if idx == "Z":
        return e
    k = int(idx)
    return f"{stem}{k + 1 if k % 2 else k - 1}"


def mirror_channel(name):
    """Left-right mirror image of a channel as a tuple of canonical electrodes.

    ``"Fp1-F3"`` -> ``("FP2", "F4")``; ``"T3"`` -> ``("T8",)``; ``"Cz"`` -> ``("CZ",)``.
    """
    return tuple(_mirror_electrode(e) for e in parse_channel(name))


def mirror_permutation(ch_names):
    """Index array ``perm`` such that ``x[..., perm, :]`` is the reflection across the midline.

    Every homologous pair is swapped (including P3/P4, which the code of Tang et al.
    leaves out); midline channels map to themselves. A bipolar channel whose mirror is
    only present with the electrodes reversed (``"FT9-FT10"`` -> ``"FT10-FT9"``) maps to
    that channel: log-amplitude spectra do not see the sign flip.

    Parameters
    ----------
    ch_names : sequence of str
        Channel labels, old or new 10-20 names.

    Returns
    -------
    perm : ndarray of shape (n_channels,), int64

    Raises
    ------
    ValueError
        If the mirror image of a channel is not in ``ch_names``.
    """
    keys = [parse_channel(c) for c in ch_names]
    index = {}
    for i, k in enumerate(keys):
        index.setdefault(k, i)
    perm = []
    for c, k in zip(ch_names, keys):
        m = tuple(_mirror_electrode(e) for e in k)
        if m in index:
            perm.append(index[m])
        elif len(m) == 2 and (m[1], m[0]) in index:
            perm.append(index[(m[1], m[0])])
        else:
            raise ValueError(
                f"The mirror image {'-'.join(m)} of channel {c!r} is not among the channels; "
                "left-right reflection needs every homologous channel (set reflect_prob=0)."
            )
    return np.asarray(perm, dtype=np.int64)
