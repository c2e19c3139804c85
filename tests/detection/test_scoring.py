"""SzCORE scoring on top of timescoring: hand-checked cases and the Helsinki inter-rater figures."""

import math

import numpy as np
import pytest
from timescoring import scoring as ts
from timescoring.annotations import Annotation

from skseizure.detection import aggregate_scores, score_masks, score_recording
from skseizure.io.helsinki import read_helsinki_annotations


def test_event_tolerance_30s_before_60s_after():
    ref = [(1000.0, 60.0)]                       # 1000..1060 s -> scored window 970..1120 s
    assert score_recording(ref, [(975.0, 5.0)], 3600).event.tp == 1     # inside the 30-s margin
    assert score_recording(ref, [(1100.0, 10.0)], 3600).event.tp == 1   # inside the 60-s margin
    far = score_recording(ref, [(900.0, 10.0)], 3600).event
    assert (far.tp, far.fp, far.ref_true) == (0, 1, 1)
    assert far.f1 == 0.0
    assert far.fpRate == pytest.approx(1 / (3600 / 86400))


def test_events_closer_than_90s_merge_and_longer_than_5min_split():
    merged = score_recording([], [(100, 10), (150, 10)], 3600).event
    assert merged.fp == 1                        # 40 s apart: one false alarm
    split = score_recording([], [(100, 700)], 3600).event
    assert split.fp == 3                         # 700 s -> 300 + 300 + 100


def test_f1_nan_only_without_reference_and_false_alarms():
    empty = score_recording([], [], 600).event
    assert math.isnan(empty.f1) and math.isnan(empty.sensitivity) and math.isnan(empty.precision)
    assert empty.fpRate == 0.0
    missed = score_recording([(10, 20)], [], 600).event
    assert missed.f1 == 0.0 and missed.sensitivity == 0.0 and math.isnan(missed.precision)


def test_aggregation_sums_per_subject_then_averages_over_subjects():
    # subject a: two recordings, one hit + one miss -> sensitivity 0.5; subject b: one false alarm
    a1 = score_recording([(100, 30)], [(110, 5)], 3600)
    a2 = score_recording([(500, 30)], [], 3600)
    b1 = score_recording([], [(100, 10)], 7200)
    result = aggregate_scores([("a", a1), ("a", a2), ("b", b1)])
    ev = result["event_results"]
    assert result["subjects"]["a"]["event"]["sensitivity"] == 0.5
    assert math.isnan(result["subjects"]["b"]["event"]["sensitivity"])
    assert ev["sensitivity"] == 0.5                               # NaN of b ignored
    assert ev["f1"] == pytest.approx(np.mean([2 / 3, 0.0]))       # a: 2*1/(2+0+1); b: 0
    assert ev["fpRate"] == pytest.approx(np.mean([0.0, 12.0]))    # b: 1 alarm in 2 h
    assert ev["fpRate_std"] == pytest.approx(6.0)
    assert set(ev) == {"sensitivity", "precision", "f1", "fpRate", "sensitivity_std",
                       "precision_std", "f1_std", "fpRate_std"}
    with pytest.raises(ValueError, match="no recordings"):
        aggregate_scores([])


def test_unequal_masks_are_refused():
    with pytest.raises(ValueError, match="equal length"):
        score_masks(np.zeros(10, bool), np.zeros(11, bool))
    with pytest.raises(ValueError, match="zero length"):
        score_masks(np.zeros(0, bool), np.zeros(0, bool))


@pytest.fixture(scope="module")
def helsinki(shared_data):
    return read_helsinki_annotations(shared_data / "helsinki-neonatal" / "annotations")


def test_expert_b_against_expert_a_equals_timescoring_per_infant(helsinki):
    """Inter-rater agreement of the Helsinki neonatal experts, 79 infants, 112 h.

    Expert B is scored as a "detector" against expert A. Per infant, the counts are those
    of timescoring called directly; the data-set figures are the ceiling a detector can be
    judged against on this data.
    """
    assert len(helsinki.infants) == 79
    total_s = sum(helsinki.n_seconds(i) for i in helsinki.infants)
    assert total_s / 3600 == pytest.approx(111.9, abs=0.1)
    pairs = []
    for infant in helsinki.infants:
        a, b = helsinki.labels[infant][0].astype(bool), helsinki.labels[infant][1].astype(bool)
        mine = score_masks(a, b)
        direct_s = ts.SampleScoring(Annotation(a, 1), Annotation(b, 1))
        direct_e = ts.EventScoring(Annotation(a, 1), Annotation(b, 1))
        for got, want in ((mine.sample, direct_s), (mine.event, direct_e)):
            assert (got.tp, got.fp, got.ref_true) == (want.tp, want.fp, want.refTrue)
            for m in ("sensitivity", "precision", "f1", "fpRate"):
                np.testing.assert_equal(getattr(got, m), getattr(want, m))
        pairs.append((infant, mine))
    result = aggregate_scores(pairs)
    ev = result["event_results"]
    # experts disagree: well below perfect, well above chance (figures documented in the user guide)
    assert 0.5 < ev["sensitivity"] < 1.0
    assert 0.5 < ev["precision"] < 1.0
    assert 0.5 < ev["f1"] < 0.95
