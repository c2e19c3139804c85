"""Read the per-second seizure annotations of the Helsinki neonatal EEG dataset.

The dataset (Stevenson, Tapani, Lauronen & Vanhatalo 2019, "A dataset of neonatal EEG
recordings with seizure annotations", Scientific Data 6:190039, doi:10.1038/sdata.2019.39)
ships 79 recordings ``eeg1.edf`` ... ``eeg79.edf`` and the annotations of three experts
(A, B, C) in two equivalent forms:

- ``annotations_2017_A.csv``, ``annotations_2017_B.csv``, ``annotations_2017_C.csv``
  (later versions add ``annotations_2017_A_fixed.csv``): one table per expert, a header row
  ``1,2,...,79`` (infant numbers), then one row per second with ``1`` (seizure) or ``0``;
  cells past the end of an infant's recording are empty.
- ``annotations_2017.mat``: a MATLAB cell array ``annotat_new`` of 1 x 79 uint8 matrices,
  one per infant, of shape (3, n_seconds) with the rows of experts A, B and C.

Row ``k`` (0-based) of an infant covers the second ``[k, k + 1)`` from the first sample.
:func:`read_helsinki_annotations` reads either form; :func:`consensus_seizures` turns the
experts' labels into seizure intervals under an agreement rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .common import AnnotationFormatError

__all__ = [
    "AGREEMENT_RULES",
    "HelsinkiAnnotations",
    "consensus_labels",
    "consensus_seizures",
    "find_helsinki_annotation_files",
    "read_helsinki_annotations",
]

#: Agreement rules across experts: a second is ictal when ``"any"`` expert, a strict
#: ``"majority"`` of the experts (2 of 3; 1 of 1; 2 of 2) or ``"all"`` experts marked it.
AGREEMENT_RULES = ("any", "majority", "all")

_CSV_NAME = re.compile(r"^annotations_\d{4}_([A-Za-z])(_fixed)?\.csv$")
_MAT_NAME = re.compile(r"^annotations_\d{4}\.mat$")
_MAT_EXPERTS = ("A", "B", "C")


@dataclass
class HelsinkiAnnotations:
    """The per-second labels of one or more experts for every infant.

    Attributes
    ----------
    experts : list of str
        Expert names (``"A"``, ``"B"``, ``"C"``), in the order of the rows of each table.
    labels : dict of int to ndarray of shape (n_experts, n_seconds), uint8
        Infant number (1..79) -> 0/1 labels, one row per expert, one column per second.
    sources : list of str
        The files the labels were read from.
    """

    experts: list
    labels: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)

    @property
    def infants(self):
        """Sorted infant numbers."""
        return sorted(self.labels)

    def n_seconds(self, infant):
        """Number of annotated seconds of ``infant`` (its recording length, rounded down)."""
        return self._get(infant).shape[1]

    def seizures(self, infant, rule="majority"):
        """Seizure intervals ``(start_s, end_s)`` of ``infant`` under an agreement rule.

        See :func:`consensus_seizures`.
        """
        return consensus_seizures(self._get(infant), rule)

    def _get(self, infant):
        try:
            return self.labels[int(infant)]
        except KeyError:
            raise KeyError(
                f"infant {infant} is not in the annotations read from {self.sources}; "
                f"infants: {self.infants[0]}..{self.infants[-1]} ({len(self.labels)})."
            ) from None


def consensus_labels(labels, rule="majority"):
    """Combine the per-second labels of several experts into one 0/1 sequence.

    Parameters
    ----------
    labels : array-like of shape (n_experts, n_seconds) or (n_seconds,)
        0/1 labels, one row per expert.
    rule : {"any", "majority", "all"}, default="majority"
        ``"any"``: at least one expert; ``"majority"``: more than half of the experts;
        ``"all"``: every expert.

    Returns
    -------
    ndarray of shape (n_seconds,), bool
    """
    labels = np.atleast_2d(np.asarray(labels))
    if rule not in AGREEMENT_RULES:
        raise ValueError(f"agreement rule must be one of {AGREEMENT_RULES}, got {rule!r}.")
    votes = (labels > 0).sum(axis=0)
    n = labels.shape[0]
    needed = {"any": 1, "majority": n // 2 + 1, "all": n}[rule]
    return votes >= needed


def consensus_seizures(labels, rule="majority"):
    """Seizure intervals from per-second expert labels.

    Parameters
    ----------
    labels : array-like of shape (n_experts, n_seconds) or (n_seconds,)
        0/1 labels; column ``k`` covers the second ``[k, k + 1)``.
    rule : {"any", "majority", "all"}, default="majority"
        See :func:`consensus_labels`.

    Returns
    -------
    list of (float, float)
        Maximal runs of ictal seconds as ``(start_s, end_s)``, sorted.
    """
    ictal = consensus_labels(labels, rule).astype(np.int8)
    edges = np.diff(np.concatenate([[0], ictal, [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return [(float(s), float(e)) for s, e in zip(starts, ends)]


def find_helsinki_annotation_files(folder):
    """The annotation files of a Helsinki folder, by expert.

    Per-expert CSV tables are preferred to the MATLAB file; an expert's ``_fixed`` table
    (the corrected version the dataset later published) is preferred to the original.

    Parameters
    ----------
    folder : path-like

    Returns
    -------
    dict of str to Path
        Expert name -> CSV file; or ``{"mat": path}`` when only the ``.mat`` file exists;
        empty when the folder holds no Helsinki annotation file.
    """
    folder = Path(folder)
    found = {}
    for path in sorted(folder.iterdir()):
        m = _CSV_NAME.match(path.name)
        if m and path.is_file():
            expert = m.group(1).upper()
            if expert not in found or m.group(2):
                found[expert] = path
    if found:
        return dict(sorted(found.items()))
    mats = [p for p in sorted(folder.iterdir()) if _MAT_NAME.match(p.name) and p.is_file()]
    return {"mat": mats[0]} if mats else {}


def _read_csv_table(path):
    """One expert's table: infant number -> uint8 labels (n_seconds,)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationFormatError(path, None, f"not a text file ({exc}).") from None
    lines = text.splitlines()
    if not lines:
        raise AnnotationFormatError(path, None, "the file is empty.")
    header = [c.strip().strip('"') for c in lines[0].split(",")]
    try:
        infants = [int(float(c)) for c in header]
    except ValueError:
        raise AnnotationFormatError(
            path, 1, f"the header must hold infant numbers (1,2,...); found {lines[0][:60]!r}."
        ) from None
    if len(set(infants)) != len(infants):
        raise AnnotationFormatError(path, 1, "an infant number appears twice in the header.")
    columns = [[] for _ in infants]
    ended = [None] * len(infants)  # line where each column's first empty cell is
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split(",")
        if len(cells) != len(infants):
            raise AnnotationFormatError(
                path, no, f"{len(cells)} comma-separated cells for {len(infants)} infants."
            )
        for j, cell in enumerate(cells):
            cell = cell.strip().strip('"')
            if cell in ("", "NaN", "nan"):
                ended[j] = ended[j] or no
                continue
            if cell not in ("0", "1", "0.0", "1.0"):
                raise AnnotationFormatError(
                    path, no, f"infant {infants[j]}: label {cell!r} is not 0 or 1."
                )
            if ended[j] is not None:
                raise AnnotationFormatError(
                    path, no, f"infant {infants[j]}: a label follows the empty cell of line "
                              f"{ended[j]} (the column must end at the recording's end)."
                )
            columns[j].append(cell[0] == "1")
    return {i: np.asarray(c, dtype=np.uint8) for i, c in zip(infants, columns)}


def _read_mat(path):
    """The MATLAB file: infant number -> uint8 labels (3, n_seconds)."""
    from scipy.io import loadmat

    path = Path(path)
    try:
        content = loadmat(path)  # plain numeric arrays; nothing is executed
    except Exception as exc:  # scipy's messages do not name the file
        raise AnnotationFormatError(
            path, None, f"scipy could not read the MATLAB file: {type(exc).__name__}: {exc}"
        ) from exc
    cells = content.get("annotat_new")
    if cells is None or cells.dtype != object:
        raise AnnotationFormatError(
            path, None, "no cell array 'annotat_new' (one matrix per infant) in the file."
        )
    cells = cells.ravel()
    labels = {}
    for k, cell in enumerate(cells, start=1):
        cell = np.asarray(cell)
        if cell.ndim != 2 or cell.shape[0] != len(_MAT_EXPERTS):
            raise AnnotationFormatError(
                path, None, f"infant {k}: expected a (3, n_seconds) matrix, got {cell.shape}."
            )
        if not np.isin(cell, (0, 1)).all():
            raise AnnotationFormatError(path, None, f"infant {k}: labels other than 0/1.")
        labels[k] = cell.astype(np.uint8)
    return labels


def read_helsinki_annotations(paths, experts=None):
    """Read Helsinki per-second expert annotations.

    Parameters
    ----------
    paths : path-like, or dict of str to path-like, or list of path-like
        A folder (its tables are found with :func:`find_helsinki_annotation_files`), the
        ``annotations_2017.mat`` file, one per-expert CSV table, a list of CSV tables, or a
        dict ``{expert: csv_path}``. The expert of a CSV is read from its name
        (``annotations_2017_B.csv`` -> ``"B"``) unless given as a dict key.
    experts : sequence of str or None, default=None
        Experts to keep, in this order (``None``: every expert found).

    Returns
    -------
    HelsinkiAnnotations

    Raises
    ------
    FileNotFoundError
        A file or folder that does not exist, or a folder without annotation files.
    AnnotationFormatError
        (a ``ValueError``) A malformed table (file and line named), an expert requested
        but not found, or tables of different experts that disagree on an infant's length.
    """
    if isinstance(paths, dict):
        by_expert = {str(k).upper(): Path(v) for k, v in paths.items()}
    else:
        if isinstance(paths, (str, Path)):
            paths = [Path(paths)]
        by_expert = {}
        for p in map(Path, paths):
            if p.is_dir():
                found = find_helsinki_annotation_files(p)
                if not found:
                    raise FileNotFoundError(
                        f"{p}: no Helsinki annotation file (annotations_YYYY_<expert>.csv or "
                        f"annotations_YYYY.mat) in this folder."
                    )
                by_expert.update(found)
            elif _MAT_NAME.match(p.name) or p.suffix == ".mat":
                by_expert["mat"] = p
            else:
                m = _CSV_NAME.match(p.name)
                if not m:
                    raise AnnotationFormatError(
                        p, None, "cannot tell the expert from the file name; pass "
                                 "{expert: path} (e.g. {'A': path})."
                    )
                by_expert[m.group(1).upper()] = p
    for p in by_expert.values():
        if not p.is_file():
            raise FileNotFoundError(f"Helsinki annotation file not found: {p}")

    sources = [str(p) for p in by_expert.values()]
    tables = {}  # expert -> {infant: labels}
    if "mat" in by_expert:
        mat = _read_mat(by_expert.pop("mat"))
        for row, name in enumerate(_MAT_EXPERTS):
            tables.setdefault(name, {i: lab[row] for i, lab in mat.items()})
    for name, p in by_expert.items():
        tables[name] = _read_csv_table(p)
    if experts is None:
        experts = sorted(tables)
    experts = [str(e).upper() for e in experts]
    missing = [e for e in experts if e not in tables]
    if missing or not experts:
        raise AnnotationFormatError(
            "; ".join(sources) or str(paths), None,
            f"expert(s) {missing} not found; experts available: {sorted(tables)}.",
        )
    infants = sorted(set.intersection(*(set(tables[e]) for e in experts)))
    labels = {}
    for infant in infants:
        rows = [tables[e][infant] for e in experts]
        lengths = {len(r) for r in rows}
        if len(lengths) > 1:
            detail = ", ".join(f"{e}: {len(r)} s" for e, r in zip(experts, rows))
            raise AnnotationFormatError(
                "; ".join(sources), None,
                f"infant {infant}: the experts' tables have different lengths ({detail}).",
            )
        labels[infant] = np.stack(rows)
    return HelsinkiAnnotations(experts=experts, labels=labels, sources=sources)
