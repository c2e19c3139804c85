"""Shared fixtures: the one place that locates the real data in ``../shared/data``.

Tests that read real recordings take the ``shared_data`` fixture. The folder is
found from ``SKSEIZURE_DATA`` or as ``../shared/data`` beside the repository.
In CI (``CI`` set) a missing folder is an error; elsewhere those tests are
skipped with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def locate_shared_data():
    """Return the real-data folder or ``None`` when it is absent."""
    env = os.environ.get("SKSEIZURE_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO_ROOT.parent / "shared" / "data")
    for path in candidates:
        if path.is_dir():
            return path
    return None


@pytest.fixture(scope="session")
def shared_data():
    """Path to ``../shared/data`` (or ``$SKSEIZURE_DATA``)."""
    path = locate_shared_data()
    if path is None:
        message = (
            "real data folder not found: set SKSEIZURE_DATA or place shared/data "
            "beside the repository"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def rng():
    """A seeded numpy generator (tests are deterministic)."""
    return np.random.default_rng(0)


@pytest.fixture(autouse=True, scope="session")
def _torch_threads():
    """One torch thread per test process.

    Small networks on a shared 2-core machine run 10-80x slower with two threads
    contending (measured on the DCRNN tests); parallelism comes from processes.
    """
    try:
        import torch
    except ImportError:  # pragma: no cover
        yield
        return
    torch.set_num_threads(1)
    yield
