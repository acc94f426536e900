"""The inside view's words: plain titles for each layer's picture and one sentence on what it shows."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from playground.core.activations import ACTIVATIONS
from playground.core.inspect import LayerView
from playground.core.layers import LAYER_TYPES
from playground.core.spec import LayerSpec
from playground.gui.editor.text import catalogue_text

DOT = " · "


def _tr(source: str) -> str:
    return QCoreApplication.translate("InsideView", source)


def _number(value: int) -> str:
    return f"{value:,}"


def layer_title(view: LayerView, spec_layer: LayerSpec, last: bool) -> str:
    """"Layer 1 · Conv2d · 16 maps 28×28 after ReLU" and the like."""
    values = view.values
    if view.kind == "maps":
        c, h, w = values.shape
        what = _tr("%1 maps %2×%3").replace("%1", _number(c)).replace("%2", str(h)).replace("%3", str(w))
    elif view.kind == "sequence":
        what = _tr("hidden state, %1 steps × %2 units").replace("%1", str(values.shape[0])).replace(
            "%2", _number(values.shape[1]))
    elif last and ACTIVATIONS[spec_layer.activation].probabilities:
        what = _tr("%1 probabilities, one per class").replace("%1", _number(values.size))
    elif last:
        what = _tr("%1 scores, one per class").replace("%1", _number(values.size))
    elif LAYER_TYPES[view.type].family == "dense":
        what = _tr("%1 neurons").replace("%1", _number(values.size))
    else:
        what = _tr("%1 values").replace("%1", _number(values.size))
    parts = [_tr("Layer %1").replace("%1", str(view.index + 1)), view.type, what]
    if spec_layer.activation != "none":
        after = _tr("after %1").replace("%1", ACTIVATIONS[spec_layer.activation].label)
        if view.kind == "sequence":
            after = _tr("(%1 on the last step)").replace("%1", after)
        parts[-1] = f"{what} {after}"
    return DOT.join(parts)


def layer_caption(view: LayerView, spec_layer: LayerSpec, last: bool) -> str:
    """One sentence for a learner on what this layer's picture shows."""
    if last and ACTIVATIONS[spec_layer.activation].probabilities:
        return _tr("The class probabilities: the softmax turns the scores into numbers that add up to 1, "
                   "as on the drawing pad's bars.")
    row = LAYER_TYPES[view.type]
    if last and row.output_param:
        return _tr("The raw scores (logits) for each class: the softmax turns them into the "
                   "probabilities on the drawing pad's bars.")
    return catalogue_text(row.caption)


def gate_title(name: str) -> str:
    """The heading of one gate's heat map."""
    return {
        "input": _tr("Input gate (how much of each new row is written to the memory)"),
        "forget": _tr("Forget gate (how much of the memory is kept from the row before)"),
        "output": _tr("Output gate (how much of the memory is shown as the hidden state)"),
        "reset": _tr("Reset gate (how much of the old memory shapes the new proposal)"),
        "update": _tr("Update gate (how much of the old memory is kept)"),
    }[name]


def gates_caption() -> str:
    """What the gate heat maps show."""
    return _tr("Gates are numbers between 0 (closed) and 1 (open), one per unit and step: they decide "
               "what the memory writes, keeps and shows.")


def gate_scale_texts() -> tuple[str, str]:
    """The ends of a gate's colour scale."""
    return _tr("0 closed"), _tr("1 open")


def weights_title(kind: str, index: int, layer_type: str, shown: int, total: int,
                  kernel: tuple[int, int]) -> str:
    """The heading of the first layer's weights."""
    head = DOT.join((_tr("Layer %1").replace("%1", str(index + 1)), layer_type))
    if kind == "kernels":
        what = _tr("its %1 filters (%2×%3 weights each)").replace("%1", _number(total)).replace(
            "%2", str(kernel[0])).replace("%3", str(kernel[1]))
        if shown < total:
            what = _tr("the first %1 of its %2 filters").replace("%1", str(shown)).replace(
                "%2", _number(total))
    else:
        what = _tr("weights of the first %1 of its %2 neurons").replace("%1", str(shown)).replace(
            "%2", _number(total))
    return DOT.join((head, what))


def weights_caption(kind: str) -> str:
    """What the first layer's weights show."""
    if kind == "kernels":
        return _tr("What each filter looks for: red weights add the ink under them, blue ones subtract "
                   "it, so every filter answers to its own small stroke pattern.")
    return _tr("Each image holds one neuron's weights, one per pixel: red pixels push the neuron "
               "to fire, blue ones hold it back, so each neuron looks for its own pattern of ink.")


def saliency_title(class_name: str, percent: float) -> str:
    """The heading of the saliency map."""
    return _tr("Where the network looks · top class %1 (%2 %)").replace("%1", class_name).replace(
        "%2", f"{percent:.0f}")


def saliency_caption() -> str:
    """What the saliency map shows."""
    return _tr("The drawing in gray with the saliency laid over it: bright pixels are those whose "
               "change would move the top class's score the most (the gradient of the score).")


def showing_model(model: str) -> str:
    """The top line while nothing is shown: which model answers on the drawing pad."""
    return _tr("Model: %1").replace("%1", model)


def showing_sample(model: str, label: str) -> str:
    """The top line while the pad is empty and a test digit stands in for a drawing."""
    return _tr("Model: %1 · reading a test digit (a %2 from the bundled MNIST sample). Draw on the pad "
               "to see your own.").replace("%1", model).replace("%2", label)


def showing_drawing(model: str) -> str:
    """The top line while the view reads the drawing pad's picture."""
    return _tr("Model: %1 · reading the drawing pad's picture.").replace("%1", model)


def prompt() -> str:
    """Shown while the drawing pad is empty."""
    return _tr("Draw a digit on the drawing pad to see what happens inside the network.")


def no_model(problem: str) -> str:
    """Shown when no model can read the drawing."""
    return problem or _tr("No network can read the drawing now.")


def diverged() -> str:
    """Shown when the network's output is not a number."""
    return _tr("The network's output is not a number: its weights have diverged.")


def failed(reason: str) -> str:
    """Shown when looking inside fails."""
    return _tr("Cannot look inside this network: %1").replace("%1", reason)
