"""The dataset catalogue: the bundled sample, missing downloads, IDX folders, a full download."""

from pathlib import Path

import numpy as np
import pytest

from playground.data import sources
from playground.data.dataset import Dataset
from playground.data.drawings import add_drawing
from playground.data.registry import list_datasets, load_dataset
from playground.errors import DatasetError
from tests.data.conftest import Mirrors, remote_files, tiny_arrays, write_dataset


def assert_read_only(dataset: Dataset) -> None:
    """uint8 images with their channel axis, int64 labels, none of them writable."""
    assert dataset.train_x.dtype == dataset.test_x.dtype == np.uint8
    assert dataset.train_x.ndim == dataset.test_x.ndim == 4 and dataset.train_x.shape[1] == 1
    assert dataset.train_y.dtype == dataset.test_y.dtype == np.int64
    for array in (dataset.train_x, dataset.train_y, dataset.test_x, dataset.test_y):
        assert not array.flags.writeable


def test_bundled_sample_loads() -> None:
    data = load_dataset("mnist-sample")
    assert data.train_x.shape == (4000, 1, 28, 28)
    assert data.test_x.shape == (1000, 1, 28, 28)
    assert data.train_y.shape == (4000,) and data.test_y.shape == (1000,)
    assert data.num_classes == 10 and data.class_names == tuple("0123456789")
    assert data.input_shape == (1, 28, 28) and data.task == "classification" and data.outputs == 10
    assert np.bincount(data.train_y).tolist() == [400] * 10
    assert np.bincount(data.test_y).tolist() == [100] * 10
    assert data.mean[0] == pytest.approx(0.13, abs=0.01)
    assert data.std[0] == pytest.approx(0.31, abs=0.01)
    expected = data.train_x.astype(np.float64) / 255
    assert data.mean == (round(expected.mean(), 4),) and data.std == (round(expected.std(), 4),)
    assert_read_only(data)
    with pytest.raises(ValueError):
        data.train_x[0, 0, 0, 0] = 1
    assert load_dataset("mnist-sample") is data


def test_list_datasets(cache: Path) -> None:
    infos = {info.ref.id: info for info in list_datasets()}
    assert list(infos)[:7] == ["mnist-sample", "mnist", "fashion-mnist", "my-drawings", "seq:sine",
                               "seq:recall", "seq:adding"]
    assert list(infos)[7:] == ["toy:circle", "toy:xor", "toy:gauss", "toy:spiral", "toy:spiral3", "toy:plane",
                               "toy:multigauss"]
    sample, mnist = infos["mnist-sample"], infos["mnist"]
    assert sample.available and not sample.needs_download
    assert sample.location is not None and Path(sample.location, "PROVENANCE.md").is_file()
    assert not mnist.available and mnist.needs_download and mnist.location is None
    assert infos["fashion-mnist"].class_names[0] == "T-shirt/top"
    assert all(info.input_shape == (1, 28, 28) for key, info in infos.items() if ":" not in key)
    assert infos["toy:spiral"].name == "Spiral (2-D)" and infos["toy:spiral"].input_shape == (2,)
    assert infos["seq:recall"].input_shape == (50, 17) and infos["seq:sine"].input_shape == (20, 1)


def test_fashion_listed_for_download_without_system_copy(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "SYSTEM_FASHION", tmp_path / "absent")
    fashion = next(info for info in list_datasets() if info.ref.id == "fashion-mnist")
    assert not fashion.available and fashion.needs_download
    with pytest.raises(DatasetError, match="Fashion-MNIST is not downloaded"):
        load_dataset("fashion-mnist")


def test_unknown_id() -> None:
    with pytest.raises(DatasetError, match="unknown dataset 'cifar'") as caught:
        load_dataset("cifar")
    assert "mnist-sample, mnist, fashion-mnist, idx:DIR, my-drawings" in caught.value.hint


def test_mnist_not_downloaded(cache: Path) -> None:
    with pytest.raises(DatasetError, match="MNIST is not downloaded") as caught:
        load_dataset("mnist")
    assert "nn-playground download mnist" in caught.value.hint
    assert "mnist-sample" in caught.value.hint
    assert not cache.exists()


def test_idx_folder(tmp_path: Path) -> None:
    write_dataset(tmp_path / "mine", tiny_arrays(train=30, test=12, classes=5))
    data = load_dataset(f"idx:{tmp_path / 'mine'}")
    assert data.class_names == ("0", "1", "2", "3", "4") and data.num_classes == 5
    assert data.train_x.shape == (30, 1, 28, 28) and data.test_x.shape == (12, 1, 28, 28)
    assert str(tmp_path / "mine") in data.name
    assert_read_only(data)


def test_idx_folder_single_class_still_two(tmp_path: Path) -> None:
    write_dataset(tmp_path / "one", tiny_arrays(train=4, test=2, classes=1))
    assert load_dataset(f"idx:{tmp_path / 'one'}").class_names == ("0", "1")


def test_idx_folder_rereads_changed_files(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    write_dataset(folder, tiny_arrays(train=10, test=5, classes=3))
    first = load_dataset(f"idx:{folder}")
    write_dataset(folder, tiny_arrays(train=12, test=5, classes=3, seed=1))
    assert len(load_dataset(f"idx:{folder}").train_x) == 12 != len(first.train_x)


def test_idx_folder_missing_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such folder"):
        load_dataset(f"idx:{tmp_path / 'nowhere'}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="missing train_images"):
        load_dataset(f"idx:{tmp_path / 'empty'}")


def test_download_then_load_mnist(
    cache: Path, mirrors: Mirrors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_dataset(tmp_path / "upstream", tiny_arrays(train=20, test=10))
    files, bodies = remote_files(tmp_path / "upstream")
    mirrors.serve("a", bodies, "403")
    mirrors.serve("b", bodies)
    monkeypatch.setitem(sources.FILES, "mnist", files)
    monkeypatch.setitem(sources.MIRRORS, "mnist", (mirrors.mirror("a"), mirrors.mirror("b")))
    calls: list[tuple[int, int]] = []
    data = load_dataset("mnist", download=True, progress=lambda *c: calls.append(c))
    assert data.name == "MNIST" and data.num_classes == 10
    assert data.train_x.shape == (20, 1, 28, 28) and data.test_x.shape == (10, 1, 28, 28)
    assert calls[-1] == (sum(f.size for f in files),) * 2
    assert sorted(p.name for p in (cache / "mnist").iterdir()) == sorted(bodies)
    mnist = next(info for info in list_datasets() if info.ref.id == "mnist")
    assert mnist.available and not mnist.needs_download
    assert mnist.location == str(cache / "mnist")
    assert load_dataset("mnist") is data


def test_download_dataset_refuses_bundled() -> None:
    with pytest.raises(DatasetError, match="cannot be downloaded"):
        sources.download_dataset("mnist-sample")


@pytest.mark.realdata
@pytest.mark.skipif(not sources.SYSTEM_FASHION.is_dir(), reason="no system Fashion-MNIST copy")
def test_system_fashion_mnist() -> None:
    data = load_dataset("fashion-mnist")
    assert data.train_x.shape == (60000, 1, 28, 28) and data.test_x.shape == (10000, 1, 28, 28)
    assert data.class_names == sources.FASHION_CLASSES and data.class_names[9] == "Ankle boot"
    assert np.bincount(data.train_y).tolist() == [6000] * 10
    assert data.mean[0] == pytest.approx(0.286, abs=0.01)
    assert_read_only(data)


def test_my_drawings_are_listed_and_become_loadable_with_five_of_a_digit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(tmp_path / "data"))
    mine = next(info for info in list_datasets() if info.ref.id == "my-drawings")
    assert not mine.available and not mine.needs_download and "5" in mine.unavailable
    image = np.zeros((28, 28), dtype=np.uint8)
    image[8:20, 12:16] = 255
    for _ in range(5):
        add_drawing(image, 1)
    mine = next(info for info in list_datasets() if info.ref.id == "my-drawings")
    assert mine.available and mine.unavailable == "" and mine.location is not None
    data = load_dataset("my-drawings")
    assert (len(data.train_y), len(data.test_y), data.num_classes) == (4, 1, 10)
