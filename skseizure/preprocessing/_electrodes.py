"""Electrode positions on the unit sphere, channel-name parsing and left-right mirroring.

The 19 electrodes of the international 10-20 system used by Tang et al. (ICLR 2022) are
placed on an *idealised unit sphere* (reference-facts §1.5): spherical coordinates
``(theta, phi)`` with ``theta`` the polar angle from Cz and ``phi`` the azimuth from the
nose, positive towards the left ear. Cartesian axes: ``x`` towards the nose, ``y``
towards the left ear, ``z`` towards the vertex.

- Cz ``(0, -)``; Fz ``(45, 0)``; Pz ``(45, 180)``; C3 ``(45, 90)``; C4 ``(45, -90)``.
- Equator (``theta = 90``): Fp1 18, F7 54, T3 90, T5 126, O1 162 degrees and their mirror
  images (negative azimuth) on the right.
- F3 at ``(60.1645, 39.2546)`` degrees; F4, P3, P4 are its mirror images. F3 lies on the
  small circle through F7, Fz and F8 (the 10-20 "F line"); the polar/azimuth pair is the
  one that reproduces the authors' distances (reference-facts §1.5).

The Euclidean distances of this layout reproduce the authors' ``distances_3d.csv`` to
better than 1e-4, which is why the package regenerates them instead of shipping the file.

**Other electrodes** (e.g. FT9, FT10, A1, M1, AF3 ...) come from MNE's ``standard_1020``
template montage. That template is not a sphere, so each position is *projected onto the
unit sphere*: a sphere is fitted (least squares) to the template positions of the 19
electrodes above, every template position is taken as a unit direction from that centre,
and the rigid rotation (Kabsch) that best maps the 19 template directions onto the
idealised ones is applied. The 19 electrodes themselves always use the idealised
coordinates, so the paper's graph is reproduced exactly.

**Bipolar channels** ``"A-B"`` (CHB-MIT, Helsinki neonatal "double banana") are placed at
the midpoint of electrodes A and B, re-projected onto the unit sphere. This is *our
extension*: the paper only uses referential channels. Re-projection keeps every node on
the same sphere so that ``kappa`` keeps its meaning (a distance on the unit sphere).

Old and new 10-20 names are synonyms: T3 = T7, T4 = T8, T5 = P7, T6 = P8.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import numpy as np

__all__ = [
    "TUSZ_19",
    "electrode_position",
    "channel_position",
    "channel_positions",
    "normalize_electrode",
    "parse_channel",
    "mirror_channel",
    "mirror_permutation",
    "pairwise_distances",
]

#: Channel order of Tang et al. (node index 0..18), old 10-20 names.
TUSZ_19 = (
    "FP1", "FP2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2",
    "F7", "F8", "T3", "T4", "T5", "T6", "FZ", "CZ", "PZ",
)

# new 10-10 name -> old 10-20 name (canonical form used internally)
_SYNONYMS = {"T7": "T3", "T8": "T4", "P7": "T5", "P8": "T6"}

# (polar angle from Cz, azimuth from the nose, positive = left), degrees
_F3 = (60.1645, 39.2546)
_SPHERICAL_DEG = {
    "CZ": (0.0, 0.0),
    "FZ": (45.0, 0.0),
    "PZ": (45.0, 180.0),
    "C3": (45.0, 90.0),
    "C4": (45.0, -90.0),
    "FP1": (90.0, 18.0),
    "F7": (90.0, 54.0),
    "T3": (90.0, 90.0),
    "T5": (90.0, 126.0),
    "O1": (90.0, 162.0),
    "FP2": (90.0, -18.0),
    "F8": (90.0, -54.0),
    "T4": (90.0, -90.0),
    "T6": (90.0, -126.0),
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


def normalize_electrode(name):
    """Canonical upper-case electrode name (``"EEG Fp1-REF"`` -> ``"FP1"``, ``"T7"`` -> ``"T3"``).

    Parameters
    ----------
    name : str
        One electrode (not a bipolar pair).

    Returns
    -------
    canonical : str
    """
    n = str(name).strip().upper()
    if n.startswith("EEG "):
        n = n[4:].strip()
    for suffix in ("-REF", "-LE", "-AVG", "-AR"):
        if n.endswith(suffix):
            n = n[: -len(suffix)]
    return _SYNONYMS.get(n, n)


def parse_channel(name):
    """Split a channel name into its electrodes.

    ``"EEG FP1-REF"`` -> ``("FP1",)``; ``"Fp1-F7"`` -> ``("FP1", "F7")``;
    ``"T8-P8-0"`` (MNE's renamed duplicate) -> ``("T4", "T6")``.

    Returns
    -------
    electrodes : tuple of str
        One (referential) or two (bipolar ``A - B``) canonical names.
    """
    n = str(name).strip().upper()
    if n.startswith("EEG "):
        n = n[4:].strip()
    for suffix in ("-REF", "-LE", "-AVG", "-AR"):
        if n.endswith(suffix):
            n = n[: -len(suffix)]
    parts = [p for p in n.split("-") if p]
    # MNE renames duplicated channels "T8-P8" -> "T8-P8-0", "T8-P8-1"
    if len(parts) == 3 and re.fullmatch(r"\d+", parts[2]):
        parts = parts[:2]
    if len(parts) not in (1, 2):
        raise ValueError(f"Cannot parse channel name {name!r} as 'A' or 'A-B'.")
    return tuple(normalize_electrode(p) for p in parts)


@lru_cache(maxsize=1)
def _mne_unit_sphere_positions():
    """MNE standard_1020 positions projected on the idealised unit sphere (see module doc)."""
    import mne

    with warnings.catch_warnings():
        # MNE >= 1.13 announces a rename of this template; the positions are the same.
        warnings.simplefilter("ignore", FutureWarning)
        montage = mne.channels.make_standard_montage("standard_1020")
    raw = {normalize_electrode(k): np.asarray(v, float) for k, v in montage.get_positions()["ch_pos"].items()}
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
    """
    key = normalize_electrode(name)
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
    unit sphere (our extension, see the module docstring).
    """
    electrodes = parse_channel(name)
    pts = [electrode_position(e) for e in electrodes]
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

    ``"Fp1-F3"`` -> ``("FP2", "F4")``; ``"Cz"`` -> ``("CZ",)``.
    """
    return tuple(_mirror_electrode(e) for e in parse_channel(name))


def mirror_permutation(ch_names):
    """Index array ``perm`` such that ``x[..., perm, :]`` is the reflection across the midline.

    Every homologous pair is swapped (including P3/P4, which the authors' code leaves
    out); midline channels map to themselves. A bipolar channel whose mirror is only
    present with the electrodes reversed (``"FT9-FT10"`` -> ``"FT10-FT9"``) maps to that
    channel: log-amplitude spectra do not see the sign flip.

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
        m = mirror_channel(c)
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
