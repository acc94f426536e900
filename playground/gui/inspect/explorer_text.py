"""Words of the activation explorer: a sentence per activation, formulas as rich text, layer names."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QCoreApplication

from playground.core.activations import ACTIVATIONS
from playground.core.layers import LAYER_TYPES
from playground.core.spec import LayerSpec
from playground.gui.editor.text import activation_label, catalogue_text

_GREEK = (("delta", "δ"), ("Phi", "Φ"), ("phi", "φ"), ("sum", "Σ"), ("sigmoid", "σ"), (" * ", " · "))
_SUP = re.compile(r"\^(-?\w+?(?:_\w+)?)(?=[\s)]|$)")
_SUB = re.compile(r"_(\w+)")


def _tr(source: str) -> str:
    return QCoreApplication.translate("ActivationExplorer", source)


def note(name: str) -> str:
    """One sentence on what activation ``name``'s derivative means for learning."""
    return catalogue_text(ACTIVATIONS[name].note)


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
    main = next(iter(layer.params.values()), None) if LAYER_TYPES[layer.type].weights_view else None
    kind = catalogue_text(layer.type) + (f"({main})" if main is not None else "")
    return (_tr("Layer %1").replace("%1", str(index + 1))
            + f" · {kind} · {activation_label(layer.activation)}")


def saturation_text(name: str, share: float, threshold: float, mean_grad: float, count: int) -> str:
    """What share of ``count`` pre-activations get little or no gradient, in the words of ``name``'s family,
    and the average derivative over all of them."""
    label, first = activation_label(name), catalogue_text(ACTIVATIONS[name].low_gradient)
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
