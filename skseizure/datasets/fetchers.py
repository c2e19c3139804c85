"""Download public EEG datasets from PhysioNet with sha256 verification (pooch).

Trust model
-----------
* **CHB-MIT** (:func:`fetch_chbmit`): every file is checked against a copy of
  PhysioNet's ``SHA256SUMS.txt`` shipped inside this package
  (``skseizure/datasets/data/chbmit_SHA256SUMS.txt``, ODC-By 1.0). The server is
  not trusted: a file that differs from the release is refused, whoever serves it.
* **Siena** (:func:`fetch_siena`): no list is shipped, so the dataset's own
  ``SHA256SUMS.txt`` is downloaded first from ``base_url`` (over HTTPS by default)
  and cached; every data file is then checked against it. This detects truncated,
  corrupted or half-written downloads and cache files, not a server that serves a
  consistent but altered release. Delete the cached ``SHA256SUMS.txt`` to fetch it
  again.

Cache
-----
Files are stored under ``<path>/<dataset>/<path on PhysioNet>``, e.g.
``~/.cache/skseizure/chbmit/chb01/chb01_03.edf``; ``path`` defaults to
``$SKSEIZURE_CACHE`` or else ``pooch.os_cache("skseizure")``. A file already in
the cache is re-hashed on every call and used only if it matches; a file that
fails verification is never left in the cache.
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import quote

__all__ = ["ChecksumError", "fetch_chbmit", "fetch_siena", "default_cache_dir"]

CHBMIT_URL = "https://physionet.org/files/chbmit/1.0.0/"
SIENA_URL = "https://physionet.org/files/siena-scalp-eeg/1.0.0/"
_CHBMIT_SUMS = "chbmit_SHA256SUMS.txt"
_SUMS_NAME = "SHA256SUMS.txt"


class ChecksumError(ValueError):
    """A downloaded file's sha256 differs from the published one (file not kept)."""


def default_cache_dir():
    """Root folder of the download cache.

    Returns
    -------
    path : pathlib.Path
        ``$SKSEIZURE_CACHE`` if set, else ``pooch.os_cache("skseizure")``
        (e.g. ``~/.cache/skseizure`` on Linux).
    """
    import pooch

    env = os.environ.get("SKSEIZURE_CACHE")
    return Path(env) if env else Path(pooch.os_cache("skseizure"))


def _parse_sha256sums(text, source):
    """``{relative path: sha256}`` from a ``SHA256SUMS.txt`` (``<hash> [*]<path>`` lines)."""
    sums = {}
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = re.match(r"^([0-9a-fA-F]{64}) [ *]?(\S.*?)\s*$", line)
        if not m:
            raise ValueError(f"{source}, line {no}: not a '<sha256> <path>' line: {line!r}.")
        rel = m.group(2)
        parts = PurePosixPath(rel).parts
        # The list may come from the server: never let it write outside the cache.
        if rel.startswith("/") or ".." in parts or "\\" in rel:
            raise ValueError(f"{source}, line {no}: unsafe path {rel!r}.")
        sums[rel] = m.group(1).lower()
    if not sums:
        raise ValueError(f"{source}: no checksum in the file.")
    return sums


def _chbmit_sums():
    ref = resources.files("skseizure.datasets") / "data" / _CHBMIT_SUMS
    source = f"skseizure/datasets/data/{_CHBMIT_SUMS}"
    return _parse_sha256sums(ref.read_text(encoding="ascii"), source)


@contextmanager
def _quiet_pooch(progress):
    """Silence pooch's per-file INFO log unless a progress display was asked for."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    if not progress:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _base(base_url):
    return base_url if base_url.endswith("/") else base_url + "/"


def _retrieve(base_url, rel, sha256, folder, progress):
    """Download ``base_url + rel`` into ``folder / rel`` unless a verified copy exists."""
    import pooch
    import requests

    url = _base(base_url) + quote(rel)
    target = folder / rel
    try:
        with _quiet_pooch(progress):
            local = pooch.retrieve(
                url,
                known_hash=None if sha256 is None else f"sha256:{sha256}",
                fname=rel,
                path=folder,
                progressbar=progress,
            )
    except ValueError as exc:
        if sha256 is None:
            raise OSError(f"could not download {url} into {folder}: {exc}") from exc
        # pooch checks the hash on a temporary file and moves it into place only
        # if it matches, but a corrupt copy already in the cache would remain:
        # remove it so that nothing unverified is left under the expected name.
        if target.exists() and pooch.file_hash(str(target), alg="sha256") != sha256:
            target.unlink()
        raise ChecksumError(
            f"{rel} downloaded from {url} does not match its published sha256 "
            f"{sha256}; the file was not kept in {folder}. ({exc})"
        ) from exc
    except requests.exceptions.RequestException as exc:
        raise OSError(f"could not download {url} into {folder}: {exc}") from exc
    return Path(local)


def _fetch(files, sums, *, base_url, folder, progress):
    return [_retrieve(base_url, rel, sums[rel], folder, progress) for rel in files]


def _resolve_chbmit_record(record, sums):
    """Map ``"chb01/chb01_03.edf"``, ``"chb01_03.edf"`` or ``"chb01_03"`` to a listed path."""
    record = str(record).strip().lstrip("/")
    if record in sums:
        return record
    name = record if "." in PurePosixPath(record).name else record + ".edf"
    if name in sums:
        return name
    matches = [rel for rel in sums if PurePosixPath(rel).name == PurePosixPath(name).name]
    if len(matches) == 1:
        return matches[0]
    raise ValueError(
        f"{record!r} is not a file of the CHB-MIT release (not in "
        f"skseizure/datasets/data/{_CHBMIT_SUMS}); use e.g. 'chb01/chb01_03.edf', "
        f"'chb01_03.edf' or 'chb01-summary.txt'."
    )


def fetch_chbmit(records=None, *, path=None, base_url=CHBMIT_URL, progress=False):
    """Download CHB-MIT Scalp EEG files (PhysioNet v1.0.0), verified by sha256.

    Parameters
    ----------
    records : list of str or None, default=None
        Files to fetch, as paths of the release (``"chb01/chb01_03.edf"``,
        ``"chb01/chb01-summary.txt"``, ``"RECORDS"``) or EDF names
        (``"chb01_03.edf"``, ``"chb01_03"``). None fetches every EDF recording
        (686 files, tens of gigabytes).
    path : str or path-like or None, default=None
        Cache root; files go to ``<path>/chbmit/<release path>``. Default:
        :func:`default_cache_dir`.
    base_url : str, default="https://physionet.org/files/chbmit/1.0.0/"
        Where the release is served (a mirror with the same layout works).
    progress : bool, default=False
        Show a progress bar (tqdm) and pooch's log lines.

    Returns
    -------
    paths : list of pathlib.Path
        Local files, in the order of ``records``. Files already cached and
        matching their checksum are not downloaded again.

    Raises
    ------
    ValueError
        If a record is not part of the release.
    ChecksumError
        (a ``ValueError``) If a downloaded file does not match the shipped
        checksum; the file is not kept.
    OSError
        If a download fails (the message names the URL).

    Notes
    -----
    Checksums come from PhysioNet's ``SHA256SUMS.txt`` shipped with the package
    (see the module notes). CHB-MIT is distributed under ODC-By 1.0: cite Guttag
    (2010), Shoeb (2009) and Goldberger et al. (2000), doi:10.13026/C2K01R.
    """
    sums = _chbmit_sums()
    if records is None:
        files = sorted(rel for rel in sums if rel.endswith(".edf"))
    else:
        if isinstance(records, str):
            records = [records]
        files = [_resolve_chbmit_record(r, sums) for r in records]
    folder = Path(path) if path is not None else default_cache_dir()
    return _fetch(files, sums, base_url=base_url, folder=folder / "chbmit", progress=progress)


def fetch_siena(subjects=None, *, path=None, base_url=SIENA_URL, progress=False):
    """Download Siena Scalp EEG files (PhysioNet v1.0.0), verified by sha256.

    The dataset's ``SHA256SUMS.txt`` is downloaded first (once; then cached) and
    every file is checked against it; see the module notes for what that protects
    against.

    Parameters
    ----------
    subjects : list of str or None, default=None
        Subject folders to fetch, e.g. ``["PN00", "PN16"]``: every file listed
        under ``PNxx/`` (EDF recordings and ``Seizures-list-PNxx.txt``). None
        fetches every file of the release (tens of gigabytes).
    path : str or path-like or None, default=None
        Cache root; files go to ``<path>/siena-scalp-eeg/<release path>``.
        Default: :func:`default_cache_dir`.
    base_url : str, default="https://physionet.org/files/siena-scalp-eeg/1.0.0/"
        Where the release is served.
    progress : bool, default=False
        Show a progress bar (tqdm) and pooch's log lines.

    Returns
    -------
    paths : list of pathlib.Path
        Local files, sorted by release path within each subject, subjects in the
        order given.

    Raises
    ------
    ValueError
        If a subject is not in the release or the checksum list is malformed.
    ChecksumError
        (a ``ValueError``) If a file does not match the list; it is not kept.
    OSError
        If a download fails (the message names the URL).

    Notes
    -----
    The Siena Scalp EEG Database (Detti, 2020, doi:10.13026/5d4a-j060) is
    distributed under CC BY 4.0; cite Detti et al., Processes 8(7):846 (2020).
    """
    folder = (Path(path) if path is not None else default_cache_dir()) / "siena-scalp-eeg"
    sums_path = _retrieve(base_url, _SUMS_NAME, None, folder, progress)
    try:
        text = sums_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{sums_path}: not a text SHA256SUMS file ({exc}); delete it to fetch it again."
        ) from None
    sums = _parse_sha256sums(text, str(sums_path))
    sums.pop(_SUMS_NAME, None)
    if subjects is None:
        files = sorted(sums)
    else:
        if isinstance(subjects, str):
            subjects = [subjects]
        known = sorted({rel.split("/")[0] for rel in sums if "/" in rel})
        files = []
        for subject in subjects:
            subject_files = sorted(rel for rel in sums if rel.startswith(f"{subject}/"))
            if not subject_files:
                raise ValueError(
                    f"subject {subject!r} is not in the Siena release listed in {sums_path}; "
                    f"subjects: {known}."
                )
            files.extend(subject_files)
    return _fetch(files, sums, base_url=base_url, folder=folder, progress=progress)
