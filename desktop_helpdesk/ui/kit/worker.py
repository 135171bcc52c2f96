"""The database worker: one thread that runs every service call, results back as signals.

A single-thread executor means writes never race each other and the GUI thread never
waits on SQLite. `submit()` returns at once; the callback runs later on the GUI thread."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from .errors import log_failure

log = logging.getLogger(__name__)


class DbWorker(QObject):
    """Runs callables on the database thread and delivers outcomes on the GUI thread."""

    _delivered = Signal(object, object, object, object)  # on_done, on_error, result, error
    #: A job failed and its caller gave no error handler: (exception)
    failed = Signal(object)
    #: The number of jobs queued or running changed
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-worker")
        self._pending = 0
        self._delivered.connect(self._deliver)

    @property
    def pending(self) -> int:
        return self._pending

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        future = self._pool.submit(fn, *args)

        def finished(f: Future) -> None:
            error = f.exception()
            # Emitted from the worker thread: Qt queues it to the GUI thread.
            self._delivered.emit(on_done, on_error, None if error else f.result(), error)

        future.add_done_callback(finished)
        return future

    @Slot(object, object, object, object)
    def _deliver(self, on_done, on_error, result, error) -> None:
        self._pending -= 1
        try:
            if _gone(on_done if error is None else on_error):
                return  # its window was closed while the job ran: nobody is waiting for the answer
            if error is not None:
                if on_error is not None:
                    on_error(error)
                else:
                    log_failure("database job failed", error, log)  # once: the window that shows it does not log again
                    self.failed.emit(error)
            elif on_done is not None:
                on_done(result)
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)

    def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run on the worker thread and wait (start-up and shutdown only, never from a view)."""
        return self._pool.submit(fn, *args).result()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


def _gone(callback) -> bool:
    """The callback is a method of a Qt object that has been deleted (a closed window)."""
    import shiboken6

    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not shiboken6.isValid(owner)
