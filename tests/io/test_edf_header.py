"""The header-only EDF reader agrees with a full read and with MNE, without reading signal."""

import warnings

import mne
import numpy as np
import pytest

from skseizure.io import EDFError, read_edf, read_edf_header

FILES = ["chbmit/edf/chb01_03_Seizure.edf", "neonatal-demo-edf/eeg_burst_eg.edf",
         "neonatal-demo-edf/preterm_demo.edf"]


@pytest.mark.parametrize("name", FILES)
def test_header_matches_full_read_and_mne(shared_data, name):
    path = shared_data / name
    info = read_edf_header(path)
    rec = read_edf(path)
    assert info["ch_names"] == rec.ch_names
    assert info["sfreq"] == rec.sfreq and set(info["sfreqs"]) == {rec.sfreq}
    assert info["n_times"] == rec.data.shape[1]
    assert len(info["units"]) == len(rec.ch_names) and "V" in info["units"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = mne.io.read_raw_edf(path, preload=False, verbose=False)
    assert info["meas_date"] == raw.info["meas_date"]
    assert np.isclose(info["sfreq"], raw.info["sfreq"])


def test_header_errors_name_the_file(tmp_path, shared_data):
    with pytest.raises(FileNotFoundError):
        read_edf_header(tmp_path / "missing.edf")
    bad = tmp_path / "bad.edf"
    bad.write_bytes((shared_data / FILES[0]).read_bytes()[:200])
    with pytest.raises(EDFError, match="bad.edf"):
        read_edf_header(bad)
