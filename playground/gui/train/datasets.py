"""The dataset picker: every listed source of the registry, downloads off the GUI thread, IDX folders."""

from __future__ import annotations

import time
from typing import cast

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.data import registry, sources
from playground.data.dataset import DataRef, Dataset, DatasetInfo, OptionDef, OptionValue
from playground.errors import PlaygroundError
from playground.gui.background import BackgroundJob
from playground.gui.session import TrainingSession

DEFAULT_DATASET = "mnist-sample"
PICK_FOLDER = "__idx_folder__"


class DownloadThread(BackgroundJob):
    """Loads a dataset that needs a download first; ``cancel`` stops it (the data layer cleans up)."""

    progressed = Signal(float, float)
    loaded = Signal(object)

    def __init__(self, ref: DataRef, parent: QObject | None = None) -> None:
        super().__init__("DownloadThread", parent)
        self.ref = ref
        self._last = 0.0

    def work(self) -> None:
        """Download, then load."""
        self.loaded.emit(registry.load_dataset(self.ref, download=True, progress=self._progress,
                                               cancel=self.cancel))

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last >= 0.05 or done >= total > 0:
            self._last = now
            self.progressed.emit(float(done), float(total))


class OptionsDialog(QDialog):
    """The options of a parametrised source (a sequence task's length, a 2-D dataset's points...), one
    field each with its range and tooltip; ``ref`` is the dataset they describe."""

    def __init__(self, name: str, options: tuple[OptionDef, ...], values: dict[str, OptionValue],
                 dataset_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Options of {0}").format(name))
        self.dataset_id = dataset_id
        self.fields: dict[str, QWidget] = {}
        form = QFormLayout()
        for option in options:
            field = self._field(option, values.get(option.name, option.default))
            field.setToolTip(option.help)
            field.setAccessibleName(option.name)
            self.fields[option.name] = field
            label = QLabel(option.name.capitalize(), self)
            label.setToolTip(option.help)
            form.addRow(label, field)
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok | cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _field(self, option: OptionDef, value: OptionValue) -> QWidget:
        low = option.minimum if option.minimum is not None else -1e9
        high = option.maximum if option.maximum is not None else 1e9
        if option.kind is bool:
            box = QCheckBox(self)
            box.setChecked(bool(value))
            return box
        if option.kind is int:
            spin = QSpinBox(self)
            spin.setRange(int(low), int(min(high, 2**31 - 1)))
            spin.setValue(int(value))
            return spin
        if option.kind is float:
            double = QDoubleSpinBox(self)
            double.setDecimals(3)
            double.setRange(float(low), float(high))
            double.setSingleStep(0.05)
            double.setValue(float(value))
            return double
        return QLineEdit(str(value), self)

    def values(self) -> dict[str, OptionValue]:
        """What the fields say."""
        out: dict[str, OptionValue] = {}
        for name, field in self.fields.items():
            if isinstance(field, QCheckBox):
                out[name] = field.isChecked()
            elif isinstance(field, QSpinBox | QDoubleSpinBox):
                field.interpretText()
                out[name] = field.value()
            elif isinstance(field, QLineEdit):
                out[name] = field.text().strip()
        return out

    @property
    def ref(self) -> DataRef:
        """The dataset with these options."""
        return DataRef.of(self.dataset_id, self.values())


def options_text(ref: DataRef) -> str:
    """The options of ``ref`` that differ from their defaults, for the picker: "length 30, seed 2"."""
    try:
        declared = {option.name: option.default for option in registry.kind_of(ref.id).options}
    except PlaygroundError:
        return ""
    return ", ".join(f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
                     for name, value in ref.options if declared.get(name, value) != value)


class DatasetPicker(QWidget):
    """A combo box of the registry's datasets that selects them in ``session``; ``failed`` carries why a
    dataset could not be loaded (the previous one stays selected)."""

    failed = Signal(str, str)
    downloading_changed = Signal(bool)

    def __init__(self, session: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(self.tr("Dataset"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        self.options = QToolButton(self)
        self.options.setText(self.tr("Options…"))
        self.options.setAccessibleName(self.tr("Dataset options"))
        self.options.setToolTip(self.tr("The dataset's settings: a sequence task's length, the number of "
                                        "samples, the seed..."))
        self.options.clicked.connect(self.edit_options)
        self.options_dialog: OptionsDialog | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.options)
        self._refs: dict[str, DataRef] = {}
        self._download: DownloadThread | None = None
        self._progress: QProgressDialog | None = None
        self.error: tuple[str, str] | None = None
        self._fill()
        session.dataset_changed.connect(self._on_dataset_changed)
        if session.dataset is None:
            self.select(DataRef(DEFAULT_DATASET))
        else:
            self._on_dataset_changed(session.dataset)
        self.combo.activated.connect(self._on_activated)

    def _fill(self) -> None:
        self.combo.clear()
        self._refs = {}
        for info in registry.list_datasets():
            text = info.name
            if info.needs_download:
                text = self.tr("{0} (download needed)").format(info.name)
            elif not info.available:
                text = self.tr("{0} ({1})").format(info.name, info.unavailable or self.tr("missing"))
            self._add(text, info.ref)
            row = self.combo.count() - 1
            self.combo.setItemData(row, info.description + (f"\n{info.location}" if info.location else ""),
                                   Qt.ItemDataRole.ToolTipRole)
            if not info.available and not info.needs_download:
                cast(QStandardItemModel, self.combo.model()).item(row).setEnabled(False)
        self.combo.addItem(self.tr("IDX folder..."), PICK_FOLDER)

    def _add(self, text: str, ref: DataRef, row: int | None = None) -> None:
        self._refs[ref.key] = ref
        if row is None:
            self.combo.addItem(text, ref.key)
        else:
            self.combo.insertItem(row, text, ref.key)

    def refresh(self) -> None:
        """List the datasets again (my drawings may have become loadable), keeping the selection."""
        rows = [(self.combo.itemText(i), self.combo.itemData(i)) for i in range(self.combo.count())]
        extra = [(text, self._refs[key]) for text, key in rows
                 if key in self._refs and registry.kind_of(self._refs[key].id).is_prefix]
        self.combo.blockSignals(True)
        self._fill()
        for text, ref in extra:
            self._add(text, ref, self.combo.count() - 1)
        if self.session.dataset is not None:
            self.combo.setCurrentIndex(self._row(self.session.dataset.ref))
        self.combo.blockSignals(False)

    @property
    def current(self) -> Dataset | None:
        """The session's dataset."""
        return self.session.dataset

    def _row(self, ref: DataRef) -> int:
        row = self.combo.findData(ref.key)
        if row < 0:
            row = self._same_source_row(ref)
        if row < 0:
            row = self.combo.count() - 1
            name = ref.id.removeprefix(sources.IDX_PREFIX)
            self._add(self.tr("IDX: {0}").format(name), ref, row)
            self.combo.setItemData(row, name, Qt.ItemDataRole.ToolTipRole)
        return row

    def _same_source_row(self, ref: DataRef) -> int:
        """The listed row of ``ref``'s source with other options, now showing ``ref`` (-1 when none)."""
        try:
            if registry.kind_of(ref.id).is_prefix:
                return -1
        except PlaygroundError:
            return -1
        for row in range(self.combo.count()):
            key = self.combo.itemData(row)
            listed = self._refs.get(key) if isinstance(key, str) else None
            if listed is not None and listed.id == ref.id:
                del self._refs[key]
                self._refs[ref.key] = ref
                self.combo.setItemData(row, ref.key)
                name = registry.dataset_info(ref).name
                extra = options_text(ref)
                self.combo.setItemText(row, f"{name} ({extra})" if extra else name)
                return row
        return -1

    @Slot()
    def edit_options(self) -> bool:
        """Ask for the selected dataset's options and load it with them; True when it was reloaded."""
        current = self.session.dataset
        if current is None:
            return False
        kind = registry.kind_of(current.ref.id)
        dialog = self.options_dialog = OptionsDialog(current.name, kind.options, current.ref.values(),
                                                     current.ref.id, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            try:
                ref = registry.check(dialog.ref)
            except PlaygroundError as exc:
                self.failed.emit(exc.message, exc.hint or "")
                return False
            return ref != current.ref and self.select(ref)
        finally:
            self.options_dialog = None

    def _update_options(self) -> None:
        dataset = self.session.dataset
        has = False
        if dataset is not None:
            try:
                has = bool(registry.kind_of(dataset.ref.id).options)
            except PlaygroundError:
                has = False
        self.options.setVisible(has)

    def select(self, ref: DataRef | str) -> bool:
        """Load (from disk or memory) and select ``ref`` (a plain id is a ref without options); on failure
        keep the old one. True when selected."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.session.select_dataset(ref)
        except PlaygroundError as exc:
            self.error = (exc.message, exc.hint or "")
            self._revert()
            self.failed.emit(*self.error)
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        return True

    @Slot(object)
    def _on_dataset_changed(self, dataset: Dataset) -> None:
        self.error = None
        self.combo.setCurrentIndex(self._row(dataset.ref))
        self._update_options()

    def _revert(self) -> None:
        if self.session.dataset is not None:
            self.combo.setCurrentIndex(self._row(self.session.dataset.ref))

    @Slot(int)
    def _on_activated(self, row: int) -> None:
        chosen = self.combo.itemData(row)
        current = self.session.dataset
        if current is not None and chosen == current.ref.key:
            return
        if chosen == PICK_FOLDER:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Folder with MNIST-style IDX files"))
            if not folder:
                self._revert()
                return
            ref = DataRef(sources.IDX_PREFIX + folder)
        else:
            ref = self._refs[chosen]
        try:
            info = registry.dataset_info(ref)
        except PlaygroundError as exc:
            self.failed.emit(exc.message, exc.hint or "")
            self._revert()
            return
        if info.needs_download:
            self._offer_download(info)
        else:
            self.select(ref)

    def _offer_download(self, info: DatasetInfo) -> None:
        answer = QMessageBox.question(
            self, self.tr("Download {0}?").format(info.name),
            self.tr("{0}\n\nDownload it now? It is checked and kept for next time.").format(info.description))
        if answer != QMessageBox.StandardButton.Yes:
            self._revert()
            return
        self._download = DownloadThread(info.ref)
        self._progress = QProgressDialog(self.tr("Downloading {0}...").format(info.name),
                                         self.tr("Cancel"), 0, 1000, self)
        self._progress.setWindowTitle(self.tr("Download"))
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(0)
        self._progress.setAutoClose(False)
        self._progress.setAutoReset(False)
        self._progress.canceled.connect(self._on_cancel)
        self._download.progressed.connect(self._on_progress)
        self._download.loaded.connect(self._on_downloaded)
        self._download.errored.connect(self._on_download_failed)
        self._download.finished.connect(self._on_download_finished)
        self._progress.show()
        self._download.start()
        self.downloading_changed.emit(True)

    @Slot(float, float)
    def _on_progress(self, done: float, total: float) -> None:
        if self._progress is not None and total > 0:
            self._progress.setValue(int(1000 * done / total))
            self._progress.setLabelText(self.tr("Downloaded {0:.1f} of {1:.1f} MB").format(
                done / 1e6, total / 1e6))

    @Slot()
    def _on_cancel(self) -> None:
        if self._download is not None:
            self._download.cancel.set()

    @Slot(object)
    def _on_downloaded(self, dataset: Dataset) -> None:
        self._fill()
        self.session.set_dataset(dataset)

    @Slot(str, str)
    def _on_download_failed(self, message: str, hint: str) -> None:
        self.error = (message, hint)
        self._revert()
        self.failed.emit(message, hint)

    @Slot()
    def _on_download_finished(self) -> None:
        if self._download is not None:
            self._download.wait()
            self._download = None
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        self.downloading_changed.emit(False)

    @property
    def downloading(self) -> bool:
        """True while a download runs."""
        return self._download is not None

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel a running download and wait for it (bounded); True when none is left running."""
        thread = self._download
        return thread is None or thread.shutdown(timeout_ms)
