"""Weights from .pt/.pth/.safetensors: weights-only unpickling, caps, and a report of what matched."""

import os
import zipfile

import pytest
import torch
from safetensors.torch import save_file

from playground.core.builder import build_model
from playground.core.presets import preset
from playground.core.spec import NetworkSpec, layer
from playground.core.weights import WeightsReport, load_weights, read_state_dict
from playground.errors import PlaygroundError
from tests.conftest import MNIST

SPEC = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=16), layer("Linear", units=10)))


class Planter:
    """Unpickling this would run code that creates a marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _model():
    return build_model(SPEC, MNIST, 10)


def test_a_state_dict_saved_with_torch_save_loads_back_with_identical_outputs(tmp_path):
    model = build_model(preset("lenet5"), MNIST, 10)
    torch.save(model.state_dict(), tmp_path / "lenet.pt")
    other = build_model(preset("lenet5"), MNIST, 10)
    report = load_weights(tmp_path / "lenet.pt", other)
    assert report.ok and len(report.loaded) == len(model.state_dict())
    x = torch.randn(4, 1, 28, 28)
    assert torch.equal(model.eval()(x), other.eval()(x))


@pytest.mark.parametrize("wrapper", ["state_dict", "model"])
def test_checkpoint_dicts_are_unwrapped(tmp_path, wrapper):
    model = _model()
    torch.save({wrapper: model.state_dict(), "epoch": 3}, tmp_path / "ckpt.pth")
    assert set(read_state_dict(tmp_path / "ckpt.pth")) == set(model.state_dict())


def test_safetensors_files_load(tmp_path):
    model = _model()
    save_file(model.state_dict(), tmp_path / "w.safetensors")
    other = _model()
    assert load_weights(tmp_path / "w.safetensors", other).ok
    name = "blocks.1.layer.weight"
    assert torch.equal(other.state_dict()[name], model.state_dict()[name])


def test_a_pickle_that_runs_code_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    torch.save({"weight": torch.zeros(2), "payload": Planter(str(marker))}, tmp_path / "evil.pt")
    with pytest.raises(PlaygroundError, match="evil.pt holds more than plain tensors") as info:
        read_state_dict(tmp_path / "evil.pt")
    assert "state_dict" in info.value.hint
    assert not marker.exists()


def test_non_tensor_values_are_refused(tmp_path):
    torch.save({"weight": torch.zeros(2), "note": "hello"}, tmp_path / "mixed.pt")
    with pytest.raises(PlaygroundError, match="'note' is a str, not a tensor"):
        read_state_dict(tmp_path / "mixed.pt")


def test_missing_extra_and_misshaped_keys_are_reported_by_name(tmp_path):
    state = dict(_model().state_dict())
    state.pop("blocks.2.layer.bias")
    state["blocks.1.layer.weight"] = torch.zeros(8, 784)
    state["head.weight"] = torch.zeros(3)
    torch.save(state, tmp_path / "odd.pt")
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(PlaygroundError) as info:
        load_weights(tmp_path / "odd.pt", model)
    text = info.value.message
    assert "blocks.2.layer.bias" in text and "head.weight" in text and "8x784" in text and "16x784" in text
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # strict: nothing loaded

    report = load_weights(tmp_path / "odd.pt", model, strict=False)
    assert report == WeightsReport(("blocks.1.layer.bias", "blocks.2.layer.weight"), ("blocks.2.layer.bias",),
                                   ("head.weight",), (("blocks.1.layer.weight", (8, 784), (16, 784)),))
    assert not report.ok
    assert torch.equal(model.state_dict()["blocks.2.layer.weight"], state["blocks.2.layer.weight"])
    assert torch.equal(model.state_dict()["blocks.2.layer.bias"], before["blocks.2.layer.bias"])


def test_report_text_reads_well():
    report = WeightsReport(("a",), ("b",), ("c", "d"), (("e", (2, 3), (3, 2)),))
    assert report.text().splitlines() == [
        "1 of 3 tensors of the network match the file.",
        "Missing from the file (1): b",
        "In the file but not in the network (2): c, d",
        "Different: e: shape 2x3 in the file, 3x2 in the network",
    ]


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_nan_weights_are_refused(tmp_path, suffix):
    state = {k: v.clone() for k, v in _model().state_dict().items()}
    state["blocks.1.layer.bias"][3] = float("nan")
    path = tmp_path / f"nan{suffix}"
    torch.save(state, path) if suffix == ".pt" else save_file(state, path)
    with pytest.raises(PlaygroundError, match="blocks.1.layer.bias contains NaN"):
        load_weights(path, _model())


def test_zip_entries_claiming_huge_sizes_are_refused_before_loading(tmp_path, monkeypatch):
    path = tmp_path / "big.pt"
    torch.save(_model().state_dict(), path)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")  # first central directory record: uncompressed size at +24
    data[central + 24 : central + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("torch.load was reached"))
    with pytest.raises(PlaygroundError, match="claims 4,294,967,280 bytes"):
        read_state_dict(path)


def test_unsafe_entry_names_in_a_pt_zip_are_refused(tmp_path):
    path = tmp_path / "sneaky.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", b"")
        zf.writestr("../../etc/evil", b"x")
    with pytest.raises(PlaygroundError, match="unsafe entry name"):
        read_state_dict(path)


def test_files_over_the_size_cap_are_refused(tmp_path, monkeypatch):
    import playground.core.weights as weights

    torch.save(_model().state_dict(), tmp_path / "w.pt")
    monkeypatch.setattr(weights, "MAX_WEIGHTS_FILE_BYTES", 1000)
    with pytest.raises(PlaygroundError, match="larger than"):
        read_state_dict(tmp_path / "w.pt")


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("legacy.pt", b"\x80\x02}q\x00.", "not a PyTorch zip file"),
    ("w.npz", b"", "unknown weights file type"),
    ("half.safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{", "header claims"),
])
def test_other_bad_files(tmp_path, name, content, problem):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(PlaygroundError, match=problem):
        read_state_dict(tmp_path / name)


def test_missing_file(tmp_path):
    with pytest.raises(PlaygroundError, match="cannot read"):
        read_state_dict(tmp_path / "none.pt")


def test_a_strict_mismatch_hint_names_no_option_that_does_not_exist(tmp_path):
    torch.save(build_model(preset("lenet5"), MNIST, 10).state_dict(), tmp_path / "lenet.pt")
    with pytest.raises(PlaygroundError) as info:
        load_weights(tmp_path / "lenet.pt", _model())
    assert "exact-match option" not in info.value.hint and "spec" in info.value.hint


def test_a_folder_named_like_weights_is_called_a_folder(tmp_path):
    (tmp_path / "x.pt").mkdir()
    with pytest.raises(PlaygroundError, match="it is a folder, not a weights file"):
        read_state_dict(tmp_path / "x.pt")


def test_an_unreadable_weights_file_says_permission_denied(tmp_path, monkeypatch):
    import builtins
    import errno

    path = tmp_path / "w.pt"
    torch.save(_model().state_dict(), path)
    denied = PermissionError(errno.EACCES, "Permission denied", str(path))

    def guard(original):
        def call(file, *args, **kwargs):
            if isinstance(file, str | os.PathLike) and os.fspath(file) == str(path):
                raise denied
            return original(file, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", guard(os.open))  # a file without read permission: stat works, open fails
    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    with pytest.raises(PlaygroundError, match="Permission denied") as info:
        read_state_dict(path)
    assert "zip" not in info.value.message


@pytest.mark.parametrize(("state", "problem"), [
    ({1: torch.zeros(2)}, "the key 1 is not a name"),
    ({"a": 3}, "the entry 'a' is an int, not a tensor"),
])
def test_entries_that_are_not_named_tensors_are_described_rightly(tmp_path, state, problem):
    torch.save(state, tmp_path / "odd.pt")
    with pytest.raises(PlaygroundError, match=problem):
        read_state_dict(tmp_path / "odd.pt")


def test_a_truncated_pickle_is_called_damaged(tmp_path):
    torch.save(_model().state_dict(), tmp_path / "w.pt")
    with zipfile.ZipFile(tmp_path / "w.pt") as zf:
        entries = {info.filename: zf.read(info) for info in zf.infolist()}
    pickle_name = next(name for name in entries if name.endswith("data.pkl"))
    for cut in (1, len(entries[pickle_name]) // 3, len(entries[pickle_name]) - 1):
        with zipfile.ZipFile(tmp_path / "cut.pt", "w") as zf:
            for name, data in entries.items():
                zf.writestr(name, data[:cut] if name == pickle_name else data)
        with pytest.raises(PlaygroundError, match="cut.pt is damaged") as info:
            read_state_dict(tmp_path / "cut.pt")
        assert "()" not in info.value.message and "more than plain tensors" not in info.value.message
