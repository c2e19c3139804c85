"""Build small data trees laid out as each distributor ships them, from the real files.

CHB-MIT: the two real 41-s EDF crops of chb01_03 (seconds 0-41 and 2995-3036 of the
one-hour record; the official seizure is 2996-3036 s) under ``chb01/`` with a summary
written here from those times. BIDS: the same crops as ``sub-01`` runs with
``*_events.tsv``. Siena: the real ``Seizures-list-PN00.txt`` with a PN00-1 EDF of the
registration's length, written from real CHB-MIT signal. TUSZ: the crops with ``.csv_bi``
files. Helsinki: the real ``annotations_2017.mat`` with EDFs of the annotated lengths.
"""

from __future__ import annotations

import shutil

import numpy as np
from scipy.signal import resample_poly

SEIZURE_CROP = "chb01_03_Seizure.edf"
NONSEIZURE_CROP = "chb01_03_NonSeizure.edf"
CROP_SECONDS = 41.0

CHBMIT_SUMMARY = """Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
{channels}

File Name: chb01_03_NonSeizure.edf
File Start Time: 13:43:04
File End Time: 13:43:45
Number of Seizures in File: 0

File Name: chb01_03_Seizure.edf
File Start Time: 14:32:59
File End Time: 14:33:40
Number of Seizures in File: 1
Seizure Start Time: {onset} seconds
Seizure End Time: {offset} seconds
"""

_CHB_CHANNELS = [
    "FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP1-F3", "F3-C3", "C3-P3", "P3-O1", "FP2-F4",
    "F4-C4", "C4-P4", "P4-O2", "FP2-F8", "F8-T8", "T8-P8", "P8-O2", "FZ-CZ", "CZ-PZ",
    "P7-T7", "T7-FT9", "FT9-FT10", "FT10-T8", "T8-P8",
]


def chbmit_tree(shared_data, root, *, onset=1, offset=41, extra_entry=""):
    """``root/chb01/{crops, chb01-summary.txt}``; returns ``root``."""
    folder = root / "chb01"
    folder.mkdir(parents=True)
    for name in (SEIZURE_CROP, NONSEIZURE_CROP):
        shutil.copyfile(shared_data / "chbmit" / "edf" / name, folder / name)
    channels = "\n".join(f"Channel {k}: {c}" for k, c in enumerate(_CHB_CHANNELS, start=1))
    text = CHBMIT_SUMMARY.format(channels=channels, onset=onset, offset=offset) + extra_entry
    (folder / "chb01-summary.txt").write_text(text)
    return root


def bids_tree(shared_data, root, *, with_events=True):
    """``root/sub-01/ses-01/eeg/sub-01_ses-01_task-szMonitoring_run-0{0,1}_eeg.edf``."""
    folder = root / "sub-01" / "ses-01" / "eeg"
    folder.mkdir(parents=True)
    runs = ((NONSEIZURE_CROP, []), (SEIZURE_CROP, [(1.0, 40.0)]))
    for run, (crop, events) in enumerate(runs):
        stem = f"sub-01_ses-01_task-szMonitoring_run-{run:02d}"
        shutil.copyfile(shared_data / "chbmit" / "edf" / crop, folder / f"{stem}_eeg.edf")
        if not with_events:
            continue
        lines = ["onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration"]
        lines.append(f"0.00\t{CROP_SECONDS:.2f}\tbckg\tn/a\tn/a\t2026-01-01 13:43:04\t"
                     f"{CROP_SECONDS:.2f}" if not events else
                     f"{events[0][0]:.2f}\t{events[0][1]:.2f}\tsz\tn/a\tn/a\t"
                     f"2026-01-01 14:32:59\t{CROP_SECONDS:.2f}")
        (folder / f"{stem}_events.tsv").write_text("\n".join(lines) + "\n")
    return root


def tusz_tree(shared_data, root):
    """``root/aaaaaaac/s001_2002/02_tcp_le/aaaaaaac_s001_t00{0,1}.{edf,csv_bi}``."""
    folder = root / "aaaaaaac" / "s001_2002" / "02_tcp_le"
    folder.mkdir(parents=True)
    for k, (crop, rows) in enumerate(
        ((NONSEIZURE_CROP, ["TERM,0.0000,41.0000,bckg,1.0000"]),
         (SEIZURE_CROP, ["TERM,0.0000,1.0000,bckg,1.0000", "TERM,1.0000,41.0000,seiz,1.0000"]))
    ):
        stem = f"aaaaaaac_s001_t{k:03d}"
        shutil.copyfile(shared_data / "chbmit" / "edf" / crop, folder / f"{stem}.edf")
        header = ["# version = csv_v1.0.0", f"# bname = {stem}", "# duration = 41.0000 secs",
                  "#", "channel,start_time,stop_time,label,confidence"]
        (folder / f"{stem}.csv_bi").write_text("\n".join(header + rows) + "\n")
    return root


def real_signal(shared_data, n_channels, sfreq, seconds, source="chbmit"):
    """Real EEG (volts) resampled to ``sfreq`` and repeated to ``seconds``."""
    from skseizure.io import read_edf

    if source == "chbmit":
        rec = read_edf(shared_data / "chbmit" / "edf" / NONSEIZURE_CROP)
    else:
        rec = read_edf(shared_data / "neonatal-demo-edf" / "eeg_burst_eg.edf")
    data = resample_poly(rec.data[:n_channels].astype(np.float64), int(sfreq), int(rec.sfreq),
                         axis=1)
    n = int(round(seconds * sfreq))
    reps = int(np.ceil(n / data.shape[1]))
    return np.tile(data, (1, reps))[:, :n]


def write_edf(path, data, sfreq, labels):
    """Write ``data`` (volts) as an EDF with microvolt signals (edfio)."""
    from edfio import Edf, EdfSignal

    signals = []
    for row, label in zip(data, labels):
        uv = row * 1e6
        lim = float(np.ceil(np.abs(uv).max() + 1.0))
        signals.append(EdfSignal(uv, sampling_frequency=sfreq, label=label,
                                 physical_dimension="uV", physical_range=(-lim, lim)))
    Edf(signals).write(path)
    return path


def siena_tree(shared_data, root, *, seconds=2605.0):
    """``root/PN00/{Seizures-list-PN00.txt, PN00-1.edf}`` (the list names PN00-1..5)."""
    folder = root / "PN00"
    folder.mkdir(parents=True)
    shutil.copyfile(shared_data / "siena" / "Seizures-list-PN00.txt",
                    folder / "Seizures-list-PN00.txt")
    data = real_signal(shared_data, 2, 32, seconds)
    write_edf(folder / "PN00-1.edf", data, 32, ["Fp1", "F3"])
    return root


def helsinki_tree(shared_data, root, infants=(68, 79), sfreq=16):
    """``root/{annotations_2017.mat, eegN.edf}`` with EDFs of the annotated lengths."""
    from skseizure.io.helsinki import read_helsinki_annotations

    root.mkdir(parents=True, exist_ok=True)
    mat = shared_data / "helsinki-neonatal" / "annotations" / "annotations_2017.mat"
    shutil.copyfile(mat, root / mat.name)
    tables = read_helsinki_annotations(mat)
    for infant in infants:
        data = real_signal(shared_data, 2, sfreq, tables.n_seconds(infant), source="neonatal")
        write_edf(root / f"eeg{infant}.edf", data, sfreq, ["EEG Fp1-Ref", "EEG Fp2-Ref"])
    return root
