"""Public utilities for developers of skseizure-compatible estimators.

:mod:`skseizure.utils.estimator_checks` holds the 3-D common-check suite
(``parametrize_with_3d_checks``, ``check_estimator_3d``...). It is not
imported here so that ``import skseizure`` does not pull in test helpers.
"""

__all__ = ["estimator_checks"]
