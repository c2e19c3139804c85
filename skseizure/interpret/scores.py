"""Coverage and localization of occlusion maps against channel x second annotations.

Tang et al. (ICLR 2022, Section 2.4): with ``M`` a min-max scaled occlusion map and ``A`` the
binary annotation (``A[c, t] = 1`` when channel ``c`` is seizing during second ``t``),

    coverage     = sum 1[M > thr] * A / sum A            (recall-like)
    localization = sum 1[M > thr] * A / sum 1[M > thr]   (precision-like)

with ``thr = 0.5`` and a strict inequality.

The annotation grid comes from channel-level annotations (the Helsinki per-channel table,
TUSZ channel rows) mapped onto the map's nodes by
:func:`skseizure.datasets.channel_annotation_grid`, which documents the rule for bipolar
annotations on referential nodes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["coverage_score", "localization_score", "coverage_localization"]


def _prepare(occlusion, annotation):
    M = np.asarray(occlusion, dtype=np.float64)
    A = np.asarray(annotation)
    if M.shape != A.shape:
        raise ValueError(
            f"occlusion map {M.shape} and annotation {A.shape} must have the same shape "
            "((n_channels, n_seconds) or (n_clips, n_channels, n_seconds))."
        )
    if M.ndim not in (1, 2, 3):
        raise ValueError(f"maps must be (C,), (C, T) or (n, C, T); got shape {M.shape}.")
    if not np.isin(np.unique(A), (0, 1)).all():
        raise ValueError("annotation must be binary (0/1 or bool).")
    return M, A.astype(np.float64)


def coverage_localization(occlusion, annotation, threshold=0.5):
    """Coverage and localization of one map or a batch of maps.

    Parameters
    ----------
    occlusion : array-like of shape (C, T) or (n, C, T)
        Occlusion map(s) scaled to [0, 1].
    annotation : array-like of the same shape, binary
    threshold : float, default=0.5
        Cells with ``occlusion > threshold`` count as detected.

    Returns
    -------
    coverage, localization : float or ndarray of shape (n,)
        NaN where undefined (no annotated cell for coverage, no detected cell for
        localization).
    """
    M, A = _prepare(occlusion, annotation)
    single = M.ndim < 3
    if single:
        M, A = M[None], A[None]
    M = M.reshape(M.shape[0], -1)
    A = A.reshape(A.shape[0], -1)
    hit = (M > threshold).astype(np.float64)
    tp = (hit * A).sum(1)
    n_annot = A.sum(1)
    n_hit = hit.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = np.where(n_annot > 0, tp / np.where(n_annot > 0, n_annot, 1), np.nan)
        loc = np.where(n_hit > 0, tp / np.where(n_hit > 0, n_hit, 1), np.nan)
    if single:
        return float(cov[0]), float(loc[0])
    return cov, loc


def coverage_score(occlusion, annotation, threshold=0.5):
    """Fraction of annotated seizure cells that the map detects (``> threshold``).

    See :func:`coverage_localization` for shapes.
    """
    return coverage_localization(occlusion, annotation, threshold)[0]


def localization_score(occlusion, annotation, threshold=0.5):
    """Fraction of detected cells (``> threshold``) that are annotated seizure cells.

    See :func:`coverage_localization` for shapes.
    """
    return coverage_localization(occlusion, annotation, threshold)[1]
