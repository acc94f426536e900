"""Human-readable numbers, shapes and layer summaries for the editor's labels."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from playground.core.activations import ACTIVATIONS
from playground.core.analysis import Analysis
from playground.core.choices import CLASSIFICATION
from playground.core.layers import LAYER_TYPES
from playground.core.spec import LayerSpec

_UNITS = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K"))


def catalogue_text(text: str) -> str:
    """A sentence from the core catalogue, through Qt's translation (context "Catalogue")."""
    return QCoreApplication.translate("Catalogue", text)


def count(n: int) -> str:
    """61706 -> "61,706"."""
    return f"{n:,}"


def compact(n: int) -> str:
    """422824 -> "422.8 K"; small numbers stay whole."""
    for size, unit in _UNITS:
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return str(n)


def size(n_bytes: int) -> str:
    """63144 -> "61.7 KiB"."""
    value, unit = float(n_bytes), "B"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    return f"{n_bytes} B" if unit == "B" else f"{value:.1f} {unit}"


def shape(dims: tuple[int, ...] | None) -> str:
    """(6, 28, 28) -> "6 × 28 × 28"; None -> "?"."""
    return "?" if dims is None else " × ".join(str(d) for d in dims)


def params_summary(spec: LayerSpec) -> str:
    """The layer's parameters as "filters 6 · kernel 5 · stride 1 · padding 2", in catalogue order."""
    parts = []
    for p in LAYER_TYPES[spec.type].params:
        value = spec.params[p.name]
        parts.append(f"{catalogue_text(p.name)} {value:g}" if p.kind is float else
                     f"{catalogue_text(p.name)} {value}")
    return " · ".join(parts)


_GATES_SAY = {
    "RNN": "A plain RNN has no gates: its memory is rewritten at every step, and the gradient that "
           "teaches it to remember fades as it goes back in time.",
    "LSTM": "Gates decide at every step: the forget gate what to keep of the cell, the input gate what to "
            "write into it, the output gate what to show as the hidden state.",
    "GRU": "Two gates decide at every step: the update gate how much of the old state to keep, the reset "
           "gate how much of it the new candidate reads.",
}


def layer_tooltip(spec: LayerSpec, input_shape: tuple[int, ...] | None) -> str:
    """The catalogue's sentence on the layer; for a recurrent layer, what it does with this input, in
    time steps, features, hidden size and gates."""
    row = LAYER_TYPES[spec.type]
    about = catalogue_text(row.description)
    if row.family != "recurrent" or input_shape is None or len(input_shape) not in (2, 3):
        return about
    tr = QCoreApplication.translate
    if len(input_shape) == 2:
        steps, features = input_shape
        reads = tr("LayerCard", "It reads the sequence one time step at a time: %1 steps of %2 feature(s).")
    else:
        steps, features = input_shape[1], input_shape[0] * input_shape[2]
        reads = tr("LayerCard", "It reads the image row by row: %1 time steps, each a row of %2 values.")
    memory = tr("LayerCard", "After each step it keeps a memory (the hidden state) of %1 numbers and "
                "passes the last step's to the next layer.").replace("%1", str(spec.params["hidden"]))
    gates = tr("LayerCard", _GATES_SAY[spec.type])
    opened = ""
    if float(spec.params.get("memory", 0.0)):
        opened = " " + tr("LayerCard", "Memory %1: its keep gates start open.").replace(
            "%1", f"{float(spec.params['memory']):g}")
    return (f"{reads.replace('%1', str(steps)).replace('%2', str(features))} {memory} {gates}{opened}\n\n"
            f"{about}")


def activation_label(name: str) -> str:
    """ "relu" -> "ReLU", translated."""
    return catalogue_text(ACTIVATIONS[name].label)


def outputs(count: int, task: str) -> str:
    """ "10 classes", or for regression "1 output value"."""
    if task == CLASSIFICATION:
        return QCoreApplication.translate("LayerStack", "%1 classes").replace("%1", str(count))
    words = "%1 output value" if count == 1 else "%1 output values"
    return QCoreApplication.translate("LayerStack", words).replace("%1", str(count))


def so_far(analysis: Analysis, value: str) -> str:
    """``value``, or "``value`` before layer 5" when an error at layer 5 stops the counting."""
    unknown = next((info.index for info in analysis.layers if info.output_shape is None), None)
    if unknown is None:
        return value
    return (QCoreApplication.translate("text", "%1 before layer %2")
            .replace("%1", value).replace("%2", str(unknown + 1)))


def total_params(analysis: Analysis) -> str:
    """ "61,706", or "2,572 before layer 5" when an error stops the count at layer 5."""
    return so_far(analysis, count(analysis.total_params))
