"""Getting Started: a short guide through the four things a user comes for (build, train, draw, look
inside), shown at the first launch until dismissed, and from Help > Getting Started (F1)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

SHOWN_KEY = "help/guide_dismissed"  # True once the user unticked "Show this at start"


def _tr(source: str) -> str:
    return QCoreApplication.translate("GettingStarted", source)


def pages() -> list[tuple[str, str]]:
    """(title, text) of each step of the guide, in the order a newcomer meets them."""
    return [
        (_tr("1 · Build a network"), _tr(
            "The <b>Network editor</b> on the left is a stack of layers from the input (an MNIST digit, 1 "
            "x 28 x 28) to the output (10 classes). Click a layer in the palette to add it after the "
            "selected one; drag a card by its handle to move it; Delete removes it; Ctrl+Z undoes. Each "
            "card shows the shape it makes and its parameters. When the shapes do not fit, the card turns "
            "red and offers a fix (\"Insert Flatten\"). <b>Start from a preset</b>: the article's "
            "784-128-10 MLP, LeNet-5, a small CNN, an LSTM reading rows, or a deep sigmoid network whose "
            "gradients vanish.")),
        (_tr("2 · Train it"), _tr(
            "In <b>Training</b>, pick the dataset and the settings (hover over any of them for what it "
            "does; <b>Find…</b> beside the learning rate suggests one), then press <b>Start</b>. The loss "
            "and accuracy plot live; <b>Pause</b>, <b>Batch</b> and <b>Epoch</b> step through training, "
            "and the strip of eight steps shows what each batch goes through (click a step). When the "
            "test loss turns up while the training loss falls, the plot says \"overfitting from epoch k\" "
            "and offers remedies. Every run is kept in the <b>Notebook</b> tab with what changed and your "
            "notes.")),
        (_tr("3 · Draw a digit"), _tr(
            "Draw on the black canvas of <b>Draw a digit</b>: the bars show what the network answers, "
            "live, and the small picture shows the 28 x 28 image it reads. Before you train, a sample "
            "model trained on the bundled MNIST sample answers; after training, your network does. "
            "<b>Teach it your symbols</b> adds new classes from five drawings each.")),
        (_tr("4 · Look inside"), _tr(
            "Behind Training are three more tabs. <b>Evaluation</b> tests the network on every test "
            "image: a confusion matrix, the images behind each cell, precision and recall. <b>Inside the "
            "network</b> shows what each layer makes of your drawing: feature maps, pooling, hidden "
            "states and gates, first-layer weights, saliency. The <b>Activation explorer</b> plots each "
            "activation function and its derivative beside a layer's pre-activations. File > Save keeps "
            "it all in a project; File > Export writes TorchScript, ONNX or a training script.")),
    ]


class GettingStarted(QDialog):
    """The guide: one page per step, Back / Next, and "Show this at start" (remembered in ``settings``)."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(_tr("Getting Started"))
        self.stack = QStackedWidget(self)
        for title, text in pages():
            page = QWidget(self.stack)
            column = QVBoxLayout(page)
            heading = QLabel(f"<h2>{title}</h2>", page)
            body = QLabel(text, page)
            body.setWordWrap(True)
            body.setTextFormat(Qt.TextFormat.RichText)
            column.addWidget(heading)
            column.addWidget(body)
            column.addStretch(1)
            self.stack.addWidget(page)
        self.at_start = QCheckBox(_tr("Show this at start"), self)
        self.at_start.setChecked(not self.dismissed(settings))
        self.at_start.toggled.connect(self._on_at_start_toggled)
        self.back = QPushButton(_tr("Back"), self)
        self.next = QPushButton(_tr("Next"), self)
        self.done_button = QPushButton(_tr("Close"), self)
        self.back.clicked.connect(lambda: self.go(self.stack.currentIndex() - 1))
        self.next.clicked.connect(lambda: self.go(self.stack.currentIndex() + 1))
        self.done_button.clicked.connect(self.accept)
        self.position = QLabel(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.at_start)
        buttons.addStretch(1)
        buttons.addWidget(self.position)
        for button in (self.back, self.next, self.done_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.resize(560, 290)
        self.go(0)

    @staticmethod
    def dismissed(settings: QSettings) -> bool:
        """True once the user asked not to see the guide at start."""
        return str(settings.value(SHOWN_KEY, "false")).lower() == "true"

    def go(self, index: int) -> None:
        """Show page ``index`` (kept within the guide)."""
        index = max(0, min(index, self.stack.count() - 1))
        self.stack.setCurrentIndex(index)
        self.back.setEnabled(index > 0)
        self.next.setEnabled(index < self.stack.count() - 1)
        self.position.setText(_tr("{0} of {1}").format(index + 1, self.stack.count()))
        (self.next if index < self.stack.count() - 1 else self.done_button).setDefault(True)

    def page_text(self) -> str:
        """The shown page's title and text, for tests and screen readers."""
        page = self.stack.currentWidget()
        return "\n".join(label.text() for label in page.findChildren(QLabel)) if page is not None else ""

    @Slot(bool)
    def _on_at_start_toggled(self, shown: bool) -> None:
        self.settings.setValue(SHOWN_KEY, not shown)
