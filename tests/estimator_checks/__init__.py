"""Common checks for estimators that take 3-D ``(n_windows, n_channels, n_times)`` input.

scikit-learn's own common checks (:func:`sklearn.utils.estimator_checks.parametrize_with_checks`)
generate 2-D ``(n_samples, n_features)`` data and skip every estimator tagged
``two_d_array=False``. This module is the 3-D counterpart, in the style of
pyRiemann's and imbalanced-learn's suites: seeded synthetic windows, one small
function per API guarantee, a generator and a pytest decorator.

Every check has the signature ``check(name, estimator_orig, **data_params)``
(sklearn's ``(name, estimator)`` convention) and never modifies
``estimator_orig`` (it works on clones).

Typical use in a test module::

    from tests.estimator_checks import parametrize_with_3d_checks

    @parametrize_with_3d_checks(
        [BandpassFilter(sfreq=128.0), MyNetClassifier(max_epochs=1, random_state=0)],
        data_params={"n_times": 256},
        expected_failed_checks=lambda est: {},
    )
    def test_3d_checks(estimator, check):
        check(estimator)

The synthetic data are for API checks only; they carry no claim about EEG.

Modules: :mod:`.data` (synthetic windows, shared helpers), :mod:`.api_checks` (estimator
API), :mod:`.input_checks` (input contract and outputs), :mod:`.drivers` (generator, runner,
pytest decorator).
"""

from .api_checks import (
    check_3d_tags,
    check_clone,
    check_deterministic,
    check_fit_returns_self,
    check_fit_transform_equivalence,
    check_get_set_params_roundtrip,
    check_n_channels_in,
    check_pickle_roundtrip,
    check_refit_independence,
    check_unfitted_raises,
)
from .data import DEFAULT_DATA_PARAMS, make_3d_classification
from .drivers import _check_name  # noqa: F401  (used by the suite's own tests)
from .drivers import (
    check_classifier_3d,
    check_estimator_3d,
    check_transformer_3d,
    parametrize_with_3d_checks,
    yield_3d_checks,
)
from .input_checks import (
    check_channel_mismatch_rejected,
    check_classifier_outputs,
    check_classifier_string_labels,
    check_cross_validate_group_kfold,
    check_empty_input_rejected,
    check_float32_preserved,
    check_nan_inf_rejected,
    check_wrong_ndim_rejected,
)

__all__ = [
    "DEFAULT_DATA_PARAMS",
    "make_3d_classification",
    "yield_3d_checks",
    "parametrize_with_3d_checks",
    "check_estimator_3d",
    "check_transformer_3d",
    "check_classifier_3d",
    "check_3d_tags",
    "check_clone",
    "check_get_set_params_roundtrip",
    "check_fit_returns_self",
    "check_unfitted_raises",
    "check_n_channels_in",
    "check_pickle_roundtrip",
    "check_fit_transform_equivalence",
    "check_refit_independence",
    "check_deterministic",
    "check_float32_preserved",
    "check_nan_inf_rejected",
    "check_wrong_ndim_rejected",
    "check_channel_mismatch_rejected",
    "check_empty_input_rejected",
    "check_classifier_outputs",
    "check_classifier_string_labels",
    "check_cross_validate_group_kfold",
]
