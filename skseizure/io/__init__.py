"""One reader (and writer) per distributed file format.

EDF/EDF+ recordings, CHB-MIT summaries, Siena seizure lists, BIDS-EEG / SzCORE
events, TUSZ ``.csv_bi`` files and the Helsinki per-channel seizure table. Every
reader is strict: a malformed or inconsistent file raises a
:class:`FileFormatError` subclass (a ``ValueError``)
whose message names the file and, for text files, the line. Nothing here
depends on torch or scikit-learn.
"""

from .annotations import read_annotations
from .bids import BidsEvent, read_bids_events, write_bids_events
from .channel_annotations import ChannelSeizure, read_helsinki_channel_annotations
from .chbmit import ChbmitRecordEntry, chbmit_seizure_table, read_chbmit_summary
from .common import AnnotationFormatError, EDFError, FileFormatError, write_atomic
from .edf import read_edf, read_edf_header
from .helsinki import (
    AGREEMENT_RULES,
    HelsinkiAnnotations,
    consensus_labels,
    consensus_seizures,
    read_helsinki_annotations,
)
from .recording import EEGRecording
from .siena import SienaRecordEntry, read_siena_seizure_list
from .tusz import TuszAnnotations, TuszEvent, read_tusz_csv_bi

__all__ = [
    "EEGRecording",
    "FileFormatError",
    "AnnotationFormatError",
    "EDFError",
    "read_edf",
    "read_edf_header",
    "read_annotations",
    "read_chbmit_summary",
    "chbmit_seizure_table",
    "ChbmitRecordEntry",
    "read_siena_seizure_list",
    "SienaRecordEntry",
    "read_bids_events",
    "write_bids_events",
    "BidsEvent",
    "read_tusz_csv_bi",
    "TuszAnnotations",
    "TuszEvent",
    "read_helsinki_channel_annotations",
    "ChannelSeizure",
    "write_atomic",
    "read_helsinki_annotations",
    "HelsinkiAnnotations",
    "consensus_labels",
    "consensus_seizures",
    "AGREEMENT_RULES",
]
