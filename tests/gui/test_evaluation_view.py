"""The Evaluation dock: confusion matrix after an epoch or on demand, cell gallery, send to the pad."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from playground.core.analysis import analyse
from playground.core.builder import build_model
from playground.core.metrics import EpochRecord
from playground.core.spec import NetworkSpec, layer
from playground.core.trained import Trained
from playground.core.training import TrainConfig
from playground.data.dataset import DataRef
from playground.gui.draw.panel import DrawPanel
from playground.gui.inspect.evaluation_dock import EvaluationPanel
from playground.gui.inspect.evaluator import EvaluationJob, EvaluationWorker
from playground.gui.session import TrainingSession
from playground.gui.train.panel import TrainingPanel
from tests.conftest import MNIST, cut

TIMEOUT_MS = 30_000  # generous: the machine may be busy


@pytest.fixture
def dataset(sample_dataset):
    """512 training images (a quick epoch) and the whole 1,000-image test split."""
    return cut(sample_dataset, 512, 1000)


@pytest.fixture
def panels(qtbot, dataset):
    """A training panel (Flatten + Linear, 1 epoch), a drawing pad and the evaluation panel, shown."""
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=10)))
    session = TrainingSession(dataset, TrainConfig(epochs=1, batch_size=64))
    training = TrainingPanel(session)
    session.setParent(training)
    session.set_network(spec, analyse(spec, dataset.input_shape, dataset.num_classes))
    drawing = DrawPanel()
    panel = EvaluationPanel(session, drawing)
    for widget, size in ((training, (700, 600)), (drawing, (400, 700)), (panel, (700, 900))):
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
    qtbot.waitExposed(panel)
    yield training, drawing, panel
    training.shutdown()
    panel.shutdown()


def direct_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """counts[true, predicted] the plain numpy way."""
    out = np.zeros((10, 10), np.int64)
    np.add.at(out, (labels, predicted), 1)
    return out


def predictions(model: torch.nn.Module, dataset) -> np.ndarray:
    """argmax of ``model`` on the test split, computed here without the app's code."""
    x = torch.tensor(dataset.test_x, dtype=torch.float32) / 255.0
    with torch.no_grad():
        return model.eval()((x - dataset.mean[0]) / dataset.std[0]).argmax(1).numpy()


def wait_idle(qtbot, panel: EvaluationPanel) -> None:
    """Until no evaluation thread runs."""
    qtbot.waitUntil(lambda: not panel.running, timeout=TIMEOUT_MS)


def test_sample_model_before_training(qtbot, panels, dataset) -> None:
    _training, drawing, panel = panels
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        qtbot.mouseClick(panel.evaluate_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel)
    ev = panel.result.evaluation
    expected = predictions(drawing.answering_model().model, dataset)
    assert panel.matrix.matrix().sum() == 1000
    assert np.array_equal(panel.matrix.matrix(), direct_matrix(dataset.test_y, expected))
    assert "Sample model" in panel.about.text() and "1,000 images" in panel.about.text()
    worst = ev.worst_cell()
    assert panel.matrix.selected() == worst
    assert panel.gallery.model.split_indexes() == ev.cell(*worst).tolist()
    assert panel.scores.rowCount() == 10
    assert panel.scores.values(2)[1] == f"{ev.recall()[1]:.1%}"
    assert panel.progress.isHidden() and not panel.cancel_button.isEnabled()
    n = int(ev.matrix[worst])
    row = int(panel.result.evaluation.matrix[worst[0]].sum())
    assert panel.matrix.describe(*worst) == (f"true {worst[0]}, predicted {worst[1]}: {n} images, "
                                             f"{n / row:.1%} of the {row:,} true {worst[0]}")


def test_after_a_real_epoch_matrix_gallery_and_drawing_pad(qtbot, panels, dataset) -> None:
    training, drawing, panel = panels
    trainers: list[object] = []
    training.session.run_started.connect(lambda run: trainers.append(run.trainer))
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        assert training.start()
    qtbot.waitUntil(lambda: not training.session.is_training, timeout=TIMEOUT_MS)
    wait_idle(qtbot, panel)
    trainer_model = build_model(trainers[0].spec, MNIST, 10)
    trainer_model.load_state_dict(trainers[0].snapshot()[1])
    expected = predictions(trainer_model, dataset)
    shown = panel.matrix.matrix()
    assert shown.sum() == 1000
    assert np.array_equal(shown, direct_matrix(dataset.test_y, expected))
    assert "after epoch 1" in panel.about.text()

    off = shown.copy()
    np.fill_diagonal(off, 0)
    off[panel.matrix.selected()] = 0  # a cell other than the pre-selected worst one
    true, predicted = np.unravel_index(int(off.argmax()), off.shape)
    assert shown[true, predicted] > 0
    qtbot.mouseClick(panel.matrix, Qt.MouseButton.LeftButton,
                     pos=panel.matrix.cell_rect(int(true), int(predicted)).center())
    assert panel.matrix.selected() == (true, predicted)
    listed = panel.gallery.model.split_indexes()
    members = np.flatnonzero((dataset.test_y == true) & (expected == predicted))
    assert sorted(listed) == members.tolist()
    assert f"{len(members)} images of {true} predicted as {predicted}" in panel.gallery.caption.text()

    assert drawing.input_image() is None
    with qtbot.waitSignal(panel.example_sent) as sent:
        qtbot.mouseClick(panel.gallery.send_button, Qt.MouseButton.LeftButton)
    assert sent.args == [listed[0]]
    seen = drawing.input_image()
    assert seen is not None
    example = dataset.test_x[listed[0], 0].astype(np.float32)
    assert np.corrcoef(seen.ravel(), example.ravel())[0, 1] > 0.5


def test_diverged_weights_give_a_message(qtbot, panels, dataset) -> None:
    training, _drawing, panel = panels
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=10)))
    fresh = build_model(spec, MNIST, 10)
    state = {k: torch.full_like(v, float("nan")) for k, v in fresh.state_dict().items()}
    trainer = SimpleNamespace(spec=spec, config=TrainConfig(), state="diverged", step=3,
                              snapshot=lambda: (5, state))
    panel._on_run_started(SimpleNamespace(trainer=trainer, dataset=dataset, serial=7))  # a run starts
    panel.evaluate()
    wait_idle(qtbot, panel)
    assert panel.banner.isVisibleTo(panel)
    assert "diverged" in panel.banner.text.text()
    assert panel.result is None


def test_hidden_panel_waits_and_an_edit_goes_back_to_the_sample(qtbot, panels, dataset) -> None:
    training, drawing, panel = panels
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=10)))
    torch.manual_seed(1)
    model = build_model(spec, MNIST, 10)
    trainer = SimpleNamespace(spec=spec, config=TrainConfig(), state="running", step=8,
                              snapshot=lambda: (2, model.state_dict()))
    panel._on_run_started(SimpleNamespace(trainer=trainer, dataset=dataset, serial=7))  # a run starts
    panel.hide()
    training.session.epoch_finished.emit(EpochRecord(2, 1.0, 0.5, 1.0, 0.5, 1.0, 100.0))
    assert not panel.running
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        panel.show()
    wait_idle(qtbot, panel)
    assert "Your network after epoch 2" in panel.about.text()
    assert np.array_equal(panel.result.evaluation.predicted, predictions(model, dataset))
    drawing.use_sample_model()  # what the window does when the network is edited after training
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        panel.evaluate()
    wait_idle(qtbot, panel)
    assert panel.about.text().startswith("Sample model")


def test_loaded_weights_are_evaluated_on_the_training_dataset(qtbot, panels, dataset) -> None:
    """After a project is opened (or weights are loaded) the pad answers with them; so does Evaluate."""
    training, drawing, panel = panels
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=10)))
    torch.manual_seed(3)
    model = build_model(spec, MNIST, 10)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    training.session.set_trained(Trained(spec, weights, dataset.ref))
    # what the window's wiring does with the project's weights
    drawing.set_live_model(spec, dataset.facts, lambda: (1, weights))
    assert drawing.answering_model().live
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        qtbot.mouseClick(panel.evaluate_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel)
    assert not panel.banner.isVisibleTo(panel)
    assert panel.about.text().startswith("Your network (loaded weights), test split of MNIST sample, "
                                         "1,000 images")
    assert np.array_equal(panel.result.evaluation.predicted, predictions(model, dataset))


def test_weights_that_do_not_fit_the_dataset_are_a_plain_message(qtbot, panels, dataset) -> None:
    training, _drawing, panel = panels
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=5)))
    training.session.set_trained(Trained(spec, build_model(spec, MNIST, 5).state_dict(), DataRef("other")))
    panel.evaluate()
    assert not panel.running and panel.result is None
    assert panel.banner.isVisibleTo(panel)
    assert "does not fit MNIST sample, whose images are 1×28×28 with 10 classes" in panel.banner.text.text()
    assert "Traceback" not in panel.banner.text.text()


def test_manual_evaluate_after_a_run_names_its_epoch(qtbot, panels, dataset) -> None:
    training, _drawing, panel = panels
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        assert training.start()
    qtbot.waitUntil(lambda: not training.session.is_training, timeout=TIMEOUT_MS)
    wait_idle(qtbot, panel)
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        panel.evaluate()
    wait_idle(qtbot, panel)
    assert panel.about.text().startswith("Your network after epoch 1, test split")
    kept = build_model(training.session.trained.spec, MNIST, 10)
    kept.load_state_dict(training.session.trained.weights)
    assert np.array_equal(panel.result.evaluation.predicted, predictions(kept, dataset))


def test_loading_weights_in_the_window_then_evaluate(qtbot, window) -> None:
    """The QA steps: weights loaded into the window (no run), Evaluation tab, Evaluate."""
    window.training.picker.select("mnist-sample")
    spec = window.model.spec
    torch.manual_seed(4)
    weights = build_model(spec, MNIST, 10).state_dict()
    window.session.set_trained(Trained(spec, weights, DataRef("mnist-sample")))
    assert window.drawing.answering_model().live
    window.eval_dock.raise_()
    panel = window.eval_dock.widget()
    qtbot.waitUntil(panel.isVisible)
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        qtbot.mouseClick(panel.evaluate_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel)
    assert "Your network (loaded weights), test split of MNIST sample" in panel.about.text()
    assert panel.matrix.matrix().sum() == 1000


def test_cancelled_worker_emits_nothing(qtbot, dataset) -> None:
    gate = threading.Event()

    def load():
        gate.wait(10)
        return dataset

    model = build_model(NetworkSpec((layer("Flatten"), layer("Linear", units=10))), MNIST, 10)
    worker = EvaluationWorker(EvaluationJob(model, False, load, "test", 0))
    results: list[object] = []
    worker.evaluated.connect(results.append)
    with qtbot.waitSignal(worker.finished, timeout=TIMEOUT_MS):
        worker.start()
        worker.cancel.set()
        gate.set()
    worker.wait()
    assert results == []


def test_install_in_the_window(qtbot, window) -> None:
    dock = window.eval_dock
    panel = dock.widget()
    assert dock.objectName() == "evaluation_dock"
    assert isinstance(panel, EvaluationPanel)
    assert panel.session is window.session and panel.drawing is window.drawing
    qtbot.waitUntil(lambda: window.train_dock in window.tabifiedDockWidgets(dock))
    dock.raise_()
    qtbot.waitUntil(panel.isVisible)
    window.tabifyDockWidget(dock, window.draw_dock)
    dock.raise_()
    qtbot.waitUntil(lambda: window.drawing.visibleRegion().isEmpty())
    panel.example_sent.emit(0)  # sending an image brings the drawing pad to the front
    qtbot.waitUntil(lambda: not window.drawing.visibleRegion().isEmpty())
    panel.evaluate()
    assert panel.running
    window.close()
    assert not any(t.isRunning() for t in panel.findChildren(EvaluationWorker))


def test_a_result_goes_with_its_weights(qtbot, panels, dataset) -> None:
    """The run's last epoch stays on screen after the run; other weights (a project, a reset) drop it."""
    training, _drawing, panel = panels
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        assert training.start()
    qtbot.waitUntil(lambda: not training.session.is_training, timeout=TIMEOUT_MS)
    wait_idle(qtbot, panel)
    assert panel.result is not None and panel.matrix.matrix() is not None
    trained = training.session.trained
    training.session.set_network(trained.spec, analyse(trained.spec, dataset.input_shape, 10))
    assert panel.result is not None  # the same weights: the result stays
    other = Trained(trained.spec, {k: v.clone() for k, v in trained.weights.items()}, dataset.ref)
    training.session.set_trained(other)
    assert panel.result is None and panel.matrix.matrix() is None
    assert panel.about.text().startswith("Press Evaluate") and panel.scores.rowCount() == 0
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        panel.evaluate()
    wait_idle(qtbot, panel)
    assert panel.about.text().startswith("Your network (loaded weights)")
    training.session.forget_weights()
    assert panel.result is None
    panel.matrix.cell_selected.emit(0, 0)  # the fresh matrix is connected (and nothing to show)
    assert panel.gallery.isVisibleTo(panel)


def test_the_matrix_legend_names_its_units_and_wraps_rather_than_clip(qtbot) -> None:
    from PySide6.QtGui import QFontMetrics

    from playground.gui.inspect.confusion import ConfusionMatrixView

    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    matrix = np.full((10, 10), 3)
    np.fill_diagonal(matrix, 90)
    view.set_matrix(matrix, [str(i) for i in range(10)])
    words = [text for _colour, text in view._legend()]
    assert words == ["right: shade = share of the true class", "mistakes: shade on a log scale",
                     "numbers: test images"]
    fm = QFontMetrics(view._label_font())
    view.resize(900, 900)
    assert view._legend_lines(fm) == 1
    view.resize(360, 360)  # a narrow dock: the legend ran off the right edge
    assert view._legend_lines(fm) == 2
    assert view.describe(0, 0) == "true 0, predicted 0: 90 images, 76.9% of the 117 true 0"
