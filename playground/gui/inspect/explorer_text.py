"""Words of the activation explorer: a sentence per activation, formulas as rich text, layer names."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QCoreApplication

from playground.core.activations_view import activation_family
from playground.core.layers import ACTIVATIONS
from playground.core.spec import LayerSpec
from playground.gui.editor.text import activation_label, catalogue_text

_GREEK = (("delta", "δ"), ("Phi", "Φ"), ("phi", "φ"), ("sum", "Σ"), ("sigmoid", "σ"), (" * ", " · "))
_SUP = re.compile(r"\^(-?\w+?(?:_\w+)?)(?=[\s)]|$)")
_SUB = re.compile(r"_(\w+)")


def _tr(source: str) -> str:
    return QCoreApplication.translate("ActivationExplorer", source)


def note(name: str) -> str:
    """One sentence on what activation ``name``'s derivative means for learning."""
    notes = {
        "none": _tr("Without an activation the derivative is 1 everywhere: the gradient passes "
                    "unchanged, but stacked linear layers collapse into a single linear map."),
        "relu": _tr("ReLU passes the gradient unchanged (1) for positive inputs and blocks it (0) for "
                    "negative ones: a unit whose inputs are always negative stops learning (a dead unit)."),
        "leaky_relu": _tr("LeakyReLU keeps a slope of 0.01 for negative inputs, so units there still "
                          "get a little gradient and cannot die completely."),
        "elu": _tr("ELU's derivative falls smoothly from 1 towards 0 for negative inputs: some gradient "
                   "survives there, and the outputs stay closer to zero mean."),
        "gelu": _tr("GELU is a smooth ReLU: its derivative rises from 0 to a little above 1 around zero, "
                    "so slightly negative inputs still learn."),
        "silu": _tr("SiLU (swish) is a smooth ReLU like GELU: its derivative dips just below 0 for "
                    "negative inputs and peaks near 1.1."),
        "sigmoid": _tr("The sigmoid's derivative is at most 0.25 and almost 0 beyond |x| ≈ 4, so the "
                       "gradient shrinks at every sigmoid layer it flows back through: the vanishing "
                       "gradient of deep sigmoid networks."),
        "tanh": _tr("tanh's derivative reaches 1 at zero, four times the sigmoid's best, and its outputs "
                    "are centred on zero, but it saturates too once |x| passes about 2."),
        "softmax": _tr("Softmax acts on a whole vector of scores. Shown: output 1 of softmax(x, 0, …, 0) "
                       "over ten scores as x varies; its derivative is the Jacobian's diagonal s(1 − s), "
                       "at most 0.25 and near 0 once one class takes almost all the probability."),
    }
    return notes[name]


def _rich(formula: str) -> str:
    """ "f(x) = 1 / (1 + e^-x)" -> HTML with superscripts, subscripts and Greek letters."""
    text = html.escape(formula, quote=False)
    for word, symbol in _GREEK:
        text = text.replace(word, symbol)
    text = _SUP.sub(lambda m: "<sup>" + _SUB.sub(r"<sub>\1</sub>", m.group(1)) + "</sup>", text)
    return _SUB.sub(r"<sub>\1</sub>", text)


def formula_html(name: str) -> str:
    """The catalogue's formula and derivative of ``name`` as two lines of rich text."""
    row = ACTIVATIONS[name]
    return (f"<b>{html.escape(activation_label(name))}</b><br>"
            f"<span style='font-size:large'>{_rich(catalogue_text(row.formula))}</span><br>"
            f"<span style='font-size:large'>{_rich(catalogue_text(row.derivative))}</span>")


def layer_label(index: int, layer: LayerSpec) -> str:
    """ "Layer 2 · Linear(128) · Sigmoid" for spec layer ``index`` (0-based)."""
    main = next(iter(layer.params.values()), None) if layer.type in ("Linear", "Conv2d") else None
    kind = catalogue_text(layer.type) + (f"({main})" if main is not None else "")
    return (_tr("Layer %1").replace("%1", str(index + 1))
            + f" · {kind} · {activation_label(layer.activation)}")


def saturation_text(name: str, share: float, threshold: float, mean_grad: float, count: int) -> str:
    """What share of ``count`` pre-activations get little or no gradient, in the words of ``name``'s family,
    and the average derivative over all of them."""
    label, family = activation_label(name), activation_family(name)
    if family == "saturating":
        first = _tr("%1% of pre-activations are where %2′ < %3: saturated, so little gradient flows back.")
    elif name == "relu":
        first = _tr("%1% of pre-activations are x ≤ 0, where %2′ = 0: no gradient flows (inactive units).")
    elif name == "leaky_relu":
        first = _tr("%1% of pre-activations are x ≤ 0, where %2′ = 0.01: only a trickle of gradient "
                    "flows (the leaky side).")
    elif family == "rectifier":
        first = _tr("%1% of pre-activations are on the flat negative side, where %2′ < %3: almost no "
                    "gradient flows (nearly inactive units).")
    else:
        first = _tr("%1% of pre-activations are where %2′ < %3.")
    average = _tr("Average %2′ over all %5 values: %4.")
    return ((first + " " + average).replace("%1", f"{100 * share:.0f}").replace("%2", label)
            .replace("%3", f"{threshold:.3g}").replace("%4", f"{mean_grad:.3f}").replace("%5", f"{count:,}"))


def large_weights_hint(name: str) -> str:
    """Why to try "large weights N(0, 1)" when few of a sigmoid/tanh layer's inputs saturate."""
    text = _tr("Hardly any saturate with default weights: choose “large weights N(0, 1)” to see badly "
               "initialised %1 layers saturate (the vanishing gradient of deep sigmoid nets).")
    return text.replace("%1", name)


def over_text(count: int, dataset_name: str) -> str:
    """ "Histogram over 512 test images of MNIST sample; ..." """
    return (_tr("Histogram over %1 test images of %2; values beyond ±6 count in the end bars.")
            .replace("%1", str(count)).replace("%2", dataset_name))


def answering_text(live: bool, same_as_editor: bool, version: int) -> str:
    """Which network answers the drawing pad, and whether it is the one in the editor."""
    if live and same_as_editor:
        return _tr("Your network with its current weights (version %1; they follow training).").replace(
            "%1", str(version))
    if live:
        return _tr("A network trained earlier, not the one in the editor now.")
    if same_as_editor:
        return _tr("The shipped sample model (a small CNN) that reads the drawing pad.")
    return _tr("The shipped sample model (a small CNN) that reads the drawing pad, not the network "
               "in the editor: train yours, or choose an untrained copy of it above.")
