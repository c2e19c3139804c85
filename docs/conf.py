"""Sphinx configuration for the skseizure documentation (``sphinx-build docs docs/_build``)."""

import skseizure

project = "skseizure"
author = "skseizure developers"
release = skseizure.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
