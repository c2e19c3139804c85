"""Static int8 quantisation: runs, keeps the predictions of a well-separated real task."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from skseizure.estimators import LightCNNClassifier  # noqa: E402
from skseizure.export import (  # noqa: E402
    WindowCalibrationReader,
    int8_score_change,
    onnx_input_feed,
    onnx_metadata,
    onnx_predict_proba,
    quantize_int8,
    to_onnx,
)
from tests.networks import get_network  # noqa: E402

SUB = 512  # samples per Bonn sub-window (2.95 s at 173.61 Hz)


@pytest.fixture(scope="module")
def bonn_a_vs_e(shared_data):
    """Bonn set A (healthy, surface) vs E (ictal): 8 sub-windows per segment, split by segment.

    Segments 1-70 of each set train, 71-100 test (the sets carry no subject ids).
    """
    from skseizure.datasets import load_bonn

    w = load_bonn(shared_data, sets=("A", "E"), target="seizure")
    n_sub = w.X.shape[-1] // SUB
    X = w.X[:, :, : n_sub * SUB].reshape(len(w.X), 1, n_sub, SUB).transpose(0, 2, 1, 3)
    X = (X.reshape(-1, 1, SUB) / np.float32(100.0)).astype(np.float32)
    y = np.repeat(np.asarray(w.y), n_sub)
    seg = np.repeat(np.arange(len(w.X)) % 100, n_sub)
    train = seg < 70
    return X[train], y[train], X[~train], y[~train]


@pytest.fixture(scope="module")
def float_model(bonn_a_vs_e, tmp_path_factory):
    X_tr, y_tr, _, _ = bonn_a_vs_e
    est = LightCNNClassifier(module__n_filters=(8, 16, 32), max_epochs=6, valid_size=None,
                             random_state=0).fit(X_tr, y_tr)
    path = to_onnx(est, tmp_path_factory.mktemp("q") / "bonn.onnx")
    return est, path


def test_int8_keeps_predictions_on_bonn(bonn_a_vs_e, float_model, tmp_path):
    X_tr, _, X_te, y_te = bonn_a_vs_e
    est, path = float_model
    q = quantize_int8(path, tmp_path / "bonn.int8.onnx", X_tr, n_calibration=300)
    scores = int8_score_change(path, q, X_te, y_te)
    assert scores["accuracy_float32"] > 0.85  # the task is learnt (well separated)
    assert scores["agreement"] >= 0.95
    assert abs(scores["delta_accuracy"]) <= 0.03
    assert abs(scores["delta_auroc"]) <= 0.02
    assert 0 < scores["max_abs_proba_diff"] < 0.5  # int8 really changes the numbers
    model = onnx.load(str(q))
    int8 = [t for t in model.graph.initializer if t.data_type == onnx.TensorProto.INT8]
    n_kernel_weights = sum(p.numel() for p in est.module_.parameters() if p.dim() > 1)
    assert sum(int(np.prod(t.dims)) for t in int8) > 0.9 * n_kernel_weights
    meta = onnx_metadata(q)
    assert meta["classes"] == [0, 1] and meta["quantization"] == "int8-static-qdq"


def test_calibration_reader_draws_training_windows(bonn_a_vs_e):
    X_tr = bonn_a_vs_e[0]
    reader = WindowCalibrationReader(X_tr, n_windows=70, batch_size=32, random_state=0)
    batches = []
    while (feed := reader.get_next()) is not None:
        batches.append(feed["windows"])
    assert [len(b) for b in batches] == [32, 32, 6]
    drawn = np.concatenate(batches)
    assert len({b.tobytes() for b in drawn}) == 70  # without replacement
    reader.rewind()
    np.testing.assert_array_equal(reader.get_next()["windows"], batches[0])
    with pytest.raises(ValueError, match="NaN"):
        WindowCalibrationReader(np.full((3, 1, 8), np.nan, np.float32))


def test_quantize_refuses_bad_calls(bonn_a_vs_e, float_model, tmp_path):
    X_tr, _, X_te, y_te = bonn_a_vs_e
    _, path = float_model
    target = tmp_path / "q.onnx"
    target.write_bytes(b"keep")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        quantize_int8(path, target, X_tr)
    assert target.read_bytes() == b"keep"
    with pytest.raises(ValueError, match="shape"):
        quantize_int8(path, tmp_path / "b.onnx", X_tr[:, :, :100])
    with pytest.raises(FileNotFoundError):
        quantize_int8(tmp_path / "nothing.onnx", tmp_path / "b.onnx", X_tr)
    with pytest.raises(ValueError, match="calibrate_method"):
        quantize_int8(path, tmp_path / "b.onnx", X_tr, calibrate_method="best")
    with pytest.raises(ValueError, match="not the model's classes"):
        int8_score_change(path, path, X_te[:4], np.array([0, 1, 2, 1]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.onnx"]


def test_per_clip_graph_model_quantizes(helsinki_subset, tmp_path):
    """DCRNN with a correlation graph: calibration needs the supports as well."""
    X, y, _, sfreq = helsinki_subset
    spec = get_network("dcrnn")
    Xn = spec.build_inputs(X, sfreq).astype(np.float32)
    est = spec.make_estimator(max_epochs=2, valid_size=None, random_state=0).fit(Xn, y)
    path = to_onnx(est, tmp_path / "dcrnn.onnx")
    with pytest.raises(ValueError, match="calibration_supports"):
        quantize_int8(path, tmp_path / "dcrnn.int8.onnx", Xn)
    feed = onnx_input_feed(est, Xn)
    q = quantize_int8(path, tmp_path / "dcrnn.int8.onnx", Xn,
                      calibration_supports=feed["supports"])
    p8 = onnx_predict_proba(q, feed)
    assert p8.shape == (len(Xn), 2) and np.all(np.isfinite(p8))
    np.testing.assert_allclose(p8, onnx_predict_proba(path, feed), atol=0.1)
