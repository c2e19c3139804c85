"""Real EEG windows for the network tests (small, seeded subsets)."""

from __future__ import annotations

import numpy as np
import pytest


def _load_helsinki(shared_data):
    from tests._extracts import load_helsinki_neonatal

    w = load_helsinki_neonatal(shared_data / "helsinki-neonatal", expert="A")
    return np.asarray(w.X, np.float32), np.asarray(w.y), np.asarray(w.groups), float(w.sfreq)


@pytest.fixture(scope="session")
def helsinki(shared_data):
    """All Helsinki neonatal windows of expert A: X (781, 18, 64) V, y, groups, sfreq."""
    return _load_helsinki(shared_data)


@pytest.fixture(scope="session")
def helsinki_small(helsinki):
    """~200 standardised windows from 10 infants (fast fits).

    In this set every infant's windows share one label, so 5 infants with
    seizure windows and 5 without are drawn.

    Scaled to per-channel unit variance so that tiny test networks train in a
    couple of epochs; real signals, real labels, real infant ids.
    """
    X, y, groups, sfreq = helsinki
    rng = np.random.default_rng(0)
    pos = [g for g in np.unique(groups) if y[groups == g].any()]
    neg = [g for g in np.unique(groups) if not y[groups == g].any()]
    chosen = np.concatenate([rng.choice(pos, 5, replace=False), rng.choice(neg, 5, replace=False)])
    idx = []
    for g in np.sort(chosen):
        members = np.flatnonzero(groups == g)
        idx.extend(rng.permutation(members)[:20])
    idx = np.sort(np.asarray(idx))
    Xs = X[idx]
    Xs = (Xs - Xs.mean(axis=(0, 2), keepdims=True)) / Xs.std(axis=(0, 2), keepdims=True)
    return Xs.astype(np.float32), y[idx].astype(np.int64), groups[idx], sfreq
