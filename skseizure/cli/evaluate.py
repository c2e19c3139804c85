"""``skseizure evaluate``: SzCORE scores of a folder of hypothesis events files.

REF and HYP hold ``sub-*/**/*_events.tsv`` files with the same relative paths; a
hypothesis file that is missing counts as no detections. Scores are computed per
subject and averaged over subjects exactly as the ``szcore-evaluation`` reference
evaluator does (:func:`skseizure.detection.evaluate_dataset`); the JSON file holds its
two keys, ``sample_results`` and ``event_results``.
"""

from __future__ import annotations

import json
import sys

from ._common import check_output, existing_folder, format_table, output_path

HELP = "score hypothesis events files against reference ones (SzCORE)"

_COLUMNS = (("sample", "sensitivity", "sample sens"), ("sample", "precision", "sample prec"),
            ("sample", "f1", "sample F1"), ("sample", "fpRate", "sample FA/24h"),
            ("event", "sensitivity", "event sens"), ("event", "precision", "event prec"),
            ("event", "f1", "event F1"), ("event", "fpRate", "event FA/24h"))


def add_parser(subparsers):
    """Register ``evaluate`` and its options on the ``skseizure`` sub-command parsers."""
    parser = subparsers.add_parser("evaluate", help=HELP, description=HELP + ".")
    parser.add_argument("ref", type=existing_folder, metavar="REF",
                        help="folder of reference sub-*/**/*_events.tsv files")
    parser.add_argument("hyp", type=existing_folder, metavar="HYP",
                        help="folder of hypothesis events files, same relative paths")
    parser.add_argument("--json", type=output_path, default=None, metavar="FILE",
                        help="write sample_results and event_results (szcore-evaluation keys)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --json")
    parser.set_defaults(run=run)
    return parser


def score_table(result):
    """Rows of the per-subject and overall table of an :func:`evaluate_dataset` result."""
    rows = []
    for subject, figures in result["subjects"].items():
        row = {"subject": subject}
        row.update({name: figures[kind][metric] for kind, metric, name in _COLUMNS})
        rows.append(row)
    overall = {"subject": "mean over subjects"}
    for kind, metric, name in _COLUMNS:
        overall[name] = result[f"{kind}_results"][metric]
    rows.append(overall)
    return rows, ["subject"] + [name for _, _, name in _COLUMNS]


def run(args, out=None):
    """Run ``evaluate`` with parsed ``args``; returns the exit status (0)."""
    from skseizure.detection import evaluate_dataset
    from skseizure.io import write_atomic

    out = out or sys.stdout
    check_output(args.json, args.overwrite, "--json")
    # a progress bar on stderr when it is a terminal (never mixed into piped errors)
    result = evaluate_dataset(args.ref, args.hyp, progress=sys.stderr.isatty())
    rows, columns = score_table(result)
    out.write(format_table(rows, columns) + "\n")
    out.write("sens = sensitivity, prec = precision, FA/24h = false alarms per 24 h; subjects' "
              "figures averaged ignoring n/a (szcore-evaluation).\n")
    if args.json is not None:
        payload = {k: result[k] for k in ("sample_results", "event_results")}
        write_atomic(args.json, json.dumps(payload, indent=2) + "\n", overwrite=args.overwrite)
        out.write(f"wrote {args.json}\n")
    return 0
