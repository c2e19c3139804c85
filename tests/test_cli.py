"""The ``skseizure`` command: the README's main job."""

import io

import pytest

from skseizure import cli


def test_info_prints_versions():
    out = io.StringIO()
    assert cli.info([], out=out) == 0
    text = out.getvalue()
    for name in ("skseizure", "torch", "skorch", "sklearn", "mne"):
        assert name in text


def test_unknown_command_is_an_error(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert "usage: skseizure" in capsys.readouterr().out


def test_demo_on_shipped_sample_only(monkeypatch, tmp_path):
    # no real-data folder: the demo still runs on the sample shipped in the package
    monkeypatch.delenv("SKSEIZURE_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert cli.demo([], out=out) == 0
    text = out.getvalue()
    assert "Shipped real sample: CHB-MIT chb01_03" in text
    assert "BandPower+LogReg" in text
    assert "No real-data folder found" in text


def test_demo_subject_wise_table_on_real_data(shared_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert cli.demo(["--data", str(shared_data), "--folds", "2", "--epochs", "2"], out=out) == 0
    text = out.getvalue()
    assert "2-fold GroupKFold by infant" in text
    lines = {line.split("  ")[0].strip(): line for line in text.splitlines()}
    for row in ("BandPower+RandomForest", "LightCNN1d (seed 000)", "LightCNN1d pruned 50%"):
        assert row in lines, text
    # the pruned row reports fewer parameters than the baseline row (physical pruning)
    base = int(lines["LightCNN1d (seed 000)"].split()[-4].replace(",", ""))
    pruned = int(lines["LightCNN1d pruned 50%"].split()[-4].replace(",", ""))
    assert pruned < base


@pytest.mark.parametrize("argv", [["--help"], []])
def test_help(argv, capsys):
    assert cli.main(argv) == 0
    assert "demo" in capsys.readouterr().out
