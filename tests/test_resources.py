"""Shipped files are found inside the package, also when it is imported from a zip; the metadata is whole."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from playground.resources import mnist_sample_dir, sample_model_path

ROOT = Path(__file__).resolve().parents[1]
FROM_ZIP = """
import sys
sys.path.insert(0, sys.argv[1])
from playground.resources import mnist_sample_dir, sample_model_path
from playground.data.registry import list_datasets, load_dataset
import playground
assert playground.__file__.startswith(sys.argv[1]), playground.__file__
sample = load_dataset("mnist-sample")
info = next(i for i in list_datasets() if i.ref.id == "mnist-sample")
print(info.available, sample.train_x.shape[0], sample.test_x.shape[0],
      sample_model_path().stat().st_size, mnist_sample_dir())
"""


def test_the_resources_are_inside_the_package() -> None:
    package = ROOT / "playground"
    assert mnist_sample_dir().is_relative_to(package) and sample_model_path().is_relative_to(package)
    assert {p.name for p in mnist_sample_dir().iterdir()} >= {"train-images-idx3-ubyte.gz", "PROVENANCE.md"}


def test_the_bundled_data_loads_when_the_package_is_a_zip(tmp_path: Path) -> None:
    archive = tmp_path / "playground.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (ROOT / "playground").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(ROOT).as_posix())
    result = subprocess.run([sys.executable, "-c", FROM_ZIP, str(archive)], capture_output=True, text=True,
                            timeout=120, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    available, train, test, model_bytes, folder = result.stdout.split()
    assert (available, train, test) == ("True", "4000", "1000") and int(model_bytes) > 100_000
    assert not Path(folder).exists()  # the copy taken out of the zip is removed at exit


def test_the_metadata_is_whole() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(project["urls"])
    assert project["authors"] and any(c.startswith("Topic ::") for c in project["classifiers"])
    assert not any(c.startswith("License ::") for c in project["classifiers"])  # SPDX says it
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog and f"## [{project['version']}]" in changelog
