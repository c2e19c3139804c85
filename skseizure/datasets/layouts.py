"""Recognise data sets laid out as their distributors ship them, and index them lazily.

Each ``_find_<layout>`` function walks one root folder and returns the recordings of that
layout as :class:`~skseizure.datasets.recordings.LazyRecording` (EDF headers and annotation
files are read; no signal). :func:`load_recordings` puts them together and checks them.

Layouts
-------
``chbmit``
    ``chbNN/chbNN_MM.edf`` + ``chbNN/chbNN-summary.txt`` (CHB-MIT Scalp EEG, Shoeb 2009).
``siena``
    ``PNxx/PNxx-N.edf`` + ``PNxx/Seizures-list-PNxx.txt`` (Siena Scalp EEG, Detti 2020).
``bids``
    ``sub-*/[ses-*/]eeg/*_eeg.edf`` + the matching ``*_events.tsv`` (BIDS-EEG, SzCORE:
    Dan et al. 2024, "SzCORE: seizure community open-source research evaluation
    framework for the validation of EEG-based automated seizure detection algorithms").
``tusz``
    ``*.edf`` + ``*.csv_bi`` of the same stem (TUH Seizure Corpus v2, Shah et al. 2018).
``helsinki``
    ``eegN.edf`` + ``annotations_2017_<expert>.csv`` tables or ``annotations_2017.mat``
    (Helsinki neonatal EEG, Stevenson et al. 2019).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from ..io import (
    AnnotationFormatError,
    read_bids_events,
    read_chbmit_summary,
    read_siena_seizure_list,
    read_tusz_csv_bi,
)
from ..io.helsinki import find_helsinki_annotation_files, read_helsinki_annotations
from .recordings import LazyRecording, RecordingCorpus, read_edf_info

__all__ = ["LAYOUTS", "detect_layouts", "find_recordings", "load_recordings"]

LAYOUTS = ("chbmit", "siena", "bids", "tusz", "helsinki")

_HELSINKI_EDF = re.compile(r"^eeg(\d+)\.edf$", re.I)
_BIDS_SUBJECT = re.compile(r"^sub-([A-Za-z0-9]+)$")
# Slack (s) when checking that an event ends inside its recording: one sample plus the
# rounding of annotation times written with two decimals.
_END_SLACK = 0.01


def _edfs(folder):
    return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() == ".edf" and p.is_file())


def _lazy(path, subject, seizures, layout, annotations, expected=None):
    """Build a LazyRecording after checking that every event lies inside the recording.

    ``expected``: ``(seconds, tolerance, what)`` -- the length the annotation file gives
    the recording, checked first (a clearer message than a seizure past the end).
    """
    info = read_edf_info(path)
    duration = info["n_times"] / info["sfreq"]
    if expected is not None and abs(expected[0] - duration) > expected[1]:
        raise AnnotationFormatError(
            annotations, None, f"{expected[2]} {expected[0]:g} s but {Path(path).name} lasts "
                               f"{duration:.1f} s ({path}).",
        )
    for start, end in seizures:
        if end > duration + 1.0 / info["sfreq"] + _END_SLACK or start < 0:
            raise AnnotationFormatError(
                annotations, None,
                f"seizure ({start:g} s, {end:g} s) of {Path(path).name} lies outside the "
                f"recording, which lasts {duration:.3f} s ({path}).",
            )
    return LazyRecording(
        path=Path(path), subject=str(subject), name=Path(path).stem,
        seizures=[(float(s), float(e)) for s, e in seizures], ch_names=info["ch_names"],
        sfreq=info["sfreq"], n_times=info["n_times"], units=info["units"], layout=layout,
        annotations=str(annotations),
    )


def _missing(message, on_missing):
    if on_missing == "raise":
        raise FileNotFoundError(message + " Pass on_missing='ignore' for a partial download.")
    if on_missing == "warn":
        warnings.warn(message, UserWarning, stacklevel=4)


def _find_chbmit(root, on_missing, **_):
    recordings = []
    for summary in sorted(root.rglob("chb*-summary.txt")):
        folder = summary.parent
        subject = summary.name[: -len("-summary.txt")]
        entries = read_chbmit_summary(summary)
        listed = {e.file_name for e in entries}
        for edf in _edfs(folder):
            if edf.name not in listed:
                raise AnnotationFormatError(
                    summary, None, f"does not list {edf.name}, which is in its folder; its "
                                   "seizures are unknown.",
                )
        for entry in entries:
            edf = folder / entry.file_name
            if not edf.is_file():
                _missing(f"{summary} lists {entry.file_name}, which is not in {folder}.",
                         on_missing)
                continue
            recordings.append(_lazy(edf, subject, entry.seizures, "chbmit", summary))
    return recordings


def _find_siena(root, on_missing, **_):
    recordings = []
    for listing in sorted(root.rglob("Seizures-list-*.txt")):
        folder = listing.parent
        subject = listing.stem[len("Seizures-list-"):]
        entries = {e.file_name: e for e in read_siena_seizure_list(listing)}
        for edf in _edfs(folder):
            if edf.name not in entries:
                raise AnnotationFormatError(
                    listing, None, f"does not list {edf.name}, which is in its folder; its "
                                   "seizures are unknown.",
                )
        for name, entry in entries.items():
            edf = folder / name
            if not edf.is_file():
                _missing(f"{listing} lists {name}, which is not in {folder}.", on_missing)
                continue
            expected = None
            if entry.duration is not None:
                expected = (entry.duration, 2.0, f"{name}: the list gives a registration of")
            rec = _lazy(edf, subject, entry.seizures, "siena", listing, expected)
            recordings.append(rec)
    return recordings


def _bids_subject(path, root):
    for part in reversed(path.relative_to(root).parts):
        m = _BIDS_SUBJECT.match(part)
        if m:
            return part
    return None


def _find_bids(root, on_missing, **_):
    recordings = []
    edfs = sorted(p for p in root.rglob("*_eeg.edf") if p.parent.name == "eeg")
    edfs = [p for p in edfs if _bids_subject(p, root) is not None]
    missing = []
    for edf in edfs:
        events = edf.with_name(edf.name[: -len("_eeg.edf")] + "_events.tsv")
        if not events.is_file():
            missing.append(events)
            continue
        seizures = [(e.onset, e.end) for e in read_bids_events(events) if e.is_seizure]
        recordings.append(_lazy(edf, _bids_subject(edf, root), seizures, "bids", events))
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} BIDS recording(s) under {root} have no events file, so their "
            f"seizures are unknown: {', '.join(str(m) for m in missing[:5])}"
            f"{' ...' if len(missing) > 5 else ''}."
        )
    return recordings


def _find_tusz(root, on_missing, **_):
    recordings = []
    for annot in sorted(root.rglob("*.csv_bi")):
        edf = annot.with_suffix(".edf")
        if not edf.is_file():
            _missing(f"{annot} has no EDF {edf.name} beside it.", on_missing)
            continue
        content = read_tusz_csv_bi(annot)
        expected = None
        if content.duration is not None:
            expected = (content.duration, 1.0, "declares a duration of")
        rec = _lazy(edf, edf.stem.split("_")[0], content.seizures, "tusz", annot, expected)
        recordings.append(rec)
    for edf in sorted(root.rglob("*.edf")):
        if any(edf.parent.glob("*.csv_bi")) and not edf.with_suffix(".csv_bi").is_file():
            raise FileNotFoundError(
                f"{edf} has no {edf.stem}.csv_bi beside it; its seizures are unknown."
            )
    return recordings


def _find_helsinki(root, on_missing, *, experts=None, agreement="majority", **_):
    recordings = []
    folders = sorted({p.parent for p in root.rglob("*.edf") if _HELSINKI_EDF.match(p.name)})
    for folder in folders:
        table_dir = next(
            (d for d in (folder, *folder.parents) if find_helsinki_annotation_files(d)), None
        )
        if table_dir is None or root not in (table_dir, *table_dir.parents):
            raise FileNotFoundError(
                f"{folder} holds Helsinki-style recordings (eegN.edf) but no annotation "
                "table (annotations_2017_<expert>.csv or annotations_2017.mat) was found in "
                "it or above it."
            )
        tables = read_helsinki_annotations(table_dir, experts=experts)
        where = "; ".join(tables.sources)
        for edf in _edfs(folder):
            m = _HELSINKI_EDF.match(edf.name)
            if not m:
                continue
            infant = int(m.group(1))
            if infant not in tables.labels:
                raise AnnotationFormatError(where, None, f"no annotations for infant {infant} "
                                                         f"({edf}).")
            expected = (tables.n_seconds(infant), 1.0, f"infant {infant}: the tables annotate")
            rec = _lazy(edf, str(infant), tables.seizures(infant, agreement), "helsinki", where,
                        expected)
            recordings.append(rec)
    return recordings


_FINDERS = {
    "chbmit": _find_chbmit, "siena": _find_siena, "bids": _find_bids, "tusz": _find_tusz,
    "helsinki": _find_helsinki,
}


def detect_layouts(root):
    """Names of the layouts present under ``root`` (cheap: file names only)."""
    root = Path(root)
    found = []
    if next(root.rglob("chb*-summary.txt"), None):
        found.append("chbmit")
    if next(root.rglob("Seizures-list-*.txt"), None):
        found.append("siena")
    if any(p.parent.name == "eeg" and _bids_subject(p, root) for p in root.rglob("*_eeg.edf")):
        found.append("bids")
    if next(root.rglob("*.csv_bi"), None):
        found.append("tusz")
    if any(_HELSINKI_EDF.match(p.name) for p in root.rglob("*.edf")):
        found.append("helsinki")
    return found


def find_recordings(root, layout="auto", *, on_missing="raise", experts=None,
                    agreement="majority"):
    """Index the recordings under one root folder.

    See :func:`skseizure.datasets.load_recordings` for the parameters.

    Returns
    -------
    list of LazyRecording
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"data folder not found: {root}")
    if layout == "auto":
        layouts = detect_layouts(root)
        if not layouts:
            raise ValueError(
                f"{root}: no known layout found (CHB-MIT chbNN-summary.txt, Siena "
                "Seizures-list-*.txt, BIDS sub-*/eeg/*_eeg.edf, TUSZ *.csv_bi, Helsinki eegN.edf)."
            )
    else:
        layouts = [layout] if isinstance(layout, str) else list(layout)
        unknown = [lay for lay in layouts if lay not in LAYOUTS]
        if unknown:
            raise ValueError(f"unknown layout(s) {unknown}; known: {LAYOUTS}.")
    recordings = []
    for name in layouts:
        recordings.extend(
            _FINDERS[name](root, on_missing, experts=experts, agreement=agreement)
        )
    if not recordings:
        raise ValueError(f"{root}: no recording found for layout(s) {layouts}.")
    claimed = {rec.path.resolve() for rec in recordings}
    unclaimed = [p for p in sorted(root.rglob("*.edf")) if p.resolve() not in claimed]
    if unclaimed and on_missing == "raise":
        raise ValueError(
            f"{len(unclaimed)} EDF file(s) under {root} belong to no recognised recording "
            f"of layout(s) {layouts}: {', '.join(str(p) for p in unclaimed[:5])}"
            f"{' ...' if len(unclaimed) > 5 else ''}. Move them or pass layout= explicitly "
            "with on_missing='ignore'."
        )
    return recordings


def _check_duplicates(per_root):
    """Refuse a subject or recording name found under two roots or in two layouts."""
    owner = {}
    names = {}
    for root, recordings in per_root:
        for rec in recordings:
            key = (str(root), rec.layout)
            if rec.subject in owner and owner[rec.subject] != key:
                (r0, l0) = owner[rec.subject]
                raise ValueError(
                    f"subject id {rec.subject!r} occurs in {l0} layout under {r0} and in "
                    f"{rec.layout} layout under {root}; subject-wise splits would mix two "
                    "subjects (or split one). Load them separately or rename one."
                )
            owner[rec.subject] = key
            if rec.name in names:
                raise ValueError(
                    f"recording {rec.name!r} occurs twice: {names[rec.name]} and {rec.path}."
                )
            names[rec.name] = rec.path


def load_recordings(path, *, layout="auto", sfreq=None, subjects=None, on_missing="raise",
                    experts=None, agreement="majority"):
    """Index data sets laid out as distributed, one lazy recording per EDF file.

    Only EDF headers and annotation files are read; the signal is read when windows are
    made (:func:`skseizure.datasets.make_windows`) or :meth:`LazyRecording.load` is called.

    Parameters
    ----------
    path : path-like or list of path-like
        Root folder(s), e.g. a CHB-MIT download holding ``chb01/``, ``chb02/``; several
        roots (and layouts) may be combined if their subject ids differ.
    layout : {"auto", "chbmit", "siena", "bids", "tusz", "helsinki"} or list, default="auto"
        ``"auto"`` recognises every layout present from file names (see the module notes).
    sfreq : float or None, default=None
        Resample every recording to this rate (Hz) when it is loaded (polyphase filter,
        :func:`scipy.signal.resample_poly`). With None, recordings with different rates
        are refused: windows of different rates must not be mixed silently.
    subjects : list of str or None, default=None
        Keep only these subject ids.
    on_missing : {"raise", "warn", "ignore"}, default="raise"
        What to do when an annotation file names a recording that is not on disk (e.g. a
        CHB-MIT summary after downloading a few of its files), or an EDF has no
        annotation. ``"raise"``: ``FileNotFoundError`` naming both.
    experts : list of str or None, default=None
        Helsinki only: experts whose tables are used (``["A", "B", "C"]``); None: all found.
    agreement : {"any", "majority", "all"}, default="majority"
        Helsinki only: how many of the experts must mark a second as seizure.

    Returns
    -------
    RecordingCorpus
        Sorted by subject, then recording name. Subject ids are the distributors' own:
        ``"chb01"``, ``"PN00"``, ``"sub-01"``, TUSZ patient ids (``"aaaaaaac"``), Helsinki
        infant numbers (``"1"`` to ``"79"``).

    Raises
    ------
    FileNotFoundError
        A missing root, a file named by an annotation but absent (``on_missing="raise"``),
        a BIDS recording without its ``*_events.tsv``.
    skseizure.io.FileFormatError
        (``ValueError``) A malformed annotation or EDF header; a seizure that ends after
        its recording; annotation and recording lengths that disagree.
    ValueError
        No known layout; EDF files no annotation accounts for; the same subject id under
        two roots or layouts; two recordings of one name; different sampling rates and
        ``sfreq=None``.
    """
    if on_missing not in ("raise", "warn", "ignore"):
        raise ValueError(f"on_missing must be 'raise', 'warn' or 'ignore', got {on_missing!r}.")
    if agreement not in ("any", "majority", "all"):
        raise ValueError(f"agreement must be 'any', 'majority' or 'all', got {agreement!r}.")
    roots = [path] if isinstance(path, (str, Path)) else list(path)
    per_root = [
        (Path(root), find_recordings(root, layout, on_missing=on_missing, experts=experts,
                                     agreement=agreement))
        for root in roots
    ]
    _check_duplicates(per_root)
    recordings = [rec for _, recs in per_root for rec in recs]
    if subjects is not None:
        wanted = {str(s) for s in ([subjects] if isinstance(subjects, str) else subjects)}
        unknown = wanted - {r.subject for r in recordings}
        if unknown:
            raise ValueError(
                f"subject(s) {sorted(unknown)} not found; subjects: "
                f"{sorted({r.subject for r in recordings})}."
            )
        recordings = [r for r in recordings if r.subject in wanted]
    recordings.sort(key=lambda r: (r.subject, r.name))
    corpus = RecordingCorpus(recordings)
    if sfreq is not None:
        return corpus.resampled(sfreq)
    rates = {}
    for rec in recordings:
        rates.setdefault(rec.sfreq, []).append(rec.name)
    if len(rates) > 1:
        detail = "; ".join(
            f"{rate:g} Hz: {', '.join(names[:3])}{' ...' if len(names) > 3 else ''}"
            for rate, names in sorted(rates.items())
        )
        raise ValueError(
            f"the recordings have different sampling rates ({detail}); pass sfreq=<Hz> to "
            "resample them all on load, or select recordings of one rate (subjects=...)."
        )
    return corpus
