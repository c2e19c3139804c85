"""Real windows for the export tests: a seeded subset of the Helsinki neonatal 1-s windows."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="package")
def helsinki_subset(shared_data):
    """120 Helsinki windows (18 ch, 64 Hz) in microvolts, both classes, and their infants."""
    from tests._extracts import load_helsinki_neonatal

    w = load_helsinki_neonatal(shared_data)
    idx = np.sort(np.random.default_rng(0).permutation(len(w.X))[:120])
    X = (w.X[idx] * np.float32(1e6)).astype(np.float32)
    y = np.asarray(w.y)[idx]
    assert set(np.unique(y)) == {0, 1}
    return X, y, np.asarray(w.groups)[idx], float(w.sfreq)
