"""Progress of long work: a relay that carries a worker thread's progress to the GUI thread
and the person's Cancel back to the worker."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from ...i18n import _
from ...services.progress import Cancelled, Progress


class ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread (a queued signal).

    `start()` gives the `progress(done, total)` callable to hand a use case; once `cancel()`
    was called (on the GUI thread), that callable raises `services.progress.Cancelled` at the
    next batch boundary instead, carrying how far the job got. The batches before it stay
    committed: a cancel stops the work, it does not undo it.
    """

    progressed = Signal(int, int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._stop = threading.Event()  # set on the GUI thread, read on the worker

    def start(self) -> Progress:
        """A new job: forget an earlier Cancel; returns the callable for the use case."""
        self._stop.clear()
        return self._report

    def cancel(self) -> None:
        self._stop.set()

    @property
    def cancelling(self) -> bool:
        return self._stop.is_set()

    def _report(self, done: int, total: int) -> None:  # on the worker thread
        if self._stop.is_set() and done < total:  # the last report: nothing is left to stop
            raise Cancelled(done, total)
        try:
            self.progressed.emit(done, total)
        except RuntimeError:  # "Signal source has been deleted": its window was closed, the work goes on
            pass


def cancellable_progress(relay: ProgressRelay, label: str, title: str, stopping: str,
                         parent: QWidget) -> QProgressDialog:
    """A window-modal progress dialog for a job given `relay.start()`: its Cancel (or Esc)
    asks the relay to stop, and the dialog stays up saying `stopping` until the job has
    stopped (a batch in hand is finished and committed first). Close it with `close_progress`."""
    dialog = QProgressDialog(label, _("Cancel"), 0, 0, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setWindowTitle(title)
    dialog.canceled.disconnect(dialog.cancel)  # Qt's own Cancel hides it while the job still runs

    def cancel() -> None:
        relay.cancel()
        dialog.setLabelText(stopping)
        button = dialog.findChild(QPushButton)
        if button is not None:
            button.setEnabled(False)

    dialog.canceled.connect(cancel)
    return dialog


def close_progress(dialog: QProgressDialog) -> None:
    """The job has ended: close its progress dialog (closing it emits canceled: not a Cancel)."""
    dialog.canceled.disconnect()
    dialog.close()
    dialog.deleteLater()
