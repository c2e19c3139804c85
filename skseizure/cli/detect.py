"""``skseizure detect``: seizure events of one EDF recording, as a SzCORE ``*_events.tsv``.

The recording is read in chunks and run through the detector's recipe with enough
context at the chunk borders that the windows equal those of an in-memory run
(:func:`skseizure.detection.streaming.stream_window_proba`), so memory does not grow
with the recording's length. Any channel set the detector can use is accepted: the
SzCORE convention (19 referential 10-20 channels, any rate) and bipolar montages
such as CHB-MIT's.
"""

from __future__ import annotations

import sys
import time

from ._common import check_output, existing_file, int_at_least, load_detector, output_path

HELP = "detect seizures in one EDF recording and write a SzCORE events file"


def add_parser(subparsers):
    """Register ``detect`` and its options on the ``skseizure`` sub-command parsers."""
    parser = subparsers.add_parser("detect", help=HELP, description=HELP + ".")
    parser.add_argument("recording", type=existing_file, metavar="RECORDING.edf",
                        help="EDF/EDF+ recording")
    parser.add_argument("--out", type=output_path, required=True, metavar="EVENTS.tsv",
                        help="events file to write (onset, duration, eventType, confidence, "
                             "channels, dateTime, recordingDuration)")
    parser.add_argument("--model", default=None, metavar="MODEL",
                        help="a detector saved by 'skseizure train' (default: the bundled one)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.add_argument("--chunk-seconds", type=int_at_least(10), default=300,
                        help="seconds of signal processed at once, >= 10 (default 300)")
    parser.add_argument("--threads", type=int_at_least(1), default=1,
                        help="torch threads, >= 1 (default 1)")
    parser.set_defaults(run=run)
    return parser


def events_rows(events, duration, date_time):
    """SzCORE rows of the detected events, or one ``bckg`` row when there are none.

    Parameters
    ----------
    events : list of SeizureEvent
    duration : float
        Recording duration in seconds.
    date_time : datetime or None
        Start of the recording (EDF header).

    Returns
    -------
    rows : list of BidsEvent
    """
    from skseizure.io import BidsEvent

    common = {"date_time": date_time, "recording_duration": round(duration, 6)}
    if not events:
        return [BidsEvent(onset=0.0, duration=round(duration, 6), event_type="bckg", **common)]
    return [BidsEvent(onset=round(e.onset, 6), duration=round(e.duration, 6), event_type="sz",
                      confidence=round(float(e.confidence), 6),
                      channels=list(e.channels) or None, **common) for e in events]


def detect_file(path, out, *, model=None, overwrite=False, chunk_seconds=300.0, progress=True):
    """Detect seizures in one EDF and write its events file.

    Returns
    -------
    summary : dict
        ``events`` (list of SeizureEvent), ``window_proba``, ``duration`` (s), ``seconds``
        (wall time from opening the EDF to the written file; loading the model and
        importing the libraries are not counted), ``timings`` (seconds per stage: read, filter/resample,
        windows+network, events+write).
    """
    from skseizure.detection.bundled import BundledDetectorInputError, window_proba_to_events
    from skseizure.detection.streaming import EDFSource, stream_window_proba
    from skseizure.io import write_bids_events

    detector = load_detector(model)
    t_start = time.perf_counter()
    source = EDFSource(path)
    timings = {}
    try:
        wp = stream_window_proba(detector, source, chunk_seconds=chunk_seconds,
                                 timings=timings, progress=progress)
    except BundledDetectorInputError as exc:
        raise BundledDetectorInputError(f"{path}: {exc}") from None
    t0 = time.perf_counter()
    duration = source.n_times / source.sfreq
    events = window_proba_to_events(wp, detector.config, duration)
    write_bids_events(out, events_rows(events, duration, source.meas_date), overwrite=overwrite)
    timings["events+write"] = time.perf_counter() - t0
    return {"events": events, "window_proba": wp, "duration": duration,
            "seconds": time.perf_counter() - t_start, "timings": timings}


def run(args, out=None):
    """Run ``detect`` with parsed ``args``; returns the exit status (0)."""
    import torch

    out = out or sys.stdout
    check_output(args.out, args.overwrite, "--out")
    torch.set_num_threads(args.threads)
    res = detect_file(args.recording, args.out, model=args.model, overwrite=args.overwrite,
                      chunk_seconds=float(args.chunk_seconds))
    wp, hours = res["window_proba"], res["duration"] / 3600
    out.write(f"{args.recording}: {res['duration']:.1f} s, {len(wp.proba)} windows, "
              f"montage {wp.montage} ({len(wp.channels)} channels)\n")
    for e in res["events"]:
        out.write(f"  seizure {e.onset:9.1f} s - {e.end:9.1f} s  confidence {e.confidence:.2f}  "
                  f"channels {','.join(e.channels)}\n")
    if not res["events"]:
        out.write("  no seizure detected\n")
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in res["timings"].items())
    out.write(f"wrote {args.out}\n"
              f"{hours:.3f} h of EEG in {res['seconds']:.2f} s: "
              f"{hours / max(res['seconds'], 1e-9):.3f} h of EEG per second "
              "(EDF to events file, model loading excluded)\n"
              f"stages: {stages}\n")
    return 0
