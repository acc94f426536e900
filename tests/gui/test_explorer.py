"""The activation explorer: curves, formulas, layers, histograms and the deep sigmoid acceptance."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from playground.core.activations import ACTIVATIONS
from playground.core.activations_view import curve, fresh_model
from playground.core.presets import preset
from playground.core.spec import NetworkSpec, layer
from playground.gui.inspect.explorer import (
    ANSWERING,
    FRESH,
    LARGE,
    ActivationExplorer,
    install_explorer,
)
from playground.gui.inspect.explorer_plot import X_RANGE
from playground.gui.inspect.explorer_text import saturation_text
from tests.conftest import facts_of

MNIST = (1, 28, 28)


def _explorer(qtbot, spec: NetworkSpec, answering=None) -> ActivationExplorer:
    explorer = ActivationExplorer(lambda: answering, lambda: None, lambda: (spec, MNIST, 10), refresh_ms=10)
    qtbot.addWidget(explorer)
    return explorer


def test_curve_formula_and_note_follow_the_chosen_activation(qtbot) -> None:
    explorer = _explorer(qtbot, preset("article-mlp"))
    names = [explorer.activation_combo.itemData(i) for i in range(explorer.activation_combo.count())]
    assert set(names) == set(ACTIVATIONS) - {"none"}
    notes = set()
    for name in names:
        explorer.select_activation(name)
        x, y = explorer.plot.derivative_curve.getData()
        assert x[0] == X_RANGE[0] and x[-1] == X_RANGE[1]
        np.testing.assert_allclose(y, curve(name, x)[1])
        np.testing.assert_allclose(explorer.plot.value_curve.getData()[1], curve(name, x)[0])
        assert "f'(x)" in explorer.formula_label.text() or "df" in explorer.formula_label.text()
        notes.add(explorer.note_label.text())
    assert len(notes) == len(names)
    explorer.select_activation("sigmoid")
    assert "<sup>-x</sup>" in explorer.formula_label.text()
    assert "0.25" in explorer.note_label.text()


def test_layers_come_from_the_spec_and_switch_the_activation(qtbot) -> None:
    spec = NetworkSpec((layer("Flatten"), layer("Linear", "tanh", units=32),
                        layer("Linear", "relu", units=16), layer("Linear", units=10)))
    explorer = _explorer(qtbot, spec)
    explorer.select_source(FRESH)
    items = [explorer.layer_combo.itemText(i) for i in range(explorer.layer_combo.count())]
    assert items[1:] == ["Layer 2 · Linear(32) · Tanh", "Layer 3 · Linear(16) · ReLU"]
    assert explorer.layer() == 1 and explorer.activation() == "tanh"
    assert len(explorer.values) == 512 * 32
    assert explorer.plot.histogram_shares().sum() == pytest.approx(100.0)
    explorer.select_layer(2)
    assert explorer.activation() == "relu"
    assert 0.2 < explorer.share < 0.8
    text = explorer.saturation_label.text()
    assert "of pre-activations are x ≤ 0, where ReLU′ = 0: no gradient flows (inactive units)" in text
    assert "saturated" not in text
    assert f"Average ReLU′ over all 8,192 values: {np.mean(explorer.values > 0):.3f}." in text
    explorer.select_activation("gelu")  # another curve: the layer's histogram no longer belongs to it
    assert explorer.layer() is None
    assert len(explorer.plot.histogram_shares()) == 0


def test_no_answering_model_and_a_broken_network_are_messages(qtbot) -> None:
    broken = NetworkSpec((layer("Linear", "relu", units=8),))  # Linear on images: needs a Flatten
    explorer = _explorer(qtbot, broken)
    assert explorer.source_combo.currentIndex() == FRESH  # no model reads the pad: the editor's network
    assert "cannot be built" in explorer.network_label.text()
    assert explorer.values is None
    explorer.select_source(ANSWERING)
    assert "No model reads the drawing pad" in explorer.network_label.text()
    assert explorer.layer() is None and not explorer.layer_combo.isEnabled()


def test_install_adds_a_dock_and_tells_which_network_the_histogram_is_for(window, qtbot) -> None:
    dock = install_explorer(window, window.session, window.model, window.drawing, refresh_ms=10)
    assert dock.objectName() == "explorer_dock"
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    explorer = dock.widget()
    assert isinstance(explorer, ActivationExplorer)
    window.model.load_preset("deep-sigmoid")
    explorer.refresh()
    assert explorer.source_combo.currentIndex() == FRESH  # the pad's sample CNN is not the editor's network
    assert "untrained PyTorch-default weights" in explorer.network_label.text()
    assert explorer.layer() == 1 and explorer.activation() == "sigmoid" and explorer.share < 0.05
    assert explorer.hint_label.isVisibleTo(explorer)
    assert "large weights N(0, 1)" in explorer.hint_label.text()
    assert "vanishing gradient" in explorer.hint_label.text()
    explorer.select_source(ANSWERING)
    assert not explorer.hint_label.isVisibleTo(explorer)
    assert "sample model" in explorer.network_label.text()
    assert "not the network in the editor" in explorer.network_label.text()
    assert explorer.layer() == 0  # the sample CNN's first convolution
    explorer.select_source(FRESH)
    window.session.dataset_changed.emit(window.session.dataset)  # a refresh follows, throttled
    window.model.load_preset("lenet5")
    qtbot.waitUntil(lambda: "Layer 1 · Conv2d(6) · Tanh" in explorer.layer_combo.currentText(), timeout=3000)


def test_acceptance_deep_sigmoid_shows_saturated_pre_activations(window, qtbot) -> None:
    dock = install_explorer(window, window.session, window.model, window.drawing)
    explorer = dock.widget()
    window.model.load_preset("deep-sigmoid")
    explorer.select_source(LARGE)
    assert explorer.layer() == 1 and explorer.activation() == "sigmoid"
    assert explorer.share > 0.7
    text = explorer.saturation_label.text()
    assert text.startswith(f"{100 * explorer.share:.0f}% of pre-activations are where Sigmoid′ < 0.0125: "
                           "saturated")
    assert "Average Sigmoid′ over all 20,000 values: " in text
    assert not explorer.hint_label.isVisibleTo(explorer)
    shares = explorer.plot.histogram_shares()
    assert shares[0] + shares[-1] > 60.0  # the pile-up at both ends of the curve
    window.resizeDocks([dock], [460], Qt.Orientation.Horizontal)
    window.resizeDocks([dock], [700], Qt.Orientation.Vertical)
    qtbot.wait(50)
    assert not dock.grab().isNull()


def test_live_model_weights_refresh_the_histogram(window, qtbot) -> None:
    dock = install_explorer(window, window.session, window.model, window.drawing, refresh_ms=10)
    explorer = dock.widget()
    spec = preset("deep-sigmoid")
    window.model.load_preset("deep-sigmoid")
    state = {"version": 1, "std": 0.05}

    def snapshot():
        model = fresh_model(spec, MNIST, 10, weight_std=state["std"])
        return state["version"], model.state_dict()

    explorer.refresh()
    assert explorer.source_combo.currentIndex() == FRESH
    window.drawing.set_live_model(spec, facts_of(MNIST, [str(d) for d in range(10)], 0.13, 0.31), snapshot)
    qtbot.waitUntil(lambda: "(version 1;" in explorer.network_label.text(), timeout=3000)
    assert explorer.source_combo.currentIndex() == ANSWERING  # the pad reads with the editor's network
    explorer.select_layer(1)
    calm = explorer.share
    state.update(version=2, std=1.0)
    qtbot.waitUntil(lambda: "(version 2;" in explorer.network_label.text(), timeout=3000)
    assert explorer.layer() == 1
    assert explorer.share > calm + 0.5
    window.drawing.use_sample_model()


def test_a_source_picked_by_hand_stays(window, qtbot) -> None:
    dock = install_explorer(window, window.session, window.model, window.drawing, refresh_ms=10)
    explorer = dock.widget()
    spec = preset("deep-sigmoid")
    window.model.load_preset("deep-sigmoid")
    explorer.source_combo.setCurrentIndex(LARGE)  # as a click in the combo does
    weights = fresh_model(spec, MNIST, 10).state_dict()
    window.drawing.set_live_model(spec, facts_of(MNIST, [str(d) for d in range(10)], 0.13, 0.31),
                                  lambda: (1, weights))
    explorer.refresh()
    assert explorer.source_combo.currentIndex() == LARGE
    assert "N(0, 1)" in explorer.network_label.text()
    window.drawing.use_sample_model()


def test_saturation_words_follow_the_activation_family() -> None:
    sigmoid = saturation_text("sigmoid", 0.41, 0.0125, 0.07, 20000)
    assert sigmoid == ("41% of pre-activations are where Sigmoid′ < 0.0125: saturated, so little gradient "
                       "flows back. Average Sigmoid′ over all 20,000 values: 0.070.")
    relu = saturation_text("relu", 0.48, 0.05, 0.517, 8192)
    assert "x ≤ 0, where ReLU′ = 0: no gradient flows (inactive units)" in relu
    assert "saturated" not in relu and "over all 8,192 values: 0.517" in relu
    assert "trickle" in saturation_text("leaky_relu", 0.5, 0.05, 0.5, 10)
    assert "nearly inactive" in saturation_text("elu", 0.1, 0.05, 0.8, 10)
    assert "saturated" in saturation_text("tanh", 0.1, 0.05, 0.8, 10)


def test_a_hidden_explorer_catches_up_when_shown(qtbot) -> None:
    specs = [preset("article-mlp")]
    explorer = ActivationExplorer(lambda: None, lambda: None, lambda: (specs[0], MNIST, 10), refresh_ms=5)
    qtbot.addWidget(explorer)
    explorer.select_source(FRESH)
    specs[0] = preset("deep-sigmoid")
    explorer.schedule_refresh()
    qtbot.wait(40)
    assert explorer.layer_combo.count() == 2  # hidden: the article MLP's one hidden layer still
    explorer.show()
    qtbot.waitUntil(lambda: explorer.layer_combo.count() == 9, timeout=3000)
