"""The Helsinki per-channel seizure table (Tapani et al. 2019) is read strictly."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skseizure.datasets.channels import HELSINKI_18, normalize_channel_name
from skseizure.io import AnnotationFormatError, ChannelSeizure, read_helsinki_channel_annotations


@pytest.fixture(scope="module")
def table(shared_data):
    return shared_data / "helsinki-neonatal" / "extra" / "seizure_per_channel_Dec_2017.csv"


def test_real_table_has_364_rows_one_with_reversed_times(table):
    with pytest.raises(AnnotationFormatError, match=r"line 322: seizure end \(3747.0 s\)"):
        read_helsinki_channel_annotations(table)
    with pytest.warns(UserWarning, match="line 322"):
        channels, seizures = read_helsinki_channel_annotations(table, invalid="skip")
    assert len(seizures) == 363  # 364 rows, infant 69's 3767-3747 s row skipped
    # the header's 18 derivations are the Helsinki montage
    assert [normalize_channel_name(c) for c in channels] == [normalize_channel_name(c) for c in HELSINKI_18]
    first = seizures[0]
    assert first == ChannelSeizure("1", 104.0, 122.0, ("Fz-Cz", "Cz-Pz"))
    assert seizures[1].channels == ("F4-C4", "F8-T4")
    assert len({s.recording for s in seizures}) == 39
    assert all(s.stop > s.start for s in seizures)
    assert sum(1 for s in seizures if not s.channels) == 1


@pytest.mark.parametrize("text, match", [
    ("ID,Start,Stop,Fp2-F4\n1,0,1,0\n", "header"),
    ("FILE ID,Start,Stop,Fp2-F4\n1,0,1\n", "line 2: 3 fields"),
    ("FILE ID,Start,Stop,Fp2-F4\n1,0,1,2\n", "line 2: flag of Fp2-F4"),
    ("FILE ID,Start,Stop,Fp2-F4\n1.5,0,1,1\n", "FILE ID"),
    ("FILE ID,Start,Stop,Fp2-F4\n1,x,1,1\n", "Start 'x'"),
    ("FILE ID,Start,Stop,Fp2-F4\n,,,1\n", "no seizure row"),
    ("FILE ID,Start,Stop,Fp2-F4\n1,0,1,1\n,,,7\n", "line 3: row without FILE ID"),
])
def test_malformed_tables_name_file_and_line(tmp_path, text, match):
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(AnnotationFormatError, match=match) as info:
        read_helsinki_channel_annotations(path)
    assert "t.csv" in str(info.value)
    with pytest.raises(ValueError, match="invalid"):
        read_helsinki_channel_annotations(path, invalid="ignore")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.text(alphabet="FILE IDStarop,0123456789.-\n xFp", max_size=200))
def test_fuzzed_tables_fail_loudly_or_parse(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "t.csv"
    path.write_text(text)
    try:
        channels, seizures = read_helsinki_channel_annotations(path)
    except AnnotationFormatError as exc:
        assert str(path) in str(exc)
    else:
        assert all(s.stop > s.start and set(s.channels) <= set(channels) for s in seizures)
