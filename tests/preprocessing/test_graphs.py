"""Electrode layout and graph builders (Tang et al., ICLR 2022)."""

from __future__ import annotations

import csv
import pickle

import numpy as np
import pytest
import scipy.signal
from sklearn.base import clone

from skseizure.datasets.channels import TUSZ_19, parse_channel
from skseizure.datasets.electrodes import (
    channel_position,
    electrode_position,
    mirror_permutation,
    pairwise_distances,
)
from skseizure.preprocessing.graphs import (
    CorrelationGraph,
    DistanceGraph,
    correlation_adjacency,
    random_walk_supports,
    scaled_laplacian,
)

# the authors' released distance graph: the 36 undirected edges of adj_mx_3d.pkl with their weights
EDGES_36 = """FP1-FP2 .242432 FP1-F3 .241356 FP1-F7 .242376 FP1-FZ .088016 FP2-F4 .241356 FP2-F8 .242376
FP2-FZ .088016 F3-C3 .145170 F3-F7 .302573 F3-FZ .276508 F4-C4 .145170 F4-F8 .302573 F4-FZ .276508
C3-P3 .145170 C3-T3 .113791 C3-CZ .113791 C4-P4 .145170 C4-T4 .113791 C4-CZ .113791 P3-O1 .241356
P3-T5 .302573 P3-PZ .276508 P4-O2 .241356 P4-T6 .302573 P4-PZ .276508 O1-O2 .242432 O1-T5 .242376
O1-PZ .088016 O2-T6 .242376 O2-PZ .088016 F7-T3 .242373 F8-T4 .242373 T3-T5 .242373 T4-T6 .242373
FZ-CZ .113791 CZ-PZ .113791"""

HELSINKI_18 = ["Fp2-F4", "F4-C4", "C4-P4", "P4-O2", "Fp1-F3", "F3-C3", "C3-P3", "P3-O1",
               "Fp2-F8", "F8-T4", "T4-T6", "T6-O2", "Fp1-F7", "F7-T3", "T3-T5", "T5-O1",
               "Fz-Cz", "Cz-Pz"]


def _edges():
    toks = EDGES_36.split()
    return {tuple(toks[i].split("-")): float(toks[i + 1]) for i in range(0, len(toks), 2)}


# ----------------------------------------------------------------------------- layout
def test_unit_sphere_layout_reproduces_authors_distances(shared_data):
    idx = {c: i for i, c in enumerate(TUSZ_19)}
    ref = np.full((19, 19), np.nan)
    with open(shared_data / "eeg-10-20" / "distances_3d.csv") as fh:
        for row in csv.DictReader(fh):
            ref[idx[row["from"].replace("EEG ", "")], idx[row["to"].replace("EEG ", "")]] = float(
                row["distance"])
    assert not np.isnan(ref).any()
    D = pairwise_distances(TUSZ_19)
    assert np.abs(D - ref).max() < 1e-3
    assert np.abs(D - ref).max() < 1e-4  # actually 8.7e-5


def test_positions_are_unit_vectors_and_synonyms():
    for name in TUSZ_19:
        assert np.linalg.norm(electrode_position(name)) == pytest.approx(1.0)
    for old, new in [("T3", "T7"), ("T4", "T8"), ("T5", "P7"), ("T6", "P8")]:
        np.testing.assert_array_equal(electrode_position(old), electrode_position(new))
    np.testing.assert_array_equal(electrode_position("EEG FP1-REF"), electrode_position("Fp1"))
    np.testing.assert_allclose(electrode_position("Cz"), [0, 0, 1], atol=1e-12)
    # F3 lies on the small circle through F7, Fz, F8 (the 10-20 "F line")
    F7, Fz, F8, F3 = (electrode_position(e) for e in ("F7", "Fz", "F8", "F3"))
    n = np.cross(F8 - F7, Fz - F7)
    assert abs(n @ (F3 - F7)) / np.linalg.norm(n) < 1e-4


def test_mne_electrodes_projected_on_sphere_and_plausible():
    ft9, ft10 = electrode_position("FT9"), electrode_position("FT10")
    assert np.linalg.norm(ft9) == pytest.approx(1.0)
    # left/right mirror images and close to their neighbours T7/T8
    assert ft9[1] > 0 > ft10[1]
    nearest = min(TUSZ_19, key=lambda e: np.linalg.norm(ft9 - electrode_position(e)))
    assert nearest in ("T3", "F7")
    assert ft9[2] < 0  # FT9 sits below the 10-20 equator
    with pytest.raises(ValueError, match="Unknown electrode"):
        electrode_position("XX9")


def test_bipolar_channel_is_midpoint_on_sphere():
    a, b = electrode_position("Fp1"), electrode_position("F7")
    mid = (a + b) / np.linalg.norm(a + b)
    np.testing.assert_allclose(channel_position("Fp1-F7"), mid)
    assert parse_channel("T8-P8-0", legacy=True) == ("T4", "T6")
    assert parse_channel("EEG FP1-REF") == ("FP1",)


def test_mirror_permutation_swaps_all_pairs_including_p3_p4():
    perm = mirror_permutation(TUSZ_19)
    names = [TUSZ_19[i] for i in perm]
    assert names[TUSZ_19.index("P3")] == "P4" and names[TUSZ_19.index("P4")] == "P3"
    for mid in ("FZ", "CZ", "PZ"):
        assert names[TUSZ_19.index(mid)] == mid
    np.testing.assert_array_equal(perm[perm], np.arange(19))  # an involution
    hp = mirror_permutation(HELSINKI_18)
    assert [HELSINKI_18[i] for i in hp][:8] == HELSINKI_18[4:8] + HELSINKI_18[:4]
    with pytest.raises(ValueError, match="mirror image"):
        mirror_permutation(["Fp1", "Cz"])


# ----------------------------------------------------------------------------- distance graph
def test_distance_graph_matches_paper_weights_and_edges():
    g = DistanceGraph().fit()
    W = g.adjacency_
    assert g.sigma_ == pytest.approx(0.51915675, abs=2e-5)
    np.testing.assert_allclose(np.diag(W), 1.0)
    np.testing.assert_array_equal(W, W.T)
    idx = {c: i for i, c in enumerate(TUSZ_19)}
    expected = np.eye(19)
    for (a, b), w in _edges().items():
        expected[idx[a], idx[b]] = expected[idx[b], idx[a]] = w
    assert ((W > 0) == (expected > 0)).all()
    assert int((W > 0).sum() - 19) // 2 == 36
    np.testing.assert_allclose(W, expected, atol=5e-4)


def test_scaled_laplacian_lambda_max_and_definition():
    g = DistanceGraph().fit()
    assert g.lambda_max_ == pytest.approx(0.79056, abs=1e-4)
    A = g.adjacency_.astype(np.float64)
    d = A.sum(1)
    L = np.eye(19) - A / np.sqrt(np.outer(d, d))
    np.testing.assert_allclose(g.supports_[0], 2 * L / g.lambda_max_ - np.eye(19), atol=1e-6)
    ev = np.linalg.eigvalsh(g.supports_[0].astype(np.float64))
    assert ev.max() == pytest.approx(1.0, abs=1e-5)  # mapped to [-1, 1]
    assert ev.min() >= -1 - 1e-5


def test_distance_graph_kappa_thresholds_the_distance():
    # paper, Appendix K: FP1-FZ (d=0.81) disappears at kappa 0.8
    idx = {c: i for i, c in enumerate(TUSZ_19)}
    W8 = DistanceGraph(kappa=0.8).fit().adjacency_
    assert W8[idx["FP1"], idx["FZ"]] == 0 and W8[idx["F3"], idx["FZ"]] > 0
    W12 = DistanceGraph(kappa=1.2).fit().adjacency_
    assert W12[idx["C3"], idx["FZ"]] > 0 and W12[idx["F7"], idx["T5"]] > 0


def test_distance_graph_bipolar_and_checks(rng):
    X = rng.normal(size=(3, 2, 18, 5)).astype(np.float32)
    g = DistanceGraph(ch_names=HELSINKI_18).fit(X)
    assert g.transform(X).shape == (3, 18, 18)
    assert (g.adjacency_ > 0).sum(1).min() >= 2  # every bipolar node has a neighbour
    with pytest.raises(ValueError, match="channel names"):
        DistanceGraph().fit(X)
    with pytest.raises(ValueError, match="kappa"):
        DistanceGraph(kappa=-1).fit()


# ----------------------------------------------------------------------------- correlation graph
def test_correlation_graph_matches_reference_recipe(rng):
    """Our vectorised graph == the authors' loop (scipy.signal.correlate 'valid', keep_topk)."""
    X = rng.normal(3.0, 1.0, size=(2, 4, 19, 10)).astype(np.float32)
    A = CorrelationGraph(top_k=3).fit(X).transform(X)
    for n in range(2):
        clip = np.transpose(X[n], (1, 0, 2)).reshape(19, -1).astype(np.float64)
        ref = np.eye(19)
        for i in range(19):
            for j in range(i + 1, 19):
                xc = scipy.signal.correlate(clip[i], clip[j], mode="valid")[0]
                xc /= np.sqrt(np.sum(clip[i] ** 2) * np.sum(clip[j] ** 2))
                ref[i, j] = ref[j, i] = abs(xc)
        off = ref.copy()
        np.fill_diagonal(off, 0)
        keep = np.zeros_like(ref, dtype=bool)
        for i in range(19):
            keep[i, np.argsort(-off[i])[:3]] = True
        np.fill_diagonal(keep, True)
        np.testing.assert_allclose(A[n], np.where(keep, ref, 0), atol=1e-6)
        assert ((A[n] > 0).sum(1) == 4).all()  # top-3 + self per row
    assert not np.allclose(A[0], A[0].T)  # directed


def test_correlation_graph_zero_channel_and_raw_windows(rng):
    X = rng.normal(size=(1, 6, 100)).astype(np.float32)
    X[0, 2] = 0.0
    A = correlation_adjacency(X, top_k=2)
    assert np.isfinite(A).all()
    assert A[0, 2, 2] == 1 and A[0, 2].sum() == 1  # an all-zero channel links to nothing
    with pytest.raises(ValueError, match="top_k"):
        CorrelationGraph(top_k=6).fit(X)


def test_random_walk_supports_definition(rng):
    A = np.abs(rng.normal(size=(5, 5)))
    S = random_walk_supports(A)
    Do = A.sum(1)
    Di = A.T.sum(1)
    np.testing.assert_allclose(S[0], (A / Do[:, None]).T, rtol=1e-6)
    np.testing.assert_allclose(S[1], (A.T / Di[:, None]).T, rtol=1e-6)
    # columns of (D^-1 A).T sum to 1: probability mass is conserved
    np.testing.assert_allclose(S[0].sum(0), 1.0, rtol=1e-6)
    L, lam = scaled_laplacian(A)
    assert lam > 0 and L.shape == (5, 5)


def test_graphs_clone_pickle_params():
    g = DistanceGraph(kappa=0.8)
    assert clone(g).get_params() == g.get_params()
    c = CorrelationGraph(top_k=2)
    g2 = pickle.loads(pickle.dumps(DistanceGraph().fit()))
    np.testing.assert_array_equal(g2.adjacency_, DistanceGraph().fit().adjacency_)
    assert c.n_supports == 2 and g.n_supports == 1


def test_distance_graph_without_edges_is_a_clear_error():
    """A kappa below the closest electrode pair leaves only self-loops: ValueError, not ARPACK."""
    for filter_type in ("laplacian", "dual_random_walk"):
        with pytest.raises(ValueError, match=r"kappa=1e-06 leaves no edge between the 19 "
                                             r"electrodes \(the closest pair is 0\.5"):
            DistanceGraph(kappa=1e-6, filter_type=filter_type).fit()
    with pytest.raises(ValueError, match="no edge between its 4 nodes"):
        scaled_laplacian(np.eye(4))


def test_scaled_laplacian_matches_its_definition_on_random_graphs(rng):
    """``L = I - D^-1/2 A D^-1/2`` with self-loops in D, isolated nodes L[i, i] = 1."""
    for _ in range(5):
        A = rng.random((7, 7))
        A[A < 0.5] = 0.0
        A[2, :] = A[:, 2] = 0.0  # an isolated node
        S = np.maximum(A, A.T)
        d = S.sum(1)
        inv = np.where(d > 0, 1 / np.sqrt(np.where(d > 0, d, 1)), 0.0)
        L = np.eye(7) - inv[:, None] * S * inv[None, :]
        lam = np.linalg.eigvalsh(L).max()
        got, got_lam = scaled_laplacian(A)
        assert got_lam == pytest.approx(lam, rel=1e-12)
        np.testing.assert_allclose(got, 2 * L / lam - np.eye(7), atol=1e-6)
