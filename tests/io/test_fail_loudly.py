"""Every reader of skseizure.io refuses bad files with its own error.

Each case asserts the error class, that the message names the file (and the line
for text files) and that reading had no side effect (the file is unchanged and
nothing new appears beside it).
"""

from __future__ import annotations

import shutil
import warnings

import pytest

from skseizure.io import (
    AnnotationFormatError,
    EDFError,
    FileFormatError,
    read_annotations,
    read_bids_events,
    read_chbmit_summary,
    read_edf,
    read_siena_seizure_list,
    read_tusz_csv_bi,
)


def _expect_error(path, reader, error, line, match):
    """Read ``path`` with ``reader``; check the error, its location and no side effect."""
    before = path.read_bytes()
    siblings = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(error, match=match) as info:
        reader(path)
    assert isinstance(info.value, FileFormatError)
    assert info.value.path == str(path)
    assert info.value.line == line
    prefix = f"{path}, line {line}:" if line is not None else f"{path}:"
    assert str(info.value).startswith(prefix)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == siblings
    return info.value


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- CHB-MIT

CHB = """Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
Channel 1: FP1-F7
Channel 2: F7-T7

File Name: chbXX_01.edf
File Start Time: 23:42:54
File End Time: 24:42:54
Number of Seizures in File: 1
Seizure 1 Start Time: 10 seconds
Seizure 1 End Time: 20 seconds

File Name: chbXX_02.edf
File Start Time: 00:42:56
File End Time: 1:42:56
Number of Seizures in File: 0
"""


def test_chbmit_reference_snippet_reads(tmp_path):
    entries = read_chbmit_summary(_write(tmp_path, "chbXX-summary.txt", CHB))
    assert [e.name for e in entries] == ["chbXX_01", "chbXX_02"]
    assert [e.duration for e in entries] == [3600.0, 3600.0]
    assert entries[0].seizures == [(10.0, 20.0)]


LISTED_TWICE = CHB + """
File Name: chbXX_01.edf
File Start Time: 02:00:00
File End Time: 03:00:00
Number of Seizures in File: 0
"""


@pytest.mark.parametrize(
    "text, line, match",
    [
        (LISTED_TWICE, 21, "chbXX_01.edf is listed a second time \\(first on line 9\\)"),
        (CHB.replace("End Time: 20 seconds", "End Time: 3700 seconds"), 14,
         "ends after the file \\(3600 s"),
        (CHB.replace("End Time: 24:42:54", "End Time: 99:99:99"), 11, "not a clock time"),
        (CHB.replace("End Time: 24:42:54", "End Time: 23:42:54"), 11, "not a plausible"),
        (CHB.replace("Start Time: 00:42:56", "Start Time: 00:61:00"), 17, "not a clock time"),
        (CHB.replace("Start Time: 23:42:54", "Start Time: 12:42"), 10, "not a clock time"),
        (CHB.replace("End Time: 1:42:56", "End Time: 47:00:00"), 18, "not a plausible"),
        (CHB.replace("Start Time: 10 seconds", "Start Time: -10 seconds"), 14,
         "starts before the recording"),
        (CHB.replace("End Time: 20 seconds", "End Time: inf seconds"), 14, "not a finite"),
        (CHB.replace("End Time: 20 seconds", "End Time: " + "9" * 400 + " seconds"), 14,
         "not a finite"),
        (CHB.replace("Start Time: 10 seconds", "Start Time: nan seconds"), 13, "not a finite"),
        (CHB.replace("in File: 1", "in File: -1"), 12, "negative number of seizures"),
        (CHB.replace("in File: 0", "in File: 2"), 19, "announces 2 seizures but 0"),
        (CHB.replace("Rate: 256 Hz", "Rate: 0 Hz"), 1, "not positive"),
        (CHB.replace("File End Time: 1:42:56\n", ""), 16, "only one of its start and end"),
    ],
)
def test_chbmit_bad_summary(tmp_path, text, line, match):
    path = _write(tmp_path, "chbXX-summary.txt", text)
    _expect_error(path, read_chbmit_summary, AnnotationFormatError, line, match)
    _expect_error(path, read_annotations, AnnotationFormatError, line, match)


# --------------------------------------------------------------------------- Siena

SIENA = """Seizure n 1
File name: PN99-1.edf
Registration start time: 23.50.00
Registration end time: 01.10.00
Seizure start time: 23.59.30
Seizure end time: 00.00.40
"""


def test_siena_midnight_rollover_within_an_hour_is_accepted(tmp_path):
    (entry,) = read_siena_seizure_list(_write(tmp_path, "Seizures-list-PN99.txt", SIENA))
    assert entry.seizures == [(570.0, 640.0)]


@pytest.mark.parametrize(
    "text, line, match",
    [
        # One second before its start: would be a 24-h seizure through midnight.
        (SIENA.replace("end time: 00.00.40", "end time: 23.59.29"), 6,
         "before its start 23:59:30.*24.0 h"),
        # Crosses midnight but would last 1 h 0 min 31 s: too long to be a rollover.
        (SIENA.replace("start time: 23.59.30", "start time: 23.50.10")
         .replace("end time: 00.00.40", "end time: 00.50.41"), 6, "more than 1 h"),
        (SIENA.replace("end time: 01.10.00", "end time: 23.50.00"), 4, "starts and ends"),
        (SIENA.replace("end time: 00.00.40", "end time: 00.00.99"), 6, "cannot read"),
        (SIENA.replace("start time: 23.59.30", "start time: 24.59.30"), 5, "cannot read"),
        (SIENA.replace("end time: 01.10.00", "end time: 23.59.50"), 6,
         "after the registration end"),
    ],
)
def test_siena_bad_list(tmp_path, text, line, match):
    path = _write(tmp_path, "Seizures-list-PN99.txt", text)
    _expect_error(path, read_siena_seizure_list, AnnotationFormatError, line, match)


# --------------------------------------------------------------------------- BIDS / SzCORE

BIDS = (
    "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n"
    "0.00\t3600.00\tbckg\tn/a\tn/a\t2020-01-02 13:43:04\t3600.00\n"
    "100.00\t40.00\tsz\tn/a\tT8,P8\t2020-01-02 13:43:04\t3600.00\n"
    "120.00\t10.00\tSZ_foc_ia\tn/a\tFP1\t2020-01-02 13:43:04\t3600.00\n"
    "2996.00\t40.00\tSz\t1.00\tn/a\t2020-01-02 13:43:04\t3600.00\n"
)


def test_bids_event_types_are_matched_without_case(tmp_path):
    events = read_bids_events(_write(tmp_path, "a_events.tsv", BIDS))
    assert [e.is_seizure for e in events] == [False, True, True, True]
    assert [e.is_background for e in events] == [True, False, False, False]
    # Seizures on disjoint channels may overlap in time.
    assert read_annotations(tmp_path / "a_events.tsv") == {
        "a_eeg": [(100.0, 140.0), (120.0, 130.0), (2996.0, 3036.0)]
    }


def test_bids_trial_type_or_no_type_column_warns(tmp_path):
    path = _write(tmp_path, "t_events.tsv", "onset\tduration\ttrial_type\n1\t2\tSZ\n5\t1\tbckg\n")
    with pytest.warns(UserWarning, match="trial_type") as record:
        events = read_bids_events(path)
    assert str(path) in str(record[0].message)
    assert [e.is_seizure for e in events] == [True, False]
    path = _write(tmp_path, "n_events.tsv", "onset\tduration\tvalue\n1\t2\tsz\n")
    with pytest.warns(UserWarning, match="no event is a seizure") as record:
        events = read_bids_events(path)
    assert str(path) in str(record[0].message)
    assert not events[0].is_seizure
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_bids_events(_write(tmp_path, "e_events.tsv", BIDS))


@pytest.mark.parametrize(
    "old, new, line, match",
    [
        ("100.00\t40.00", "-1.00\t40.00", 3, "onset -1.0 s is negative"),
        ("0.00\t3600.00\tbckg", "0.00\t-5.00\tbckg", 2, "duration -5.0 s is negative"),
        ("100.00\t40.00", "100.00\tinf", 3, "not a finite"),
        ("2996.00\t40.00", "nan\t40.00", 5, "not a finite"),
        ("\t1.00\tn/a", "\tnan\tn/a", 5, "confidence 'nan' is not a finite"),
        ("\t2020-01-02 13:43:04\t3600.00\n2996", "\t2020-01-02 13:43:04\tinf\n2996", 4,
         "recordingDuration 'inf' is not a finite"),
        # A seizure on all channels overlapping a channel-specific one.
        ("2996.00\t40.00", "135.00\t40.00", 5, "overlaps the seizure \\(100.0 s, 140.0 s\\) "
         "of line 3"),
        ("120.00\t10.00\tSZ_foc_ia\tn/a\tFP1", "120.00\t10.00\tSZ_foc_ia\tn/a\tP8,FP1", 4,
         "overlaps"),
        ("onset\tduration\teventType", "onset\tduration\tonset", 1, "repeats the columns"),
    ],
)
def test_bids_bad_events(tmp_path, old, new, line, match):
    assert old in BIDS
    path = _write(tmp_path, "bad_events.tsv", BIDS.replace(old, new))
    _expect_error(path, read_bids_events, AnnotationFormatError, line, match)


# --------------------------------------------------------------------------- TUSZ

TUSZ = """# version = csv_v1.0.0
# bname = aaaaaajy_s001_t000
# duration = 1750.0000 secs
#
channel,start_time,stop_time,label,confidence
TERM,0.0000,42.2786,bckg,1.0000
TERM,42.2786,81.7760,seiz,1.0000
"""


@pytest.mark.parametrize(
    "old, new, line, match",
    [
        ("42.2786,81.7760", "42.2786,inf", 7, "stop_time 'inf' is not a finite"),
        ("42.2786,81.7760", "42.2786,nan", 7, "stop_time 'nan' is not a finite"),
        ("42.2786,81.7760", "81.7760,42.2786", 7, "not after its start"),
        ("0.0000,42.2786", "-3.0000,42.2786", 6, "starts before the recording"),
        ("seiz,1.0000", "seiz,nan", 7, "confidence 'nan' is not a finite"),
        ("1750.0000 secs", "-1750 secs", 3, "not positive"),
        ("1750.0000 secs", "1e999 secs", 3, "not a finite"),
        ("42.2786,81.7760", "42.2786,8_1.7760", 7, "stop_time '8_1.7760' is not a number"),
        ("42.2786,81.7760", "42.2786, 81.7760 ", 7, None),
    ],
)
def test_tusz_bad_rows(tmp_path, old, new, line, match):
    assert old in TUSZ
    path = _write(tmp_path, "bad.csv_bi", TUSZ.replace(old, new))
    if match is None:  # blanks around a field are allowed
        assert read_tusz_csv_bi(path).seizures == [(42.2786, 81.776)]
        return
    _expect_error(path, read_tusz_csv_bi, AnnotationFormatError, line, match)


# --------------------------------------------------------------------------- EDF

_SIGNAL_FIELD_OFFSETS = {  # offset (per signal widths before it) and width
    "physical_min": (16 + 80 + 8, 8),
    "physical_max": (16 + 80 + 8 + 8, 8),
    "digital_min": (16 + 80 + 8 + 16, 8),
    "digital_max": (16 + 80 + 8 + 24, 8),
    "n_samples": (16 + 80 + 8 + 32 + 80, 8),
}


def _patched_edf(src, dst, *, fixed=None, signal=None):
    """Copy ``src`` to ``dst`` replacing header fields.

    ``fixed`` maps a byte offset of the fixed header to (width, text); ``signal``
    maps (field, signal index) to text.
    """
    raw = bytearray(src.read_bytes())
    n_signals = int(raw[252:256])
    for offset, (width, text) in (fixed or {}).items():
        raw[offset:offset + width] = text.encode("utf-8").ljust(width)
    for (name, i), text in (signal or {}).items():
        before, width = _SIGNAL_FIELD_OFFSETS[name]
        start = 256 + before * n_signals + i * width
        raw[start:start + width] = text.encode("utf-8").ljust(width)
    dst.write_bytes(bytes(raw))
    return dst


@pytest.fixture(scope="module")
def chbmit_edf(shared_data):
    return shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf"


@pytest.mark.parametrize(
    "fixed, signal, match",
    [
        (None, {("physical_min", 2): "nan"}, "physical_min of signal 3 \\('T7-P7'\\) is nan"),
        (None, {("physical_max", 0): "inf"}, "physical_max of signal 1 \\('FP1-F7'\\) is inf"),
        (None, {("physical_max", 4): "-800"}, "signal 5 \\('FP1-F3'\\) has physical_min == "
         "physical_max"),
        (None, {("digital_min", 1): "-2047.5"}, "digital_min of signal 2 .* not a 16-bit"),
        (None, {("digital_max", 1): "99999"}, "digital_max of signal 2 .* not a 16-bit"),
        ({244: (8, "1e-9")}, None, "sampled at 2.56e\\+11 Hz"),
        ({244: (8, "100000")}, None, "sampled at 0.00256 Hz"),
        (None, {("n_samples", 3): "0"}, "signal 4 \\('P7-O1'\\) has 0 samples"),
        ({244: (8, "nan")}, None, "data-record duration is nan"),
        # 0.125 Hz: a corrupt record duration, or not a signal to window.
        ({244: (8, "2048")}, None, "sampled at 0.125 Hz, below 1 Hz"),
        (None, {("digital_min", 1): "2048"}, "digital_min 2048 > digital_max 2047"),
        # Python's int() reads "1_000" and Arabic-Indic digits; EDF does not.
        ({236: (8, "1_000")}, None, "number of data records.*'1_000'"),
        ({252: (4, "\u0662\u0663")}, None, "number of signals"),
    ],
)
def test_edf_bad_header_values(chbmit_edf, tmp_path, fixed, signal, match):
    path = _patched_edf(chbmit_edf, tmp_path / "bad.edf", fixed=fixed, signal=signal)
    _expect_error(path, read_edf, EDFError, None, match)


def test_edf_original_still_reads(chbmit_edf, tmp_path):
    copy = shutil.copy(chbmit_edf, tmp_path / "ok.edf")
    rec = read_edf(copy)
    assert rec.sfreq == 256.0 and rec.data.shape[0] == 23
