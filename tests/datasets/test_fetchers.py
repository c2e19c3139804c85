"""Tests for skseizure.datasets.fetchers against a local HTTP server laid out like PhysioNet."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from skseizure.datasets.fetchers import ChecksumError, default_cache_dir, fetch_chbmit, fetch_siena


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Server:
    """A PhysioNet-like static server on 127.0.0.1 that counts GET requests per path."""

    def __init__(self, root):
        self.root = root
        self.hits = Counter()
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                server.hits[self.path.lstrip("/")] += 1
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def no_proxy(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def chbmit_server(shared_data, tmp_path, no_proxy):
    """Official CHB-MIT metadata files (byte-identical to the release) plus an EDF
    crop served under a real record name, whose hash therefore differs."""
    src = shared_data / "chbmit"
    root = tmp_path / "physionet-chbmit"
    (root / "chb01").mkdir(parents=True)
    shutil.copyfile(src / "RECORDS", root / "RECORDS")
    shutil.copyfile(src / "summaries" / "chb01-summary.txt", root / "chb01" / "chb01-summary.txt")
    shutil.copyfile(src / "edf" / "chb01_03_Seizure.edf", root / "chb01" / "chb01_03.edf")
    server = _Server(root)
    yield server
    server.close()


@pytest.fixture
def siena_server(shared_data, tmp_path, no_proxy):
    """Siena-like release with a SHA256SUMS.txt generated here (the EDF is a CHB-MIT
    crop standing in for a recording)."""
    root = tmp_path / "physionet-siena"
    for subject in ("PN00", "PN16"):
        (root / subject).mkdir(parents=True)
        name = f"Seizures-list-{subject}.txt"
        shutil.copyfile(shared_data / "siena" / name, root / subject / name)
    shutil.copyfile(shared_data / "siena" / "subject_info.csv", root / "subject_info.csv")
    shutil.copyfile(shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf", root / "PN00" / "PN00-1.edf")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    (root / "SHA256SUMS.txt").write_text(
        "".join(f"{_sha256(p)} {p.relative_to(root).as_posix()}\n" for p in files)
    )
    server = _Server(root)
    yield server
    server.close()


def test_fetch_chbmit_downloads_verifies_and_caches(chbmit_server, tmp_path):
    cache = tmp_path / "cache"
    paths = fetch_chbmit(["chb01/chb01-summary.txt", "RECORDS"], path=cache, base_url=chbmit_server.url)
    assert paths == [cache / "chbmit" / "chb01" / "chb01-summary.txt", cache / "chbmit" / "RECORDS"]
    for local, rel in zip(paths, ["chb01/chb01-summary.txt", "RECORDS"]):
        assert local.read_bytes() == (chbmit_server.root / rel).read_bytes()
    assert chbmit_server.hits == Counter({"chb01/chb01-summary.txt": 1, "RECORDS": 1})

    # Cache hit: same paths, no request; short names resolve to the release paths.
    again = fetch_chbmit(["chb01-summary.txt", "RECORDS"], path=cache, base_url=chbmit_server.url)
    assert again == paths
    assert sum(chbmit_server.hits.values()) == 2

    # A cached file damaged on disk is detected by its hash and fetched again.
    paths[1].write_bytes(paths[1].read_bytes() + b"x")
    fetch_chbmit(["RECORDS"], path=cache, base_url=chbmit_server.url)
    assert chbmit_server.hits["RECORDS"] == 2
    assert paths[1].read_bytes() == (chbmit_server.root / "RECORDS").read_bytes()


def test_fetch_chbmit_rejects_file_not_matching_official_list(chbmit_server, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError, match="chb01/chb01_03.edf") as info:
        fetch_chbmit(["chb01_03"], path=cache, base_url=chbmit_server.url)
    assert "not kept" in str(info.value)
    assert chbmit_server.hits["chb01/chb01_03.edf"] == 1
    target = cache / "chbmit" / "chb01" / "chb01_03.edf"
    assert not target.exists()
    assert [p for p in (cache / "chbmit").rglob("*") if p.is_file()] == []  # no temp file left

    # A bad copy already in the cache is not kept either.
    target.write_bytes(b"corrupt")
    with pytest.raises(ChecksumError):
        fetch_chbmit(["chb01/chb01_03.edf"], path=cache, base_url=chbmit_server.url)
    assert not target.exists()


def test_fetch_chbmit_unknown_record_and_missing_file(chbmit_server, tmp_path):
    with pytest.raises(ValueError, match="'chb99_01' is not a file of the CHB-MIT release"):
        fetch_chbmit(["chb99_01"], path=tmp_path, base_url=chbmit_server.url)
    with pytest.raises(OSError, match="SUBJECT-INFO") as info:  # not served: HTTP 404
        fetch_chbmit(["SUBJECT-INFO"], path=tmp_path, base_url=chbmit_server.url)
    assert chbmit_server.url in str(info.value)
    assert not (tmp_path / "chbmit" / "SUBJECT-INFO").exists()


def test_default_cache_follows_env(chbmit_server, tmp_path, monkeypatch):
    monkeypatch.setenv("SKSEIZURE_CACHE", str(tmp_path / "envcache"))
    assert default_cache_dir() == tmp_path / "envcache"
    (local,) = fetch_chbmit("RECORDS", base_url=chbmit_server.url.rstrip("/"))
    assert local == tmp_path / "envcache" / "chbmit" / "RECORDS"


def test_fetch_siena_verifies_against_downloaded_list(siena_server, tmp_path):
    cache = tmp_path / "cache"
    paths = fetch_siena(["PN00"], path=cache, base_url=siena_server.url)
    base = cache / "siena-scalp-eeg"
    assert paths == [base / "PN00" / "PN00-1.edf", base / "PN00" / "Seizures-list-PN00.txt"]
    assert paths[0].read_bytes() == (siena_server.root / "PN00" / "PN00-1.edf").read_bytes()
    assert siena_server.hits == Counter(
        {"SHA256SUMS.txt": 1, "PN00/PN00-1.edf": 1, "PN00/Seizures-list-PN00.txt": 1}
    )
    # Second call: list and files come from the cache, nothing is requested.
    assert fetch_siena("PN00", path=cache, base_url=siena_server.url) == paths
    assert sum(siena_server.hits.values()) == 3

    everything = fetch_siena(path=cache, base_url=siena_server.url)
    assert [p.relative_to(base).as_posix() for p in everything] == [
        "PN00/PN00-1.edf", "PN00/Seizures-list-PN00.txt", "PN16/Seizures-list-PN16.txt",
        "subject_info.csv",
    ]
    assert siena_server.hits["PN00/PN00-1.edf"] == 1
    assert siena_server.hits["SHA256SUMS.txt"] == 1

    with pytest.raises(ValueError, match="'PN99' is not in the Siena release.*PN00"):
        fetch_siena(["PN99"], path=cache, base_url=siena_server.url)


def test_fetch_siena_rejects_corrupted_file(siena_server, tmp_path):
    served = siena_server.root / "PN16" / "Seizures-list-PN16.txt"
    served.write_bytes(served.read_bytes().replace(b"22.45.05", b"22.45.06"))
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError, match="PN16/Seizures-list-PN16.txt"):
        fetch_siena(["PN16"], path=cache, base_url=siena_server.url)
    assert not (cache / "siena-scalp-eeg" / "PN16" / "Seizures-list-PN16.txt").exists()
    # The other subject is unaffected.
    assert len(fetch_siena(["PN00"], path=cache, base_url=siena_server.url)) == 2


def test_fetch_siena_refuses_unsafe_checksum_list(siena_server, tmp_path):
    sums = siena_server.root / "SHA256SUMS.txt"
    sums.write_text(sums.read_text() + f"{'0' * 64} ../../outside.txt\n")
    with pytest.raises(ValueError, match="unsafe path '../../outside.txt'"):
        fetch_siena(["PN00"], path=tmp_path / "cache", base_url=siena_server.url)
    sums.write_text("this is not a checksum list\n")
    with pytest.raises(ValueError, match="line 1: not a '<sha256> <path>' line"):
        fetch_siena(["PN00"], path=tmp_path / "cache2", base_url=siena_server.url)
