"""Score a folder of hypothesis ``*_events.tsv`` files against a reference folder (SzCORE)."""

from __future__ import annotations

from pathlib import Path

from ..io import AnnotationFormatError, read_bids_events
from .events import events_to_mask
from .scoring import aggregate_scores, score_masks

__all__ = ["EvaluationError", "evaluate_dataset", "recording_mask"]


class EvaluationError(ValueError):
    """A reference or hypothesis folder that cannot be scored."""


def recording_mask(path, fs=1, *, duration=None):
    """1-Hz seizure mask of one SzCORE ``*_events.tsv`` file.

    Parameters
    ----------
    path : path-like
        The events file.
    fs : int, default=1
        Mask rate in Hz.
    duration : float or None
        Recording duration in seconds; None: the file's ``recordingDuration`` column.

    Returns
    -------
    mask : ndarray of bool
    duration : float
        Seconds.
    """
    events = read_bids_events(path)
    if duration is None:
        durations = {e.recording_duration for e in events if e.recording_duration is not None}
        if not durations:
            raise AnnotationFormatError(path, 1, "no recordingDuration: the recording's length is "
                                                 "needed to score it (SzCORE events files carry it).")
        if len(durations) > 1:
            raise AnnotationFormatError(path, 1, f"rows disagree on recordingDuration: {sorted(durations)}.")
        duration = durations.pop()
    if duration <= 0:
        raise AnnotationFormatError(path, 1, f"recordingDuration {duration} s is not positive.")
    seizures = [e for e in events if e.is_seizure]
    return events_to_mask(seizures, duration, fs), float(duration)


def _reference_files(reference):
    reference = Path(reference)
    if not reference.is_dir():
        raise EvaluationError(f"reference folder {str(reference)!r} does not exist.")
    files = sorted(p for sub in sorted(reference.glob("sub-*")) if sub.is_dir()
                   for p in sub.rglob("*_events.tsv"))
    if not files:
        raise EvaluationError(f"no sub-*/**/*_events.tsv files under the reference folder {str(reference)!r}.")
    return files


def evaluate_dataset(reference, hypothesis, *, progress=False):
    """SzCORE scores of a data set: per subject, then averaged over subjects.

    For every ``sub-*/**/*_events.tsv`` under ``reference``, the file with the same relative
    path under ``hypothesis`` is read (a missing file counts as no detections), both are
    rendered as 1-Hz masks over the reference's ``recordingDuration``, and scored with
    ``timescoring`` (sample and event scoring, SzCORE defaults). Counts are summed per
    subject (the ``sub-*`` folder) and the subjects' figures averaged ignoring NaN, as the
    ``szcore-evaluation`` reference evaluator does.

    Parameters
    ----------
    reference, hypothesis : path-like
        Folders laid out as BIDS (``sub-*/ses-*/eeg/*_events.tsv``).
    progress : bool, default=False
        Show a progress bar (tqdm).

    Returns
    -------
    result : dict
        ``{"sample_results": {...}, "event_results": {...}, "subjects": {...}}``; the first two
        hold ``sensitivity``, ``precision``, ``f1``, ``fpRate`` and their ``*_std``.

    Raises
    ------
    EvaluationError
        A folder that does not exist, a reference with no events files, a hypothesis folder
        with none at all, or a hypothesis whose ``recordingDuration`` differs from the
        reference's.
    AnnotationFormatError
        A malformed events file (named with its line).
    """
    reference, hypothesis = Path(reference), Path(hypothesis)
    files = _reference_files(reference)
    if not hypothesis.is_dir():
        raise EvaluationError(f"hypothesis folder {str(hypothesis)!r} does not exist.")
    if not any(hypothesis.rglob("*_events.tsv")):
        raise EvaluationError(f"no *_events.tsv files under the hypothesis folder {str(hypothesis)!r}.")
    if progress:
        from tqdm.auto import tqdm

        files = tqdm(files, desc="scoring", unit="recording")
    pairs = []
    for ref_file in files:
        rel = ref_file.relative_to(reference)
        ref_mask, duration = recording_mask(ref_file)
        hyp_file = hypothesis / rel
        if hyp_file.exists():
            hyp_events = read_bids_events(hyp_file)
            durations = {e.recording_duration for e in hyp_events if e.recording_duration is not None}
            if any(abs(d - duration) > 0.01 + 1e-9 for d in durations):
                raise EvaluationError(
                    f"{hyp_file}: recordingDuration {sorted(durations)} s differs from the "
                    f"reference's {duration} s ({ref_file}).")
            hyp_mask = events_to_mask([e for e in hyp_events if e.is_seizure], duration)
        else:
            hyp_mask = ref_mask & False
        pairs.append((rel.parts[0], score_masks(ref_mask, hyp_mask)))
    return aggregate_scores(pairs)
