"""Seeding helpers: one ``random_state`` parameter seeds numpy and torch."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["check_random_state", "seed_from_random_state"]


def seed_from_random_state(random_state):
    """Derive a 32-bit integer seed from an sklearn-style ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        ``None`` draws a fresh seed from the OS entropy source.

    Returns
    -------
    seed : int
        In ``[0, 2**31 - 1)``; usable for ``torch.manual_seed``.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] % (2**31 - 1))
    rng = check_random_state(random_state)
    return int(rng.randint(0, 2**31 - 1))
