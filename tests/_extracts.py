"""Loaders of the pre-cut extracts in the shared test data (not a distributed layout).

These read archives that no distributor ships (the Helsinki 1-s window archives
``expert_{A,B}_windows.npz``, the CHB-MIT ``windows-10s`` / ``full-seizures`` numpy
extracts and the two 41-s chb01_03 EDF crops). Tests and benchmarks use them as small,
well-understood real inputs; users load the data sets as distributed with
:func:`skseizure.datasets.load_recordings`.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from skseizure.datasets.montages import CHBMIT_23
from skseizure.datasets.loaders import _dataset_dir, load_helsinki_neonatal
from skseizure.datasets.windowing import Windows
from skseizure.io import EEGRecording, read_edf

__all__ = [
    "CHBMIT_SFREQ",
    "CHBMIT_UNRELIABLE_WINDOWS",
    "load_chbmit_crops",
    "load_chbmit_seizures",
    "load_chbmit_windows",
    "load_helsinki_neonatal",
]

_UV_TO_V = 1e-6

CHBMIT_SFREQ = 256.0
"""Sampling frequency of every CHB-MIT recording (Hz)."""

CHBMIT_UNRELIABLE_WINDOWS = {
    ("chb02_19", "ictal"): (
        "seizure lasts 9 s (3369-3378 s); the window (onset +10..+20 s) is post-ictal"
    ),
}
"""Windows of ``windows-10s`` whose label is known to be wrong, with the reason."""

# The two 41-s crops of chb01_03.edf (CHB-MIT summary: seizure 2996-3036 s).
# Seizure crop = seconds 2995-3036, so the seizure runs from 1.0 s to its end (41.0 s).
_CHBMIT_CROPS = (
    ("chb01_03_Seizure.edf", "chb01_03_Seizure", [(1.0, 41.0)]),
    ("chb01_03_NonSeizure.edf", "chb01_03_NonSeizure", []),
)


# --------------------------------------------------------------------------- CHB-MIT

_WINDOW_KINDS = (("ictal", "_ictal.npy", 1), ("preictal_10s", "_preictal10s.npy", 0))


def _load_chbmit_npy(file):
    array = np.load(file, allow_pickle=False)
    if array.ndim != 2 or array.shape[0] != len(CHBMIT_23):
        raise ValueError(
            f"{file} has shape {array.shape}; expected ({len(CHBMIT_23)}, n_samples) in the "
            "CHB-MIT EDF channel order."
        )
    return (array * _UV_TO_V).astype(np.float32)


def load_chbmit_windows(path, *, drop_unreliable=False):
    """Load the CHB-MIT 10-s windows (``windows-10s/<patient>/{ictal,preictal_10s}``).

    Parameters
    ----------
    path : str or Path
        The ``chbmit`` folder (holding ``windows-10s/``) or a data root containing it.
    drop_unreliable : bool, default=False
        Drop the windows listed in :data:`CHBMIT_UNRELIABLE_WINDOWS` (chb02_19's
        "ictal" window falls after its 9-s seizure). By default they are kept and flagged
        in ``metadata.label_reliable``.

    Returns
    -------
    Windows
        ``X`` (n, 23, 2561) float32 in volts (10 s at 256 Hz, both ends included as
        stored), channels :data:`~skseizure.datasets.montages.CHBMIT_23`; ``y`` 1 for
        ``ictal`` (official onset +10 s to +20 s), 0 for ``preictal_10s`` (seizure-free,
        shortly before onset); ``groups`` patient id (``"chb01"``, ``"chb02"``).
        ``metadata``: ``subject``, ``recording`` (record id, e.g. ``"chb02_16+"``),
        ``start_s``/``end_s`` (NaN: the pre-ictal offsets are unknown), ``label``,
        ``kind`` (``"ictal"``/``"preictal"``), ``label_reliable``, ``file``. Ordered by
        patient, then kind (ictal first), then record.

    Raises
    ------
    FileNotFoundError
        If ``windows-10s`` is missing or holds no window (path named).
    ValueError
        If a file does not hold 23 channels or the windows differ in length.
    """
    folder = _dataset_dir(path, "chbmit", "windows-10s")
    root = folder / "windows-10s"
    X_list, rows = [], []
    for patient_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for subdir, suffix, label in _WINDOW_KINDS:
            kind = subdir.split("_")[0]
            kind_dir = patient_dir / subdir
            if not kind_dir.is_dir():
                continue
            for file in sorted(kind_dir.glob(f"*{suffix}")):
                record = file.name[: -len(suffix)]
                reason = CHBMIT_UNRELIABLE_WINDOWS.get((record, kind))
                if reason is not None and drop_unreliable:
                    continue
                X_list.append(_load_chbmit_npy(file))
                rows.append(
                    {
                        "subject": patient_dir.name,
                        "recording": record,
                        "start_s": np.nan,
                        "end_s": np.nan,
                        "label": label,
                        "kind": kind,
                        "label_reliable": reason is None,
                        "file": f"{patient_dir.name}/{subdir}/{file.name}",
                    }
                )
    if not X_list:
        raise FileNotFoundError(f"No CHB-MIT window (*_ictal.npy, *_preictal10s.npy) under {root}.")
    lengths = {x.shape[1] for x in X_list}
    if len(lengths) > 1:
        raise ValueError(f"Windows under {root} have different lengths: {sorted(lengths)} samples.")
    metadata = pd.DataFrame(rows)
    return Windows(
        X=np.stack(X_list),
        y=metadata["label"].to_numpy(dtype=np.int64),
        groups=metadata["subject"].to_numpy(),
        sfreq=CHBMIT_SFREQ,
        ch_names=list(CHBMIT_23),
        metadata=metadata,
    )


def load_chbmit_seizures(path):
    """Load the whole CHB-MIT seizures (``full-seizures/*_ictal_full.npy``) as recordings.

    Parameters
    ----------
    path : str or Path
        The ``chbmit`` folder (holding ``full-seizures/``) or a data root containing it.

    Returns
    -------
    recordings : list of EEGRecording
        One per file, in name order: ``data`` (23, n_times) float32 in volts at 256 Hz,
        channels :data:`~skseizure.datasets.montages.CHBMIT_23`, ``subject`` e.g.
        ``"chb01"``, ``name`` e.g. ``"chb01_03"``, one seizure covering the whole
        recording ``(0, duration)`` (each file runs from official onset to offset).

    Raises
    ------
    FileNotFoundError
        If the folder is missing or empty (path named).
    """
    folder = _dataset_dir(path, "chbmit", "full-seizures")
    root = folder / "full-seizures"
    files = sorted(root.glob("*_ictal_full.npy"))
    if not files:
        raise FileNotFoundError(f"No *_ictal_full.npy file in {root}.")
    recordings = []
    for file in files:
        data = _load_chbmit_npy(file)
        name = file.name[: -len("_ictal_full.npy")]
        duration = data.shape[1] / CHBMIT_SFREQ
        recordings.append(
            EEGRecording(
                data=data,
                sfreq=CHBMIT_SFREQ,
                ch_names=list(CHBMIT_23),
                subject=name.split("_")[0],
                name=name,
                seizures=[(0.0, duration)],
                source=str(file),
            )
        )
    return recordings


def _read_chbmit_edf(file, name, seizures):
    """Read one CHB-MIT EDF (crop) with :func:`read_edf` and check its montage."""
    recording = read_edf(file, subject=name.split("_")[0], seizures=seizures)
    if recording.ch_names != list(CHBMIT_23):
        raise ValueError(f"{file} has channels {recording.ch_names}; expected CHBMIT_23.")
    recording.name = name
    return recording


def load_chbmit_crops(path):
    """Load the two 41-s EDF crops of CHB-MIT record chb01_03.

    Parameters
    ----------
    path : str or Path
        The ``chbmit`` folder (holding ``edf/``) or a data root containing it.

    Returns
    -------
    recordings : list of EEGRecording
        ``[chb01_03_Seizure, chb01_03_NonSeizure]``: 23 channels
        (:data:`~skseizure.datasets.montages.CHBMIT_23`), 256 Hz, 41 s, volts, subject
        ``"chb01"``. The Seizure crop covers seconds 2995-3036 of chb01_03.edf and holds
        the seizure from 1.0 s to 41.0 s (official 2996-3036 s); the NonSeizure crop
        (seconds 0-41) holds none.

    Raises
    ------
    FileNotFoundError
        If a crop is missing (path named).
    """
    folder = _dataset_dir(path, "chbmit", "edf")
    recordings = []
    for filename, name, seizures in _CHBMIT_CROPS:
        file = folder / "edf" / filename
        if not file.is_file():
            raise FileNotFoundError(f"CHB-MIT crop {file} does not exist.")
        recordings.append(_read_chbmit_edf(file, name, list(seizures)))
    return recordings
