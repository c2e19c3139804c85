"""Reading, loading, fetching, windowing and simulating recordings.

Everything here returns numpy arrays and plain records; nothing depends on torch.
"""

from ._record import EEGRecording
from .annotations import (
    AnnotationFormatError,
    BidsEvent,
    ChbmitRecordEntry,
    SienaRecordEntry,
    TuszAnnotations,
    TuszEvent,
    chbmit_seizure_table,
    read_annotations,
    read_bids_events,
    read_chbmit_summary,
    read_siena_seizure_list,
    read_tusz_csv_bi,
    write_bids_events,
)
from .edf import EDFError, read_edf
from .fetchers import ChecksumError, default_cache_dir, fetch_chbmit, fetch_siena
from .loaders import (
    BONN_SET_CODES,
    BONN_SETS,
    CHBMIT_SFREQ,
    bonn_seizure_target,
    load_bonn,
    load_chbmit_crops,
    load_chbmit_seizures,
    load_chbmit_windows,
    load_helsinki_neonatal,
    load_sample,
    locate_data,
)
from .montages import (
    CHBMIT_18,
    CHBMIT_21,
    CHBMIT_23,
    DCRNN_19,
    HELSINKI_18,
    TUSZ_19,
    MissingChannelsError,
    channel_indices,
    normalize_channel_name,
    pick_channels,
)
from .windowing import Windows, make_windows

__all__ = [
    "EEGRecording",
    "Windows",
    "make_windows",
    # readers
    "read_edf",
    "EDFError",
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
    "AnnotationFormatError",
    # loaders
    "load_sample",
    "load_helsinki_neonatal",
    "load_bonn",
    "bonn_seizure_target",
    "load_chbmit_windows",
    "load_chbmit_crops",
    "load_chbmit_seizures",
    "locate_data",
    "BONN_SETS",
    "BONN_SET_CODES",
    "CHBMIT_SFREQ",
    # fetchers
    "fetch_chbmit",
    "fetch_siena",
    "default_cache_dir",
    "ChecksumError",
    # simulators (ENG; simulated data, never real results)
    # montages
    "CHBMIT_23",
    "CHBMIT_21",
    "CHBMIT_18",
    "DCRNN_19",
    "TUSZ_19",
    "HELSINKI_18",
    "MissingChannelsError",
    "channel_indices",
    "normalize_channel_name",
    "pick_channels",
]
