"""Benchmark: memory and speed of skseizure's filters and features, before/after, vs MNE.

One hour of SYNTHETIC 23-channel 256 Hz signal (seeded Gaussian noise of 20 uV
RMS + a 10 Hz rhythm + 50 Hz line noise, in volts; 23 x 921,600 samples, 81 MB
in float32): a speed and memory test, not a result. Two layouts of the same
samples: the recording as one window ``(1, 23, n_times)`` (filters, resampler)
and 4-s windows ``(900, 23, 1024)`` (filters, feature transformers).

"before" is the code of another git revision (``--before-ref``, default
``HEAD``): ``skseizure/preprocessing/{filters,features,spectral,resampling}.py``
are read with ``git show`` into a temporary folder outside the repository and
imported from there; "after" is the working tree. Both run in this process.

Memory: ``tracemalloc`` peak of the call (numpy reports its buffers to
tracemalloc) minus the bytes of the returned array (0 when it shares the
input's memory): the memory the call needs *beyond its output*, also as a
ratio to the input's bytes. Speed: variants interleaved (order rotates every
round), 1 warm-up round, median of ``--repeats`` rounds; each filter variant
is also given as a ratio to MNE's IIR counterpart timed in the same rounds
(``mne.filter.notch_filter(method="iir")`` / ``filter_data(method="iir")``,
order-4 Butterworth SOS; MNE refuses float32 and gets a float64 copy made
outside the timing). Ratios > 1 mean faster than MNE.

Run::

    python benchmarks/bench_preprocessing.py                 # 3-5 min on 2 cores
    python benchmarks/bench_preprocessing.py --minutes 10 --repeats 2   # quick look

and it writes ``benchmarks/results/preprocessing_memory.json`` (``--json``).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SFREQ = 256.0
N_CHANNELS = 23
WINDOW_S = 4
L_FREQ, H_FREQ, LINE = 0.5, 30.0, 50.0
LOW_L_FREQ = 0.1  # forces float64 SOS at 256 Hz
MODULES = ("filters", "features", "spectral", "resampling")


def make_signal(minutes, seed=0):
    """Synthetic EEG-like signal (volts), float32, shape (23, n_times)."""
    rng = np.random.default_rng(seed)
    n_times = int(minutes * 60 * SFREQ) // (WINDOW_S * int(SFREQ)) * WINDOW_S * int(SFREQ)
    t = np.arange(n_times) / SFREQ
    x = 20e-6 * rng.standard_normal((N_CHANNELS, n_times))
    x += 10e-6 * np.sin(2 * np.pi * 10.0 * t)[None, :]
    x += 5e-6 * np.sin(2 * np.pi * LINE * t)[None, :]
    return x.astype(np.float32)


def load_before(ref, folder):
    """Import the ``ref`` revision of the preprocessing modules from ``folder``."""
    modules = {}
    for name in MODULES:
        source = subprocess.run(
            ["git", "show", f"{ref}:skseizure/preprocessing/{name}.py"],
            cwd=REPO, check=True, capture_output=True, text=True,
        ).stdout
        source = source.replace("from .._utils.", "from skseizure._utils.")
        source = source.replace("from ._base ", "from skseizure.preprocessing._base ")
        path = Path(folder) / f"before_{name}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f"before_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules[name] = module
    return modules


def build_variants(x32, before):
    """Return ``{name: (group, input, func, mne_counterpart)}``."""
    import mne
    from sklearn.pipeline import make_pipeline

    from skseizure.preprocessing import features, filters, resampling, spectral

    after = {"filters": filters, "features": features, "spectral": spectral,
             "resampling": resampling}
    rec = x32[None]  # the recording as one window (1, 23, n_times)
    n_win = x32.shape[1] // (WINDOW_S * int(SFREQ))
    win = np.ascontiguousarray(
        x32.reshape(N_CHANNELS, n_win, WINDOW_S * int(SFREQ)).transpose(1, 0, 2)
    )
    x64 = x32.astype(np.float64)  # MNE requires float64; converted once, outside timing
    butter = dict(order=4, ftype="butter", output="sos")
    variants = {
        "mne IIR notch + band-pass 0.5-30": (
            "mne", None,
            lambda: mne.filter.filter_data(
                mne.filter.notch_filter(x64, SFREQ, LINE, method="iir", verbose=False),
                SFREQ, L_FREQ, H_FREQ, method="iir", iir_params=butter, verbose=False),
            None),
        "mne IIR band-pass 0.1-30 (float64)": (
            "mne", None,
            lambda: mne.filter.filter_data(
                x64, SFREQ, LOW_L_FREQ, H_FREQ, method="iir", iir_params=butter,
                verbose=False),
            None),
    }
    chain_mne = "mne IIR notch + band-pass 0.5-30"
    low_mne = "mne IIR band-pass 0.1-30 (float64)"
    for tag, mods in (("before", before), ("after", after)):
        f = mods["filters"]

        def chain(X, f=f, copy=True):
            kw = {} if copy else {"copy": False}
            return make_pipeline(
                f.NotchFilter(LINE, sfreq=SFREQ),
                f.BandpassFilter(L_FREQ, H_FREQ, sfreq=SFREQ, **kw),
            ).fit_transform(X)

        variants[f"{tag}: Notch(50)+Bandpass(0.5-30) float32, recording"] = (
            "chain", rec, chain, chain_mne)
        if tag == "after":
            variants["after: same, Bandpass(copy=False), recording"] = (
                "chain", rec, lambda X, chain=chain: chain(X, copy=False), chain_mne)
            variants["after: filter_continuous(notch=50), recording"] = (
                "chain", x32,
                lambda X, f=f: f.filter_continuous(X, SFREQ, L_FREQ, H_FREQ, notch=LINE),
                chain_mne)
        variants[f"{tag}: Notch(50)+Bandpass(0.5-30) float32, 4-s windows"] = (
            "chain", win, chain, chain_mne)
        variants[f"{tag}: Bandpass(0.1-30) float64 SOS, recording"] = (
            "float64", rec,
            lambda X, f=f: f.BandpassFilter(LOW_L_FREQ, H_FREQ, sfreq=SFREQ).fit_transform(X),
            low_mne)
        variants[f"{tag}: Resampler(256->200), recording"] = (
            "resample", rec,
            lambda X, m=mods["resampling"]: m.Resampler(sfreq=SFREQ, new_sfreq=200.0)
            .fit_transform(X), None)
        variants[f"{tag}: BandPower, 4-s windows"] = (
            "features", win,
            lambda X, m=mods["features"]: m.BandPower(sfreq=SFREQ).fit_transform(X), None)
        variants[f"{tag}: LineLength, 4-s windows"] = (
            "features", win,
            lambda X, m=mods["features"]: m.LineLength().fit_transform(X), None)
        variants[f"{tag}: FFTLogAmplitude(1 s), 4-s windows"] = (
            "features", win,
            lambda X, m=mods["spectral"]: m.FFTLogAmplitude(sfreq=SFREQ).fit_transform(X),
            None)
    return variants


def _call(entry):
    _, X, func, _ = entry
    return func() if X is None else func(X)


def time_variants(variants, repeats):
    names = list(variants)
    times = {name: [] for name in names}
    for rnd in range(repeats + 1):  # round 0 is the warm-up
        order = names[rnd % len(names):] + names[: rnd % len(names)]
        for name in order:
            gc.collect()
            t0 = time.perf_counter()
            out = _call(variants[name])
            dt = time.perf_counter() - t0
            del out
            if rnd:
                times[name].append(dt)
    return times


def memory_variant(entry):
    """``(input MB, peak MB, output MB, peak beyond output MB)`` of one call."""
    X = entry[1]
    gc.collect()
    tracemalloc.start()
    out = _call(entry)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    shares = X is not None and np.shares_memory(out, X)
    out_bytes = 0 if shares else out.nbytes
    in_mb = (X.nbytes if X is not None else 0) / 2**20
    return in_mb, peak / 2**20, out_bytes / 2**20, (peak - out_bytes) / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="signal length (default 60)")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--before-ref", default="HEAD",
                        help="git revision of the 'before' code (default HEAD)")
    parser.add_argument("--json", default=str(REPO / "benchmarks" / "results"
                                              / "preprocessing_memory.json"))
    args = parser.parse_args(argv)

    import mne
    import scipy
    import sklearn

    x32 = make_signal(args.minutes)
    with tempfile.TemporaryDirectory() as folder:
        before = load_before(args.before_ref, folder)
        variants = build_variants(x32, before)
        print(
            f"SYNTHETIC signal: {N_CHANNELS} ch x {x32.shape[1]:,} samples at {SFREQ:g} Hz "
            f"= {args.minutes / 60:g} h, {x32.nbytes / 2**20:.0f} MB float32; before = "
            f"{args.before_ref}, after = working tree; median of {args.repeats} rounds."
        )
        t_start = time.perf_counter()
        times = time_variants(variants, args.repeats)
        memory = {name: memory_variant(entry) for name, entry in variants.items()}
        wall = time.perf_counter() - t_start

    rows = []
    header = ("| variant | input MB | peak extra MB | extra / input | median s "
              "| x MNE IIR speed |")
    print("\n" + header + "\n|---|---|---|---|---|---|")
    for name, entry in variants.items():
        in_mb, peak_mb, out_mb, extra_mb = memory[name]
        med = statistics.median(times[name])
        mne_name = entry[3]
        speed = statistics.median(times[mne_name]) / med if mne_name else None
        rows.append(dict(
            variant=name, group=entry[0], input_mb=in_mb, tracemalloc_peak_mb=peak_mb,
            output_mb=out_mb, peak_extra_mb=extra_mb,
            extra_ratio=extra_mb / in_mb if in_mb else None, median_s=med,
            times_s=times[name], speed_vs_mne_iir=speed, mne_counterpart=mne_name,
        ))
        ratio = f"{extra_mb / in_mb:.2f}" if in_mb else "-"
        speed_txt = f"{speed:.2f}" if speed else "-"
        in_txt = f"{in_mb:.0f}" if in_mb else "(float64 copy)"
        print(f"| {name} | {in_txt} | {extra_mb:.0f} | {ratio} | {med:.3f} | {speed_txt} |")

    versions = dict(
        python=platform.python_version(), numpy=np.__version__, scipy=scipy.__version__,
        mne=mne.__version__, scikit_learn=sklearn.__version__,
    )
    machine = (f"{platform.machine()} cpus={os.cpu_count()}, load avg "
               f"{os.getloadavg()[0]:.1f} (shared host: timings are noisy)")
    command = "python " + " ".join([os.path.relpath(sys.argv[0], REPO)] + sys.argv[1:])
    print(f"\nversions: {versions}; {machine}; wall {wall:.0f} s\ncommand: {command}")
    before_commit = subprocess.run(
        ["git", "rev-parse", args.before_ref], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    result = dict(
        benchmark="bench_preprocessing", date=datetime.date.today().isoformat(),
        command=command, before_ref=args.before_ref, before_commit=before_commit,
        minutes=args.minutes,
        repeats=args.repeats, signal="synthetic (seeded noise + 10 Hz + 50 Hz, volts)",
        versions=versions, machine=machine, rows=rows,
    )
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {os.path.relpath(out, REPO)}")


if __name__ == "__main__":
    main()
