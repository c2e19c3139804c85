"""Index a corpus of 100 one-hour recordings lazily: time and peak memory.

Writes 100 CHB-MIT-like EDF files (23 channels, 256 Hz, one hour each, 42 MB each as
declared) as sparse files -- a real header from edfio, then the data section extended
with zeros by ``truncate`` (valid EDF, almost no disk used) -- plus one ``chbNN-summary.txt``
per patient, then measures :func:`skseizure.datasets.load_recordings` in a fresh
subprocess: wall time and peak resident memory (``resource.getrusage``). Indexing reads
headers and summaries only, so memory must not grow with the 4.2 GB of signal declared.

Run from the repository root::

    python benchmarks/bench_recordings.py

Writes ``benchmarks/results/recordings_index.json``.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_PATIENTS = 10
N_PER_PATIENT = 10
SFREQ = 256
N_CHANNELS = 23
SECONDS = 3600

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import mne  # imported first: its ~1 s import is not indexing time
import skseizure.datasets as d
t1 = time.perf_counter()
corpus = d.load_recordings(sys.argv[1])
t2 = time.perf_counter()
frame = corpus.to_frame()
print(json.dumps({
    "import_s": t1 - t0, "index_s": t2 - t1, "n_recordings": len(corpus),
    "n_subjects": len(corpus.subjects), "hours": float(frame["duration_s"].sum() / 3600),
    "n_seizures": int(frame["n_seizures"].sum()),
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

BASELINE = r"""
import json, resource
import skseizure.datasets  # noqa: F401  (same imports, no corpus)
import mne  # noqa: F401
print(json.dumps({"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _write_sparse_edf(path, template):
    """Copy the one-record ``template`` header, declare SECONDS records, extend with zeros."""
    header = bytearray(template)
    header_bytes = int(header[184:192].decode())
    header[236:244] = f"{SECONDS:<8d}".encode()
    record_bytes = 2 * SFREQ * N_CHANNELS
    with open(path, "wb") as f:
        f.write(bytes(header[:header_bytes]))
        f.truncate(header_bytes + SECONDS * record_bytes)


def build_corpus(root):
    from edfio import Edf, EdfSignal

    rng = np.random.default_rng(0)
    signals = [
        EdfSignal(rng.normal(0, 20, SFREQ), sampling_frequency=SFREQ, label=f"CH{k:02d}",
                  physical_dimension="uV", physical_range=(-500, 500))
        for k in range(N_CHANNELS)
    ]
    template_path = Path(root) / "template.edf"
    Edf(signals).write(template_path)
    template = template_path.read_bytes()
    template_path.unlink()
    for p in range(1, N_PATIENTS + 1):
        folder = Path(root) / f"chb{p:02d}"
        folder.mkdir()
        lines = [f"Data Sampling Rate: {SFREQ} Hz", ""]
        for r in range(1, N_PER_PATIENT + 1):
            name = f"chb{p:02d}_{r:02d}.edf"
            _write_sparse_edf(folder / name, template)
            lines += [f"File Name: {name}", "Number of Seizures in File: 1",
                      f"Seizure Start Time: {100 * r} seconds",
                      f"Seizure End Time: {100 * r + 40} seconds", ""]
        (folder / f"chb{p:02d}-summary.txt").write_text("\n".join(lines))


def _run(code, *args):
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    import mne

    import skseizure

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        build_corpus(tmp)
        build_s = time.perf_counter() - t0
        declared = sum(p.stat().st_size for p in Path(tmp).rglob("*.edf"))
        runs = [_run(CHILD, tmp) for _ in range(3)]
        baseline = _run(BASELINE)
    best = min(runs, key=lambda r: r["index_s"])
    result = {
        "command": "python benchmarks/bench_recordings.py",
        "corpus": {"n_files": N_PATIENTS * N_PER_PATIENT, "channels": N_CHANNELS,
                   "sfreq_hz": SFREQ, "seconds_each": SECONDS,
                   "declared_bytes": declared, "build_s": round(build_s, 2)},
        "index_s_runs": [round(r["index_s"], 3) for r in runs],
        "index_s_best": round(best["index_s"], 3),
        "peak_rss_mib_index": round(max(r["peak_rss_mib"] for r in runs), 1),
        "peak_rss_mib_imports_only": round(baseline["peak_rss_mib"], 1),
        "n_recordings": best["n_recordings"], "n_subjects": best["n_subjects"],
        "hours_indexed": round(best["hours"], 1), "n_seizures": best["n_seizures"],
        "versions": {"python": platform.python_version(), "skseizure": skseizure.__version__,
                     "mne": mne.__version__, "numpy": np.__version__},
        "machine": platform.platform(),
    }
    print(f"{'files':>6} {'hours':>6} {'declared GB':>12} {'index s':>8} {'peak RSS MiB':>13} "
          f"{'imports-only MiB':>17}")
    print(f"{result['n_recordings']:>6} {result['hours_indexed']:>6} "
          f"{declared / 1e9:>12.2f} {result['index_s_best']:>8.3f} "
          f"{result['peak_rss_mib_index']:>13.1f} {result['peak_rss_mib_imports_only']:>17.1f}")
    print(json.dumps(result["versions"]))
    out = Path(__file__).resolve().parent / "results" / "recordings_index.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
