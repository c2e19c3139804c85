"""Sphinx configuration for the skseizure documentation.

Build (from the repository root; needs the ``docs`` extra)::

    SKSEIZURE_DOCS_FAST=1 sphinx-build -b html -W --keep-going docs docs/_build/html

sphinx-gallery executes every ``examples/plot_*.py`` script and renders its output, figures and
run time into ``docs/auto_examples/``. ``SKSEIZURE_DOCS_FAST=1`` (read by the examples) trains
for fewer epochs / folds; ``SKSEIZURE_DATA`` points the examples to the real data sets.
"""

import importlib
import os
import re
import warnings
from pathlib import Path

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
    "sphinx_gallery.gen_gallery",
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

exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]

html_theme = "pydata_sphinx_theme"
html_title = f"skseizure {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_show_sourcelink = True

# --- sphinx-gallery: run every example, keep its figures and timings ----------------------------
_DOCS = Path(__file__).resolve().parent
os.environ.setdefault("MPLBACKEND", "Agg")
# Figures saved by an example go to a temporary folder only when asked for; the gallery
# captures them itself, so nothing is written outside sphinx-gallery's own output.
os.environ.pop("SKSEIZURE_FIGURES", None)
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg",
                        category=UserWarning)
sphinx_gallery_conf = {
    "examples_dirs": str(_DOCS.parent / "examples"),
    "gallery_dirs": str(_DOCS / "auto_examples"),
    "filename_pattern": r"/plot_",          # execute every plot_*.py
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "abort_on_example_error": False,        # -W still fails the build on an example error
    "only_warn_on_example_error": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    "reset_modules": ("matplotlib",),
    "min_reported_time": 0,
    "show_memory": False,
}

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
    "skseizure.io", "skseizure.datasets", "skseizure.preprocessing", "skseizure.models",
    "skseizure.estimators", "skseizure.pruning", "skseizure.detection", "skseizure.metrics",
    "skseizure.interpret", "skseizure.export", "skseizure.eng", "skseizure.cli",
)


def _public_names(package):
    """``__all__`` of an API package; empty when the package does not exist (yet)."""
    try:
        return getattr(importlib.import_module(package), "__all__", ())
    except ImportError:
        return ()


def _resolve_public_path(app, env, node, contnode):
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("skseizure."):
        return None
    parts = target.split(".")
    for i in range(len(parts) - 2, 1, -1):
        package = ".".join(parts[:i])
        if package in _API_PACKAGES and parts[-1] in _public_names(package):
            return env.get_domain("py").resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], f"{package}.{parts[-1]}",
                node, contnode)
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("missing-reference", _resolve_public_path)
