"""The inside view's cost, side by side: recompute + redraw per drawing for the sample small CNN, and
training throughput with the view open and fed drawing updates vs with it closed.

Goals: recompute + redraw p95 < 30 ms; throughput with the view open >= 0.95x the view closed.

Both training runs feed the drawing pad the same stream of digits (30 a second) while it reads the
network being trained from its snapshots, as in the app; only the view's being shown differs. The
trainer runs on a plain thread with the training panel's thread count, as its worker does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from dataclasses import replace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NN_PLAYGROUND_DATA", tempfile.mkdtemp(prefix="nn-playground-bench-"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.core.inspect import look_inside  # noqa: E402
from playground.core.metrics import EpochRecord  # noqa: E402
from playground.core.presets import preset  # noqa: E402
from playground.core.training import TrainConfig, Trainer  # noqa: E402
from playground.data.dataset import Dataset  # noqa: E402
from playground.data.registry import load_dataset  # noqa: E402
from playground.gui.background import (
    gui_torch_threads,  # noqa: E402
    one_torch_thread,  # noqa: E402
)
from playground.gui.draw.panel import DrawPanel  # noqa: E402
from playground.gui.inspect.inside import InsideView  # noqa: E402

REDRAW_GOAL_MS = 30.0
THROUGHPUT_GOAL = 0.95
FEED_MS = 33


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Median and p95 of a list of milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def digits(dataset: Dataset, count: int) -> list[np.ndarray]:
    """The first ``count`` test digits in [0, 1]."""
    return [image.astype(np.float32) / 255.0 for image in dataset.test_x[:count, 0]]


def redraw(app: QApplication, panel: DrawPanel, view: InsideView, images: list[np.ndarray]) -> None:
    """ms of one recompute + a synchronous repaint of the view, per new digit on the pad.

    Wall time counts the waits for a core on a busy machine; the GUI thread's CPU time does not.
    """
    view.throttle_ms = 10**6  # the pad's signals only arm the timer; each refresh is called here
    times, cpu, inference = [], [], []
    answering = panel.answering_model()
    for round_ in range(2):  # the first round warms torch and Qt up
        times.clear()
        cpu.clear()
        for image in images:
            panel.show_example(image)
            app.processEvents()
            start, start_cpu = time.perf_counter(), time.thread_time()
            view.refresh()
            view.repaint()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            if round_:
                start = time.perf_counter()
                with one_torch_thread():
                    look_inside(answering.model, answering.spec, panel.input_image(), answering.mean,
                                answering.std)
                inference.append((time.perf_counter() - start) * 1000)
    p50, p95 = percentiles(times)
    c50, c95 = percentiles(cpu)
    print(f"recompute + redraw, sample small CNN, view {view.width()}x{view.height()}, {len(times)} digits:")
    print(f"  wall time:            median {p50:.2f} ms, p95 {p95:.2f} ms; "
          f"goal p95 < {REDRAW_GOAL_MS:g} ms: ratio {REDRAW_GOAL_MS / p95:.1f}")
    print(f"  GUI thread CPU time:  median {c50:.2f} ms, p95 {c95:.2f} ms; ratio {REDRAW_GOAL_MS / c95:.1f}")
    print(f"  of which look_inside (forward + saliency + views) median {statistics.median(inference):.2f} ms")


def train_once(app: QApplication, panel: DrawPanel, data: Dataset,
               images: list[np.ndarray]) -> tuple[float, float]:
    """Samples/s of one epoch of the small CNN while the pad gets a new digit every FEED_MS; seconds."""
    spec = preset("small-cnn")
    trainer = Trainer(spec, data, TrainConfig(epochs=1, batch_size=64, device="cpu", seed=0))
    panel.set_live_model(spec, data.facts, trainer.snapshot)
    epochs: list[EpochRecord] = []

    def consume() -> None:
        torch.set_num_threads(gui_torch_threads())
        epochs.extend(r for r in trainer.run() if isinstance(r, EpochRecord))

    thread = threading.Thread(target=consume)
    started = time.perf_counter()
    loop, feed, watch = QEventLoop(), QTimer(), QTimer()
    shown = iter(range(10**9))
    feed.timeout.connect(lambda: panel.show_example(images[next(shown) % len(images)]))
    watch.timeout.connect(lambda: thread.is_alive() or loop.quit())
    feed.start(FEED_MS)
    watch.start(20)
    thread.start()
    loop.exec()
    feed.stop()
    watch.stop()
    thread.join()
    return epochs[0].samples_per_second, time.perf_counter() - started


def throughput(app: QApplication, panel: DrawPanel, view: InsideView, rounds: int, images: list[np.ndarray],
               data: Dataset) -> None:
    """Epochs with the view shown and hidden in ABBA order; medians, spreads and their ratio."""
    view.throttle_ms = 50
    refreshes: list[None] = []
    view.refreshed.connect(lambda: refreshes.append(None))
    train_once(app, panel, data, images)  # warm-up
    runs: dict[bool, list[float]] = {True: [], False: []}
    shown_seconds = 0.0
    for round_ in range(rounds):
        for shown in ((False, True) if round_ % 2 == 0 else (True, False)):
            view.setVisible(shown)
            app.processEvents()
            before = len(refreshes)
            samples_per_second, seconds = train_once(app, panel, data, images)
            runs[shown].append(samples_per_second)
            if shown:
                shown_seconds += seconds
                if len(refreshes) == before:
                    raise RuntimeError("the view did not redraw while shown")
    closed, opened = statistics.median(runs[False]), statistics.median(runs[True])
    print(f"training the small CNN, {len(data.train_y):,} images, batch 64, "
          f"{gui_torch_threads()} training thread(s); the pad gets a digit every {FEED_MS} ms")
    print(f"throughput  view closed {closed:8,.0f} samples/s   view open {opened:8,.0f} samples/s   "
          f"ratio {opened / closed:.3f}x (goal >= {THROUGHPUT_GOAL:g}x; medians of {rounds} runs each, "
          f"ABBA order)")
    print(f"  spread: closed {min(runs[False]):,.0f}-{max(runs[False]):,.0f}, open "
          f"{min(runs[True]):,.0f}-{max(runs[True]):,.0f} samples/s; the open view redrew "
          f"{len(refreshes) / shown_seconds:.1f} times a second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--train-images", type=int, default=2048)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"torch threads: {torch.get_num_threads()}, CPUs: {os.cpu_count()}, load average: {load}")
    data = load_dataset("mnist-sample")
    images = digits(data, 200)
    panel = DrawPanel()
    panel.resize(400, 700)
    panel.show()
    view = InsideView(panel)
    view.resize(460, 900)
    view.show()
    app.processEvents()
    redraw(app, panel, view, images)
    cut = replace(data, train_x=data.train_x[:args.train_images], train_y=data.train_y[:args.train_images],
                  test_x=data.test_x[:256], test_y=data.test_y[:256])
    throughput(app, panel, view, args.rounds, images, cut)
    view.close()
    panel.close()


if __name__ == "__main__":
    main()
