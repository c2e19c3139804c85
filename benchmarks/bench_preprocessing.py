"""Benchmark: skseizure filters vs MNE on 1 h of 23-channel 256 Hz EEG.

The signal is SYNTHETIC (seeded Gaussian noise of 20 uV RMS + a 10 Hz rhythm
+ 50 Hz line noise, in volts), 23 x 921,600 samples = 21.2 M samples. Every
variant runs in this one process, interleaved (variant order rotates each
round), 1 warm-up round then ``--repeats`` timed rounds; the median is
reported. Peak memory is measured in a separate pass per variant, twice:

* ``tracemalloc`` peak: Python/numpy allocations made by the call;
* ``VmHWM`` delta: the process's peak resident memory above its level before
  the call (Linux; the high-water mark is reset through
  ``/proc/self/clear_refs``), which also sees C/C++ buffers (FFT, filters).

MNE refuses float32 and gets a float64 copy prepared outside the timing;
skseizure gets the float32 array the project uses and returns float32. All
variants are zero-phase. MNE's FIR and IIR notch are different designs from
``scipy.signal.iirnotch``; the table compares costs, not identical filters.

Run::

    python benchmarks/bench_preprocessing.py            # ~1-2 min on 2 cores
    python benchmarks/bench_preprocessing.py --repeats 3 --minutes 10   # quicker
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc

import numpy as np

SFREQ = 256.0
N_CHANNELS = 23
L_FREQ, H_FREQ, LINE = 0.5, 30.0, 50.0


def make_signal(minutes, seed=0):
    """Synthetic EEG-like signal (volts), float32, shape (23, n_times)."""
    rng = np.random.default_rng(seed)
    n_times = int(minutes * 60 * SFREQ)
    t = np.arange(n_times) / SFREQ
    x = 20e-6 * rng.standard_normal((N_CHANNELS, n_times))
    x += 10e-6 * np.sin(2 * np.pi * 10.0 * t)[None, :]
    x += 5e-6 * np.sin(2 * np.pi * LINE * t)[None, :]
    return x.astype(np.float32)


def _vm(key):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _reset_hwm():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def build_variants(x32):
    import mne
    from sklearn.pipeline import make_pipeline

    from skseizure.preprocessing.filters import BandpassFilter, NotchFilter

    x64 = x32.astype(np.float64)  # MNE requires float64; converted once, outside timing
    X3 = x32[None]  # one "window" = the whole recording, (1, 23, n_times)
    iir_butter = dict(order=4, ftype="butter", output="sos")

    def ours_chain():
        pipe = make_pipeline(
            NotchFilter(LINE, sfreq=SFREQ), BandpassFilter(L_FREQ, H_FREQ, sfreq=SFREQ)
        )
        return pipe.fit_transform(X3)

    def ours_bandpass():
        return BandpassFilter(L_FREQ, H_FREQ, sfreq=SFREQ).fit_transform(X3)

    def ours_notch():
        return NotchFilter(LINE, sfreq=SFREQ).fit_transform(X3)

    def mne_iir_chain():
        y = mne.filter.notch_filter(x64, SFREQ, LINE, method="iir", verbose=False)
        return mne.filter.filter_data(
            y, SFREQ, L_FREQ, H_FREQ, method="iir", iir_params=iir_butter, verbose=False
        )

    def mne_fir_chain():
        y = mne.filter.notch_filter(x64, SFREQ, LINE, verbose=False)
        return mne.filter.filter_data(y, SFREQ, L_FREQ, H_FREQ, verbose=False)

    def mne_iir_bandpass():
        return mne.filter.filter_data(
            x64, SFREQ, L_FREQ, H_FREQ, method="iir", iir_params=iir_butter, verbose=False
        )

    def mne_fir_bandpass():
        return mne.filter.filter_data(x64, SFREQ, L_FREQ, H_FREQ, verbose=False)

    def mne_fir_notch():
        return mne.filter.notch_filter(x64, SFREQ, LINE, verbose=False)

    def mne_iir_notch():
        return mne.filter.notch_filter(x64, SFREQ, LINE, method="iir", verbose=False)

    variants = {
        "skseizure Notch(50)+Bandpass(0.5-30, butter4), float32": ours_chain,
        "mne notch_filter IIR + filter_data IIR butter4": mne_iir_chain,
        "mne notch_filter FIR + filter_data FIR (defaults)": mne_fir_chain,
        "skseizure BandpassFilter(0.5-30, butter4)": ours_bandpass,
        "mne filter_data IIR butter4 sos": mne_iir_bandpass,
        "mne filter_data FIR (default)": mne_fir_bandpass,
        "skseizure NotchFilter(50, Q=30)": ours_notch,
        "mne notch_filter FIR (default)": mne_fir_notch,
        "mne notch_filter IIR": mne_iir_notch,
    }
    return variants, x64


def time_variants(variants, repeats):
    names = list(variants)
    times = {name: [] for name in names}
    for rnd in range(repeats + 1):  # round 0 is the warm-up
        order = names[rnd % len(names):] + names[: rnd % len(names)]
        for name in order:
            gc.collect()
            t0 = time.perf_counter()
            out = variants[name]()
            dt = time.perf_counter() - t0
            del out
            if rnd:
                times[name].append(dt)
    return times


def memory_variants(variants):
    result = {}
    for name, func in variants.items():
        gc.collect()
        hwm_ok = _reset_hwm()
        rss0 = _vm("VmRSS")
        tracemalloc.start()
        out = func()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        hwm = _vm("VmHWM") if hwm_ok else None
        out_mb = out.nbytes / 2**20
        del out
        result[name] = (
            peak / 2**20,
            (hwm - rss0) / 2**20 if hwm is not None and rss0 is not None else float("nan"),
            out_mb,
        )
    return result


def accuracy_check(x32, x64):
    """Max difference ours vs MNE IIR band-pass (same design), central 90 %, relative to peak."""
    import mne

    from skseizure.preprocessing.filters import BandpassFilter

    ours = BandpassFilter(L_FREQ, H_FREQ, sfreq=SFREQ).fit_transform(x32[None])[0]
    ref = mne.filter.filter_data(
        x64, SFREQ, L_FREQ, H_FREQ, method="iir",
        iir_params=dict(order=4, ftype="butter", output="sos"), verbose=False,
    )
    n = ref.shape[-1]
    core = slice(n // 20, n - n // 20)
    return float(np.max(np.abs(ours[:, core] - ref[:, core])) / np.max(np.abs(ref[:, core])))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="signal length (default 60)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (default 5)")
    args = parser.parse_args(argv)

    import mne
    import scipy
    import sklearn

    import skseizure

    x32 = make_signal(args.minutes)
    hours = args.minutes / 60.0
    variants, x64 = build_variants(x32)
    print(
        f"SYNTHETIC signal (seeded noise + 10 Hz + 50 Hz, volts): {N_CHANNELS} ch x "
        f"{x32.shape[1]:,} samples at {SFREQ:g} Hz = {hours:g} h, "
        f"{x32.size / 1e6:.1f} M samples; median of {args.repeats} rounds after 1 warm-up, "
        "variants interleaved."
    )
    times = time_variants(variants, args.repeats)
    memory = memory_variants(variants)
    ref_name = "skseizure Notch(50)+Bandpass(0.5-30, butter4), float32"
    ref_median = statistics.median(times[ref_name])

    header = (
        f"| {'variant':<56} | median s | min-max s   | h EEG / s | x skseizure chain "
        f"| tracemalloc peak MB | RSS peak +MB | out MB |"
    )
    print()
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for name, ts in times.items():
        med = statistics.median(ts)
        trace_mb, hwm_mb, out_mb = memory[name]
        print(
            f"| {name:<56} | {med:8.3f} | {min(ts):5.3f}-{max(ts):5.3f} | {hours / med:9.2f} | "
            f"{med / ref_median:17.2f} | {trace_mb:19.0f} | {hwm_mb:12.0f} | {out_mb:6.0f} |"
        )
    err = accuracy_check(x32, x64)
    print(
        f"\nskseizure BandpassFilter (float32) vs mne IIR butter4 (float64), central 90 %: "
        f"max |diff| / peak = {err:.1e}"
    )
    print(
        f"\nversions: python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, mne {mne.__version__}, scikit-learn {sklearn.__version__}, "
        f"skseizure {skseizure.__version__ if hasattr(skseizure, '__version__') else '?'}; "
        f"{platform.machine()} {platform.processor() or ''} cpus={os.cpu_count()}, "
        f"load avg {os.getloadavg()[0]:.1f} (shared host: timings are noisy)"
    )
    print(f"command: {sys.executable} {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
