"""A hyper-parameter search over a full skseizure pipeline on a Dask cluster.

``GridSearchCV`` run through ``joblib.parallel_backend("dask")`` on a local cluster of two
worker processes must give exactly the ``cv_results_`` (parameters and every split's
score) of the same search run sequentially: the outer CV is subject-wise (GroupKFold),
the network's inner validation split is subject-wise too, and ``random_state`` makes each
fit a function of its data and parameters only, whichever process runs it.

Needs ``dask[distributed]`` (the ``tests`` extra); skipped when it is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline

from skseizure.estimators import LightCNNClassifier
from skseizure.preprocessing.standardization import WindowStandardizer

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def helsinki_subset(shared_data):
    """120 real windows (18 ch, 1 s at 64 Hz) of 6 infants, 3 with seizures."""
    from tests._extracts import load_helsinki_neonatal

    w = load_helsinki_neonatal(shared_data / "helsinki-neonatal", expert="A")
    X, y, groups = np.asarray(w.X, np.float32), np.asarray(w.y), np.asarray(w.groups)
    rng = np.random.default_rng(0)
    pos = sorted(g for g in np.unique(groups) if y[groups == g].any())
    neg = sorted(g for g in np.unique(groups) if not y[groups == g].any())
    chosen = list(rng.choice(pos, 3, replace=False)) + list(rng.choice(neg, 3, replace=False))
    idx = np.sort(np.concatenate(
        [rng.permutation(np.flatnonzero(groups == g))[:20] for g in chosen]))
    return X[idx], y[idx], groups[idx]


def _search():
    pipe = Pipeline([
        ("scale", WindowStandardizer()),
        ("clf", LightCNNClassifier(module__n_filters=(4, 8, 8), max_epochs=2, batch_size=32,
                                   random_state=0)),
    ])
    grid = {"clf__lr": [0.0025, 0.01], "clf__module__n_filters": [(4, 8, 8), (8, 8, 16)]}
    return GridSearchCV(pipe, grid, cv=GroupKFold(n_splits=3), scoring="balanced_accuracy",
                        n_jobs=2, error_score="raise")


def _set_one_thread():
    import torch

    torch.set_num_threads(1)


def _executed_count(dask_worker):
    return dask_worker.state.executed_count


def test_dask_grid_search_equals_sequential(helsinki_subset):
    import joblib

    X, y, groups = helsinki_subset
    sequential = _search().set_params(n_jobs=1).fit(X, y, groups=groups, clf__groups=groups)
    import dask

    # Without Dask's aggressive malloc trimming torch trains at full speed in the workers.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}), \
            distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        client.run(_set_one_thread)
        with joblib.parallel_backend("dask"):
            on_dask = _search().fit(X, y, groups=groups, clf__groups=groups)
        # The fits ran on both workers, not in this process.
        executed = client.run(_executed_count)
    assert len(executed) == 2 and all(n > 0 for n in executed.values()), executed
    seq, par = sequential.cv_results_, on_dask.cv_results_
    assert [p for p in par["params"]] == [p for p in seq["params"]] and len(seq["params"]) == 4
    for k in range(3):
        np.testing.assert_array_equal(par[f"split{k}_test_score"], seq[f"split{k}_test_score"])
    np.testing.assert_array_equal(par["rank_test_score"], seq["rank_test_score"])
    assert on_dask.best_params_ == sequential.best_params_
    # Scores are balanced accuracies of subject-held-out folds.
    assert np.all((seq["mean_test_score"] >= 0) & (seq["mean_test_score"] <= 1))
