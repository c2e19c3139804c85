"""The Helsinki per-second annotation reader on the real tables (skseizure.io.helsinki)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from skseizure.io import AnnotationFormatError
from skseizure.io.helsinki import (
    consensus_labels,
    consensus_seizures,
    find_helsinki_annotation_files,
    read_helsinki_annotations,
)

# sha256 of the official per-expert CSV tables (Zenodo record 4940267).
OFFICIAL_CSV = {
    "annotations_2017_A_fixed.csv":
        (0, "5e4ad607041b5facd8aadfa5cc504e81d9d535239d1f563ce858846e7df2b6f0"),
    "annotations_2017_B.csv":
        (1, "444a0ad579fcaa69d1caa520a72510da9fcd31ff734d5cefbf6fb04e95977c44"),
    "annotations_2017_C.csv":
        (2, "f8e1075bb07aca99bc37aaa28dc0a8feffb66681384d1ccaa4a60c6934de87e1"),
}


@pytest.fixture(scope="module")
def mat(shared_data):
    return shared_data / "helsinki-neonatal" / "annotations" / "annotations_2017.mat"


@pytest.fixture(scope="module")
def official_csvs(mat, tmp_path_factory):
    """The official CSV tables, rebuilt byte for byte from the .mat (checked by sha256)."""
    tables = read_helsinki_annotations(mat)
    folder = tmp_path_factory.mktemp("helsinki-csv")
    n_rows = max(tables.n_seconds(i) for i in tables.infants)
    for name, (row, digest) in OFFICIAL_CSV.items():
        lines = [",".join(str(i) for i in tables.infants)]
        for r in range(n_rows):
            lines.append(",".join(
                str(int(tables.labels[i][row, r])) if r < tables.n_seconds(i) else ""
                for i in tables.infants
            ))
        content = ("\r\n".join(lines) + "\r\n").encode()
        assert hashlib.sha256(content).hexdigest() == digest
        (folder / name).write_bytes(content)
    return folder


def test_mat_file(mat):
    tables = read_helsinki_annotations(mat)
    assert tables.experts == ["A", "B", "C"] and tables.infants == list(range(1, 80))
    # infant 1: the experts mark 1602, 3141 and 997 s of its 6993 s.
    assert tables.labels[1].shape == (3, 6993)
    assert tables.labels[1].sum(axis=1).tolist() == [1602, 3141, 997]
    assert sum(e - s for s, e in tables.seizures(1, "any")) >= 3141
    assert sum(e - s for s, e in tables.seizures(1, "all")) <= 997


def test_official_csv_tables_match_the_mat(mat, official_csvs):
    csv = read_helsinki_annotations(official_csvs)
    both = read_helsinki_annotations(mat)
    assert csv.experts == ["A", "B", "C"] and csv.infants == both.infants
    for infant in csv.infants:
        np.testing.assert_array_equal(csv.labels[infant], both.labels[infant])
    # The _fixed table of expert A is preferred to the original when both are present.
    found = find_helsinki_annotation_files(official_csvs)
    assert found["A"].name == "annotations_2017_A_fixed.csv"
    only_c = read_helsinki_annotations(official_csvs / "annotations_2017_C.csv")
    assert only_c.experts == ["C"] and only_c.labels[1].sum() == 997


def test_agreement_rules():
    labels = np.array([[0, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1]])
    assert consensus_labels(labels, "any").astype(int).tolist() == [0, 1, 1, 1, 1, 1]
    assert consensus_labels(labels, "majority").astype(int).tolist() == [0, 0, 1, 1, 1, 0]
    assert consensus_labels(labels, "all").astype(int).tolist() == [0, 0, 0, 1, 0, 0]
    assert consensus_seizures(labels, "majority") == [(2.0, 5.0)]
    assert consensus_seizures(labels[:2], "majority") == [(2.0, 4.0)]  # 2 of 2
    assert consensus_seizures(labels, "any") == [(1.0, 6.0)]
    with pytest.raises(ValueError, match="agreement rule"):
        consensus_labels(labels, "most")


def test_malformed_tables(tmp_path, mat):
    bad = tmp_path / "annotations_2017_B.csv"
    bad.write_text("1,2\r\n0,1\r\n0,2\r\n")
    with pytest.raises(AnnotationFormatError, match=r"line 3: infant 2: label '2' is not 0 or 1"):
        read_helsinki_annotations(bad)
    bad.write_text("1,2\r\n0,\r\n0,1\r\n")
    with pytest.raises(AnnotationFormatError, match=r"line 3: infant 2: a label follows"):
        read_helsinki_annotations(bad)
    bad.write_text("1,2\r\n0\r\n")
    with pytest.raises(AnnotationFormatError, match=r"line 2: 1 comma-separated cells for 2"):
        read_helsinki_annotations(bad)
    with pytest.raises(AnnotationFormatError, match=r"expert\(s\) \['D'\] not found"):
        read_helsinki_annotations(mat, experts=["D"])
    with pytest.raises(FileNotFoundError, match="no Helsinki annotation file"):
        read_helsinki_annotations(tmp_path / "..")
    other = tmp_path / "labels.csv"
    other.write_text("1\r\n0\r\n")
    with pytest.raises(AnnotationFormatError, match="cannot tell the expert"):
        read_helsinki_annotations(other)
    assert read_helsinki_annotations({"A": other}).labels[1].tolist() == [[0]]
