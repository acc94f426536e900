"""Shape inference, parameter and multiply-add counts, and errors that name the layer and a fix."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from playground.core.activations import ACTIVATIONS
from playground.core.choices import CLASSIFICATION, LOSSES
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
            return spec.insert(self.index, self._layer())
        if self.action == "set":
            return spec.replace_layer(
                self.index, spec.layers[self.index].with_params(**{self.param: self.value})
            )
        if self.action == "remove":
            return spec.remove(self.index)
        for new in (self._layer(), *self.extra):
            spec = spec.insert(len(spec), new)
        return spec

    def _layer(self) -> LayerSpec:
        if self.layer is None:
            raise ValueError(f"the fix '{self.label}' has no layer to {self.action}")
        return self.layer


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
    input_shape: Shape | None = None


@dataclass(frozen=True)
class Analysis:
    """The result of ``analyse``: per-layer facts, problems and totals."""

    input_shape: Shape
    outputs: int
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


def _shape_fix(index: int, type_name: str, problem: ShapeProblem) -> Fix | None:
    if problem.fix == "flatten":
        return Fix("Insert Flatten", "insert", index, layer("Flatten"))
    if problem.fix is not None and problem.value is not None and any(
            p.name == problem.fix for p in LAYER_TYPES[type_name].params):
        return Fix(f"Set {problem.fix} to {problem.value}", "set", index, param=problem.fix,
                   value=problem.value)
    return None


def _wanted(outputs: int, task: str) -> str:
    """ "10 classes", or "1 target value" for regression."""
    if task == CLASSIFICATION:
        return f"{outputs} classes"
    return f"{outputs} target value{'s' if outputs != 1 else ''}"


def _end_fix(outputs: int) -> Fix:
    return Fix(f"Append Flatten and Linear({outputs})", "append", 0, layer("Flatten"),
               extra=(layer("Linear", units=outputs),))


def _output_problems(spec: NetworkSpec, shape: Shape, outputs: int, task: str) -> list[Problem]:
    last = len(spec) - 1
    if len(shape) != 1:
        dims = "x".join(map(str, shape))
        return [Problem("error", last if spec.layers else None,
                        f"the network ends with {dims} maps; it must end with {outputs} outputs",
                        _end_fix(outputs))]
    if shape[0] == outputs:
        return []
    message = f"the last layer has {shape[0]} outputs but the dataset has {_wanted(outputs, task)}"
    rows = [LAYER_TYPES[lay.type] for lay in spec.layers]
    sizing = [i for i, row in enumerate(rows) if row.output_param]
    if sizing and all(row.keeps_shape for row in rows[sizing[-1] + 1:]):
        i = sizing[-1]
        param = rows[i].output_param
        fix = Fix(f"Set {param} of layer {i + 1} to {outputs}", "set", i, param=param, value=outputs)
    else:
        fix = Fix(f"Append Linear({outputs})", "append", 0, layer("Linear", units=outputs))
    return [Problem("error", last if spec.layers else None, message, fix)]


def _softmax_warning(spec: NetworkSpec, loss: str) -> Problem | None:
    if not LOSSES[loss].log_softmax or not spec.layers:
        return None
    last = spec.layers[-1]
    if ACTIVATIONS[last.activation].probabilities:
        remove = (Fix("Remove the Softmax layer", "remove", len(spec) - 1)
                  if LAYER_TYPES[last.type].family == "activation" else None)
        return Problem("warning", len(spec) - 1, SOFTMAX_BEFORE_CE, remove)
    return None


def analyse(
    spec: NetworkSpec,
    input_shape: Shape,
    outputs: int,
    loss: str = "cross_entropy",
    task: str = CLASSIFICATION,
) -> Analysis:
    """Infer every layer's output shape and cost, and collect problems with fixes.

    Args:
        spec: the network.
        input_shape: one sample's shape, without the batch dimension.
        outputs: how many outputs the network must end with: the classes, or the regression targets.
        loss: a key of LOSSES; a softmax before a loss that applies log-softmax itself is flagged.
        task: "classification" or "regression", for the words of the messages.
    """
    shape: Shape | None = tuple(input_shape)
    infos: list[LayerInfo] = []
    problems: list[Problem] = []
    if not spec.layers:
        problems.append(Problem("error", None, "the network has no layers", _end_fix(outputs)))
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
            problems.append(Problem("error", i, exc.message, _shape_fix(i, lay.type, exc)))
            shape = None
            infos.append(LayerInfo(i, lay.type, None))
            continue
        if row.flattens and len(shape) == 1:
            problems.append(Problem("warning", i, "the input is already flat: Flatten does nothing",
                                    Fix("Remove this Flatten", "remove", i)))
        counts = row.counts(shape, out, dict(lay.params))
        infos.append(LayerInfo(
            i, lay.type, out, counts.params, counts.params if lay.trainable else 0, counts.macs,
            math.prod(out) * BYTES_PER_VALUE * (2 if lay.activation != "none" else 1), shape,
        ))
        shape = out
    if shape is not None and spec.layers:
        problems.extend(_output_problems(spec, shape, outputs, task))
    warning = _softmax_warning(spec, loss)
    if warning:
        problems.append(warning)
    result = Analysis(tuple(input_shape), outputs, tuple(infos), tuple(problems))
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
    return Analysis(tuple(input_shape), outputs, tuple(infos), tuple(problems))


def layer_shapes(spec: NetworkSpec, input_shape: Shape) -> list[Shape | None]:
    """The input's shape, then each layer's output shape (None from the first layer that cannot take
    its input on); they do not depend on the outputs the task asks for."""
    return [tuple(input_shape), *(info.output_shape for info in analyse(spec, input_shape, 1).layers)]
