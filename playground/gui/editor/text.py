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
