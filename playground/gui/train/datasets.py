"""The dataset picker: bundled sample, MNIST, Fashion-MNIST (downloaded off the GUI thread), IDX folders."""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QMessageBox, QProgressDialog, QWidget

from playground.data import sources
from playground.data.sources import Dataset
from playground.errors import PlaygroundError
from playground.gui.train.worker import track

log = logging.getLogger(__name__)
DEFAULT_DATASET = "mnist-sample"
PICK_FOLDER = "__idx_folder__"


class DownloadThread(QThread):
    """Downloads a named dataset and loads it; ``cancel`` stops it (the data layer cleans up)."""

    progressed = Signal(float, float)
    loaded = Signal(object)
    failed = Signal(str, str)

    def __init__(self, dataset_id: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset_id = dataset_id
        self.cancel = threading.Event()
        self._last = 0.0
        track(self)

    def run(self) -> None:
        """Download, then load; every failure becomes ``failed``."""
        try:
            sources.download_dataset(self.dataset_id, progress=self._progress, cancel=self.cancel)
            dataset = sources.load_dataset(self.dataset_id)
        except PlaygroundError as exc:
            self.failed.emit(exc.message, exc.hint or "")
        except Exception as exc:  # shown to the user, never lost on this thread
            log.exception("download failed")
            self.failed.emit(f"{type(exc).__name__}: {exc}", self.tr("the log has the details"))
        else:
            self.loaded.emit(dataset)

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last >= 0.05 or done >= total > 0:
            self._last = now
            self.progressed.emit(float(done), float(total))


class DatasetPicker(QWidget):
    """A combo box of datasets; emits ``dataset_changed`` with the loaded Dataset, ``failed`` otherwise.

    A failed or cancelled load leaves the previous dataset selected.
    """

    dataset_changed = Signal(object)
    failed = Signal(str, str)
    downloading_changed = Signal(bool)

    def __init__(self, dataset: Dataset | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(self.tr("Dataset"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        self._loaded: dict[str, Dataset] = {}
        self._download: DownloadThread | None = None
        self._progress: QProgressDialog | None = None
        self.current: Dataset | None = None
        self.error: tuple[str, str] | None = None
        self._fill()
        if dataset is not None:
            self._loaded[dataset.id] = dataset
        self.select(dataset.id if dataset is not None else DEFAULT_DATASET)
        self.combo.activated.connect(self._on_activated)

    def _fill(self) -> None:
        self.combo.clear()
        for info in sources.list_datasets():
            text = info.name
            if info.needs_download:
                text = self.tr("{0} (download needed)").format(info.name)
            elif not info.available:
                text = self.tr("{0} ({1})").format(info.name, info.unavailable or self.tr("missing"))
            self.combo.addItem(text, info.id)
            row = self.combo.count() - 1
            self.combo.setItemData(row, info.description + (f"\n{info.location}" if info.location else ""),
                                   Qt.ItemDataRole.ToolTipRole)
            if not info.available and not info.needs_download:
                self.combo.model().item(row).setEnabled(False)
        self.combo.addItem(self.tr("IDX folder..."), PICK_FOLDER)

    def refresh(self) -> None:
        """List the datasets again (my drawings may have become loadable), keeping the selection; my
        drawings are read afresh when next chosen."""
        self._loaded.pop(sources.MY_DRAWINGS, None)
        extra = [(self.combo.itemText(i), self.combo.itemData(i)) for i in range(self.combo.count())
                 if str(self.combo.itemData(i)).startswith(sources.IDX_PREFIX)]
        self.combo.blockSignals(True)
        self._fill()
        for text, data in extra:
            self.combo.insertItem(self.combo.count() - 1, text, data)
        if self.current is not None:
            self.combo.setCurrentIndex(self._row(self.current.id))
        self.combo.blockSignals(False)

    @property
    def current_id(self) -> str:
        """The id of the selected dataset ("" when none could be loaded)."""
        return self.current.id if self.current is not None else ""

    def _row(self, dataset_id: str) -> int:
        row = self.combo.findData(dataset_id)
        if row < 0:
            row = self.combo.count() - 1
            name = dataset_id.removeprefix(sources.IDX_PREFIX)
            self.combo.insertItem(row, self.tr("IDX: {0}").format(name), dataset_id)
            self.combo.setItemData(row, name, Qt.ItemDataRole.ToolTipRole)
        return row

    def select(self, dataset_id: str) -> None:
        """Load (from disk or memory) and select ``dataset_id``; on failure keep the old one."""
        try:
            dataset = self._loaded.get(dataset_id)
            if dataset is None:
                QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                try:
                    dataset = sources.load_dataset(dataset_id)
                finally:
                    QGuiApplication.restoreOverrideCursor()
        except PlaygroundError as exc:
            self.error = (exc.message, exc.hint or "")
            self._revert()
            self.failed.emit(*self.error)
            return
        self._use(dataset)

    def _use(self, dataset: Dataset) -> None:
        self._loaded[dataset.id] = dataset
        self.current = dataset
        self.error = None
        self.combo.setCurrentIndex(self._row(dataset.id))
        self.dataset_changed.emit(dataset)

    def _revert(self) -> None:
        if self.current is not None:
            self.combo.setCurrentIndex(self._row(self.current.id))

    @Slot(int)
    def _on_activated(self, row: int) -> None:
        chosen = self.combo.itemData(row)
        if chosen == self.current_id:
            return
        if chosen == PICK_FOLDER:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Folder with MNIST-style IDX files"))
            if not folder:
                self._revert()
                return
            chosen = sources.IDX_PREFIX + folder
        info = next((i for i in sources.list_datasets() if i.id == chosen), None)
        if info is not None and info.needs_download and chosen not in self._loaded:
            self._offer_download(info)
        else:
            self.select(chosen)

    def _offer_download(self, info: sources.DatasetInfo) -> None:
        answer = QMessageBox.question(
            self, self.tr("Download {0}?").format(info.name),
            self.tr("{0}\n\nDownload it now? It is checked and kept for next time.").format(info.description))
        if answer != QMessageBox.StandardButton.Yes:
            self._revert()
            return
        self._download = DownloadThread(info.id)
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
        self._download.failed.connect(self._on_download_failed)
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
        self._use(dataset)

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
        if thread is None:
            return True
        thread.cancel.set()
        return thread.wait(max(int(timeout_ms), 0))
