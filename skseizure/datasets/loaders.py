"""Loaders for the real datasets skseizure is tested on, and for the sample shipped with it.

Each loader takes the ``path`` of the dataset on disk: either the dataset's own folder
(e.g. ``.../chbmit``) or a data root that contains it under its usual name
(``chbmit/``, ``bonn/``, ``helsinki-neonatal/``). Nothing is downloaded and no default
location is assumed; :func:`locate_data` helps scripts find a data root.

Window loaders return a :class:`~skseizure.datasets.windowing.Windows`
(``X, y, groups = result.as_arrays()``); recording loaders return lists of
:class:`~skseizure.io.EEGRecording` to pass to
:func:`~skseizure.datasets.windowing.make_windows`.

Units: ``X`` is in volts (the CHB-MIT and Helsinki archives hold microvolts and are
converted). Bonn has no documented physical unit and is returned as raw A/D values
unless a ``scale`` is given (see :func:`load_bonn`).
"""

from __future__ import annotations

import os
import re
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import FileFormatError, read_edf
from .montages import CHBMIT_23, HELSINKI_18
from .windowing import Windows

__all__ = [
    "BONN_SETS",
    "BONN_SET_CODES",
    "CHBMIT_SFREQ",
    "SAMPLE_FILES",
    "bonn_seizure_target",
    "load_bonn",
    "load_helsinki_neonatal",
    "load_sample",
    "locate_data",
]

_UV_TO_V = 1e-6

CHBMIT_SFREQ = 256.0
"""Sampling frequency of every CHB-MIT recording (Hz)."""

SAMPLE_FILES = {
    "chbmit_chb01_03_seizure_crop.edf": ("chb01_03_Seizure", [(1.0, 41.0)]),
    "chbmit_chb01_03_nonseizure_crop.edf": ("chb01_03_NonSeizure", []),
}
"""The shipped sample (package data): file name -> (recording name, seizure intervals in s)."""

BONN_SETS = {
    "A": ("A_Z", "Z"),
    "B": ("B_O", "O"),
    "C": ("C_N", "N"),
    "D": ("D_F", "F"),
    "E": ("E_S", "S"),
}
"""Bonn set letter -> (folder name, file-name prefix)."""

BONN_SET_CODES = {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4}
"""Integer coding of the Bonn sets used as ``y`` by ``load_bonn(target="set")``."""

_BONN_N_SAMPLES = 4097
_BONN_SFREQ = 173.61
_BONN_CONTENT = {
    "A": "healthy volunteers, surface EEG, eyes open",
    "B": "healthy volunteers, surface EEG, eyes closed",
    "C": "patients, interictal, hippocampal formation opposite the epileptogenic zone",
    "D": "patients, interictal, within the epileptogenic zone",
    "E": "patients, ictal (seizure activity)",
}


def _dataset_dir(path, folder, marker):
    """Return the dataset folder: ``path`` itself if it holds ``marker``, else ``path/folder``."""
    if path is None:
        raise ValueError(
            f"path is required: the {folder!r} folder or a data root containing it "
            "(see skseizure.datasets.locate_data)."
        )
    path = Path(path).expanduser()
    for candidate in (path, path / folder):
        if (candidate / marker).exists():
            return candidate
    raise FileNotFoundError(
        f"No {folder} dataset at {path}: expected {path / marker} or {path / folder / marker}."
    )


def locate_data(path=None):
    """Find a data root for scripts and the CLI demo.

    Parameters
    ----------
    path : str or Path or None
        Explicit location; it must exist.

    Returns
    -------
    root : Path or None
        In order: ``path``; else ``$SKSEIZURE_DATA``; else ``../shared/data`` relative to
        the **current working directory** (the layout of the development checkout, meant
        for the CLI demo only); else ``None``. The loaders themselves never look
        anywhere implicitly.

    Raises
    ------
    FileNotFoundError
        If ``path`` or ``$SKSEIZURE_DATA`` is given but is not a folder.
    """
    if path is not None:
        root = Path(path).expanduser()
        if not root.is_dir():
            raise FileNotFoundError(f"Data folder {root} does not exist.")
        return root
    env = os.environ.get("SKSEIZURE_DATA")
    if env:
        root = Path(env).expanduser()
        if not root.is_dir():
            raise FileNotFoundError(
                f"SKSEIZURE_DATA points to {root}, which is not a folder."
            )
        return root
    fallback = Path.cwd() / ".." / "shared" / "data"
    if fallback.is_dir():
        return fallback.resolve()
    return None


# --------------------------------------------------------------------------- Helsinki


def load_helsinki_neonatal(path, expert="A"):
    """Load a pre-cut archive of Helsinki neonatal 1-s windows (Stevenson et al. 2019).

    Not a distributed layout: the dataset ships EDF files and per-second annotation
    tables, which :func:`~skseizure.datasets.load_recordings` reads. This reader of the
    ``expert_{A,B}_windows.npz`` extract is kept only for the command-line demo and is not
    exported by :mod:`skseizure.datasets`.

    Parameters
    ----------
    path : str or Path
        The ``helsinki-neonatal`` folder (holding ``expert_A_windows.npz``) or a data
        root containing it.
    expert : {"A", "B"}, default="A"
        Whose per-second annotation labels the windows (expert C is not available).

    Returns
    -------
    Windows
        ``X`` (n, 18, 64) float32 in volts, 64 Hz, channels
        :data:`~skseizure.datasets.montages.HELSINKI_18`; ``y`` 1 seizure / 0 not;
        ``groups`` infant id (int, 1..79). Expert A: 781 windows (385 seizure) from 62
        infants; expert B: 790 (394). ``metadata``: ``subject``, ``recording`` (EDF file
        name), ``start_s``/``end_s`` (seconds in the EDF; NaN for the non-seizure windows
        whose position was drawn at random and not recorded), ``label``, and, when
        ``window_index_expert_<E>.csv`` is present, ``seizure_event_idx``,
        ``annotated_seizure_start_s``, ``annotated_seizure_end_s``.

    Notes
    -----
    The 64-Hz signal was decimated from 256 Hz by keeping every 4th sample, without an
    anti-alias filter: content above 32 Hz is aliased. Every infant contributes one class
    only (non-seizure windows come from seizure-free infants), so a subject-wise split
    also separates the classes by subject. Windows shared by experts A and B (47) are
    identical; de-duplicate before pooling the two.

    Raises
    ------
    FileNotFoundError
        If the archive is missing (path named).
    ValueError
        For an unknown expert, or if the archive and its index disagree.
    """
    expert = str(expert).upper()
    if expert not in ("A", "B"):
        raise ValueError(f"expert must be 'A' or 'B' (expert C is not available), got {expert!r}.")
    folder = _dataset_dir(path, "helsinki-neonatal", f"expert_{expert}_windows.npz")
    archive = folder / f"expert_{expert}_windows.npz"
    try:
        with np.load(archive, allow_pickle=False) as npz:
            missing = {"X", "y", "infant_id", "channels", "sfreq"} - set(npz.files)
            if missing:
                raise FileFormatError(archive, None, f"lacks the array(s) {sorted(missing)}.")
            X = npz["X"].astype(np.float32) * np.float32(_UV_TO_V)
            y = npz["y"].astype(np.int64)
            infant = npz["infant_id"].astype(np.int64)
            ch_names = [str(c) for c in npz["channels"]]
            sfreq = float(npz["sfreq"])
    except FileFormatError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        # numpy's own errors do not name the file
        raise FileFormatError(archive, None, f"is not a readable .npz archive "
                                             f"({type(exc).__name__}: {exc}).") from None
    if ch_names != list(HELSINKI_18):
        raise ValueError(f"{archive} has channels {ch_names}, expected {list(HELSINKI_18)}.")
    n = X.shape[0]
    if y.shape != (n,) or infant.shape != (n,):
        raise ValueError(
            f"{archive}: X has {n} windows but y has shape {y.shape} and infant_id {infant.shape}."
        )

    index_file = folder / f"window_index_expert_{expert}.csv"
    if index_file.exists():
        index = pd.read_csv(index_file)
        if len(index) != n or not (
            np.array_equal(index["label"].to_numpy(), y)
            and np.array_equal(index["infant_id"].to_numpy(), infant)
        ):
            raise ValueError(
                f"{index_file} does not match {archive} "
                "(window count, labels or infant ids differ)."
            )
        metadata = pd.DataFrame(
            {
                "subject": infant,
                "recording": index["edf"].astype(str).to_numpy(),
                "start_s": index["window_start_s"].to_numpy(dtype=float),
                "end_s": index["window_end_s"].to_numpy(dtype=float),
                "label": y,
                "seizure_event_idx": index["seizure_event_idx"].to_numpy(),
                "annotated_seizure_start_s": index["annotated_seizure_start_s"].to_numpy(float),
                "annotated_seizure_end_s": index["annotated_seizure_end_s"].to_numpy(float),
            }
        )
    else:
        metadata = pd.DataFrame(
            {
                "subject": infant,
                "recording": [f"eeg{i}.edf" for i in infant],
                "start_s": np.full(n, np.nan),
                "end_s": np.full(n, np.nan),
                "label": y,
            }
        )
    return Windows(X=X, y=y, groups=infant, sfreq=sfreq, ch_names=ch_names, metadata=metadata)


# --------------------------------------------------------------------------- Bonn


def bonn_seizure_target(y_set):
    """Map Bonn set codes (:data:`BONN_SET_CODES`) to seizure labels: E -> 1, A-D -> 0.

    Parameters
    ----------
    y_set : array-like of int of shape (n,)
        ``y`` of ``load_bonn(target="set")``.

    Returns
    -------
    y : ndarray of shape (n,), int64
    """
    y_set = np.asarray(y_set)
    unknown = np.setdiff1d(y_set, list(BONN_SET_CODES.values()))
    if unknown.size:
        raise ValueError(f"Unknown Bonn set code(s) {unknown.tolist()}; expected 0..4 (A..E).")
    return (y_set == BONN_SET_CODES["E"]).astype(np.int64)


def _read_bonn_segment(file):
    try:
        values = np.loadtxt(file, dtype=np.float64, ndmin=1)
    except ValueError as exc:
        raise ValueError(f"{file} is not a column of numbers: {exc}") from exc
    if values.shape != (_BONN_N_SAMPLES,):
        raise ValueError(
            f"{file} holds {values.size} samples; a Bonn segment has {_BONN_N_SAMPLES}."
        )
    return values


def load_bonn(path, sets=("A", "B", "C", "D", "E"), *, target="set", scale=None):
    """Load the Bonn EEG segments (Andrzejak et al. 2001).

    Parameters
    ----------
    path : str or Path
        The ``bonn`` folder (holding ``A_Z/`` … ``E_S/``) or a data root containing it.
    sets : sequence of {"A", "B", "C", "D", "E"}, default all five
        Which sets to load, in this order (100 segments each, files in name order).
    target : {"set", "seizure"}, default="set"
        ``"set"``: ``y`` is the set code of :data:`BONN_SET_CODES` (A=0 … E=4, the same
        codes whichever sets are loaded). ``"seizure"``: ``y`` is 1 for set E (ictal),
        0 otherwise (equivalent to :func:`bonn_seizure_target` on the set codes).
    scale : float or None, default=None
        The files hold integer A/D values and the dataset documents no physical unit.
        ``None`` returns them unchanged (``units="adc"``). A number multiplies them and
        declares the result to be volts (``units="V"``); e.g. ``1e-6`` if you accept the
        common but undocumented reading of the values as microvolts.

    Returns
    -------
    Windows
        ``X`` (n, 1, 4097) float32 at 173.61 Hz, channel name ``"EEG"``; ``y`` as chosen
        by ``target``; ``groups`` is ``None``. ``metadata``: ``subject`` (None),
        ``recording`` (file stem, e.g. ``"Z001"``), ``start_s`` 0, ``end_s`` 23.6,
        ``label`` (seizure 0/1 whatever ``target``), ``set``, ``set_code``, ``file``.

    Notes
    -----
    Sets A and B come from 5 healthy volunteers (surface EEG), C, D and E from 5 patients
    (intracranial; C and D interictal, E ictal). The segments carry no subject ids, so
    subject-wise cross-validation is impossible; ``groups`` is ``None`` on purpose. Surface
    and intracranial recordings also differ in scale and spectrum, so A/B versus E is an
    easier problem than seizure detection proper. Band-pass 0.53-40 Hz was applied by the
    authors. Redistribution rights are unclear: cite the paper.

    Raises
    ------
    FileNotFoundError
        If a set folder is missing or holds no segment (path named).
    ValueError
        For an unknown set or target, or a file that is not a 4097-sample column.
    """
    if isinstance(sets, str):
        sets = (sets,)
    sets = [str(s).upper() for s in sets]
    unknown = [s for s in sets if s not in BONN_SETS]
    if unknown or not sets:
        raise ValueError(f"sets must be letters among A, B, C, D, E; got {sets}.")
    if len(set(sets)) != len(sets):
        raise ValueError(f"sets lists a set twice: {sets}.")
    if target not in ("set", "seizure"):
        raise ValueError(f"target must be 'set' or 'seizure', got {target!r}.")
    if scale is not None and not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number or None, got {scale!r}.")
    folder = _dataset_dir(path, "bonn", BONN_SETS[sets[0]][0])

    # Check every folder before parsing 100s of files, so a missing set fails at once.
    absent = [str(folder / BONN_SETS[s][0]) for s in sets]
    absent = [d for d in absent if not Path(d).is_dir()]
    if absent:
        raise FileNotFoundError(f"Bonn set folder(s) missing: {', '.join(absent)}.")
    segments, rows = [], []
    for letter in sets:
        subdir, prefix = BONN_SETS[letter]
        set_dir = folder / subdir
        pattern = re.compile(rf"^{prefix}\d{{3}}\.txt$", re.IGNORECASE)
        files = sorted(f for f in set_dir.iterdir() if pattern.match(f.name))
        if not files:
            raise FileNotFoundError(f"No {prefix}NNN.txt segment in {set_dir}.")
        for file in files:
            segments.append(_read_bonn_segment(file))
            rows.append(
                {
                    "subject": None,
                    "recording": file.stem.upper(),
                    "start_s": 0.0,
                    "end_s": _BONN_N_SAMPLES / _BONN_SFREQ,
                    "label": int(letter == "E"),
                    "set": letter,
                    "set_code": BONN_SET_CODES[letter],
                    "file": f"{subdir}/{file.name}",
                }
            )
    X = np.stack(segments)[:, None, :]
    if scale is not None:
        X = X * float(scale)
    metadata = pd.DataFrame(rows)
    column = "set_code" if target == "set" else "label"
    y = metadata[column].to_numpy(dtype=np.int64)
    return Windows(
        X=X.astype(np.float32),
        y=y,
        groups=None,
        sfreq=_BONN_SFREQ,
        ch_names=["EEG"],
        metadata=metadata,
        units="adc" if scale is None else "V",
    )


def _read_chbmit_edf(file, name, seizures):
    """Read one CHB-MIT EDF (crop) with :func:`read_edf` and check its montage."""
    recording = read_edf(file, subject=name.split("_")[0], seizures=seizures)
    if recording.ch_names != list(CHBMIT_23):
        raise ValueError(
            f"{file} has channels {recording.ch_names}; expected the CHB-MIT 23-channel "
            "montage (skseizure.datasets.montages.CHBMIT_23)."
        )
    # The file stem of the shipped copy differs; keep the dataset's own crop name.
    recording.name = name
    return recording


def load_sample():
    """Load the small real sample shipped inside the package (no data folder needed).

    Returns
    -------
    recordings : list of EEGRecording
        The two 41-s EDF crops of CHB-MIT record chb01_03 (seconds 2995-3036 and 0-41):
        ``chb01_03_Seizure`` (seizure 1.0-41.0 s) and ``chb01_03_NonSeizure`` (none);
        23 channels, 256 Hz, volts, subject ``"chb01"``. CHB-MIT is ODC-By 1.0; see
        ``skseizure/datasets/data/ATTRIBUTION.md`` for the required attribution.
    """
    data_dir = resources.files("skseizure.datasets") / "data"
    recordings = []
    for filename, (name, seizures) in SAMPLE_FILES.items():
        resource = data_dir / filename
        if not resource.is_file():
            raise FileNotFoundError(
                f"Shipped sample file {resource} is missing; the installation lacks the "
                "package data (*.edf) of skseizure.datasets."
            )
        # MNE needs a real file path; as_file extracts it when the package is zipped.
        with resources.as_file(resource) as file:
            recordings.append(_read_chbmit_edf(file, name, list(seizures)))
    return recordings
