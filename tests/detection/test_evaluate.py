"""Scoring folders of SzCORE events files, as the reference evaluator does."""

import json
import math

import numpy as np
import pytest
from timescoring import scoring as ts
from timescoring.annotations import Annotation

from skseizure.detection import EvaluationError, evaluate_dataset
from skseizure.io import AnnotationFormatError, write_bids_events

_RUN = "sub-{s}/ses-01/eeg/sub-{s}_ses-01_task-szMonitoring_run-{r:02d}_events.tsv"


def _write(root, subject, run, events, duration):
    path = root / _RUN.format(s=subject, r=run)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [dict(onset=o, duration=d, event_type="sz", recording_duration=duration)
            for o, d in events] or [dict(onset=0.0, duration=duration, event_type="bckg",
                                         recording_duration=duration)]
    write_bids_events(path, rows)
    return path


@pytest.fixture
def folders(tmp_path):
    ref, hyp = tmp_path / "ref", tmp_path / "hyp"
    _write(ref, "01", 1, [(100, 40), (2000, 60)], 3600)
    _write(ref, "01", 2, [], 1800)
    _write(ref, "02", 1, [(500, 30)], 7200)
    _write(hyp, "01", 1, [(110, 20), (3000, 10)], 3600)   # one hit, one miss, one false alarm
    _write(hyp, "01", 2, [(50, 5)], 1800)                 # one false alarm
    # sub-02 has no hypothesis file: counts as no detections
    (hyp / "sub-02").mkdir()
    return ref, hyp


def _direct(ref_events, hyp_events, duration):
    def mask(evs):
        m = np.zeros(int(duration), dtype=bool)
        for o, d in evs:
            m[int(o):int(o + d)] = True
        return Annotation(m, 1)
    return ts.EventScoring(mask(ref_events), mask(hyp_events))


def test_per_subject_sums_then_mean_over_subjects(folders):
    ref, hyp = folders
    result = evaluate_dataset(ref, hyp)
    r1 = _direct([(100, 40), (2000, 60)], [(110, 20), (3000, 10)], 3600)
    r2 = _direct([], [(50, 5)], 1800)
    tp, fp, ref_true = r1.tp + r2.tp, r1.fp + r2.fp, r1.refTrue + r2.refTrue
    sub1 = result["subjects"]["sub-01"]["event"]
    assert (sub1["tp"], sub1["fp"], sub1["refTrue"]) == (tp, fp, ref_true) == (1, 2, 2)
    assert sub1["fpRate"] == pytest.approx(2 / (5400 / 86400))
    sub2 = result["subjects"]["sub-02"]["event"]
    assert (sub2["tp"], sub2["fp"], sub2["refTrue"]) == (0, 0, 1)
    ev = result["event_results"]
    assert ev["sensitivity"] == pytest.approx(np.mean([0.5, 0.0]))
    assert ev["precision"] == pytest.approx(1 / 3)                  # sub-02: NaN, ignored
    assert ev["f1"] == pytest.approx(np.mean([2 / (2 + 2 + 1), 0.0]))
    assert math.isfinite(result["sample_results"]["f1"])
    json.dumps({k: result[k] for k in ("sample_results", "event_results")})


def test_bad_folders_are_clear_errors(folders, tmp_path):
    ref, hyp = folders
    with pytest.raises(EvaluationError, match="does not exist"):
        evaluate_dataset(tmp_path / "nope", hyp)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EvaluationError, match="no sub-"):
        evaluate_dataset(empty, hyp)
    with pytest.raises(EvaluationError, match="hypothesis"):
        evaluate_dataset(ref, empty)
    _write(hyp, "02", 1, [(10, 5)], 100)
    with pytest.raises(EvaluationError, match="recordingDuration"):
        evaluate_dataset(ref, hyp)


def test_events_file_without_duration_or_with_bad_rows(tmp_path):
    ref = tmp_path / "ref"
    path = ref / _RUN.format(s="01", r=1)
    path.parent.mkdir(parents=True)
    path.write_text("onset\tduration\teventType\n10\t5\tsz\n")
    with pytest.raises(AnnotationFormatError, match="recordingDuration"):
        evaluate_dataset(ref, ref)
    path.write_text("onset\tduration\teventType\trecordingDuration\n-10\t5\tsz\t100\n")
    with pytest.raises(AnnotationFormatError, match="negative"):
        evaluate_dataset(ref, ref)
