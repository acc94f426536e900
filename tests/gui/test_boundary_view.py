"""The decision boundary in the window: a 2-D dataset from the picker, the 2-D preset, the boundary over
the plane with the points, live while training, and a clear word on other data."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import Qt

from playground.core.boundary import evaluate
from playground.core.builder import build_model

RUN_MS = 120_000


def boundary_view(window):
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    view = window.boundary_dock.widget().boundary
    view.throttle_ms = 0
    return view


def test_the_2d_preset_trains_on_the_circle_and_the_boundary_follows_it(window, qtbot) -> None:
    training, session = window.training, window.session
    combo = training.picker.combo
    assert any(combo.itemText(i) == "Spiral (2-D)" for i in range(combo.count()))  # listed for the picker
    assert window.model.load_preset("tanh-2d")
    assert session.dataset.ref.id == "toy:circle" and session.dataset.input_shape == (2,)
    assert window.model.analysis.ok
    view = boundary_view(window)
    view.refresh()
    fresh = view.boundary
    assert fresh is not None and fresh.output.shape == (100, 100, 2)
    assert "fresh, untrained weights" in view.showing.text()
    assert len(view.train_points.data) == 250 and len(view.test_points.data) == 250
    # the drawn boundary is the network's output on the grid
    data, config = session.dataset, session.config
    torch.manual_seed(config.seed or 0)
    model = build_model(session.spec, data.input_shape, data.outputs, config.init, config.loss)
    np.testing.assert_allclose(evaluate(model, view._grid, neurons=False).output, fresh.output, atol=1e-6)
    training.form.epochs.setValue(30)
    with qtbot.waitSignal(session.run_finished, timeout=RUN_MS):
        qtbot.mouseClick(training.controls.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "trained for 30 epoch(s)" in view.showing.text(), timeout=5000)
    trained = view.boundary
    # the circle is learnt: the centre is one class, far out the other, and the network is sure of both
    centre, corner = trained.output[50, 50], trained.output[5, 5]
    assert centre.argmax() != corner.argmax() and min(centre.max(), corner.max()) > 0.9
    assert trained.output[50, 50].argmax() == int(np.bincount(
        data.train_y[np.hypot(data.train_x[:, 0], data.train_x[:, 1]) < 1.5]).argmax())
    view.show_test.setChecked(False)
    assert len(view.test_points.data) == 0
    # the evaluation of points counts them in the confusion matrix and shows no pictures (it crashed)
    window.eval_dock.raise_()
    panel = window.eval_dock.widget()
    qtbot.waitUntil(panel.isVisible)
    panel.evaluate()
    qtbot.waitUntil(lambda: panel.result is not None and not panel.running, timeout=30_000)
    assert "they are not images" in panel.gallery.caption.text()
    assert int(panel.result.evaluation.matrix.sum()) == 250


def test_other_data_get_a_word_not_a_plot(window) -> None:
    view = boundary_view(window)
    view.refresh()
    assert view.boundary is None and "2-D datasets" in view.note.text() and not view.graph.isVisible()


def test_the_neuron_view_draws_each_neuron_and_weight_of_a_dense_network(window, qtbot) -> None:
    session = window.session
    assert window.model.load_preset("tanh-2d")
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    view = window.boundary_dock.widget().neurons
    view.throttle_ms = 0
    view.refresh()
    assert [len(column) for column in view.tiles] == [2, 8, 8, 2]  # x1, x2; 8; 8; two classes
    assert [len(layer) for layer in view.lines] == [8, 8, 2] and len(view.lines[0][0]) == 2
    # line j, i stands for the weight from unit i to unit j: its width grows with the weight's size
    first = view.weights[0]
    j, i = np.unravel_index(np.abs(first).argmax(), first.shape)
    k, m = np.unravel_index(np.abs(first).argmin(), first.shape)
    assert view.lines[0][j][i].pen().widthF() > view.lines[0][k][m].pen().widthF()
    assert f"{first[j, i]:+.3f}" in view.lines[0][j][i].toolTip()
    colour = view.lines[0][j][i].pen().color().name()
    assert colour == ("#0072b2" if first[j, i] > 0 else "#d55e00")
    data, config = session.dataset, session.config
    torch.manual_seed(config.seed or 0)
    model = build_model(session.spec, data.input_shape, data.outputs, config.init, config.loss)
    np.testing.assert_allclose(model.blocks[0].layer.weight.detach().numpy(), first)
    assert "layer 1, neuron 1: output" in view.tiles[1][0].toolTip()


def test_the_neuron_view_names_what_it_cannot_draw(window) -> None:
    from playground.core.spec import NetworkSpec, layer

    view = window.boundary_dock.widget().neurons
    view.throttle_ms = 0
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    view.refresh()
    assert "2-D datasets" in view.note.text()
    assert window.model.load_preset("tanh-2d")
    window.model.edit(NetworkSpec((layer("Linear", "tanh", units=17), layer("Linear", units=2))), "wide")
    view.refresh()
    assert "up to 8 hidden layers of 16 units" in view.note.text() and not view.canvas.isVisible()
