"""Training curves and confusion matrix of a fitted network."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skseizure.estimators import LightCNNClassifier  # noqa: E402
from skseizure.interpret.training_plots import (  # noqa: E402
    plot_confusion_matrix,
    plot_training_curves,
    training_history,
)
from skseizure.preprocessing import ChannelStandardizer  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    n, C, T = 120, 3, 64
    y = np.repeat([0, 1], n // 2)
    t = np.arange(T) / 64
    X = rng.normal(0, 1, (n, C, T)).astype(np.float32)
    X[y == 1] += (3 * np.sin(2 * np.pi * 6 * t)).astype(np.float32)
    groups = np.arange(n) % 6
    clf = LightCNNClassifier(module__n_filters=(4, 8, 8), max_epochs=4, batch_size=32,
                             random_state=0)
    pipe = make_pipeline(ChannelStandardizer(), clf).fit(X, y, lightcnnclassifier__groups=groups)
    return pipe, X, y


def test_history_has_one_row_per_epoch(fitted):
    pipe, X, y = fitted
    hist = training_history(pipe)
    assert hist["epoch"].tolist() == [1, 2, 3, 4]
    assert "train_loss" in hist and "valid_loss" in hist
    assert np.all(np.isfinite(hist["train_loss"]))
    with pytest.raises(KeyError, match="nope"):
        training_history(pipe, keys=["nope"])
    with pytest.raises(ValueError, match="no training history"):
        training_history(ChannelStandardizer())


def test_curves_draw_losses_and_scores(fitted):
    pipe, X, y = fitted
    ax = plot_training_curves(pipe)
    labels = [line.get_label() for line in ax.get_lines()]
    assert "train_loss" in labels and "valid_loss" in labels
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [1, 2, 3, 4])
    assert ax.get_xlabel() == "epoch"


def test_confusion_matrix_counts_the_predictions(fitted):
    pipe, X, y = fitted
    ax = plot_confusion_matrix(pipe, X, y)
    texts = [t.get_text() for t in ax.texts]
    pred = pipe.predict(X)
    expected = [str(int(np.sum((y == a) & (pred == b)))) for a in (0, 1) for b in (0, 1)]
    assert texts == expected
    assert sum(int(t) for t in texts) == len(y)
