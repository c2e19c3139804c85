"""Reading, loading, fetching, windowing and simulating recordings.

Everything here returns numpy arrays and plain records; nothing depends on torch.
"""

from ..io import (
    AnnotationFormatError,
    BidsEvent,
    ChannelSeizure,
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
    read_helsinki_channel_annotations,
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
from .store import StoreArray, StoreError, StoreWriter, WindowStore, transform_to_store, windows_to_store
from .windowing import Windows, make_windows
from .annotation_grid import channel_annotation_grid, event_channel_rows
from .clips import (
    SEIZURE_TYPE_CLASSES,
    TUSZ_FOUR_CLASSES,
    merge_seizure_types,
    seizure_onset_clips,
    typed_seizures,
)

__all__ = [
    "Windows",
    "make_windows",
    # seizure clips, seizure types, channel x second annotation grids
    "seizure_onset_clips",
    "merge_seizure_types",
    "typed_seizures",
    "SEIZURE_TYPE_CLASSES",
    "TUSZ_FOUR_CLASSES",
    "channel_annotation_grid",
    "event_channel_rows",
    "load_recordings",
    "LazyRecording",
    "RecordingCorpus",
    "WindowStore",
    "StoreArray",
    "StoreWriter",
    "StoreError",
    "windows_to_store",
    "transform_to_store",
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
