"""The sequence tasks as sources: ``seq:sine``, ``seq:recall`` and ``seq:adding``, generated and seeded so
every user has them offline. The input is a ``(steps, features)`` sequence; ``length`` is T (the steps a
sample holds: the sequence of recall and adding, the window of past values of sine)."""

from __future__ import annotations

import threading

from playground.data.dataset import (
    CLASSIFICATION,
    REGRESSION,
    DataRef,
    Dataset,
    DatasetInfo,
    OptionDef,
    make_dataset,
)
from playground.data.download import Progress
from playground.errors import DatasetError

PREFIX = "seq:"
TEST_FRACTION = 0.2
"""The last fifth of the samples test (for sine: the future of the series)."""
LENGTHS = (5, 200)
"""T of recall and adding (the sine window takes 2 to 200)."""
MAX_BYTES = 512 * 2**20
"""The largest sequences a task makes (float32, all splits): within the options' ranges seq:recall could
otherwise ask for 1.4 GB (100,000 sequences of 200 steps of 17 features), from a project file too."""
TOKEN_NAMES = tuple("ABCDEFGHIJKLMNOP")
"""seq:recall's token kinds, 2 to 16 of them."""


def _length(default: int, low: int, what: str) -> OptionDef:
    return OptionDef("length", int, default, low, LENGTHS[1], what)


def _samples(default: int) -> OptionDef:
    return OptionDef("samples", int, default, 50, 100_000,
                     f"How many sequences to generate ({TEST_FRACTION:.0%} of them test).")


_SEED = OptionDef("seed", int, 0, 0, 2**31 - 1, "Seeds the sequences: the same seed, the same data.")

OPTIONS: dict[str, tuple[OptionDef, ...]] = {
    "sine": (_length(20, 2, "Past values the network sees to predict the next one (the window)."),
             _samples(2000),
             OptionDef("noise", float, 0.05, 0.0, 1.0, "Standard deviation of the noise added to the "
                       "sines (their sum swings about +-1)."),
             _SEED),
    "recall": (_length(50, LENGTHS[0], "Steps T: the first token must be recalled after T steps, 5 to 200."),
               _samples(2500),
               OptionDef("classes", int, 16, 2, 16, "Kinds of token (chance is one in this many)."),
               _SEED),
    "adding": (_length(50, LENGTHS[0], "Steps T of (value, marker) pairs, 5 to 200."),
               _samples(2000), _SEED),
}
NAMES = {"sine": "Noisy sines (sequence)", "recall": "Recall the first token (sequence)",
         "adding": "Adding problem (sequence)"}
DESCRIPTIONS = {
    "sine": "Predict the next value of a noisy sum of three sines from a window of past values "
            "(regression; the test set is the series' future).",
    "recall": "Name the first token of a sequence after reading tokens of the same kinds to its end: "
              "memory over time. A plain RNN fails as T grows; an LSTM or GRU does not.",
    "adding": "Add the two marked numbers of a long sequence of (value, marker) pairs (regression; "
              "guessing 1 gives an RMSE of 0.41).",
}
FEATURES = {"sine": lambda o: 1, "recall": lambda o: int(o["classes"]) + 1, "adding": lambda o: 2}


def _options(ref: DataRef) -> dict:
    name = ref.id[len(PREFIX):]
    values = {option.name: option.default for option in OPTIONS[name]}
    values.update(ref.values())
    return values


class SequenceSource:
    """One sequence task with its options; the sequences are made when loaded (well under a second)."""

    def __init__(self, ref: DataRef) -> None:
        self.ref = ref
        self.task = ref.id[len(PREFIX):]

    def info(self) -> DatasetInfo:
        options = _options(self.ref)
        shape = (int(options["length"]), FEATURES[self.task](options))
        if self.task == "recall":
            return DatasetInfo(self.ref, NAMES[self.task], DESCRIPTIONS[self.task], shape,
                               TOKEN_NAMES[:int(options["classes"])], CLASSIFICATION)
        return DatasetInfo(self.ref, NAMES[self.task], DESCRIPTIONS[self.task], shape, (), REGRESSION)

    def load(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> Dataset:
        from playground.data import sequences

        o = _options(self.ref)
        length, samples, seed = int(o["length"]), int(o["samples"]), int(o["seed"])
        size = samples * length * FEATURES[self.task](o) * 4
        if size > MAX_BYTES:
            raise DatasetError(f"{self.ref.id}: {samples:,} sequences of {length} steps would take "
                               f"{size / 2**20:,.0f} MiB, more than the {MAX_BYTES // 2**20} MiB a task "
                               "may use",
                               "use fewer samples or shorter sequences")
        if self.task == "sine":
            made = sequences.sine(samples, length, float(o["noise"]), seed)
        elif self.task == "recall":
            made = sequences.recall(samples, length, int(o["classes"]), seed)
        else:
            made = sequences.adding(samples, length, seed)
        train, test = sequences.split_sequences(made, TEST_FRACTION)
        name, about = NAMES[self.task], DESCRIPTIONS[self.task]
        if self.task == "recall":
            return make_dataset(self.ref, name, (train.x, train.y), (test.x, test.y),
                                class_names=TOKEN_NAMES[:int(o["classes"])], description=about)
        target = "next value" if self.task == "sine" else "sum"
        return make_dataset(self.ref, name, (train.x, train.y), (test.x, test.y), task=REGRESSION,
                            target_names=(target,), description=about)


def ids() -> tuple[str, ...]:
    """Every sequence task's id."""
    return tuple(PREFIX + name for name in OPTIONS)
