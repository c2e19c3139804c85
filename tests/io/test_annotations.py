"""Tests for the annotation readers of skseizure.io on the official CHB-MIT and Siena files
and on small BIDS/SzCORE and TUSZ files written here."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from skseizure.io import (
    AnnotationFormatError,
    BidsEvent,
    chbmit_seizure_table,
    read_annotations,
    read_bids_events,
    read_chbmit_summary,
    read_siena_seizure_list,
    read_tusz_csv_bi,
    write_bids_events,
)


@pytest.fixture(scope="module")
def summaries(shared_data):
    return shared_data / "chbmit" / "summaries"


@pytest.fixture(scope="module")
def siena(shared_data):
    return shared_data / "siena"


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- CHB-MIT


def test_all_chbmit_summaries_parse_with_consistent_counts(summaries):
    files = sorted(summaries.glob("chb*-summary.txt"))
    assert len(files) == 24
    total = 0
    for path in files:
        entries = read_chbmit_summary(path)
        announced = [
            int(n)
            for n in re.findall(r"^Number of Seizures in File:\s*(\d+)", path.read_text(), re.M)
        ]
        assert len(entries) == len(announced), path.name
        assert sum(len(e.seizures) for e in entries) == sum(announced), path.name
        for entry in entries:
            assert entry.n_seizures == len(entry.seizures), (path.name, entry.file_name)
            assert entry.channels, (path.name, entry.file_name)
            assert entry.sfreq == 256.0
            for start, end in entry.seizures:
                assert 0 <= start < end
        total += sum(len(e.seizures) for e in entries)
    assert total == 198


def test_chbmit_seizure_table(summaries):
    table = chbmit_seizure_table(summaries)
    assert len(table) == 198
    assert table[0] == ("chb01_03", 2996.0, 3036.0)
    assert ("chb24_04", 1745.0, 1764.0) in table
    with pytest.raises(FileNotFoundError, match="no chb\\*-summary.txt"):
        chbmit_seizure_table(summaries.parent / "edf")


def test_chb01_summary_details(summaries):
    entries = read_chbmit_summary(summaries / "chb01-summary.txt")
    by_name = {e.name: e for e in entries}
    rec = by_name["chb01_03"]
    assert rec.file_name == "chb01_03.edf"
    assert (rec.start_time, rec.end_time) == ("13:43:04", "14:43:04")
    assert rec.seizures == [(2996.0, 3036.0)]
    assert len(rec.channels) == 23
    assert rec.channels[14] == rec.channels[22] == "T8-P8"
    assert by_name["chb01_01"].seizures == []


def test_chb24_has_no_file_times(summaries):
    entries = read_chbmit_summary(summaries / "chb24-summary.txt")
    assert all(e.start_time is None and e.end_time is None for e in entries)
    assert entries[0].file_name == "chb24_01.edf"
    assert entries[0].seizures == [(480.0, 505.0), (2451.0, 2476.0)]


def test_chb12_montage_changes_apply_to_following_records(summaries):
    by_name = {e.name: e for e in read_chbmit_summary(summaries / "chb12-summary.txt")}
    # First list (28 entries) up to chb12_24, then three "Channels changed:" blocks.
    assert len(by_name["chb12_24"].channels) == 28
    assert by_name["chb12_24"].channels[:2] == ["FP1-F7", "F7-T7"]
    assert by_name["chb12_27"].channels[:2] == ["F7-CS2", "T7-CS2"]
    assert by_name["chb12_27"].channels[3] == "-"
    assert by_name["chb12_28"].channels[:2] == ["F7", "T7"]
    assert by_name["chb12_29"].channels == by_name["chb12_28"].channels
    assert by_name["chb12_32"].channels[:5] == ["FP1-F7", "F7-T7", "T7-P7", "P7-O1", "-"]
    assert by_name["chb12_32"].channels[-1] == "LOC-ROC"
    assert len(by_name["chb12_27"].seizures) == 6


def test_chb09_mislabelled_seizure_end_is_paired_with_its_start(summaries):
    by_name = {e.name: e for e in read_chbmit_summary(summaries / "chb09-summary.txt")}
    # The summary writes "Seizure 1 End Time: 9267" after "Seizure 2 Start Time: 9196".
    assert by_name["chb09_08"].seizures == [(2951.0, 3030.0), (9196.0, 9267.0)]


CHB_SNIPPET = """Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
Channel 1: FP1-F7
Channel 2: F7-T7

File Name: chbXX_01.edf
File Start Time: 11:42:54
File End Time: 12:42:54
Number of Seizures in File: 2
Seizure 1 Start Time: 10 seconds
Seizure 1 End Time: 20 seconds
Seizure 2 Start Time: 30 seconds
Seizure 2 End Time: 40 seconds
"""


def test_chbmit_snippet_parses(tmp_path):
    entries = read_chbmit_summary(_write(tmp_path / "s.txt", CHB_SNIPPET))
    assert len(entries) == 1
    assert entries[0].seizures == [(10.0, 20.0), (30.0, 40.0)]
    assert entries[0].channels == ["FP1-F7", "F7-T7"]


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("Number of Seizures in File: 2", "Number of Seizures in File: 3", 12, "announces 3"),
        ("Seizure 2 End Time: 40", "Seizure 2 End Time: 25", 16, "not after its start"),
        ("Seizure 2 End Time: 40", "Seizure 2 End Time: 30", 16, "not after its start"),
        ("Seizure 2 End Time: 40 seconds", "Seizure 2 End Tme: 40 seconds", 16, "unrecognised"),
        ("Seizure 1 End Time: 20 seconds\n", "", 13, "has no end time"),
        ("Seizure 2 End Time: 40 seconds\n", "", 15, "has no end time"),
        ("Seizure 1 Start Time: 10 seconds\n", "", 13, "end without a start"),
        ("Channel 2: F7-T7", "Channel 3: F7-T7", 7, "expected channel 2"),
    ],
)
def test_chbmit_malformed_line_names_file_and_line(tmp_path, old, new, line, message):
    assert old in CHB_SNIPPET
    path = _write(tmp_path / "bad-summary.txt", CHB_SNIPPET.replace(old, new))
    with pytest.raises(AnnotationFormatError, match=message) as info:
        read_chbmit_summary(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}, line {line}:")


def test_chbmit_empty_file(tmp_path):
    with pytest.raises(AnnotationFormatError, match="empty"):
        read_chbmit_summary(_write(tmp_path / "e.txt", "\n\n"))


# --------------------------------------------------------------------------- Siena


def test_siena_pn00_hand_checked(siena):
    entries = read_siena_seizure_list(siena / "Seizures-list-PN00.txt")
    assert [e.file_name for e in entries] == [f"PN00-{k}.edf" for k in range(1, 6)]
    first = entries[0]
    assert (first.registration_start, first.registration_end) == ("19:39:33", "20:22:58")
    # 19.58.36 - 19.39.33 = 19 min 3 s; 19.59.46 - 19.39.33 = 20 min 13 s.
    assert first.seizures == [(19 * 60 + 3.0, 20 * 60 + 13.0)]
    # 20.22.58 - 19.39.33 = 43 min 25 s.
    assert first.duration == 43 * 60 + 25
    # PN00-2: registration 02.18.17; seizure 02.38.37 .. 02.39.31 -> 20:20 .. 21:14.
    assert entries[1].seizures == [(20 * 60 + 20.0, 21 * 60 + 14.0)]
    # PN00-3: the official end time 19.29.29 is a typo for 18.29.29 (erratum).
    # Registration 18.15.44; seizure 18.28.29 .. 18.29.29 -> 12:45 .. 13:45.
    assert entries[2].seizures == [(12 * 60 + 45.0, 13 * 60 + 45.0)]
    assert entries[2].corrections == ["line 58: seizure end time 19:29:29 -> 18:29:29"]
    # PN00-4: 20.51.43 -> 21.08.29 .. 21.09.43 = 16:46 .. 18:00.
    assert entries[3].seizures == [(16 * 60 + 46.0, 18 * 60.0)]
    # PN00-5: 22.22.04 -> 22.37.08 .. 22.38.15 = 15:04 .. 16:11.
    assert entries[4].seizures == [(15 * 60 + 4.0, 16 * 60 + 11.0)]
    assert all(not e.corrections for k, e in enumerate(entries) if k != 2)


def test_siena_pn00_without_errata_refuses_seizure_after_registration(siena):
    path = siena / "Seizures-list-PN00.txt"
    with pytest.raises(AnnotationFormatError, match="after the registration end") as info:
        read_siena_seizure_list(path, apply_errata=False)
    assert info.value.line == 58
    assert str(path) in str(info.value)


def test_siena_pn16_hand_checked(siena):
    entries = read_siena_seizure_list(siena / "Seizures-list-PN16.txt")
    assert [e.file_name for e in entries] == ["PN16-1.edf", "PN16-2.edf"]
    # 20.45.21 -> 22.45.05 .. 22.47.08 = 1:59:44 .. 2:01:47.
    assert entries[0].seizures == [(7184.0, 7307.0)]
    # 00.53.55 -> 03.16.49 .. 03.18.36 = 2:22:54 .. 2:24:41 ("end time:03.18.36", no blank).
    assert entries[1].seizures == [(2 * 3600 + 22 * 60 + 54.0, 2 * 3600 + 24 * 60 + 41.0)]
    assert entries[1].duration == 2 * 3600 + 34 * 60 + 57


SIENA_SNIPPET = """PN99

Data Sampling Rate: 512 Hz

Channels in EDF files:
Channel 1: Fp1\r
Channel 2: F3\r

Seizure n 1
File name: PN99-1.edf
Registration start time: 23.50.00
Registration end time: 01.10.00
Seizure start time: 23.59.30
Seizure end time: 00.00.40

Seizure n 2
File name: PN99-1.edf
Seizure start time: 00:05:10
Seizure end time: 00:06:00
"""


def test_siena_midnight_rollover_and_repeated_file(tmp_path):
    entries = read_siena_seizure_list(_write(tmp_path / "Seizures-list-PN99.txt", SIENA_SNIPPET))
    assert len(entries) == 1
    entry = entries[0]
    # 23:50:00 -> 23:59:30 = 570 s; 00:00:40 = 640 s; 00:05:10 = 910 s; 00:06:00 = 960 s.
    assert entry.seizures == [(570.0, 640.0), (910.0, 960.0)]
    assert entry.duration == 80 * 60


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("Seizure end time: 00:06:00", "Seizure end time: 00:05:10", 19, "not after its start"),
        ("Seizure end time: 00:06:00", "Seizure end time: 00:6", 19, "cannot read"),
        ("Seizure end time: 00:06:00", "Seizure end time: 01:20:00", 19, "after the registration"),
        ("Registration end time: 01.10.00", "Registration end tim: 01.10.00", 12, "unrecognised"),
        ("Seizure end time: 00.00.40\n", "", 13, "has no end time"),
        ("Seizure end time: 00:06:00\n", "", 18, "has no end time"),
        ("Registration start time: 23.50.00\n", "", 12, "before its registration start"),
        (
            "Registration end time: 01.10.00\nSeizure start time: 23.59.30\n"
            "Seizure end time: 00.00.40\n",
            "Seizure start time: 23.59.30\nSeizure end time: 00.00.40\n"
            "Registration end time: 23.55.00\n",
            13,
            "after the registration end 23:55:00",
        ),
    ],
)
def test_siena_malformed_line_names_file_and_line(tmp_path, old, new, line, message):
    assert old in SIENA_SNIPPET
    path = _write(tmp_path / "Seizures-list-PN99.txt", SIENA_SNIPPET.replace(old, new))
    with pytest.raises(AnnotationFormatError, match=message) as info:
        read_siena_seizure_list(path)
    assert info.value.line == line
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------- BIDS / SzCORE

EVENTS = [
    BidsEvent(onset=0.0, duration=3600.0, event_type="bckg", recording_duration=3600.0,
              date_time=datetime(2020, 1, 2, 13, 43, 4)),
    BidsEvent(onset=2996.0, duration=40.0, event_type="sz", confidence=None,
              channels=None, date_time=datetime(2020, 1, 2, 13, 43, 4),
              recording_duration=3600.0),
    BidsEvent(onset=1234.5678901, duration=0.1 + 0.2, event_type="sz_foc_ia",
              confidence=0.75, channels=["T8", "P8"],
              date_time=datetime(2020, 1, 2, 13, 43, 4), recording_duration=3600.0),
]


def test_bids_round_trip(tmp_path):
    path = tmp_path / "sub-01_ses-01_task-szMonitoring_run-00_events.tsv"
    assert write_bids_events(path, EVENTS) == path
    lines = path.read_text().splitlines()
    assert lines[0] == "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration"
    assert lines[2] == "2996.0\t40.0\tsz\tn/a\tn/a\t2020-01-02 13:43:04\t3600.0"
    assert "\tT8,P8\t" in lines[3]
    back = read_bids_events(path)
    assert back == EVENTS  # bit-exact floats, lists, datetimes
    assert [e.is_seizure for e in back] == [False, True, True]
    assert read_annotations(path) == {
        "sub-01_ses-01_task-szMonitoring_run-00_eeg": [(2996.0, 3036.0), (EVENTS[2].onset, EVENTS[2].end)]
    }


def test_bids_write_accepts_mappings_with_column_names(tmp_path):
    path = write_bids_events(
        tmp_path / "x_events.tsv", [{"onset": 1, "duration": 2, "eventType": "sz", "confidence": 1}]
    )
    (event,) = read_bids_events(path)
    assert (event.onset, event.end, event.event_type, event.confidence) == (1.0, 3.0, "sz", 1.0)
    with pytest.raises(ValueError, match="unknown key 'foo'"):
        write_bids_events(tmp_path / "y_events.tsv", [{"onset": 1, "duration": 2, "foo": 3}])
    with pytest.raises(ValueError, match="events\\[1\\].*confidence 2.0 is outside"):
        write_bids_events(tmp_path / "z_events.tsv", [EVENTS[0], {"onset": 1, "duration": 2,
                                                                  "confidence": 2.0}])
    with pytest.raises(ValueError, match="contains a tab"):
        write_bids_events(tmp_path / "t_events.tsv", [BidsEvent(1.0, 2.0, event_type="sz\tx")])
    with pytest.raises(ValueError, match="onset nan is not a finite number"):
        write_bids_events(tmp_path / "n_events.tsv", [BidsEvent(float("nan"), 2.0)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x_events.tsv"]


def test_bids_write_never_destroys_an_existing_file(tmp_path):
    path = tmp_path / "mine_events.tsv"
    path.write_bytes(b"precious user content\n")
    with pytest.raises(FileExistsError, match="overwrite=True") as info:
        write_bids_events(path, EVENTS)
    assert str(path) in str(info.value)
    assert path.read_bytes() == b"precious user content\n"
    # An invalid event is refused before anything is touched, even with overwrite.
    with pytest.raises(ValueError, match="not after its start"):
        write_bids_events(path, [BidsEvent(onset=5.0, duration=0.0)], overwrite=True)
    assert path.read_bytes() == b"precious user content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine_events.tsv"]  # no temp left
    write_bids_events(path, EVENTS, overwrite=True)
    assert read_bids_events(path) == EVENTS


BIDS_TEXT = (
    "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n"
    "0.00\t3600.00\tbckg\tn/a\tn/a\t2020-01-02 13:43:04\t3600.00\n"
    "2996.00\t40.00\tsz\t1.00\tn/a\t2020-01-02 13:43:04\t3600.00\n"
)


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("2996.00\t40.00", "2996.00\t0.00", 3, "not after its start"),
        ("2996.00\t40.00", "2996.00\t-1.00", 3, "not after its start"),
        ("2996.00\t40.00", "abc\t40.00", 3, "onset 'abc' is not a number"),
        ("\t1.00\tn/a", "\t1.50\tn/a", 3, "outside \\[0, 1\\]"),
        ("2996.00\t40.00", "3596.00\t40.00", 3, "after the recording"),
        ("sz\t1.00\tn/a\t", "sz\t1.00\t", 3, "6 tab-separated cells for 7 columns"),
        ("bckg\tn/a\tn/a\t2020-01-02 13:43:04", "bckg\tn/a\tn/a\t02/01/2020", 2, "dateTime"),
        ("onset\tduration", "start\tduration", 1, "no 'onset' column"),
    ],
)
def test_bids_malformed_line_names_file_and_line(tmp_path, old, new, line, message):
    assert old in BIDS_TEXT
    text = BIDS_TEXT.replace(old, new)
    path = _write(tmp_path / "bad_events.tsv", text)
    with pytest.raises(AnnotationFormatError, match=message) as info:
        read_bids_events(path)
    assert info.value.line == line
    assert str(path) in str(info.value)


def test_bids_minimal_columns(tmp_path):
    path = _write(tmp_path / "m_events.tsv", "onset\tduration\ttrial_type\n1.5\t2\tsz\n4\t0\tspike\n")
    with pytest.warns(UserWarning, match="no 'eventType' column") as record:
        events = read_bids_events(path)
    assert str(path) in str(record[0].message)
    assert [(e.onset, e.duration, e.event_type) for e in events] == [(1.5, 2.0, "sz"), (4.0, 0.0, "spike")]
    assert events[0].confidence is None and events[0].recording_duration is None


# --------------------------------------------------------------------------- TUSZ

# TUSZ v2 term-based layout (NEDC csv_v1.0.0): header comments, column row, TERM rows.
TUSZ_TEXT = """# version = csv_v1.0.0
# bname = aaaaaajy_s001_t000
# duration = 1750.0000 secs
# montage_file = $NEDC_NFC/lib/nedc_eas_default_montage.txt
#
channel,start_time,stop_time,label,confidence
TERM,0.0000,42.2786,bckg,1.0000
TERM,42.2786,81.7760,seiz,1.0000
TERM,81.7760,1200.0000,bckg,1.0000
TERM,1200.0000,1260.5000,seiz,0.5000
TERM,1260.5000,1750.0000,bckg,1.0000
"""


def test_tusz_csv_bi(tmp_path):
    path = _write(tmp_path / "aaaaaajy_s001_t000.csv_bi", TUSZ_TEXT)
    ann = read_tusz_csv_bi(path)
    assert ann.version == "csv_v1.0.0"
    assert ann.bname == "aaaaaajy_s001_t000"
    assert ann.duration == 1750.0
    assert len(ann.events) == 5
    assert ann.events[1].channel == "TERM" and ann.events[1].label == "seiz"
    assert ann.events[3].confidence == 0.5
    assert ann.seizures == [(42.2786, 81.776), (1200.0, 1260.5)]
    assert read_annotations(path) == {"aaaaaajy_s001_t000": ann.seizures}


def test_tusz_channel_based_rows_are_merged(tmp_path):
    text = (
        "# version = csv_v1.0.0\n# duration = 301.00 secs\n#\n"
        "channel,start_time,stop_time,label,confidence\n"
        "FP1-F7,36.8868,112.0000,cpsz,1.0000\n"
        "F7-T3,36.2000,110.0000,cpsz,1.0000\n"
        "T3-T5,200.0,210.0,fnsz,1.0000\n"
    )
    ann = read_tusz_csv_bi(_write(tmp_path / "x.csv", text))
    assert ann.seizures == [(36.2, 112.0), (200.0, 210.0)]


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("TERM,42.2786,81.7760,seiz", "TERM,42.2786,81.7760,sz", 8, "unknown label 'sz'"),
        ("TERM,42.2786,81.7760,seiz", "TERM,81.7760,42.2786,seiz", 8, "not after its start"),
        ("TERM,42.2786,81.7760,seiz,1.0000", "TERM,42.2786,81.7760,seiz", 8, "4 comma-separated"),
        ("TERM,42.2786,81.7760", "TERM,42.2786,8l.7760", 8, "stop_time '8l.7760' is not a number"),
        ("seiz,0.5000", "seiz,1.5000", 10, "outside \\[0, 1\\]"),
        ("TERM,1260.5000,1750.0000", "TERM,1260.5000,1750.5000", 11, "after the recording duration"),
        ("channel,start_time", "chan,start_time", 6, "expected the column row"),
    ],
)
def test_tusz_malformed_line_names_file_and_line(tmp_path, old, new, line, message):
    assert old in TUSZ_TEXT
    path = _write(tmp_path / "bad.csv_bi", TUSZ_TEXT.replace(old, new))
    with pytest.raises(AnnotationFormatError, match=message) as info:
        read_tusz_csv_bi(path)
    assert info.value.line == line
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------- dispatch


def test_read_annotations_dispatch(summaries, siena, tmp_path):
    chb = read_annotations(summaries / "chb01-summary.txt")
    assert chb["chb01_03"] == [(2996.0, 3036.0)] and chb["chb01_01"] == []
    assert len(chb) == 42
    assert read_annotations(siena / "Seizures-list-PN16.txt") == {
        "PN16-1": [(7184.0, 7307.0)], "PN16-2": [(8574.0, 8681.0)],
    }
    # Detection is by content: a renamed CHB-MIT summary is still recognised.
    renamed = _write(tmp_path / "notes.txt", CHB_SNIPPET)
    assert read_annotations(renamed) == {"chbXX_01": [(10.0, 20.0), (30.0, 40.0)]}


def test_read_annotations_unknown_format(tmp_path, siena):
    path = _write(tmp_path / "random.txt", "hello\nworld\n")
    with pytest.raises(AnnotationFormatError, match="unknown annotation format") as info:
        read_annotations(path)
    message = str(info.value)
    assert str(path) in message
    for name in ("CHB-MIT", "Siena", "BIDS", "TUSZ"):
        assert name in message
    with pytest.raises(AnnotationFormatError, match="unknown annotation format"):
        read_annotations(siena / "subject_info.csv")
    with pytest.raises(FileNotFoundError, match="nothing.txt"):
        read_annotations(tmp_path / "nothing.txt")
