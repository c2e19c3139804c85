"""Coverage / localization (Tang et al., ICLR 2022, Sec. 2.4) on hand-built maps with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from skseizure.interpret.scores import coverage_localization, coverage_score, localization_score


def test_hand_built_case():
    A = np.array([[0, 1, 1, 0],
                  [0, 0, 1, 0]])
    M = np.array([[0.0, 0.9, 0.6, 0.7],
                  [0.8, 0.2, 0.5, 0.1]])  # 0.5 is NOT above the threshold
    # detected: (0,1) (0,2) (0,3) (1,0); annotated: (0,1) (0,2) (1,2); overlap 2
    assert coverage_score(M, A) == pytest.approx(2 / 3)
    assert localization_score(M, A) == pytest.approx(2 / 4)
    # a lower threshold also detects (1,2) and (1,1)
    cov, loc = coverage_localization(M, A, threshold=0.15)
    assert cov == pytest.approx(1.0) and loc == pytest.approx(3 / 6)


def test_perfect_and_disjoint_maps():
    A = np.zeros((3, 5), dtype=int)
    A[1, 2:4] = 1
    assert coverage_localization(A.astype(float), A) == (1.0, 1.0)
    M = np.zeros((3, 5))
    M[0, 0] = 1.0
    assert coverage_localization(M, A) == (0.0, 0.0)


def test_batch_and_undefined_cases():
    A = np.zeros((2, 2, 3))
    A[0, 0, 0] = 1
    M = np.zeros((2, 2, 3))
    M[0, 0, :2] = 1.0  # clip 0: 1 of 2 detected cells annotated
    M[1, 1, 1] = 1.0   # clip 1: nothing annotated -> coverage undefined
    cov, loc = coverage_localization(M, A)
    np.testing.assert_allclose(cov, [1.0, np.nan])
    np.testing.assert_allclose(loc, [0.5, 0.0])
    cov, loc = coverage_localization(np.zeros((2, 3)), np.eye(2, 3))
    assert cov == 0.0 and np.isnan(loc)  # nothing detected -> localization undefined


def test_input_checks():
    with pytest.raises(ValueError, match="same shape"):
        coverage_score(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="binary"):
        coverage_score(np.zeros((2, 3)), np.full((2, 3), 0.5))
