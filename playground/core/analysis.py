"""Shape inference, parameter and multiply-add counts, and errors that name the layer and a fix."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from playground.core.layers import LAYER_TYPES, Shape, ShapeProblem
from playground.core.spec import LayerSpec, NetworkSpec, layer

BYTES_PER_VALUE = 4
MAX_PARAMETERS = 50_000_000
MAX_ACTIVATION_BYTES = 256 * 1024 * 1024  # per sample, forward only

SOFTMAX_BEFORE_CE = (
    "Softmax right before cross-entropy: the loss already applies log-softmax, so the outputs are "
    "squashed twice and learning slows"
)


@dataclass(frozen=True)
class Fix:
    """A one-click repair: insert or append a layer, or set a parameter of a layer."""

    label: str
    action: str  # "insert", "set", "append", "remove"
    index: int = 0
    layer: LayerSpec | None = None
    param: str = ""
    value: int | float = 0
    extra: tuple[LayerSpec, ...] = ()

    def apply(self, spec: NetworkSpec) -> NetworkSpec:
        """The spec with this fix applied."""
        if self.action == "insert":
            return spec.insert(self.index, self.layer)
        if self.action == "set":
            return spec.replace_layer(
                self.index, spec.layers[self.index].with_params(**{self.param: self.value})
            )
        if self.action == "remove":
            return spec.remove(self.index)
        for new in (self.layer, *self.extra):
            spec = spec.insert(len(spec), new)
        return spec


@dataclass(frozen=True)
class Problem:
    """An error (training cannot start) or a warning, on a layer (0-based) or the whole network."""

    severity: str  # "error" or "warning"
    layer: int | None
    message: str
    fix: Fix | None = None

    @property
    def text(self) -> str:
        """The message with the layer named, for logs and the CLI."""
        where = f"layer {self.layer + 1}" if self.layer is not None else "network"
        return f"{where}: {self.message}" + (f" ({self.fix.label})" if self.fix else "")


@dataclass(frozen=True)
class LayerInfo:
    """What analysis knows about one layer; ``output_shape`` is None past the first error."""

    index: int
    type: str
    output_shape: Shape | None
    params: int = 0
    trainable_params: int = 0
    macs: int = 0
    activation_bytes: int = 0


@dataclass(frozen=True)
class Analysis:
    """The result of ``analyse``: per-layer facts, problems and totals."""

    input_shape: Shape
    num_classes: int
    layers: tuple[LayerInfo, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when nothing stops training."""
        return not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that stop training."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems worth knowing that do not stop training."""
        return tuple(p for p in self.problems if p.severity == "warning")

    def problems_for(self, index: int) -> tuple[Problem, ...]:
        """Problems on layer ``index``."""
        return tuple(p for p in self.problems if p.layer == index)

    @property
    def output_shape(self) -> Shape | None:
        """The network's output shape, or None when an error stops the inference."""
        return self.layers[-1].output_shape if self.layers else self.input_shape

    @property
    def total_params(self) -> int:
        return sum(i.params for i in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(i.trainable_params for i in self.layers)

    @property
    def total_macs(self) -> int:
        return sum(i.macs for i in self.layers)

    @property
    def activation_bytes(self) -> int:
        """Forward activation memory per sample, input included."""
        return math.prod(self.input_shape) * BYTES_PER_VALUE + sum(
            i.activation_bytes for i in self.layers
        )


def _range_problem(index: int, spec: LayerSpec) -> Problem | None:
    row = LAYER_TYPES[spec.type]
    for p in row.params:
        value = spec.params[p.name]
        if not p.minimum <= value <= p.maximum:
            clamped = min(max(value, p.minimum), p.maximum)
            return Problem(
                "error", index,
                f"{p.name} must be between {p.minimum} and {p.maximum}, not {value}",
                Fix(f"Set {p.name} to {clamped}", "set", index, param=p.name, value=clamped),
            )
    return None


def _shape_fix(index: int, problem: ShapeProblem) -> Fix | None:
    if problem.fix == "flatten":
        return Fix("Insert Flatten", "insert", index, layer("Flatten"))
    if problem.fix in ("padding", "kernel"):
        return Fix(
            f"Set {problem.fix} to {problem.value}", "set", index,
            param=problem.fix, value=problem.value,
        )
    return None


def _output_problems(spec: NetworkSpec, shape: Shape, num_classes: int) -> list[Problem]:
    last = len(spec) - 1
    if len(shape) != 1:
        dims = "x".join(map(str, shape))
        return [Problem(
            "error", last if spec.layers else None,
            f"the network ends with {dims} maps; it must end with {num_classes} outputs",
            Fix(f"Append Flatten and Linear({num_classes})", "append", 0, layer("Flatten"),
                extra=(layer("Linear", units=num_classes),)),
        )]
    if shape[0] == num_classes:
        return []
    message = f"the last layer has {shape[0]} outputs but the dataset has {num_classes} classes"
    weighted = [i for i, s in enumerate(spec.layers) if s.type == "Linear"]
    shape_free = all(spec.layers[j].type in ("Dropout", "Activation", "BatchNorm")
                     for j in range(weighted[-1] + 1, len(spec))) if weighted else False
    if shape_free:
        i = weighted[-1]
        fix = Fix(f"Set units of layer {i + 1} to {num_classes}", "set", i,
                  param="units", value=num_classes)
    else:
        fix = Fix(f"Append Linear({num_classes})", "append", 0, layer("Linear", units=num_classes))
    return [Problem("error", last if spec.layers else None, message, fix)]


def _softmax_warning(spec: NetworkSpec, loss: str) -> Problem | None:
    if loss != "cross_entropy" or not spec.layers:
        return None
    last = spec.layers[-1]
    if last.activation == "softmax":
        remove = (Fix("Remove the Softmax layer", "remove", len(spec) - 1)
                  if last.type == "Activation" else None)
        return Problem("warning", len(spec) - 1, SOFTMAX_BEFORE_CE, remove)
    return None


def analyse(
    spec: NetworkSpec,
    input_shape: Shape = (1, 28, 28),
    num_classes: int = 10,
    loss: str = "cross_entropy",
) -> Analysis:
    """Infer every layer's output shape and cost, and collect problems with fixes.

    Args:
        spec: the network.
        input_shape: one sample's shape, without the batch dimension.
        num_classes: how many classes the dataset has.
        loss: "cross_entropy" or "mse"; softmax before cross-entropy is flagged.
    """
    shape: Shape | None = tuple(input_shape)
    infos: list[LayerInfo] = []
    problems: list[Problem] = []
    if not spec.layers:
        problems.append(Problem("error", None, "the network has no layers",
                                Fix(f"Append Flatten and Linear({num_classes})", "append", 0,
                                    layer("Flatten"), extra=(layer("Linear", units=num_classes),))))
    for i, lay in enumerate(spec.layers):
        if shape is None:
            infos.append(LayerInfo(i, lay.type, None))
            continue
        bad_range = _range_problem(i, lay)
        if bad_range:
            problems.append(bad_range)
            shape = None
            infos.append(LayerInfo(i, lay.type, None))
            continue
        row = LAYER_TYPES[lay.type]
        try:
            out = row.infer(shape, dict(lay.params))
        except ShapeProblem as exc:
            problems.append(Problem("error", i, exc.message, _shape_fix(i, exc)))
            shape = None
            infos.append(LayerInfo(i, lay.type, None))
            continue
        if lay.type == "Flatten" and len(shape) == 1:
            problems.append(Problem("warning", i, "the input is already flat: Flatten does nothing",
                                    Fix("Remove this Flatten", "remove", i)))
        counts = row.counts(shape, out, dict(lay.params))
        infos.append(LayerInfo(
            i, lay.type, out, counts.params, counts.params if lay.trainable else 0, counts.macs,
            math.prod(out) * BYTES_PER_VALUE * (2 if lay.activation != "none" else 1),
        ))
        shape = out
    if shape is not None and spec.layers:
        problems.extend(_output_problems(spec, shape, num_classes))
    warning = _softmax_warning(spec, loss)
    if warning:
        problems.append(warning)
    result = Analysis(tuple(input_shape), num_classes, tuple(infos), tuple(problems))
    if result.total_params > MAX_PARAMETERS:
        problems.append(Problem(
            "error", None,
            f"{result.total_params:,} parameters is more than this app trains "
            f"({MAX_PARAMETERS:,})", None))
    if result.activation_bytes > MAX_ACTIVATION_BYTES:
        problems.append(Problem(
            "error", None,
            f"{result.activation_bytes / 2**20:,.0f} MiB of activations per sample is too much: "
            "use fewer filters or more pooling", None))
    return Analysis(tuple(input_shape), num_classes, tuple(infos), tuple(problems))
