"""Model files are untrusted input: loading never runs code, saving never destroys a file.

Every attack writes a crafted file the way an attacker could (valid layout, checksum
recomputed) and asserts both the error and the absence of its side effect.
"""

from __future__ import annotations

import ast
import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from skseizure.estimators import BaseNetClassifier, DCRNNClassifier, LightCNNClassifier
from skseizure.estimators.persistence import (
    FORMAT_VERSION,
    ModelFileError,
    load_estimator,
    persistable_names,
    save_estimator,
)
from skseizure.estimators._persistence_format import digest
from skseizure.pruning import load_pruned
from skseizure.preprocessing.graphs import DistanceGraph

PACKAGE = Path(__file__).resolve().parents[2] / "skseizure"


class MarkerLoss(torch.nn.CrossEntropyLoss):
    """A user loss outside skseizure's registry (needs ``trusted=``)."""


@pytest.fixture(scope="module")
def fitted(helsinki_small):
    X, y, g, _ = helsinki_small
    return LightCNNClassifier(module__n_filters=(4, 4, 4), max_epochs=1, valid_size=None,
                              lr_patience=None, random_state=0).fit(X, y, groups=g)


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    return fitted.save(tmp_path_factory.mktemp("saved") / "net.skseizure.pt")


@pytest.fixture(scope="module")
def saved_dcrnn(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 3, 19, 4)).astype(np.float32)
    y = np.arange(16) % 2
    est = DCRNNClassifier(graph=DistanceGraph(), module__num_units=4, module__num_layers=1,
                          max_epochs=1, valid_size=None, random_state=0).fit(X, y)
    return est.save(tmp_path_factory.mktemp("dcrnn") / "dcrnn.pt")


def _tamper(src, dst, config=None, payload=None, rehash=True):
    """Rewrite a saved file: ``config(dict)`` / ``payload(dict)`` mutate it in place."""
    data = torch.load(src, weights_only=True)
    cfg = json.loads(data["config"])
    if config is not None:
        config(cfg)
    data["config"] = json.dumps(cfg)
    if payload is not None:
        payload(data)
    if rehash:
        data["sha256"] = digest(data["config"], data["state_dict"], data["arrays"])
    torch.save(data, dst)
    return dst


def _set_params(**params):
    def mutate(cfg):
        cfg["params"].update(params)
    return mutate


LOADERS = {
    "LightCNNClassifier.load": LightCNNClassifier.load,
    "DCRNNClassifier.load": DCRNNClassifier.load,
    "BaseNetClassifier.load": BaseNetClassifier.load,
    "load_estimator": load_estimator,
    "load_pruned": load_pruned,
}


# ---------------------------------------------------------------- code execution
@pytest.mark.parametrize("loader", list(LOADERS), ids=list(LOADERS))
@pytest.mark.parametrize("ref", [
    {"__import__": "torch:os.system"},          # the former format's tag
    {"__callable__": "torch.os.system"},        # a function reached through an allowed root
    {"__callable__": "os.system"},
    {"__callable__": "posix.system"},
], ids=["old-tag", "torch.os.system", "os.system", "posix.system"])
def test_shell_command_payload_is_refused(request, tmp_path, loader, ref, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.chdir(tmp_path)
    saved = request.getfixturevalue("saved_dcrnn" if loader.startswith("DCRNN") else "saved")
    bad = _tamper(saved, tmp_path / "bad.pt",
                  _set_params(criterion=ref, criterion__command=f"touch {marker}"))
    with pytest.raises(ModelFileError, match="system|malformed") as info:
        LOADERS[loader](bad)
    assert str(bad) in str(info.value)
    assert not marker.exists()


def test_savetxt_payload_writes_nothing(saved, tmp_path):
    out = tmp_path / "written.txt"
    bad = _tamper(saved, tmp_path / "bad.pt", _set_params(
        criterion={"__callable__": "numpy.savetxt"}, criterion__fname=str(out)))
    with pytest.raises(ModelFileError, match="numpy.savetxt"):
        LightCNNClassifier.load(bad)
    bad = _tamper(saved, tmp_path / "bad2.pt", _set_params(
        criterion={"__callable__": "numpy.savetxt"}, criterion__fname=str(out),
        criterion__X=[1.0, 2.0]))
    with pytest.raises(ModelFileError, match="criterion__X"):
        LightCNNClassifier.load(bad)
    assert not out.exists()


def test_estimator_class_and_nested_estimator_payloads_are_refused(saved, saved_dcrnn, tmp_path):
    marker = tmp_path / "pwned"
    bad = _tamper(saved, tmp_path / "cls.pt",
                  lambda cfg: cfg.__setitem__("estimator", "subprocess.Popen"))
    with pytest.raises(ModelFileError, match="subprocess.Popen"):
        BaseNetClassifier.load(bad)
    popen = {"__estimator__": "subprocess.Popen",
             "params": {"args": {"__tuple__": ["touch", str(marker)]}}}
    bad = _tamper(saved_dcrnn, tmp_path / "graph.pt", _set_params(graph=popen))
    for load in (DCRNNClassifier.load, BaseNetClassifier.load, load_estimator):
        with pytest.raises(ModelFileError, match="subprocess.Popen"):
            load(bad)
    assert not marker.exists()


def test_pickled_code_is_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    bad = tmp_path / "evil.pt"
    with open(bad, "wb") as fh:
        pickle.dump({"format": "skseizure.estimator", "x": Evil()}, fh)
    torch_bad = tmp_path / "evil_torch.pt"
    torch.save({"format": "skseizure.estimator", "x": Evil()}, torch_bad)
    for path in (bad, torch_bad):
        with pytest.raises(ModelFileError, match="not a readable"):
            LightCNNClassifier.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("key", ["predict_proba", "fit", "classes_", "module_", "_foo_",
                                 "occlusion_fill_value_", "not_declared_"])
def test_fitted_keys_are_limited_to_declared_attributes(saved, fitted, tmp_path, helsinki_small,
                                                        key):
    method = LightCNNClassifier.__dict__.get("predict_proba",
                                             BaseNetClassifier.__dict__["predict_proba"])
    bad = _tamper(saved, tmp_path / "bad.pt",
                  lambda cfg: cfg["fitted"].__setitem__(key, "hijacked"))
    with pytest.raises(ModelFileError, match="does not declare"):
        BaseNetClassifier.load(bad)
    assert BaseNetClassifier.__dict__["predict_proba"] is method or \
        LightCNNClassifier.__dict__.get("predict_proba") is method
    X = helsinki_small[0][:4]
    np.testing.assert_array_equal(LightCNNClassifier.load(saved).predict_proba(X),
                                  fitted.predict_proba(X))


def test_trusted_names_extend_the_registry(helsinki_small, tmp_path):
    X, y, g, _ = helsinki_small
    est = LightCNNClassifier(module__n_filters=(4, 4, 4), max_epochs=1, valid_size=None,
                             lr_patience=None, criterion=MarkerLoss, random_state=0).fit(X, y)
    path = est.save(tmp_path / "custom.pt")
    name = f"{__name__}.MarkerLoss"
    with pytest.raises(ModelFileError, match="MarkerLoss"):
        LightCNNClassifier.load(path)
    loaded = LightCNNClassifier.load(path, trusted=[name])
    assert loaded.criterion is MarkerLoss
    np.testing.assert_array_equal(loaded.predict_proba(X[:5]), est.predict_proba(X[:5]))
    with pytest.raises(ValueError, match="not an importable class"):
        LightCNNClassifier.load(path, trusted=["numpy.savetxt"])
    with pytest.raises(TypeError, match="list of names"):
        LightCNNClassifier.load(path, trusted=name)


def test_registry_is_exact_names():
    names = persistable_names()
    assert "torch.optim.adam.Adam" in names
    assert "skseizure.estimators.losses.FocalLoss" in names
    assert "skseizure.preprocessing.graphs.DistanceGraph" in names
    assert "skseizure.estimators.light_cnn.LightCNNClassifier" in names
    assert not any(n.startswith(("os.", "subprocess.", "numpy.", "builtins.")) for n in names)
    assert all(isinstance(obj, type) for obj in names.values())


# ---------------------------------------------------------------- integrity
def test_nan_in_a_weight_is_a_clear_error(saved, tmp_path):
    def poison(data):
        key = next(k for k, t in data["state_dict"].items() if t.is_floating_point())
        data["state_dict"][key].view(-1)[0] = float("nan")

    bad = _tamper(saved, tmp_path / "nan.pt", payload=poison)
    with pytest.raises(ModelFileError, match="NaN or infinite") as info:
        LightCNNClassifier.load(bad)
    assert str(bad) in str(info.value)


def test_modified_weight_fails_the_checksum(saved, tmp_path):
    def nudge(data):
        key = next(k for k, t in data["state_dict"].items() if t.is_floating_point())
        data["state_dict"][key].view(-1)[0] += 1e-3

    bad = _tamper(saved, tmp_path / "nudged.pt", payload=nudge, rehash=False)
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        LightCNNClassifier.load(bad)


def test_flipped_byte_never_changes_the_model_silently(saved, fitted, tmp_path, helsinki_small):
    """Flip bytes across the file: a clear error, or (zip padding) the very same model."""
    X = helsinki_small[0][:8]
    expected = fitted.predict_proba(X)
    raw = Path(saved).read_bytes()
    data = torch.load(saved, weights_only=True)
    weight = next(t for t in data["state_dict"].values() if t.numel() >= 4)
    targets = [raw.index(weight.numpy().tobytes()) + 1, raw.index(b'"estimator"') + 3]
    targets += list(range(0, len(raw), max(1, len(raw) // 60)))
    outcome = {"error": 0, "identical": 0}
    for i, pos in enumerate(targets):
        bad = tmp_path / f"flip{pos}.pt"
        flipped = bytearray(raw)
        flipped[pos] ^= 0xFF
        bad.write_bytes(bytes(flipped))
        try:
            loaded = LightCNNClassifier.load(bad)
        except ModelFileError as exc:
            assert str(bad) in str(exc)
            outcome["error"] += 1
            continue
        assert i >= 2, "a flipped weight/config byte was not detected"
        np.testing.assert_array_equal(loaded.predict_proba(X), expected)
        outcome["identical"] += 1
    assert outcome["error"] >= 2 and sum(outcome.values()) == len(targets)


@pytest.mark.parametrize("case", [
    "format_version_1", "format_version_3", "newer_package", "no_package_version", "extra_key",
    "state_dict_not_tensors", "config_not_json", "config_missing_key", "missing_array",
    "object_dtype", "unknown_tag", "bad_param_name", "torch_load_kwargs", "param_mismatch",
    "wrong_shape_weights", "history_not_list",
])
def test_malformed_files_are_clear_errors(saved, tmp_path, case):
    mutations = {
        "format_version_1": dict(payload=lambda d: d.__setitem__("format_version", 1)),
        "format_version_3": dict(payload=lambda d: d.__setitem__("format_version", 3)),
        "newer_package": dict(config=lambda c: c["versions"].__setitem__("skseizure", "9.9.0")),
        "no_package_version": dict(config=lambda c: c.__setitem__("versions", {})),
        "extra_key": dict(payload=lambda d: d.__setitem__("code", "print(1)")),
        "state_dict_not_tensors": dict(payload=lambda d: d.__setitem__("state_dict", {"w": 1}),
                                       rehash=False),
        "config_not_json": dict(payload=lambda d: d.__setitem__("config", "{not json")),
        "config_missing_key": dict(config=lambda c: c.pop("history")),
        "missing_array": dict(config=_set_params(lr={"__array__": "nope", "dtype": "<f4"})),
        "object_dtype": dict(config=_set_params(lr={"__array__": "a0", "dtype": "|O"})),
        "unknown_tag": dict(config=_set_params(lr={"__reduce__": "os.system"})),
        "bad_param_name": dict(config=_set_params(__class__=1)),
        "torch_load_kwargs": dict(config=_set_params(torch_load_kwargs={
            "__dict__": {"weights_only": False}})),
        "param_mismatch": dict(config=_set_params(no_such_param=1)),
        "wrong_shape_weights": dict(config=_set_params(module__n_filters={"__tuple__": [8, 4, 4]})),
        "history_not_list": dict(config=lambda c: c.__setitem__("history", {"__dict__": {}})),
    }
    bad = _tamper(saved, tmp_path / f"{case}.pt", **mutations[case])
    with pytest.raises(ModelFileError) as info:
        LightCNNClassifier.load(bad)
    assert str(bad) in str(info.value)
    if case.startswith("format_version"):
        assert f"version {FORMAT_VERSION}" in str(info.value)
    if case == "newer_package":
        assert "9.9.0" in str(info.value)


def test_deeply_nested_config_is_a_clear_error(saved, tmp_path):
    def nest(data):
        cfg = json.loads(data["config"])
        cfg["params"]["lr"] = 0
        deep = "[" * 200_000 + "]" * 200_000
        data["config"] = json.dumps(cfg).replace('"lr": 0', '"lr": ' + deep)

    bad = _tamper(saved, tmp_path / "deep.pt", payload=nest)
    with pytest.raises(ModelFileError, match="JSON|malformed"):
        LightCNNClassifier.load(bad)


@pytest.mark.parametrize("state, match", [
    ({"pruning_steps_": [], "pruning_input_shape_": {"__tuple__": [10**6, 10**6]}},
     "implausibly large"),
    ({"pruning_steps_": [["conv", ["x"]]], "pruning_input_shape_": [4, 64]}, "pruning_steps_"),
    ({"pruning_steps_": [], "pruning_input_shape_": [4, 64], "predict_proba": 1},
     "undeclared pruning attributes"),
], ids=["huge-shape", "bad-steps", "extra-attribute"])
def test_forged_pruning_records_are_refused(saved, tmp_path, state, match):
    bad = _tamper(saved, tmp_path / "pruned.pt",
                  lambda cfg: cfg["extensions"].__setitem__("pruning", state))
    with pytest.raises(ModelFileError, match=match):
        load_pruned(bad)
    with pytest.raises(ModelFileError, match="load_pruned"):
        BaseNetClassifier.load(bad)  # extension state needs its own loader
    unknown = _tamper(saved, tmp_path / "unknown.pt",
                      lambda cfg: cfg["extensions"].__setitem__("quantised", {"scale_": 1}))
    with pytest.raises(ModelFileError, match="quantised"):
        load_pruned(unknown)


def test_not_a_model_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        LightCNNClassifier.load(tmp_path / "missing.pt")
    with pytest.raises(ModelFileError, match="not a file"):
        LightCNNClassifier.load(tmp_path)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00\x01 not a zip")
    with pytest.raises(ModelFileError, match="not a readable"):
        LightCNNClassifier.load(junk)
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(ModelFileError, match="not an skseizure estimator file"):
        LightCNNClassifier.load(other)


# ---------------------------------------------------------------- saving
def test_save_never_destroys_a_file(fitted, tmp_path):
    target = tmp_path / "m.pt"
    sibling = tmp_path / "m.pt.tmp"
    sibling.write_bytes(b"user data")
    fitted.save(target)
    assert sibling.read_bytes() == b"user data"
    before = target.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        fitted.save(target)
    assert target.read_bytes() == before
    fitted.save(target, overwrite=True)
    assert LightCNNClassifier.load(target).n_channels_in_ == fitted.n_channels_in_
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt", "m.pt.tmp"]


def test_save_onto_a_directory_or_missing_folder_leaves_nothing(fitted, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    for overwrite in (False, True):
        with pytest.raises(IsADirectoryError):
            fitted.save(folder, overwrite=overwrite)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        fitted.save(tmp_path / "nowhere" / "m.pt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]


def test_failed_save_leaves_no_temporary_file(fitted, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        fitted.save(tmp_path / "m.pt")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_non_finite_weights(fitted, tmp_path):
    import copy

    broken = copy.deepcopy(fitted)
    with torch.no_grad():
        next(broken.module_.parameters()).view(-1)[0] = float("inf")
    with pytest.raises(ValueError, match="NaN or infinite"):
        save_estimator(broken, tmp_path / "m.pt")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- layering
def _imports(path):
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            out.add(("." * node.level) + (node.module or ""))
            out.update(("." * node.level) + (node.module or "") + "." + a.name for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_persistence_layers_do_not_import_upwards():
    for name in ("persistence.py", "_persistence_format.py"):
        found = _imports(PACKAGE / "estimators" / name)
        assert not any("_base" in m or "pruning" in m or "dcrnn" in m for m in found), found
    text = (PACKAGE / "estimators" / "persistence.py").read_text()
    assert "pruning_" not in text  # the estimator level knows nothing of pruning
    found = _imports(PACKAGE / "pruning" / "_persistence.py")
    assert not any("structured" in m for m in found), found
