"""Reading, loading, fetching, windowing and simulating recordings.

Everything here returns numpy arrays and plain records; nothing depends on torch.
"""

from ..io import (
    AnnotationFormatError,
    BidsEvent,
    ChbmitRecordEntry,
    EDFError,
    EEGRecording,
    SienaRecordEntry,
    TuszAnnotations,
    TuszEvent,
    chbmit_seizure_table,
    read_annotations,
    read_bids_events,
    read_chbmit_summary,
    read_edf,
    read_siena_seizure_list,
    read_tusz_csv_bi,
    write_bids_events,
)
from .fetchers import ChecksumError, default_cache_dir, fetch_chbmit, fetch_siena
from .loaders import (
    BONN_SET_CODES,
    BONN_SETS,
    CHBMIT_SFREQ,
    bonn_seizure_target,
    load_bonn,
    load_sample,
    locate_data,
)
from .channels import (
    CHBMIT_18,
    CHBMIT_21,
    CHBMIT_23,
    DCRNN_19,
    DOUBLE_BANANA_18,
    HELSINKI_18,
    OLD_TO_NEW_10_20,
    SZCORE_19,
    TUSZ_19,
    ChannelName,
    MissingChannelsError,
    canonical_electrode,
    channel_indices,
    format_channel_name,
    normalize_channel_name,
    parse_channel_name,
)
from .montages import bipolar_montage, common_average_montage, derive_montage, pick_channels
from .layouts import load_recordings
from .recordings import LazyRecording, RecordingCorpus
from .windowing import Windows, make_windows

__all__ = [
    "EEGRecording",
    "Windows",
    "make_windows",
    "load_recordings",
    "LazyRecording",
    "RecordingCorpus",
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
    "load_bonn",
    "bonn_seizure_target",
    "locate_data",
    "BONN_SETS",
    "BONN_SET_CODES",
    "CHBMIT_SFREQ",
    # fetchers
    "fetch_chbmit",
    "fetch_siena",
    "default_cache_dir",
    "ChecksumError",
    # montages
    "CHBMIT_23",
    "CHBMIT_21",
    "CHBMIT_18",
    "DCRNN_19",
    "TUSZ_19",
    "HELSINKI_18",
    "DOUBLE_BANANA_18",
    "SZCORE_19",
    "OLD_TO_NEW_10_20",
    "ChannelName",
    "MissingChannelsError",
    "channel_indices",
    "canonical_electrode",
    "format_channel_name",
    "normalize_channel_name",
    "parse_channel_name",
    "pick_channels",
    "bipolar_montage",
    "common_average_montage",
    "derive_montage",
]
