"""The ``skseizure`` command on good input: ``info``, ``demo``, help and version."""

import subprocess
import sys

import pytest

from skseizure import __version__
from skseizure.cli import main


def test_info_prints_versions(capsys):
    assert main(["info"]) == 0
    out, err = capsys.readouterr()
    for name in ("skseizure", "torch", "skorch", "sklearn", "mne", "imblearn"):
        assert name in out
    assert __version__ in out
    assert err == ""


@pytest.mark.parametrize("argv", [["--help"], ["-h"], []])
def test_help_lists_the_commands(argv, capsys):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    for command in ("demo", "detect", "evaluate", "train", "info"):
        assert command in out
    assert err == ""


def test_subcommand_help(capsys):
    assert main(["demo", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--data", "--folds", "--epochs", "--seed", "--threads", "--figure",
                   "--overwrite"):
        assert option in out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"skseizure {__version__}"


def test_console_entry_point_runs_info():
    # the installed script calls skseizure.cli:main; ``python -m skseizure.cli`` is the same
    proc = subprocess.run([sys.executable, "-m", "skseizure.cli", "info"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("skseizure")


def test_demo_on_shipped_sample_only(monkeypatch, tmp_path, capsys):
    # no real-data folder: the demo still runs on the sample shipped in the package
    monkeypatch.delenv("SKSEIZURE_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    text = capsys.readouterr().out
    assert "Shipped real sample: CHB-MIT chb01_03" in text
    assert "BandPower+LogReg" in text
    assert "No real-data folder found" in text
    # detection end to end: events beside the reference, scores, a figure
    assert "Seizure detection end to end" in text and "chb01_03_Seizure" in text
    figure = tmp_path / "skseizure_detection.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(figure) in text


def test_demo_subject_wise_table_on_real_data(shared_data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--data", str(shared_data), "--folds", "2", "--epochs", "2"]) == 0
    text = capsys.readouterr().out
    assert "Ombao 8-channel scalp (100 Hz)" in text  # detection on a never-seen recording
    assert (tmp_path / "skseizure_detection.png").is_file()
    assert "2-fold GroupKFold by infant" in text
    lines = {line.split("  ")[0].strip(): line for line in text.splitlines()}
    for row in ("BandPower+RandomForest", "LightCNN1d baseline", "LightCNN1d pruned 50%"):
        assert row in lines, text
    # the pruned row reports fewer parameters than the baseline row (physical pruning)
    base = int(lines["LightCNN1d baseline"].split()[-4].replace(",", ""))
    pruned = int(lines["LightCNN1d pruned 50%"].split()[-4].replace(",", ""))
    assert pruned < base
    # SzCORE scoring of the real expert annotations: expert B against expert A
    row = next(line for line in text.splitlines() if line.startswith("expert B vs A"))
    sens, prec, f1 = (float(v) for v in row.split()[4:7])
    assert 0.5 < f1 < 0.95 and 0.5 < sens <= 1.0 and 0.5 < prec <= 1.0


@pytest.mark.parametrize("command, options", [
    ("detect", ["RECORDING.edf", "--out", "--model", "--overwrite"]),
    ("evaluate", ["REF", "HYP", "--json", "--overwrite"]),
    ("train", ["DATA", "--out", "--folds", "--overwrite"]),
])
def test_detection_commands_help(command, options, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    for option in options:
        assert option in out
