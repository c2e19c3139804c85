"""Throughput and peak memory of ``skseizure detect`` on long EDF recordings.

Writes synthetic EDF files (23 CHB-MIT bipolar channels, 256 Hz, 16-bit samples) of 1 h,
4 h and 12 h in a temporary folder — the 12-h file holds 1 GiB of signal as float32 —
by repeating a 10-min block of band-limited noise with slow amplitude bursts, written
record by record so that writing stays cheap. Each file is then run through
``skseizure detect`` in a child process on 1 CPU thread; its peak resident memory comes
from ``resource.getrusage(RUSAGE_CHILDREN)`` of a wrapper process that runs nothing
else. The time of each stage (read, filter/resample, windows+network, events+write) is
the one ``detect`` prints.

Run from the repository root, one CPU thread::

    python benchmarks/bench_detect.py [--hours 1 4 12] [--model MODEL]

Writes ``benchmarks/results/detect.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP1-F3", "F3-C3", "C3-P3", "P3-O1", "FP2-F4",
          "F4-C4", "C4-P4", "P4-O2", "FP2-F8", "F8-T8", "T8-P8", "P8-O2", "FZ-CZ", "CZ-PZ",
          "P7-T7", "T7-FT9", "FT9-FT10", "FT10-T8", "T8-P8"]
SFREQ = 256
BLOCK_S = 600
LIMIT_GIB = 0.75

_WRAPPER = ("import resource, subprocess, sys, json; p = subprocess.run(sys.argv[1:], "
            "capture_output=True, text=True); r = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr[-2000:], "
            "'maxrss_kib': r.ru_maxrss}))")


def _field(text, width):
    return text.encode("ascii")[:width].ljust(width)


def write_edf(path, hours, seed=0):
    """A 23-channel, 256-Hz EDF of ``hours`` hours (1-s records, microvolts)."""
    from scipy.signal import butter, sosfiltfilt

    rng = np.random.default_rng(seed)
    n_ch, n_rec = len(LABELS), int(round(hours * 3600))
    noise = rng.standard_normal((n_ch, BLOCK_S * SFREQ))
    sos = butter(4, [0.5, 40], btype="bandpass", fs=SFREQ, output="sos")
    sig = sosfiltfilt(sos, noise, axis=1) * 40.0  # ~ tens of microvolts
    envelope = 1 + 2 * (np.sin(np.arange(sig.shape[1]) / SFREQ * 2 * np.pi / 120) > 0.95)
    block = np.clip(np.round(sig * envelope / 0.1), -32767, 32767).astype("<i2")  # 0.1 uV/bit
    header = b"".join([
        _field("0", 8), _field("X X X X", 80), _field("Startdate 01-JAN-2026 X X X", 80),
        _field("01.01.26", 8), _field("00.00.00", 8), _field(str(256 * (n_ch + 1)), 8),
        _field("", 44), _field(str(n_rec), 8), _field("1", 8), _field(str(n_ch), 4),
    ])
    cols = [
        ([lab for lab in LABELS], 16), (["AgAgCl electrode"] * n_ch, 80), (["uV"] * n_ch, 8),
        (["-3276.7"] * n_ch, 8), (["3276.7"] * n_ch, 8), (["-32767"] * n_ch, 8),
        (["32767"] * n_ch, 8), ([""] * n_ch, 80), ([str(SFREQ)] * n_ch, 8), ([""] * n_ch, 32),
    ]
    for values, width in cols:
        header += b"".join(_field(v, width) for v in values)
    records = np.ascontiguousarray(
        block.reshape(n_ch, BLOCK_S, SFREQ).transpose(1, 0, 2))  # (record, channel, sample)
    with open(path, "wb") as f:
        f.write(header)
        for start in range(0, n_rec, BLOCK_S):
            f.write(records[: min(BLOCK_S, n_rec - start)].tobytes())
    return path


def run_detect(edf, out, model):
    cmd = [sys.executable, "-m", "skseizure.cli", "detect", str(edf), "--out", str(out),
           "--overwrite", "--threads", "1"]
    if model:
        cmd += ["--model", str(model)]
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True,
                          text=True, env=env, check=True)
    wall = time.perf_counter() - t0
    res = json.loads(proc.stdout)
    if res["rc"] != 0:
        raise RuntimeError(f"detect failed: {res['err']}")
    text = res["out"]
    seconds = float(re.search(r"h of EEG in ([0-9.]+) s", text).group(1))
    stages = {k: float(v) for k, v in re.findall(r"([a-z+/]+) ([0-9.]+) s", text.split("stages:")[1])}
    n_events = text.count("  seizure ")
    return {"peak_rss_gib": res["maxrss_kib"] / 2**20, "processing_s": seconds,
            "process_wall_s": wall, "stages_s": stages, "n_events": n_events}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, nargs="+", default=[1.0, 4.0, 12.0])
    parser.add_argument("--model", default=None, help="model folder (default: bundled)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detect.json"))
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for hours in args.hours:
            edf = Path(tmp) / f"synthetic_{hours:g}h.edf"
            t0 = time.perf_counter()
            write_edf(edf, hours)
            write_s = time.perf_counter() - t0
            res = run_detect(edf, Path(tmp) / "events.tsv", args.model)
            edf.unlink()
            total = sum(res["stages_s"].values())
            row = {"hours": hours, "edf_mib": n_bytes(hours) / 2**20,
                   "float32_signal_gib": hours * 3600 * SFREQ * len(LABELS) * 4 / 2**30,
                   "write_edf_s": write_s, **res,
                   "eeg_hours_per_second": hours / res["processing_s"],
                   "stage_share": {k: v / total for k, v in res["stages_s"].items()}}
            rows.append(row)
            print(f"{hours:5g} h  peak RSS {row['peak_rss_gib']:.3f} GiB  "
                  f"{row['eeg_hours_per_second']:.2f} h EEG/s  "
                  + "  ".join(f"{k} {100 * v:.0f}%" for k, v in row["stage_share"].items()),
                  flush=True)
    import mne
    import torch

    import skseizure

    result = {
        "benchmark": "skseizure detect: EDF -> events.tsv, 1 CPU thread",
        "command": "python benchmarks/bench_detect.py --hours " + " ".join(f"{h:g}" for h in args.hours)
                   + ("" if args.model is None else f" --model {Path(args.model).name}"),
        "model": "bundled" if args.model is None else
                 f"{Path(args.model).name}: a detector written by 'skseizure train'",
        "peak_rss_limit_gib": LIMIT_GIB,
        "rows": rows,
        "peak_rss_under_limit": all(r["peak_rss_gib"] < LIMIT_GIB for r in rows),
        "versions": {"skseizure": skseizure.__version__, "torch": torch.__version__,
                     "mne": mne.__version__, "numpy": np.__version__,
                     "python": platform.python_version()},
        "machine": platform.platform(),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def n_bytes(hours):
    return 256 * (len(LABELS) + 1) + int(round(hours * 3600)) * len(LABELS) * SFREQ * 2


if __name__ == "__main__":
    sys.exit(main())
