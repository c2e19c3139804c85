"""Property-based fuzzing of the readers starting from real files.

Real CHB-MIT summaries, Siena lists and EDF files (plus small BIDS/SzCORE and
TUSZ files) are damaged: bytes flipped, inserted or deleted, lines deleted or
repeated, numbers replaced by ``nan``, ``inf``, huge or negative values, files
truncated. Reading the result must either succeed or raise the package's own
:class:`~skseizure.io.FileFormatError` (a ``ValueError`` naming the file); any
other exception is a bug. Examples are derandomised, so runs are reproducible.
"""

from __future__ import annotations

import re
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skseizure.io import (
    FileFormatError,
    read_annotations,
    read_bids_events,
    read_chbmit_summary,
    read_edf,
    read_siena_seizure_list,
    read_tusz_csv_bi,
)

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BAD_NUMBERS = [
    "nan", "NaN", "inf", "-inf", "1e309", "-1", "-0", "0", "99999999999999999999",
    "1e-9", "4294967296", "", " ", "0x10", "1_000", "١٢",
]

BIDS_ORIGINAL = (
    "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n"
    "0.00\t3600.00\tbckg\tn/a\tn/a\t2020-01-02 13:43:04\t3600.00\n"
    "2996.00\t40.00\tsz\t1.00\tn/a\t2020-01-02 13:43:04\t3600.00\n"
    "120.00\t10.00\tsz_foc_ia\t0.50\tT8,P8\t2020-01-02 13:43:04\t3600.00\n"
)
TUSZ_ORIGINAL = (
    "# version = csv_v1.0.0\n# bname = aaaaaajy_s001_t000\n# duration = 1750.0000 secs\n#\n"
    "channel,start_time,stop_time,label,confidence\n"
    "TERM,0.0000,42.2786,bckg,1.0000\nTERM,42.2786,81.7760,seiz,1.0000\n"
    "TERM,81.7760,1750.0000,bckg,1.0000\n"
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


class _Originals(dict):
    """Original files by format; a short repr keeps failure reports readable."""

    def __repr__(self):
        return f"<originals: { {k: len(v) for k, v in self.items()} }>"


@pytest.fixture(scope="module")
def text_originals(shared_data):
    summaries = sorted((shared_data / "chbmit" / "summaries").glob("chb*-summary.txt"))
    lists = sorted((shared_data / "siena").glob("Seizures-list-*.txt"))
    return _Originals(
        chbmit=[("summary.txt", read_chbmit_summary, p.read_bytes()) for p in summaries],
        siena=[("list.txt", read_siena_seizure_list, p.read_bytes()) for p in lists],
        bids=[("x_events.tsv", read_bids_events, BIDS_ORIGINAL.encode())],
        tusz=[("x.csv_bi", read_tusz_csv_bi, TUSZ_ORIGINAL.encode())],
    )


@pytest.fixture(scope="module")
def edf_originals(shared_data):
    paths = [shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf",
             shared_data / "neonatal-demo-edf" / "eeg_burst_eg.edf"]
    return _Originals({p.name: p.read_bytes() for p in paths})


def _mutate_bytes(raw, op, position, value):
    """Apply one byte-level mutation at ``position`` (a fraction of the length)."""
    k = min(int(position * len(raw)), max(len(raw) - 1, 0))
    if op == "flip":
        return raw[:k] + bytes([raw[k] ^ (1 << (value % 8))]) + raw[k + 1:] if raw else raw
    if op == "set":
        return raw[:k] + bytes([value % 256]) + raw[k + 1:] if raw else raw
    if op == "insert":
        return raw[:k] + bytes([value % 256]) + raw[k:]
    if op == "delete":
        return raw[:k] + raw[k + 1:]
    return raw[:k]  # truncate


def _replace_number(text, position, bad):
    """Replace the number nearest to ``position`` (a fraction) by ``bad``."""
    spans = [m.span() for m in re.finditer(r"\d+(?:\.\d+)?", text)]
    if not spans:
        return text
    start, end = spans[min(int(position * len(spans)), len(spans) - 1)]
    return text[:start] + bad + text[end:]


def _mutate_lines(text, op, position, value):
    lines = text.split("\n")
    k = min(int(position * len(lines)), len(lines) - 1)
    if op == "delete line":
        del lines[k]
    elif op == "repeat line":
        lines.insert(k, lines[k])
    elif op == "swap lines":
        j = value % len(lines)
        lines[k], lines[j] = lines[j], lines[k]
    return "\n".join(lines)


TEXT_OPS = ["flip", "set", "insert", "delete", "truncate", "number",
            "delete line", "repeat line", "swap lines"]
mutation = st.tuples(
    st.sampled_from(TEXT_OPS),
    st.floats(0, 1, allow_nan=False),
    st.integers(0, 2**16),
    st.sampled_from(BAD_NUMBERS),
)


def _text(raw):
    return raw.decode("utf-8", "surrogateescape")


def _bytes(text):
    return text.encode("utf-8", "surrogateescape")


def _apply(raw, op, position, value, bad):
    if op == "number":
        return _bytes(_replace_number(_text(raw), position, bad))
    if op.endswith("line") or op.endswith("lines"):
        return _bytes(_mutate_lines(_text(raw), op, position, value))
    return _mutate_bytes(raw, op, position, value)


def _read_or_own_error(reader, path):
    """Call ``reader(path)``; only success or a FileFormatError naming ``path`` is allowed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            reader(path)
    except FileFormatError as exc:
        assert str(exc).startswith(str(path)), str(exc)
        return False
    return True


@settings(FUZZ, max_examples=1200)
@given(
    fmt=st.sampled_from(["chbmit", "siena", "bids", "tusz"]),
    pick=st.integers(0, 100),
    mutations=st.lists(mutation, min_size=1, max_size=3),
)
def test_text_readers_fail_only_with_their_own_error(text_originals, workdir, fmt, pick, mutations):
    originals = text_originals[fmt]
    name, reader, raw = originals[pick % len(originals)]
    for op, position, value, bad in mutations:
        raw = _apply(raw, op, position, value, bad)
    path = workdir / name
    path.write_bytes(raw)
    _read_or_own_error(reader, path)
    _read_or_own_error(read_annotations, path)


EDF_OPS = ["flip", "set", "insert", "delete", "number", "truncate"]
# Per-signal numeric fields: (offset in a signal header block, in widths before it).
_SIGNAL_NUMBERS = {"physical_min": 104, "physical_max": 112, "digital_min": 120,
                   "digital_max": 128, "n_samples": 216}


def _numeric_fields(raw):
    """(offset, width) of every numeric field of an EDF header."""
    n_signals = int(raw[252:256])
    fields = [(184, 8), (236, 8), (244, 8), (252, 4)]
    for before in _SIGNAL_NUMBERS.values():
        fields += [(256 + before * n_signals + 8 * i, 8) for i in range(n_signals)]
    return fields


def test_every_numeric_edf_field_with_every_bad_value(edf_originals, workdir):
    """Exhaustive: each header number of the first and last signal, each bad value."""
    raw = edf_originals["chb01_03_Seizure.edf"]
    n_signals = int(raw[252:256])
    fields = [(k, w) for k, w in _numeric_fields(raw)
              if k < 256 or (k - 256) % (8 * n_signals) in (0, 8 * (n_signals - 1))]
    path = workdir / "numbers.edf"
    outcomes = []
    for k, width in fields:
        for bad in BAD_NUMBERS:
            path.write_bytes(raw[:k] + bad.encode("utf-8")[:width].ljust(width) + raw[k + width:])
            outcomes.append(_read_or_own_error(lambda p: read_edf(p, preload=False), path))
    assert len(outcomes) == 14 * len(BAD_NUMBERS)
    # Most replacements are refused (e.g. every nan/inf, every count set to 0).
    assert sum(not ok for ok in outcomes) > len(outcomes) // 2


@settings(FUZZ, max_examples=400)
@given(
    original=st.sampled_from(["chb01_03_Seizure.edf", "eeg_burst_eg.edf"]),
    op=st.sampled_from(EDF_OPS),
    position=st.floats(0, 1, allow_nan=False),
    value=st.integers(0, 2**16),
    bad=st.sampled_from(BAD_NUMBERS),
)
def test_edf_reader_fails_only_with_its_own_error(edf_originals, workdir, original, op, position,
                                                   value, bad):
    raw = edf_originals[original]
    header_size = int(raw[184:192])
    if op == "truncate":
        mutated = raw[: int(position * len(raw))]
    elif op == "number":
        # Overwrite one numeric field of the header, padded like EDF does.
        fields = _numeric_fields(raw)
        k, width = fields[min(int(position * len(fields)), len(fields) - 1)]
        mutated = raw[:k] + bad.encode("utf-8")[:width].ljust(width) + raw[k + width:]
    else:
        head = _mutate_bytes(raw[:header_size], op, position, value)
        mutated = head + raw[header_size:]
    path = workdir / "fuzz.edf"
    path.write_bytes(mutated)
    _read_or_own_error(lambda p: read_edf(p, preload=False), path)
