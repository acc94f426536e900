"""Peak memory of a 10-epoch ``nn-playground train`` on the bundled data, against the 1 GB goal.

Measured side by side with a bare ``import torch`` process, so the figure also shows what the
app adds on top of PyTorch itself.
"""

from __future__ import annotations

import resource
import subprocess
import sys

GOAL_MB = 1024


def peak_mb(argv: list[str]) -> float:
    """Run ``argv`` in a child and return its peak resident memory in MiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024  # Linux reports KiB


def main() -> None:
    baseline = peak_mb([sys.executable, "-c", "import torch; torch.zeros(1)"])
    train = peak_mb([sys.executable, "-m", "playground", "train", "--preset", "article-mlp",
                     "--epochs", "10", "--json"])
    print(f"import torch alone: {baseline:.0f} MiB peak")
    print(f"10-epoch train on mnist-sample: {train:.0f} MiB peak")
    print(f"goal / peak: {GOAL_MB / train:.2f}x (>= 1 means under the {GOAL_MB} MiB goal)")


if __name__ == "__main__":
    main()
