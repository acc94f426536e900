"""The training panel's cost, side by side: GUI stalls while training, throughput with the panel attached
vs the headless engine, and redraw time and memory with 10^5 points on the loss plot.

Goals: the GUI thread never stalls more than 50 ms (10 ms QTimer probe); throughput with the panel
>= 0.9x the headless engine; redraw < 16 ms and memory flat with 10^5 batch points.

The headless engine also runs on a background thread, as the panel's worker does: torch's OpenMP pool
behaves differently on the main thread (on a busy 2-core machine, several times slower), which would
measure threading rather than the panel.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
import tracemalloc

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.core.analysis import analyse  # noqa: E402
from playground.core.metrics import BatchRecord, EpochRecord  # noqa: E402
from playground.core.presets import preset  # noqa: E402
from playground.core.training import TrainConfig, Trainer  # noqa: E402
from playground.data.registry import load_dataset  # noqa: E402
from playground.gui.background import gui_torch_threads  # noqa: E402
from playground.gui.session import TrainingSession  # noqa: E402
from playground.gui.train.buffers import CurveStore  # noqa: E402
from playground.gui.train.panel import TrainingPanel  # noqa: E402
from playground.gui.train.plots import LivePlots  # noqa: E402
from playground.gui.train.worker import BatchChunk, RecordChunk  # noqa: E402

SIZE = (700, 700)


def headless_sps(dataset, spec, config: TrainConfig) -> float:
    """Samples per second of the bare engine on a background thread (training time only, as the panel)."""
    epochs: list[EpochRecord] = []

    def consume() -> None:
        epochs.extend(r for r in Trainer(spec, dataset, config).run() if isinstance(r, EpochRecord))

    thread = threading.Thread(target=consume)
    thread.start()
    thread.join()
    return sum(e.samples_per_second * e.seconds for e in epochs) / sum(e.seconds for e in epochs)


def panel_run(app: QApplication, panel: TrainingPanel, probe_ms: int = 0) -> tuple[float, list[float]]:
    """Train once with the panel shown; samples/s (same measure as headless) and probe lateness (ms)."""
    loop = QEventLoop()
    panel.session.run_finished.connect(loop.quit)
    late: list[float] = []
    timer, clock = QTimer(), QElapsedTimer()
    if probe_ms:
        def tick() -> None:
            late.append(max(clock.nsecsElapsed() / 1e6 - probe_ms, 0.0))
            clock.restart()
        timer.setInterval(probe_ms)
        timer.timeout.connect(tick)
        clock.start()
        timer.start()
    panel.start()
    loop.exec()
    timer.stop()
    panel.session.run_finished.disconnect(loop.quit)
    return panel.session.history.runs[-1].samples_per_second, late[1:]


def throughput(app: QApplication, rounds: int) -> None:
    """The article's MLP on the bundled sample, headless and with the panel, interleaved."""
    dataset, spec = load_dataset("mnist-sample"), preset("article-mlp")
    config = TrainConfig(epochs=2, batch_size=64, seed=0)
    session = TrainingSession(dataset, config)
    panel = TrainingPanel(session)
    session.setParent(panel)
    session.set_network(spec, analyse(spec, dataset.input_shape, dataset.outputs))
    panel.resize(*SIZE)
    panel.show()
    headless_sps(dataset, spec, config)  # warm-up
    panel_run(app, panel)
    bare, gui, late = [], [], []
    for _ in range(rounds):
        bare.append(headless_sps(dataset, spec, config))
        sps, lateness = panel_run(app, panel, probe_ms=10)
        gui.append(sps)
        late.extend(lateness)
    b, g = statistics.median(bare), statistics.median(gui)
    print(f"torch threads: headless {torch.get_num_threads()}, panel {gui_torch_threads()}; "
          f"article MLP, batch {config.batch_size}, "
          f"{config.epochs} epochs on {len(dataset.train_y):,} images")
    print(f"throughput  headless {b:10,.0f} samples/s   panel {g:10,.0f} samples/s   "
          f"ratio {g / b:.2f}x (goal >= 0.9x; medians of {rounds} interleaved runs)")
    late_ms = np.array(late)
    print(f"GUI stalls  10 ms probe while training: max {late_ms.max():.1f} ms, "
          f"p99 {np.percentile(late_ms, 99):.1f} ms, median {np.median(late_ms):.1f} ms over "
          f"{len(late_ms)} ticks (goal: max < 50 ms)")
    panel.close()


def synthetic_chunk(start: int, n: int, layers: int = 3) -> RecordChunk:
    """``n`` batch records from step ``start + 1``, as the worker would coalesce them."""
    rng = np.random.default_rng(start)
    norms, dead = (np.nan, 0.1, 0.01)[:layers], (np.nan, 0.2, np.nan)[:layers]
    records = [BatchRecord(s, 1 + s // 1000, s % 1000 + 1, 1000,
                           float(2 / (1 + s / 3000) + 0.1 * rng.random()), 0.5, 1e-3, 5000.0,
                           norms if s % 10 == 0 else None, dead if s % 10 == 0 else None)
               for s in range(start + 1, start + n + 1)]
    return RecordChunk(BatchChunk.from_records(records), (), ())


def feed(plots: LivePlots, chunk: RecordChunk) -> None:
    """What a run does with a chunk: its curves take it in, then the plots hear of it."""
    plots.store.add_batches(chunk.batches)
    plots.add_chunk(chunk)


def plot_load(app: QApplication, points: int) -> None:
    """Feed ``points`` batches to the plots in 30-batch chunks; time redraws; compare memory."""
    plots = LivePlots()
    plots.resize(460, 420)
    plots.show()
    store = CurveStore()
    store.reset(3)
    plots.start_run(store, {1: "Layer 2: Linear", 2: "Layer 3: Linear"}, {1: "Layer 2: Linear"}, epochs=1000)
    plots._timer.stop()
    app.processEvents()
    items = plots.item_count()
    untraced = plots.store.nbytes()  # allocated before tracing started
    tracemalloc.start()
    step, per_chunk = 0, 30
    marks: dict[int, int] = {}
    while step < points:
        feed(plots, synthetic_chunk(step, per_chunk))
        step += per_chunk
        plots.refresh()
        if step in (points // 10 // per_chunk * per_chunk, points // per_chunk * per_chunk):
            marks[step] = tracemalloc.get_traced_memory()[0] - (plots.store.nbytes() - untraced)
    tracemalloc.stop()
    times = []
    for _ in range(20):
        feed(plots, synthetic_chunk(step, 1))
        step += 1
        start = time.perf_counter()
        plots.refresh()
        plots.tabs.currentWidget().viewport().repaint()
        times.append((time.perf_counter() - start) * 1000)
    (n1, m1), (n2, m2) = sorted(marks.items())
    print(f"loss plot   {step:,} points: redraw median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms (goal < 16 ms)")
    print(f"memory      besides the curve buffers ({plots.store.nbytes() / 1e6:.1f} MB): {m1 / 1e6:.2f} MB "
          f"traced at {n1:,} points, {m2 / 1e6:.2f} MB at {n2:,} points; graphics items {items} before, "
          f"{plots.item_count()} after")
    plots.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--points", type=int, default=100_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    throughput(app, args.rounds)
    plot_load(app, args.points)


if __name__ == "__main__":
    main()
