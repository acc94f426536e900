"""The inside view: one section per layer with the right shapes, live with the drawing, LSTM gates."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from playground.core.analysis import analyse
from playground.core.builder import build_model
from playground.core.presets import preset
from playground.core.spec import NetworkSpec, layer
from playground.gui.draw.panel import DrawPanel
from playground.gui.inspect.inside import InsideView
from playground.gui.inspect.inside_sections import LayerSection, SaliencySection, WeightsSection
from playground.gui.inspect.inside_tiles import BACKGROUND, DIVERGING, SEQUENTIAL, Scale
from tests.conftest import MNIST, facts_of

SAMPLE_SPEC = preset("small-cnn")  # the shipped sample model's network


@pytest.fixture
def panel(qtbot) -> DrawPanel:
    widget = DrawPanel()
    qtbot.addWidget(widget)
    widget.resize(400, 700)
    widget.show()
    return widget


@pytest.fixture
def view(qtbot, panel: DrawPanel) -> InsideView:
    """A shown 460x900 view on the panel, recomputing at once (no throttle)."""
    widget = InsideView(panel)
    widget.throttle_ms = 0
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def digits(sample_dataset) -> list[np.ndarray]:
    """Real test digits in [0, 1]: a 6, a 7, a 1."""
    return [sample_dataset.test_x[i, 0].astype(np.float32) / 255.0 for i in (0, 3, 6)]


def live(panel: DrawPanel, name: str, seed: int = 0) -> torch.nn.Module:
    """Let a freshly built preset network answer on the panel, as a training run would."""
    spec = preset(name)
    torch.manual_seed(seed)
    model = build_model(spec, MNIST, 10)
    panel.set_live_model(spec, facts_of((1, 28, 28), [str(i) for i in range(10)], 0.1307, 0.3081),
                         lambda: (1, model.state_dict()))
    return model


def test_an_empty_pad_shows_a_test_digit_and_names_the_model(view: InsideView, panel: DrawPanel,
                                                             sample_dataset) -> None:
    """Not blank before the first drawing: the sample model reads a digit of the bundled test split."""
    assert view.inside is not None and view.sections_area.isVisible() and not view.note.isVisible()
    assert len(view.layer_sections) == 7 and panel.input_image() is None
    label = int(sample_dataset.test_y[0])
    assert view.showing.isVisible()
    assert view.showing.text().startswith("Model: Sample model (small CNN")
    assert f"a test digit (a {label} from the bundled MNIST sample)" in view.showing.text()
    assert np.array_equal(view.saliency_section.values.shape, (28, 28))
    panel.show_example(sample_dataset.test_x[3, 0])
    assert "reading the drawing pad's picture" in view.showing.text()
    live(panel, "article-mlp")
    assert view.showing.text().startswith("Model: Your network")


def test_one_section_per_layer_with_the_shapes_of_the_analysis(view: InsideView, panel: DrawPanel,
                                                               digits: list[np.ndarray]) -> None:
    panel.show_example(digits[0])
    assert view.inside is not None and view.sections_area.isVisible() and not view.note.isVisible()
    infos = analyse(SAMPLE_SPEC, (1, 28, 28), 10).layers
    assert len(view.layer_sections) == len(infos) == 7
    for section, info in zip(view.layer_sections, infos, strict=True):
        assert section.values.shape == info.output_shape
    first, pool, conv = view.layer_sections[:3]
    assert first.title.text() == "Layer 1 · Conv2d · 16 maps 28×28 after ReLU"
    assert first.tiles.count == 16 and first.tiles.tile_shape == (28, 28)
    assert pool.tiles.count == 16 and pool.tiles.tile_shape == (14, 14)
    assert conv.tiles.count == 32 and "local connections" in first.caption.text()
    assert "strongest" in pool.caption.text()
    dense, out = view.layer_sections[5:]
    assert dense.title.text() == "Layer 6 · Linear · 128 neurons after ReLU"
    assert dense.tiles.tile_shape == (1, 128) and out.tiles.labels == tuple("0123456789")
    assert view.saliency_section.values.shape == (28, 28)
    assert view.saliency_section.tiles.image().size().toTuple() == (28, 28)
    assert view.saliency_section.title.text().startswith("Where the network looks · top class 6")
    weights = view.weights_section
    assert weights.kind == "kernels" and weights.values.shape == (16, 3, 3)
    kinds = [type(s) for s in view.sections()]
    assert kinds == [SaliencySection, WeightsSection] + [LayerSection] * 7


def test_a_new_drawing_redraws_the_same_sections_with_new_values(view: InsideView, panel: DrawPanel,
                                                                 digits: list[np.ndarray]) -> None:
    panel.show_example(digits[0])
    sections = view.sections()
    before = [s.values.copy() for s in view.layer_sections]
    pixels = view.layer_sections[0].tiles.image()
    salient = view.saliency_section.values.copy()
    panel.show_example(digits[1])
    assert view.sections() == sections  # pixels change, widgets stay
    assert all(not np.allclose(old, s.values) for old, s in zip(before, view.layer_sections, strict=True))
    assert view.layer_sections[0].tiles.image() != pixels
    assert not np.allclose(salient, view.saliency_section.values)
    assert view.saliency_section.title.text().startswith("Where the network looks · top class 7")
    panel.canvas.clear()
    assert "a test digit" in view.showing.text() and view.inside is not None


def test_an_lstm_shows_its_hidden_state_and_gates_over_the_rows(view: InsideView, panel: DrawPanel,
                                                                digits: list[np.ndarray]) -> None:
    panel.show_example(digits[0])
    live(panel, "lstm-rows")
    assert len(view.layer_sections) == 2 and view.weights_section is None
    lstm = view.layer_sections[0]
    assert lstm.kind == "sequence" and lstm.values.shape == (28, 128)
    assert lstm.title.text() == "Layer 1 · LSTM · hidden state, 28 steps × 128 units"
    assert set(lstm.gate_tiles) == {"input", "forget", "output"}
    for name, gate in lstm.gate_values.items():
        assert gate.shape == (28, 128) and gate.min() >= 0 and gate.max() <= 1, name
        assert lstm.gate_tiles[name].image().size().toTuple() == (128, 28)
        assert lstm.gate_tiles[name].isVisible()
    assert lstm.gate_bar.texts() == ("0 closed", "1 open")
    forget = lstm.gate_values["forget"].copy()
    panel.show_example(digits[2])
    assert not np.allclose(forget, lstm.gate_values["forget"])


def test_a_gru_shows_its_two_gates_and_a_softmax_output_its_probabilities(
        view: InsideView, panel: DrawPanel, digits: list[np.ndarray]) -> None:
    spec = NetworkSpec((layer("GRU", hidden=16), layer("Linear", "softmax", units=10)))
    model = build_model(spec, MNIST, 10)
    panel.set_live_model(spec, facts_of((1, 28, 28), list("0123456789"), 0.13, 0.31), lambda: (1,
                                                                                               model.state_dict()))
    panel.show_example(digits[0])
    gru, out = view.layer_sections
    assert set(gru.gate_values) == {"reset", "update"} and gru.values.shape == (28, 16)
    assert out.title.text() == "Layer 2 · Linear · 10 probabilities, one per class after Softmax"
    assert "add up to 1" in out.caption.text()
    assert out.values.sum() == pytest.approx(1.0, abs=1e-5)


def test_colour_scales_share_one_range_and_survive_bad_values() -> None:
    positive = Scale.for_values(np.array([0.0, 2.0, 4.0]))
    assert (positive.low, positive.high) == (0.0, 4.0) and positive.lut is SEQUENTIAL
    signed = Scale.for_values(np.array([-1.0, 3.0, np.nan]))
    assert (signed.low, signed.high) == (-3.0, 3.0) and signed.lut is DIVERGING
    rgb = signed.colours(np.array([-3.0, 0.0, 3.0, np.nan, np.inf, -np.inf]))
    assert rgb.shape == (6, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[3], BACKGROUND)
    np.testing.assert_array_equal(rgb[4], rgb[2])
    np.testing.assert_array_equal(rgb[5], rgb[0])


def test_an_mlp_shows_its_first_neurons_weights_as_images(view: InsideView, panel: DrawPanel,
                                                          digits: list[np.ndarray]) -> None:
    model = live(panel, "article-mlp")
    panel.show_example(digits[0])
    weights = view.weights_section
    assert weights.kind == "units" and weights.values.shape == (16, 28, 28)
    assert "first 16 of its 128 neurons" in weights.title.text()
    np.testing.assert_allclose(weights.values[3].ravel(), model.blocks[1].layer.weight[3].detach().numpy())
    assert view.layer_sections[0].title.text() == "Layer 1 · Flatten · 784 values"


def test_new_weights_redraw_the_weights(view: InsideView, panel: DrawPanel, qtbot,
                                        digits: list[np.ndarray]) -> None:
    spec = preset("small-cnn")
    states = [build_model(spec, MNIST, 10).state_dict() for _ in range(2)]
    current = {"snapshot": (1, states[0])}
    panel.show_example(digits[0])
    panel.set_live_model(spec, facts_of((1, 28, 28), list("0123456789"), 0.13, 0.31),
                         lambda: current["snapshot"])
    first = view.weights_section.values.copy()
    current["snapshot"] = (2, states[1])  # the pad polls its snapshot function every 300 ms
    qtbot.waitUntil(lambda: not np.allclose(first, view.weights_section.values), timeout=3000)
    np.testing.assert_allclose(view.weights_section.values[:, :, :],
                               states[1]["blocks.0.layer.weight"][:, 0].numpy())


def test_a_hidden_view_waits_and_catches_up_when_shown(view: InsideView, panel: DrawPanel, qtbot,
                                                       digits: list[np.ndarray]) -> None:
    panel.show_example(digits[0])
    seen = view.layer_sections[-1].values.copy()
    view.hide()
    with qtbot.assertNotEmitted(view.refreshed):
        panel.show_example(digits[1])
    np.testing.assert_array_equal(view.layer_sections[-1].values, seen)
    with qtbot.waitSignal(view.refreshed):
        view.show()
    assert not np.allclose(view.layer_sections[-1].values, seen)


def test_a_burst_of_drawing_updates_is_one_recompute(view: InsideView, panel: DrawPanel, qtbot,
                                                     digits: list[np.ndarray]) -> None:
    view.throttle_ms = 50
    count: list[None] = []
    view.refreshed.connect(lambda: count.append(None))
    with qtbot.waitSignal(view.refreshed):
        for image in digits * 3:
            panel.show_example(image)
    qtbot.wait(120)
    assert len(count) == 1
    assert view.saliency_section.title.text().startswith("Where the network looks · top class 1")


def test_diverged_weights_give_a_message(view: InsideView, panel: DrawPanel,
                                         digits: list[np.ndarray]) -> None:
    spec = preset("article-mlp")
    state = {k: torch.full_like(v, float("nan")) for k, v in build_model(spec, MNIST,
                                                                         10).state_dict().items()}
    panel.show_example(digits[0])
    panel.set_live_model(spec, facts_of((1, 28, 28), list("0123456789"), 0.13, 0.31), lambda: (3, state))
    assert view.note.isVisible() and "not a number" in view.note.text()
    panel.use_sample_model()
    assert not view.note.isVisible() and view.layer_sections[0].values.shape == (16, 28, 28)


def test_the_window_gets_an_inside_dock(window, qtbot, digits: list[np.ndarray]) -> None:
    dock = window.inside_dock
    assert dock.objectName() == "inside_dock" and dock.windowTitle() == "Inside the network"
    view = dock.widget()
    assert isinstance(view, InsideView) and view.drawing is window.drawing
    with qtbot.waitSignal(view.refreshed, timeout=3000):
        window.drawing.show_example(digits[0])
    assert len(view.layer_sections) == 7
