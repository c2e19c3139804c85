"""Bad invocations of ``skseizure``: checked before any work, one error line, exit status 2.

Every case asserts the exit status, that stderr is exactly one ``skseizure: error:`` line
naming the problem, and that nothing was written to stdout (no part of the demo ran).
"""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skseizure.cli import demo as demo_command
from skseizure.cli import main


@pytest.fixture
def no_demo_work(monkeypatch):
    """Fail loudly if a demo part starts: the checks must come first."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the demo started before its arguments were checked")

    monkeypatch.setattr(demo_command, "_demo_detection", forbidden)
    monkeypatch.setattr(demo_command, "_demo_shipped_sample", forbidden)
    monkeypatch.setattr(demo_command, "_demo_helsinki", forbidden)


def _assert_one_line_error(capsys, *fragments):
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("skseizure: error: "), err
    for fragment in fragments:
        assert fragment in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["frobnicate"], ["invalid choice: 'frobnicate'"]),
        (["--bogus"], ["unrecognized arguments: --bogus"]),
        (["info", "--bogus"], ["unrecognized arguments: --bogus", "skseizure info --help"]),
        (["info", "extra"], ["unrecognized arguments: extra"]),
        (["demo", "--data", "/nonexistent/skseizure-data"], ["--data", "does not exist"]),
        (["demo", "--data", ""], ["--data", "empty"]),
        (["demo", "--data"], ["--data", "expected one argument"]),
        (["demo", "--folds", "1"], ["--folds", ">= 2", "got 1"]),
        (["demo", "--folds", "0"], ["--folds", ">= 2"]),
        (["demo", "--folds", "abc"], ["--folds", "expected an integer", "'abc'"]),
        (["demo", "--folds", "2.5"], ["--folds", "expected an integer"]),
        (["demo", "--epochs", "0"], ["--epochs", ">= 1", "got 0"]),
        (["demo", "--epochs", "-3"], ["--epochs", ">= 1", "got -3"]),
        (["demo", "--seed", "-1"], ["--seed", "got -1"]),
        (["demo", "--seed", str(2**32)], ["--seed"]),
        (["demo", "--threads", "0"], ["--threads", ">= 1"]),
        (["demo", "--fold", "3"], ["unrecognized arguments: --fold 3"]),  # no abbreviations
        (["demo", "extra"], ["unrecognized arguments: extra", "skseizure demo --help"]),
        (["demo", "--figure", "out.txt"], ["--figure", ".png"]),
        (["demo", "--figure", "/nonexistent/dir/fig.png"], ["--figure", "does not exist"]),
        (["detect"], ["RECORDING.edf"]),
        (["detect", "/nonexistent.edf", "--out", "e.tsv"], ["does not exist"]),
        (["evaluate", "/nonexistent-ref", "."], ["REF", "does not exist"]),
        (["train", ".", "--folds", "1", "--out", "m"], ["--folds", ">= 2"]),
    ],
)
def test_bad_command_line(argv, fragments, capsys, no_demo_work):
    assert main(argv) == 2
    _assert_one_line_error(capsys, *fragments)


def test_existing_figure_is_kept(tmp_path, monkeypatch, capsys, no_demo_work):
    monkeypatch.delenv("SKSEIZURE_DATA", raising=False)
    figure = tmp_path / "fig.png"
    figure.write_bytes(b"keep")
    assert main(["demo", "--figure", str(figure)]) == 2
    _assert_one_line_error(capsys, "--figure", "already exists", "--overwrite")
    assert figure.read_bytes() == b"keep"


def test_data_argument_that_is_a_file(tmp_path, capsys, no_demo_work):
    file = tmp_path / "data.txt"
    file.write_text("not a folder")
    assert main(["demo", "--data", str(file)]) == 2
    _assert_one_line_error(capsys, "is not a folder", str(file))


def test_environment_data_folder_missing(monkeypatch, capsys, no_demo_work):
    monkeypatch.setenv("SKSEIZURE_DATA", "/nonexistent/skseizure-data")
    assert main(["demo"]) == 2
    _assert_one_line_error(capsys, "SKSEIZURE_DATA", "/nonexistent/skseizure-data")


def test_data_folder_without_the_helsinki_set(tmp_path, capsys, no_demo_work):
    assert main(["demo", "--data", str(tmp_path)]) == 2
    _assert_one_line_error(capsys, "helsinki-neonatal", str(tmp_path))


@pytest.mark.parametrize("folds", ["63", "100"])
def test_more_folds_than_infants(folds, shared_data, capsys, no_demo_work):
    # Expert A's windows come from 62 infants: GroupKFold cannot make more folds
    assert main(["demo", "--data", str(shared_data), "--folds", folds]) == 2
    _assert_one_line_error(capsys, "--folds", f"{folds} folds", "62")


def test_malformed_data_file_is_one_line(tmp_path, capsys, no_demo_work):
    # a ValueError raised by the package's reader is a user error: one line, exit 2
    folder = tmp_path / "helsinki-neonatal"
    folder.mkdir()
    np.savez(folder / "expert_A_windows.npz", X=np.zeros((2, 18, 64)))
    assert main(["demo", "--data", str(tmp_path)]) == 2
    _assert_one_line_error(capsys, "expert_A_windows.npz")


def test_bug_keeps_its_traceback(monkeypatch, tmp_path):
    # an error that does not come from the package's input checks is a bug: re-raised
    monkeypatch.delenv("SKSEIZURE_DATA", raising=False)
    monkeypatch.chdir(tmp_path)

    def broken(out):
        return np.zeros(2) + np.zeros(3)  # numpy's own ValueError

    monkeypatch.setattr(demo_command, "_demo_detection", lambda out, **kwargs: None)
    monkeypatch.setattr(demo_command, "_demo_shipped_sample", broken)
    with pytest.raises(ValueError, match="broadcast"):
        main(["demo"])


@pytest.mark.parametrize("argv", [["info", "--bogus"], ["demo", "--folds", "1"]])
def test_console_exit_status_and_single_line(argv):
    proc = subprocess.run([sys.executable, "-m", "skseizure.cli", *argv],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("skseizure: error: ")


class _DemoStarted(Exception):
    pass


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(
    st.one_of(
        st.sampled_from(["--data", "--folds", "--epochs", "--seed", "--threads", "--bogus", "-x",
                         "demo", "info", "-1", "0", "1", "2", "63", "abc", "", "2.5", "/nonexistent"]),
        st.text(alphabet="-abcdefgh0123456789./=", max_size=8),
    ),
    max_size=5,
))
def test_fuzzed_command_lines_end_cleanly(tokens, monkeypatch, capsys):
    # whatever the tokens: exit 0 (help, or a valid demo that we stop at its first part),
    # or exit 2 with exactly one error line and nothing on stdout; never a traceback
    def started(*args, **kwargs):
        raise _DemoStarted

    monkeypatch.setattr(demo_command, "_demo_detection", started)
    monkeypatch.setattr(demo_command, "_load_subject_wise_data", lambda args: None)
    argv = ["demo", *tokens]
    try:
        status = main(argv)
    except _DemoStarted:
        capsys.readouterr()
        return
    out, err = capsys.readouterr()
    if status == 0:
        assert "usage:" in out and err == ""  # --help somewhere in the tokens
        return
    assert status == 2, (argv, status)
    assert out == "" and err.count("\n") == 1 and err.startswith("skseizure: error: "), (argv, err)


def test_corrupt_data_file_is_one_line(tmp_path, capsys, no_demo_work):
    # bytes that are not an .npz archive: numpy's error becomes the package's, naming the file
    folder = tmp_path / "helsinki-neonatal"
    folder.mkdir()
    (folder / "expert_A_windows.npz").write_bytes(b"not a zip archive")
    assert main(["demo", "--data", str(tmp_path)]) == 2
    _assert_one_line_error(capsys, "expert_A_windows.npz", "not a readable .npz archive")
