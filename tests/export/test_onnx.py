"""ONNX export: onnxruntime reproduces predict_proba on real EEG windows for every network."""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from skseizure.estimators import DCRNNClassifier, LightCNNClassifier  # noqa: E402
from skseizure.export import (  # noqa: E402
    onnx_input_feed,
    onnx_metadata,
    onnx_predict_proba,
    to_onnx,
)
from skseizure.preprocessing import DistanceGraph, WindowStandardizer  # noqa: E402
from skseizure.pruning import StructuredPruner  # noqa: E402
from tests.networks import all_networks  # noqa: E402

TOL = 1e-5
FAST = {"max_epochs": 2, "valid_size": None, "random_state": 0}


def _fit(spec, X, y, sfreq, **params):
    Xn = spec.build_inputs(X, sfreq).astype(np.float32)
    return spec.make_estimator(**{**FAST, **params}).fit(Xn, y), Xn


def _n_weights(path):
    import onnx

    return sum(int(np.prod(t.dims)) for t in onnx.load(str(path)).graph.initializer)


@pytest.mark.parametrize("spec", all_networks(), ids=lambda s: s.name)
def test_onnxruntime_matches_predict_proba(spec, helsinki_subset, tmp_path):
    X, y, _, sfreq = helsinki_subset
    est, Xn = _fit(spec, X, y, sfreq)
    path = to_onnx(est, tmp_path / f"{spec.name}.onnx")
    expected = est.predict_proba(Xn)
    got = onnx_predict_proba(path, onnx_input_feed(est, Xn))
    assert got.shape == expected.shape == (len(Xn), 2)
    np.testing.assert_allclose(got, expected, atol=TOL, rtol=0)
    np.testing.assert_allclose(got.sum(1), 1.0, atol=1e-5)
    # dynamic batch axis: one window at a time gives the same numbers
    one = onnx_predict_proba(path, onnx_input_feed(est, Xn[3:4]))
    np.testing.assert_allclose(one, expected[3:4], atol=TOL, rtol=0)
    meta = onnx_metadata(path)
    assert meta["classes"] == [0, 1]
    assert meta["input_shape"] == tuple(est.input_shape_)


def test_dcrnn_graph_modes(helsinki_subset, tmp_path):
    """Per-clip correlation graph -> second input; distance graph -> constant."""
    X, y, _, sfreq = helsinki_subset
    spec = next(s for s in all_networks() if s.name == "dcrnn")
    est, Xn = _fit(spec, X, y, sfreq)  # CorrelationGraph
    path = to_onnx(est, tmp_path / "corr.onnx")
    meta = onnx_metadata(path)
    assert meta["graph"] == "input" and meta["threshold"] == "none"
    with pytest.raises(ValueError, match="supports"):
        onnx_predict_proba(path, Xn)
    got = onnx_predict_proba(path, Xn, supports=est.graph_.supports(Xn))
    np.testing.assert_allclose(got, est.predict_proba(Xn), atol=TOL, rtol=0)

    from skseizure.datasets.montages import HELSINKI_18

    dist = DCRNNClassifier(graph=DistanceGraph(ch_names=list(HELSINKI_18)), augment=False,
                           module__num_units=8, module__num_layers=1, **FAST).fit(Xn, y)
    path = to_onnx(dist, tmp_path / "dist.onnx")
    assert onnx_metadata(path)["graph"] == "constant"
    got = onnx_predict_proba(path, Xn)  # no supports input
    np.testing.assert_allclose(got, dist.predict_proba(Xn), atol=TOL, rtol=0)


def test_pruned_network_is_exported_smaller(helsinki_subset, tmp_path):
    X, y, groups, _ = helsinki_subset
    base = LightCNNClassifier(module__n_filters=(8, 16, 32), **FAST)
    pruner = StructuredPruner(base, amount=0.5, retrain=False, validation_fraction=None,
                              random_state=0).fit(X, y)
    path = to_onnx(pruner, tmp_path / "pruned.onnx")
    full = to_onnx(pruner.baseline_estimator_, tmp_path / "full.onnx")
    np.testing.assert_allclose(onnx_predict_proba(path, X), pruner.predict_proba(X),
                               atol=TOL, rtol=0)
    assert onnx_metadata(path)["estimator"] == "StructuredPruner"
    # the pruned graph holds about half the kernels, so far fewer weights
    assert _n_weights(path) < 0.5 * _n_weights(full)


def test_pipeline_exports_its_network_only(helsinki_subset, tmp_path):
    X, y, _, _ = helsinki_subset
    X_volts = X * np.float32(1e-6)
    pipe = make_pipeline(WindowStandardizer(), LightCNNClassifier(
        module__n_filters=(8, 16, 32), **FAST)).fit(X_volts, y)
    path = to_onnx(pipe, tmp_path / "pipe.onnx")
    assert onnx_metadata(path)["preprocessing_included"] == "false"
    got = onnx_predict_proba(path, pipe[:-1].transform(X_volts))  # preprocessing done outside
    np.testing.assert_allclose(got, pipe.predict_proba(X_volts), atol=TOL, rtol=0)


def test_never_overwrites_without_permission(helsinki_subset, tmp_path):
    X, y, _, _ = helsinki_subset
    est = LightCNNClassifier(module__n_filters=(4, 4, 4), **FAST).fit(X, y)
    target = tmp_path / "model.onnx"
    target.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        to_onnx(est, target)
    assert target.read_bytes() == b"keep me"
    to_onnx(est, target, overwrite=True, opset=17)
    import onnx

    assert [o.version for o in onnx.load(str(target)).opset_import if o.domain == ""] == [17]
    np.testing.assert_allclose(onnx_predict_proba(target, X), est.predict_proba(X), atol=TOL)
    assert sorted(os.listdir(tmp_path)) == ["model.onnx"]  # no temporary file left behind
    with pytest.raises(IsADirectoryError):
        to_onnx(est, tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        to_onnx(est, tmp_path / "missing" / "m.onnx")


def test_bad_inputs_raise_clear_errors(helsinki_subset, tmp_path):
    X, y, _, _ = helsinki_subset
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted"):
        to_onnx(LightCNNClassifier(), tmp_path / "a.onnx")
    with pytest.raises(NotFittedError, match="not fitted"):
        to_onnx(StructuredPruner(LightCNNClassifier()), tmp_path / "a.onnx")
    X2 = X.reshape(len(X), -1)
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X2, y)
    with pytest.raises(TypeError, match="RandomForestClassifier"):
        to_onnx(forest, tmp_path / "a.onnx")
    with pytest.raises(TypeError, match="last step"):
        to_onnx(make_pipeline(FunctionTransformer(), forest), tmp_path / "a.onnx")
    est = LightCNNClassifier(module__n_filters=(4, 4, 4), **FAST).fit(X, y)
    with pytest.raises(ValueError, match="opset"):
        to_onnx(est, tmp_path / "a.onnx", opset="17")
    assert not list(tmp_path.iterdir())
    path = to_onnx(est, tmp_path / "a.onnx")
    with pytest.raises(ValueError, match="do not fit"):
        onnx_predict_proba(path, X[:, :5])
    with pytest.raises(FileNotFoundError):
        onnx_predict_proba(tmp_path / "none.onnx", X)
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a loadable ONNX model"):
        onnx_predict_proba(tmp_path / "junk.onnx", X)
