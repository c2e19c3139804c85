"""Inter-rater agreement of the Helsinki neonatal experts, scored the SzCORE way.

The Helsinki neonatal EEG data set (Stevenson et al., 2019, "A dataset of neonatal EEG
recordings with seizure annotations", Scientific Data 6:190039, doi:10.1038/sdata.2019.39)
carries per-second seizure labels of three experts (A, B, C) for all 79 infants (112 h).
Scoring one expert against another with the SzCORE rules (sample scoring at 1 Hz; event
scoring with 30 s / 60 s tolerance, 90 s merge, 5 min split; per-infant sums averaged over
infants) gives the ceiling a detector can be judged against on this data: a detector that
agrees with expert A as well as expert B does is as good as a second expert.

Run from the repository root (needs ../shared/data or $SKSEIZURE_DATA)::

    python benchmarks/bench_interrater.py

Writes ``benchmarks/results/interrater_helsinki.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import skseizure  # noqa: E402
from skseizure.datasets import locate_data  # noqa: E402
from skseizure.detection import aggregate_scores, score_masks  # noqa: E402
from skseizure.io.helsinki import read_helsinki_annotations  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="real-data folder (default: $SKSEIZURE_DATA or ../shared/data)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "interrater_helsinki.json"))
    args = parser.parse_args(argv)
    root = locate_data(args.data)
    ann = read_helsinki_annotations(Path(root) / "helsinki-neonatal" / "annotations")
    hours = sum(ann.n_seconds(i) for i in ann.infants) / 3600
    t0 = time.perf_counter()
    rows, results = [], {}
    for (i, ref), (j, hyp) in combinations(enumerate(ann.experts), 2):
        for r, h in ((i, j), (j, i)):
            pairs = [(inf, score_masks(ann.labels[inf][r].astype(bool), ann.labels[inf][h].astype(bool)))
                     for inf in ann.infants]
            res = aggregate_scores(pairs)
            name = f"{ann.experts[h]} vs {ann.experts[r]}"
            results[name] = {k: res[k] for k in ("sample_results", "event_results")}
            ev, sa = res["event_results"], res["sample_results"]
            rows.append([name, ev["sensitivity"], ev["precision"], ev["f1"], ev["fpRate"],
                         sa["sensitivity"], sa["precision"], sa["f1"]])
    elapsed = time.perf_counter() - t0
    print(f"Helsinki neonatal, {len(ann.infants)} infants, {hours:.1f} h; hypothesis expert vs "
          "reference expert; mean over infants (NaN ignored)\n")
    head = ["hyp vs ref", "event sens", "event prec", "event F1", "FA/24h", "sample sens",
            "sample prec", "sample F1"]
    print(" | ".join(head))
    for row in rows:
        print(" | ".join([row[0]] + [f"{v:.3f}" if k < 4 else f"{v:.2f}" if k == 4 else f"{v:.3f}"
                                     for k, v in enumerate(row[1:], start=1)]))
    print(f"\nscored {len(rows)} pairings in {elapsed:.1f} s")
    out = {
        "data": "Helsinki neonatal EEG, per-second labels of experts A, B, C (79 infants)",
        "hours": hours,
        "n_infants": len(ann.infants),
        "split": "none (agreement between annotators; every infant scored)",
        "rules": "SzCORE: timescoring sample scoring at 1 Hz and event scoring (30 s before / "
                 "60 s after tolerance, merge < 90 s, split > 5 min), sums per infant, nanmean "
                 "over infants",
        "results": results,
        "command": "python benchmarks/bench_interrater.py",
        "versions": {"skseizure": skseizure.__version__, "python": platform.python_version(),
                     "numpy": np.__version__},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
