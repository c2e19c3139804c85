"""Sphinx configuration for the skseizure documentation.

Build (from the repository root; needs the ``docs`` extra)::

    sphinx-build -b html -W --keep-going docs docs/_build/html
"""

import importlib
import re

import skseizure

project = "skseizure"
author = "skseizure developers"
release = skseizure.__version__
version = release
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
]

# docs/api.rst lists every public name itself (autosummary tables without :toctree:, then
# autoclass / autofunction), so no stub pages are generated into the source tree.
autosummary_generate = False
# Members inherited from the package's own (private) base classes are documented on each public
# class (``fit``, ``predict``, ``classes_``...); members of third-party bases are not (members are
# skipped when the first class of the MRO defining them is listed here).
_THIRD_PARTY_BASES = (
    "object", "BaseException", "Exception", "LookupError", "KeyError", "ValueError", "tuple",
    "ndarray",
    "BaseEstimator", "ClassifierMixin", "RegressorMixin", "TransformerMixin", "MetaEstimatorMixin",
    "OneToOneFeatureMixin", "ClassNamePrefixFeaturesOutMixin", "_SetOutputMixin",
    "_MetadataRequester", "ReprHTMLMixin", "_HTMLDocumentationLinkMixin",
    "NeuralNet", "NeuralNetClassifier", "Module",
)
autodoc_default_options = {"members": True, "inherited-members": ",".join(_THIRD_PARTY_BASES)}
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

exclude_patterns = ["_build"]
html_theme = "alabaster"

# scikit-learn generates ``set_fit_request``, ``set_score_request``... on every estimator (metadata
# routing). Their docstrings are scikit-learn's and refer to labels of scikit-learn's own docs,
# so they are left out of ours.
_SKLEARN_REQUEST = re.compile(r"^set_\w+_request$")


def _skip_member(app, what, name, obj, skip, options):
    if _SKLEARN_REQUEST.match(name):
        return True
    return None


# Objects are documented where users import them (``skseizure.datasets.CHBMIT_18``). A docstring
# that names the defining module instead (``skseizure.datasets.montages.CHBMIT_18``) is linked to
# the public name when that sub-package exports it.
_API_PACKAGES = (
    "skseizure.datasets", "skseizure.preprocessing", "skseizure.models", "skseizure.estimators",
    "skseizure.pruning", "skseizure.metrics", "skseizure.interpret",
    "skseizure.utils.estimator_checks", "skseizure.cli",
)


def _resolve_public_path(app, env, node, contnode):
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("skseizure."):
        return None
    parts = target.split(".")
    for i in range(len(parts) - 2, 1, -1):
        package = ".".join(parts[:i])
        if package in _API_PACKAGES and parts[-1] in importlib.import_module(package).__all__:
            return env.get_domain("py").resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], f"{package}.{parts[-1]}",
                node, contnode)
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("missing-reference", _resolve_public_path)
