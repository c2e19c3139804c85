"""The API reference (docs/api.rst) covers every public name, and every public name is documented.

Fast and Sphinx-free: it reads ``__all__`` of each sub-package and parses ``docs/api.rst`` as text.
Build the HTML documentation itself with::

    sphinx-build -b html -W --keep-going docs docs/_build/html
"""

import importlib
import inspect
import re
import warnings
from pathlib import Path

import pytest

API_RST = Path(__file__).resolve().parents[1] / "docs" / "api.rst"

SUBPACKAGES = [
    "skseizure.io",
    "skseizure.datasets",
    "skseizure.preprocessing",
    "skseizure.models",
    "skseizure.estimators",
    "skseizure.pruning",
    "skseizure.metrics",
    "skseizure.interpret",
    "skseizure.detection",
    "skseizure.export",
    "skseizure.eng",
    "skseizure.cli",
]

_MODULE = re.compile(r"^\.\. (?:py:)?module:: (\S+)\s*$")
_CURRENT = re.compile(r"^\.\. (?:py:)?currentmodule:: (\S+)\s*$")
_OBJECT = re.compile(r"^\.\. (?:auto)?(class|function|data|exception)(?:::| ::) (\w+)\s*$")


def _documented_objects():
    """Map module -> {name: (directive, body lines)} for every object directive in api.rst."""
    lines = API_RST.read_text(encoding="utf-8").splitlines()
    found, module = {}, None
    for i, line in enumerate(lines):
        m = _MODULE.match(line) or _CURRENT.match(line)
        if m:
            module = m.group(1)
            continue
        m = _OBJECT.match(line)
        if not m:
            continue
        assert module is not None, f"api.rst line {i + 1}: object before any module directive"
        body = []
        for nxt in lines[i + 1:]:
            if nxt and not nxt.startswith(" "):
                break
            body.append(nxt.strip())
        # option lines (":members:") are not a description
        text = [b for b in body if b and not b.startswith(":")]
        found.setdefault(module, {})[m.group(2)] = (m.group(1), text)
    return found


DOCUMENTED = _documented_objects()


def _public(modname):
    mod = importlib.import_module(modname)
    assert hasattr(mod, "__all__"), f"{modname} has no __all__"
    return mod, list(mod.__all__)


def _is_documentable(obj):
    return inspect.isclass(obj) or inspect.isroutine(obj)


@pytest.mark.parametrize("modname", SUBPACKAGES)
def test_every_public_name_in_api_reference(modname):
    _, names = _public(modname)
    documented = DOCUMENTED.get(modname, {})
    missing = [n for n in names if n not in documented]
    assert not missing, f"docs/api.rst lacks these names of {modname}.__all__: {missing}"
    stale = sorted(set(documented) - set(names))
    assert not stale, f"docs/api.rst documents names that are not in {modname}.__all__: {stale}"


@pytest.mark.parametrize("modname", SUBPACKAGES)
def test_every_public_name_has_a_docstring(modname):
    mod, names = _public(modname)
    undocumented = []
    for name in names:
        obj = getattr(mod, name)
        if _is_documentable(obj):
            # the object's own docstring: a class does not inherit __doc__ from its bases
            doc = obj.__doc__
            if not (doc and doc.strip()):
                undocumented.append(name)
        else:
            # constants and scorer instances carry no docstring of their own;
            # api.rst describes them in a ``.. data::`` directive instead
            directive, text = DOCUMENTED.get(modname, {}).get(name, (None, []))
            if directive != "data" or not text:
                undocumented.append(name)
    assert not undocumented, f"{modname}: no docstring / description for {undocumented}"


def test_api_reference_uses_matching_directives():
    """Classes go through autoclass, functions through autofunction, the rest through data."""
    wrong = []
    for modname in SUBPACKAGES:
        mod, names = _public(modname)
        for name in names:
            directive = DOCUMENTED.get(modname, {}).get(name, (None,))[0]
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                expected = "class"
            else:
                expected = "function" if inspect.isroutine(obj) else "data"
            if directive is not None and directive != expected:
                wrong.append(f"{modname}.{name}: {directive} (expected {expected})")
    assert not wrong, wrong


def test_numpydoc_sections_parse():
    """Where numpydoc is installed (the ``docs`` extra), every public docstring parses cleanly:
    no unknown or duplicated sections, which numpydoc would drop or reject in the HTML build."""
    docscrape = pytest.importorskip("numpydoc.docscrape")
    problems = []
    for modname in SUBPACKAGES:
        mod, names = _public(modname)
        for name in names:
            obj = getattr(mod, name)
            if not _is_documentable(obj):
                continue
            cls = docscrape.ClassDoc if inspect.isclass(obj) else docscrape.FunctionDoc
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    if inspect.isclass(obj):
                        cls(obj, config={"show_class_members": False})
                    else:
                        cls(obj)
                except Exception as exc:  # numpydoc raises ValueError on duplicated sections
                    problems.append(f"{modname}.{name}: {exc}")
            problems += [f"{modname}.{name}: {w.message}" for w in caught
                         if "section" in str(w.message).lower()]
    assert not problems, "\n".join(problems)
