"""TeachBox: "Teach it your symbols": draw five examples of each new symbol, then fine-tune on them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.transfer import MIN_EXAMPLES, TaughtModel
from playground.gui.draw.examples import ExampleStrip
from playground.gui.draw.source import AnsweringModel
from playground.gui.draw.teach_worker import TeachWorker, names_problem, parse_names

DEFAULT_NAMES = "+, -, x"


class TeachBox(QWidget):
    """A collapsible box under the canvas that teaches the sample model new symbols.

    The panel calls ``set_input`` with each new 28x28 input and ``set_state`` when the answering
    model changes. ``example_added`` asks the panel to clear the canvas; ``taught`` carries the
    TaughtModel to answer with; ``back_requested`` asks for the sample model again.

    Args:
        base: returns the sample model to start from (None when it cannot be loaded).
    """

    example_added = Signal()
    taught = Signal(object)
    back_requested = Signal()

    def __init__(self, base: Callable[[], AnsweringModel | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = base
        self._input: np.ndarray | None = None
        self._examples: dict[str, list[np.ndarray]] = {}
        self._added: list[str] = []
        self._target = ""
        self._live = self._taught_active = False
        self._status = ""
        self.worker: TeachWorker | None = None
        self.header = QToolButton(self)
        self.header.setText(self.tr("Teach it your symbols"))
        self.header.setToolTip(self.tr("Teach the network new symbols from a few drawings of each"))
        self.header.setCheckable(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setAutoRaise(True)
        self.header.toggled.connect(self.set_expanded)
        self.body = QWidget(self)
        self._build_body()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.body)
        self.set_expanded(False)
        self._advance()

    def _build_body(self) -> None:
        """Names, prompt, Add / Undo, the examples, Teach with its progress, and the note."""
        self.names_edit = QLineEdit(DEFAULT_NAMES, self.body)
        self.names_edit.setAccessibleName(self.tr("Symbols to teach"))
        self.names_edit.setPlaceholderText(DEFAULT_NAMES)
        self.names_edit.setToolTip(self.tr("The new symbols' names, separated by commas"))
        self.names_edit.textChanged.connect(self._on_names_changed)
        names_label = QLabel(self.tr("Symbols:"), self.body)
        names_label.setBuddy(self.names_edit)
        self.prompt = QLabel(self.body)
        self.prompt.setAccessibleName(self.tr("What to draw next"))
        self.prompt.setWordWrap(True)
        self.add_button = QPushButton(self.tr("Add example"), self.body)
        self.add_button.setToolTip(self.tr("Keep the drawing as an example of this symbol (Enter)"))
        self.add_button.clicked.connect(self.add_example)
        self.undo_button = QPushButton(self.tr("Undo example"), self.body)
        self.undo_button.setToolTip(self.tr("Forget the last example added"))
        self.undo_button.clicked.connect(self.undo_example)
        self.strip = ExampleStrip(MIN_EXAMPLES, self.body)
        self.strip.symbol_picked.connect(self._on_symbol_picked)
        self.teach_button = QPushButton(self.tr("Teach"), self.body)
        self.teach_button.setToolTip(self.tr("Fine-tune the sample model on your examples"))
        self.teach_button.clicked.connect(self.start_teaching)
        self.progress = QProgressBar(self.body)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName(self.tr("Teaching progress"))
        self.stop_button = QPushButton(self.tr("Stop"), self.body)
        self.stop_button.clicked.connect(self.stop_teaching)
        self.back_button = QPushButton(self.tr("Back to digits"), self.body)
        self.back_button.setToolTip(self.tr("Read digits with the sample model again"))
        self.back_button.clicked.connect(self._on_back_clicked)
        self.note = QLabel(self.body)
        self.note.setAccessibleName(self.tr("Teaching status"))
        self.note.setWordWrap(True)
        names_row = QHBoxLayout()
        names_row.addWidget(names_label)
        names_row.addWidget(self.names_edit, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.undo_button)
        add_row.addStretch(1)
        teach_row = QHBoxLayout()
        teach_row.addWidget(self.teach_button)
        teach_row.addWidget(self.progress, 4)
        teach_row.addWidget(self.stop_button)
        teach_row.addStretch(1)
        teach_row.addWidget(self.back_button)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(names_row)
        layout.addWidget(self.prompt)
        layout.addLayout(add_row)
        layout.addWidget(self.strip)
        layout.addLayout(teach_row)
        layout.addWidget(self.note)

    # --- what the panel calls -----------------------------------------------------------------------

    @Slot(bool)
    def set_expanded(self, expanded: bool) -> None:
        """Show or hide the box's body."""
        self.header.setChecked(expanded)
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    def is_expanded(self) -> bool:
        """Whether the body shows."""
        return self.header.isChecked()

    def set_input(self, image28: np.ndarray | None) -> None:
        """The canvas's current 28x28 input (None when empty)."""
        self._input = None if image28 is None else np.array(image28, dtype=np.float32)
        self._refresh()

    def set_state(self, live: bool, taught_active: bool) -> None:
        """Whether the network being trained answers, and whether a taught model does."""
        self._live, self._taught_active = live, taught_active
        self._refresh()

    def names(self) -> list[str]:
        """The symbols as typed."""
        return parse_names(self.names_edit.text())

    def counts(self) -> list[int]:
        """Examples per symbol, in the order of ``names``."""
        return [len(self._examples.get(name, [])) for name in self.names()]

    def teaching(self) -> bool:
        """Whether a fine-tuning runs now."""
        return self.worker is not None

    # --- examples -------------------------------------------------------------------------------------

    @Slot()
    def add_example(self) -> bool:
        """Keep the current input as an example of the symbol prompted for; False when none can."""
        if not self.add_button.isEnabled() or self._input is None or self._target not in self.names():
            return False
        self._examples.setdefault(self._target, []).append(self._input)
        self._added.append(self._target)
        self._input = None
        self._advance()
        self.example_added.emit()
        return True

    @Slot()
    def undo_example(self) -> None:
        """Forget the last example added, and ask for that symbol again."""
        if self._added:
            name = self._added.pop()
            self._examples[name].pop()
            self._target = name
            self._refresh()

    @Slot(int)
    def _on_symbol_picked(self, index: int) -> None:
        """Draw the clicked symbol next."""
        self._target = self.names()[index]
        self._refresh()

    @Slot(str)
    def _on_names_changed(self, text: str) -> None:
        """New names: examples are kept by name, so a name typed again gets its examples back."""
        self._advance()

    def _advance(self) -> None:
        """Stay on the prompted symbol until it has enough examples, then go to the next short one."""
        names, counts = self.names(), self.counts()
        if self._target not in names or counts[names.index(self._target)] >= MIN_EXAMPLES:
            short = [n for n, c in zip(names, counts, strict=True) if c < MIN_EXAMPLES]
            if short or self._target not in names:
                self._target = short[0] if short else (names[0] if names else "")
        self._refresh()

    # --- teaching -------------------------------------------------------------------------------------

    @Slot()
    def start_teaching(self) -> None:
        """Fine-tune the sample model on the examples, on a worker thread."""
        if self.worker is not None or not self.teach_button.isEnabled():
            return
        base = self._base()
        if base is None:
            self._set_status(self.tr("The sample model cannot be loaded, so nothing can be taught."))
            return
        names = self.names()
        images = np.stack([x for name in names for x in self._examples[name]])
        labels = np.repeat(np.arange(len(names)), self.counts())
        state = {k: v.detach().clone() for k, v in base.model.state_dict().items()}
        self.worker = TeachWorker(base.spec, state, images, labels, names, base.mean, base.std)
        self.worker.progressed.connect(self._on_progressed)
        self.worker.taught.connect(self._on_taught)
        self.worker.errored.connect(self._on_errored)
        self.worker.finished.connect(self._on_finished)
        self.progress.setValue(0)
        self.worker.start()
        self._set_status(self.tr("Teaching %1…").replace("%1", ", ".join(names)))

    @Slot()
    def stop_teaching(self) -> None:
        """Ask a running fine-tuning to stop; the answering model stays as it was."""
        if self.worker is not None:
            self.worker.cancel.set()
            self._set_status(self.tr("Stopped: nothing was taught."))

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop a running fine-tuning and wait (bounded); True when no thread is left running."""
        return self.worker is None or self.worker.shutdown(timeout_ms)

    @Slot(float)
    def _on_progressed(self, fraction: float) -> None:
        self.progress.setValue(round(fraction * 100))

    @Slot(object)
    def _on_taught(self, result: TaughtModel) -> None:
        symbols = " / ".join(result.class_names)
        self._set_status(self.tr("Taught in %1 s. Draw a %2 to test it.")
                         .replace("%1", f"{result.seconds:.1f}").replace("%2", symbols))
        self.taught.emit(result)

    @Slot(str, str)
    def _on_errored(self, message: str, hint: str) -> None:
        text = self.tr("Cannot teach: %1").replace("%1", message)
        self._set_status(f"{text} ({hint})" if hint else text)

    @Slot()
    def _on_back_clicked(self) -> None:
        self._set_status("")
        self.back_requested.emit()

    @Slot()
    def _on_finished(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self._refresh()

    def _refresh(self) -> None:
        """Put the prompt, buttons, strip and note in step with the examples and the state."""
        names, counts, running = self.names(), self.counts(), self.worker is not None
        problem = names_problem(names)
        index = names.index(self._target) if self._target in names else -1
        self.strip.set_rows([(n, self._examples.get(n, [])) for n in names], index)
        ready = not problem and all(c >= MIN_EXAMPLES for c in counts)
        if problem:
            self.prompt.setText(problem)
        elif index >= 0 and counts[index] < MIN_EXAMPLES:
            self.prompt.setText(self.tr("Draw a “%1” on the canvas, then Add (%2 of %3)")
                                .replace("%1", self._target).replace("%2", str(counts[index] + 1))
                                .replace("%3", str(MIN_EXAMPLES)))
        else:
            self.prompt.setText(self.tr("Ready: press Teach. More examples help: draw a “%1”.")
                                .replace("%1", self._target))
        self.names_edit.setEnabled(not running)
        self.add_button.setEnabled(not problem and not running and self._input is not None)
        self.undo_button.setEnabled(bool(self._added) and not running)
        self.teach_button.setEnabled(ready and not running)
        self.teach_button.setVisible(not running)
        self.progress.setVisible(running)
        self.stop_button.setVisible(running)
        self.back_button.setVisible(self._taught_active and not running)
        lines = [self._status] if self._status else []
        if self._live:
            lines.append(self.tr("Teaching starts from the sample model, not your network being "
                                 "trained."))
        self.note.setText("\n".join(lines))
        self.note.setVisible(bool(lines))

    def _set_status(self, text: str) -> None:
        """Say what teaching did last."""
        self._status = text
        self._refresh()
