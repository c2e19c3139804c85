"""``skseizure info``: the versions of skseizure and its main dependencies."""

from __future__ import annotations

import importlib
import sys

HELP = "print the versions of skseizure and its main dependencies"

PACKAGES = ("skseizure", "numpy", "scipy", "sklearn", "torch", "skorch", "mne", "imblearn",
            "torch_pruning")


def add_parser(subparsers):
    """Register ``info`` (no options) on the ``skseizure`` sub-command parsers."""
    parser = subparsers.add_parser("info", help=HELP, description=HELP + ".")
    parser.set_defaults(run=run)
    return parser


def run(args, out=None):
    """Write one ``name version`` line per package; returns the exit status (0)."""
    out = out or sys.stdout
    for name in PACKAGES:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            out.write(f"{name:14s} not installed\n")
        else:
            out.write(f"{name:14s} {getattr(mod, '__version__', '?')}\n")
    return 0
