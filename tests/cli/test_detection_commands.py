"""``skseizure detect``, ``evaluate`` and ``train`` on real EEG files, good and bad input."""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from skseizure.cli import main
from skseizure.io import read_bids_events

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "datasets"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _models import CONFIG, save_detector, small_detector  # noqa: E402
from _trees import bids_tree, chbmit_tree, real_signal, write_edf  # noqa: E402

SZCORE_19 = ["Fp1", "F3", "C3", "P3", "O1", "F7", "T3", "T5", "Fz", "Cz", "Pz", "Fp2", "F4",
             "C4", "P4", "O2", "F8", "T4", "T6"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return save_detector(tmp_path_factory.mktemp("m") / "model", small_detector())


@pytest.fixture
def crop(shared_data):
    return shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf"


def _one_line_error(capsys, *fragments):
    out, err = capsys.readouterr()
    assert err.startswith("skseizure: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


# ----------------------------------------------------------------------------- detect
def test_detect_writes_szcore_events(model, crop, tmp_path, capsys):
    out = tmp_path / "sub-01_events.tsv"
    assert main(["detect", str(crop), "--model", str(model), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "h of EEG per second" in text and "stages: read" in text
    header = out.read_text().splitlines()[0].split("\t")
    assert header == ["onset", "duration", "eventType", "confidence", "channels", "dateTime",
                      "recordingDuration"]
    events = read_bids_events(out)
    assert all(e.recording_duration == 41.0 for e in events)
    assert all(e.date_time is not None for e in events)  # from the EDF header
    assert all(e.is_seizure or e.is_background for e in events)


def test_detect_writes_one_background_row_when_nothing_found(crop, tmp_path):
    cfg = json.loads(json.dumps(CONFIG))
    cfg["postprocessing"]["threshold"] = 1.0  # no window reaches it
    folder = save_detector(tmp_path / "never", small_detector(cfg))
    out = tmp_path / "events.tsv"
    assert main(["detect", str(crop), "--model", str(folder), "--out", str(out)]) == 0
    (row,) = read_bids_events(out)
    assert row.is_background and row.onset == 0 and row.duration == 41.0


def test_detect_szcore_referential_any_rate(model, shared_data, tmp_path):
    edf = write_edf(tmp_path / "rec.edf", real_signal(shared_data, 19, 100, 60.0), 100,
                    SZCORE_19)
    out = tmp_path / "events.tsv"
    assert main(["detect", str(edf), "--model", str(model), "--out", str(out)]) == 0
    assert read_bids_events(out)[0].recording_duration == 60.0


def test_detect_refuses_existing_output(model, crop, tmp_path, capsys):
    out = tmp_path / "events.tsv"
    out.write_text("keep me")
    assert main(["detect", str(crop), "--model", str(model), "--out", str(out)]) == 2
    _one_line_error(capsys, "already exists", "--overwrite")
    assert out.read_text() == "keep me"
    assert main(["detect", str(crop), "--model", str(model), "--out", str(out),
                 "--overwrite"]) == 0
    assert out.read_text().startswith("onset")


@pytest.mark.parametrize("kind, fragments", [
    ("no_eeg", ["no usable EEG channel", "ECG"]),
    ("low_rate", ["too low for the model's band"]),
])
def test_detect_bad_recordings(kind, fragments, model, shared_data, tmp_path, capsys):
    data = real_signal(shared_data, 3, 128, 30.0)
    labels = ["Fp1", "F3", "C3"]
    if kind == "no_eeg":
        labels = ["ECG", "Resp", "EMG"]
    else:
        data = real_signal(shared_data, 3, 32, 30.0)
    rate = 32 if kind == "low_rate" else 128
    edf = write_edf(tmp_path / "bad.edf", data, rate, labels)
    out = tmp_path / "events.tsv"
    assert main(["detect", str(edf), "--model", str(model), "--out", str(out)]) == 2
    _one_line_error(capsys, *fragments)
    assert not out.exists()


def test_detect_all_flat_recording(model, tmp_path, capsys):
    from edfio import Edf, EdfSignal

    signals = [EdfSignal(np.zeros(128 * 20), sampling_frequency=128, label=lab,
                         physical_range=(-100, 100)) for lab in ("Fp1", "F3", "C3")]
    Edf(signals).write(tmp_path / "flat.edf")
    assert main(["detect", str(tmp_path / "flat.edf"), "--model", str(model), "--out",
                 str(tmp_path / "e.tsv")]) == 2
    _one_line_error(capsys, "flat")


def test_detect_zero_length_recording(model, crop, tmp_path, capsys):
    raw = crop.read_bytes()
    header = bytearray(raw[: int(raw[184:192])])
    header[236:244] = b"0       "  # no data record
    edf = tmp_path / "empty.edf"
    edf.write_bytes(bytes(header))
    assert main(["detect", str(edf), "--model", str(model), "--out",
                 str(tmp_path / "e.tsv")]) == 2
    _one_line_error(capsys, "zero samples", "empty.edf")


def test_detect_model_from_another_version(crop, tmp_path, capsys):
    folder = save_detector(tmp_path / "old", small_detector())
    cfg_file = folder / "bundled_detector.json"
    cfg = json.loads(cfg_file.read_text())
    cfg["format_version"] = 99
    cfg_file.write_text(json.dumps(cfg))
    assert main(["detect", str(crop), "--model", str(folder), "--out",
                 str(tmp_path / "e.tsv")]) == 2
    _one_line_error(capsys, "format_version 99")


def test_detect_model_that_is_not_a_model(crop, tmp_path, capsys):
    assert main(["detect", str(crop), "--model", str(tmp_path / "nothing"), "--out",
                 str(tmp_path / "e.tsv")]) == 2
    _one_line_error(capsys, "--model")


# ----------------------------------------------------------------------------- evaluate
def _copy_tree(src, dst):
    shutil.copytree(src, dst)
    return dst


def test_evaluate_perfect_and_missing_hypothesis(shared_data, tmp_path, capsys):
    ref = bids_tree(shared_data, tmp_path / "ref")
    hyp = _copy_tree(ref, tmp_path / "hyp")
    out = tmp_path / "scores.json"
    assert main(["evaluate", str(ref), str(hyp), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "sub-01" in text and "mean over subjects" in text
    scores = json.loads(out.read_text())
    assert set(scores) == {"sample_results", "event_results"}
    assert scores["event_results"]["sensitivity"] == 1.0
    assert scores["sample_results"]["f1"] == 1.0
    # a missing hypothesis file counts as no detections
    next(hyp.rglob("*run-01_events.tsv")).unlink()
    assert main(["evaluate", str(ref), str(hyp), "--json", str(out), "--overwrite"]) == 0
    assert json.loads(out.read_text())["event_results"]["sensitivity"] == 0.0


def test_evaluate_refuses_existing_json(shared_data, tmp_path, capsys):
    ref = bids_tree(shared_data, tmp_path / "ref")
    out = tmp_path / "scores.json"
    out.write_text("{}")
    assert main(["evaluate", str(ref), str(ref), "--json", str(out)]) == 2
    _one_line_error(capsys, "already exists")
    assert out.read_text() == "{}"


def test_evaluate_folders_without_events(tmp_path, capsys):
    (tmp_path / "ref").mkdir()
    (tmp_path / "hyp").mkdir()
    assert main(["evaluate", str(tmp_path / "ref"), str(tmp_path / "hyp")]) == 2
    _one_line_error(capsys, "no sub-*")


@pytest.mark.parametrize("rows, fragment", [
    (["1.00\t10.00\tsz", "5.00\t10.00\tsz"], "overlaps"),
    (["-1.00\t10.00\tsz"], "negative"),
])
def test_evaluate_bad_events_file(rows, fragment, shared_data, tmp_path, capsys):
    ref = bids_tree(shared_data, tmp_path / "ref")
    hyp = _copy_tree(ref, tmp_path / "hyp")
    target = next(hyp.rglob("*run-01_events.tsv"))
    lines = ["onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration"]
    lines += [f"{r}\tn/a\tn/a\tn/a\t41.00" for r in rows]
    target.write_text("\n".join(lines) + "\n")
    assert main(["evaluate", str(ref), str(hyp)]) == 2
    _one_line_error(capsys, fragment, target.name)


# ----------------------------------------------------------------------------- train
def _two_subject_tree(shared_data, root):
    chbmit_tree(shared_data, root)
    src, dst = root / "chb01", root / "chb02"
    dst.mkdir()
    for f in src.glob("*.edf"):
        shutil.copyfile(f, dst / f.name.replace("chb01", "chb02"))
    text = (src / "chb01-summary.txt").read_text().replace("chb01", "chb02")
    (dst / "chb02-summary.txt").write_text(text)
    return root


def test_train_saves_reloads_and_detects(shared_data, crop, tmp_path, capsys):
    data = _two_subject_tree(shared_data, tmp_path / "data")
    model = tmp_path / "model"
    assert main(["train", str(data), "--out", str(model), "--folds", "2", "--epochs", "1"]) == 0
    text = capsys.readouterr().out
    assert "2-fold GroupKFold by subject" in text
    report = json.loads((model / "training_report.json").read_text())
    assert set(report["window_scores"]) >= {"auroc", "sensitivity", "specificity"}
    assert set(report["event_scores"]) == {"sample_results", "event_results"}
    out = tmp_path / "events.tsv"
    assert main(["detect", str(crop), "--model", str(model), "--out", str(out)]) == 0
    assert read_bids_events(out)
    # an existing model is kept without --overwrite; too many folds is refused
    assert main(["train", str(data), "--out", str(model), "--folds", "2"]) == 2
    _one_line_error(capsys, "already exists")
    assert main(["train", str(data), "--out", str(tmp_path / "m2"), "--folds", "3"]) == 2
    _one_line_error(capsys, "--folds", "2")
