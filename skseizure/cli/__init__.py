"""The ``skseizure`` command.

``skseizure demo`` runs seizure detection end to end on real EEG (events, scores, a figure);
``skseizure detect`` writes the SzCORE events file of one EDF recording (streamed: memory
does not grow with its length); ``skseizure evaluate`` scores a folder of events files
against a reference folder (SzCORE); ``skseizure train`` fits a detector of the bundled
kind on a data set folder with a subject-wise report; ``skseizure info`` prints the
versions of the package and its main dependencies.

Every argument is checked before any work starts. A bad command line, and a bad input
reported by the package (a malformed or missing file, a bad value), end with one line
``skseizure: error: ...`` on stderr and exit status 2; a bug keeps its traceback.
"""

from __future__ import annotations

import sys

from .. import __version__
from . import demo, detect, evaluate, info, train
from ._common import PROG, ArgumentParser, UsageError, is_user_error, report_error

__all__ = ["main"]

_COMMANDS = (demo, detect, evaluate, train, info)


def _build_parser():
    parser = ArgumentParser(
        prog=PROG,
        description="Seizure detection from EEG with scikit-learn-compatible estimators.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="command",
                                       title="commands (see 'skseizure <command> --help')")
    for command in _COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv=None):
    """Entry point of the ``skseizure`` console script.

    Parameters
    ----------
    argv : list of str or None
        Arguments after the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success (and for ``--help`` or no command, which print the help on stdout);
        2 for a bad command line or a bad input reported by the package, after one line
        ``skseizure: error: ...`` on stderr; 130 when interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    if not argv:
        parser.print_help(sys.stdout)
        return 0
    try:
        args, extras = parser.parse_known_args(argv)
        where = PROG if args.command is None else f"{PROG} {args.command}"
        if extras:
            raise UsageError(f"unrecognized arguments: {' '.join(extras)} (see '{where} --help')")
        if args.command is None:
            names = ", ".join(c.__name__.rsplit(".", 1)[-1] for c in _COMMANDS)
            raise UsageError(f"a command is required: one of {names} (see '{PROG} --help')")
        return args.run(args)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except UsageError as exc:
        report_error(exc)
        return 2
    except KeyboardInterrupt:
        report_error("interrupted")
        return 130
    except Exception as exc:
        if not is_user_error(exc):
            raise
        report_error(exc)
        return 2
