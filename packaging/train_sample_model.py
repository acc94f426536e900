"""Train the shipped sample model: the small CNN on the bundled MNIST sample, with augmentation."""

from __future__ import annotations

import argparse
import hashlib
import platform
import sys
import time
from pathlib import Path

import torch

from playground.core.metrics import EpochRecord, RunState, StateRecord
from playground.core.presets import preset
from playground.core.project import load_model, save_model
from playground.core.training import TrainConfig, Trainer
from playground.data.registry import load_dataset

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "playground" / "resources" / "models"  # the source tree, not an install
MODEL_FILE = "sample-cnn.safetensors"
PRESET = "small-cnn"
DATASET = "mnist-sample"
CONFIG = TrainConfig(optimizer="adam", learning_rate=2e-3, batch_size=64, epochs=20, seed=20260101,
                     augment=True, schedule="cosine", device="cpu")
COMMAND = "python packaging/train_sample_model.py"


def train(config: TrainConfig, out: Path) -> tuple[Path, float]:
    """Train, save the model into ``out`` and return its path and final test accuracy."""
    spec = preset(PRESET)
    data = load_dataset(DATASET)
    trainer = Trainer(spec, data, config)
    accuracy = 0.0
    started = time.perf_counter()
    for record in trainer.run():
        if isinstance(record, EpochRecord):
            accuracy = record.test_accuracy
            print(f"epoch {record.epoch:2d}: train loss {record.train_loss:.4f}, "
                  f"test accuracy {accuracy:.4f}", flush=True)
        elif isinstance(record, StateRecord) and record.state in (RunState.DIVERGED, RunState.FAILED):
            sys.exit(f"training {record.state}: {record.message}")
    seconds = time.perf_counter() - started
    notes = {"preset": PRESET, "config": config.to_dict(), "test_accuracy": round(accuracy, 4),
             "torch": torch.__version__}
    out.mkdir(parents=True, exist_ok=True)
    path = out / MODEL_FILE
    save_model(path, spec, trainer.model.cpu(), data.facts, notes)
    path.chmod(0o644)
    write_readme(out, path, {**notes, "mean": data.mean[0], "std": data.std[0]})
    print(f"trained in {seconds:.0f} s")
    return path, accuracy


def weights_digest(path: Path) -> str:
    """sha256 over the model's tensors in name order: names, shapes, dtypes and bytes."""
    _, model, _ = load_model(path)
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype}".encode())
        digest.update(tensor.contiguous().numpy().tobytes())
    return digest.hexdigest()


def write_readme(out: Path, path: Path, facts: dict) -> None:
    """Write the provenance of the model file next to it."""
    digest = weights_digest(path)
    config = "\n".join(f"  - `{key}`: `{value!r}`" for key, value in facts["config"].items())
    text = f"""# The shipped sample model

`{path.name}` is the model the drawing pad uses before the user has trained anything.

- Network: the `{PRESET}` preset (two 3x3 convolutions with 16 and 32 filters, each followed by
  2x2 max pooling, then Linear 128 ReLU and Linear 10), built by `playground.core.builder`.
- Data: the bundled MNIST sample `{DATASET}` (4,000 training images; see
  `playground/resources/datasets/mnist-sample/PROVENANCE.md`), normalised with its mean {facts["mean"]} and
  std {facts["std"]}.
- Training: the app's own `playground.core.training.Trainer` with random shift, rotation and
  zoom augmentation (`augment=True`), on the CPU, with this
  `TrainConfig`:
{config}
- Test accuracy on the bundled 1,000-image test split: **{facts["test_accuracy"] * 100:.1f} %**.
- File: safetensors written by `playground.core.project.save_model`; the spec and these facts are
  in its header (it is read with `load_model`, which never unpickles).
- Weights digest (sha256 over the tensors in name order; `weights_digest` in the script):
  `{digest}`.
  The file's own hash varies: safetensors writes the header keys in no fixed order.
  Two runs with torch {facts["torch"]} on {platform.machine()} gave the same weights bit for bit;
  another torch version or CPU may differ slightly, which is why
  `tests/core/test_sample_model.py` checks the accuracy rather than the bytes.

Reproduce:

```
{COMMAND}
```
"""
    (out / "README.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line: train and save, optionally elsewhere or for fewer epochs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the model and README")
    parser.add_argument("--epochs", type=int, default=CONFIG.epochs)
    args = parser.parse_args(argv)
    config = TrainConfig.from_dict({**CONFIG.to_dict(), "epochs": args.epochs})
    path, accuracy = train(config, args.out)
    print(f"wrote {path} (test accuracy {accuracy * 100:.1f} %)")


if __name__ == "__main__":
    main()
