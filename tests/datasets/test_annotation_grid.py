"""Channel x second annotation grids on graph nodes, and coverage / localisation on them.

Real annotations: the Helsinki per-channel table (Tapani et al. 2019; bipolar derivations)
mapped onto the 19 referential nodes of the DCRNN graph and onto the 18 derivations.
"""

import numpy as np
import pytest

from skseizure.datasets import DCRNN_19, HELSINKI_18, channel_annotation_grid
from skseizure.datasets.channels import parse_channel
from skseizure.interpret import coverage_localization, coverage_score, localization_score
from skseizure.io import TuszEvent, read_helsinki_channel_annotations

NODE = {e: i for i, e in enumerate(parse_channel(n)[0] for n in DCRNN_19)}


@pytest.fixture(scope="module")
def seizures(shared_data):
    path = shared_data / "helsinki-neonatal" / "extra" / "seizure_per_channel_Dec_2017.csv"
    with pytest.warns(UserWarning, match="line 322"):
        return read_helsinki_channel_annotations(path, invalid="skip")[1]


def test_bipolar_rule_on_referential_nodes(seizures):
    first = seizures[0]  # infant 1, 104-122 s, Fz-Cz and Cz-Pz
    grid = channel_annotation_grid([first], DCRNN_19, start_s=100.0, n_seconds=30)
    assert grid.shape == (19, 30) and grid.dtype == np.uint8
    involved = np.flatnonzero(grid.any(axis=1))
    assert [DCRNN_19[i] for i in involved] == ["FZ", "CZ", "PZ"]
    assert grid[NODE["CZ"]].tolist() == [0] * 4 + [1] * 18 + [0] * 8
    # F4-C4 and F8-T4 (old T4 = T8) -> F4, C4, F8, T4
    g2 = channel_annotation_grid([seizures[1]], DCRNN_19)
    assert {DCRNN_19[i] for i in np.flatnonzero(g2.any(axis=1))} == {"F4", "C4", "F8", "T4"}
    assert g2.shape[1] == 428 and g2[:, 349:428].any(axis=0).all() and not g2[:, :349].any()
    # every real event maps onto at least as many electrodes as it has chains, at most 2x derivations
    for ev in seizures:
        g = channel_annotation_grid([ev], DCRNN_19, start_s=ev.start, n_seconds=int(ev.stop - ev.start))
        n_nodes = int(g.any(axis=1).sum())
        assert (n_nodes == 0) == (len(ev.channels) == 0)
        assert n_nodes <= 2 * len(ev.channels)


def test_bipolar_nodes_match_derivations_and_tusz_rows():
    rows = [("Fp2-F4", 0.0, 2.0), ("T4-T6", 1.2, 2.0)]
    g = channel_annotation_grid(rows, HELSINKI_18, n_seconds=3)
    assert g[0].tolist() == [1, 1, 0] and g[10].tolist() == [0, 1, 0] and g.sum() == 3
    # TUSZ channel rows: TCP labels, TERM and background rows ignored, A1 not a node
    events = [TuszEvent("FP1-F7", 2.5, 4.0, "fnsz", 1.0), TuszEvent("A1-T3", 3.0, 4.0, "fnsz", 1.0),
              TuszEvent("TERM", 0.0, 9.0, "seiz", 1.0), TuszEvent("CZ-C4", 0.0, 9.0, "bckg", 1.0)]
    g = channel_annotation_grid(events, DCRNN_19, n_seconds=5)
    assert {DCRNN_19[i] for i in np.flatnonzero(g.any(axis=1))} == {"FP1", "F7", "T3"}
    assert g[NODE["FP1"]].tolist() == [0, 0, 1, 1, 0]
    with pytest.raises(ValueError, match="matches no node"):
        channel_annotation_grid([("FT9-FT10", 0.0, 1.0)], DCRNN_19)
    with pytest.raises(ValueError, match="all referential or all bipolar"):
        channel_annotation_grid(rows, ["C3", "C3-P3"])
    with pytest.raises(ValueError, match="does not end"):
        channel_annotation_grid([("C3", 2.0, 1.0)], DCRNN_19)


def test_coverage_and_localisation_on_the_real_table(seizures):
    """A map on exactly the annotated nodes scores 1; one on the other nodes scores 0."""
    rng = np.random.default_rng(0)
    exact, wrong, rand_cov = [], [], []
    for ev in seizures:
        if not ev.channels:
            continue
        start = ev.start - 2.0
        n_sec = int(min(12, ev.stop - start))
        A = channel_annotation_grid([ev], DCRNN_19, start_s=start, n_seconds=n_sec)
        exact.append(coverage_localization(A.astype(float), A))
        wrong.append(coverage_localization(1.0 - A, A))
        # a map marking as many random node-seconds as the annotation holds
        M = np.zeros(A.size)
        M[rng.choice(A.size, int(A.sum()), replace=False)] = 1.0
        rand_cov.append(coverage_score(M.reshape(A.shape), A))
    exact, wrong = np.array(exact), np.array(wrong)
    assert len(exact) == 362
    np.testing.assert_array_equal(exact, 1.0)
    assert np.nanmax(wrong[:, 0]) == 0.0 and np.nanmax(wrong[:, 1]) == 0.0
    assert 0.1 < np.mean(rand_cov) < 0.5  # chance level: about the involved fraction of nodes
    # a seizure clip map that is right on the involved nodes but spills over every node
    ev = seizures[1]
    A = channel_annotation_grid([ev], DCRNN_19, start_s=ev.start - 2, n_seconds=12)
    M = np.where(A.any(axis=0, keepdims=True), 1.0, 0.0) * np.ones_like(A)
    assert coverage_score(M, A) == 1.0
    assert localization_score(M, A) == pytest.approx(4 / 19)
