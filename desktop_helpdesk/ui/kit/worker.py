"""Database work from the UI: one runner, two lanes, answers back on the GUI thread.

Every use case is a function `fn(ctx, *args)` (desktop_helpdesk.services); the UI asks the
runner to call it with `jobs.submit(fn, *args, on_done=...)` and never waits for it.

- **Two lanes.** Interactive work (page loads, lookups, saves) runs on its own thread and
  database connection; long work (a calendar or package recompute, an export, the alert
  check) runs on another thread with its own connection (`lane=LONG`), in batches that
  commit. A caller lookup asked while a recompute runs is answered at once: SQLite in WAL
  mode lets readers go on while a writer works, and each lane holds its own connection.
- **Tied to the asker's lifetime.** An answer whose window was closed while the job ran
  is dropped, in one place.
- **Newest answer wins by key** (`key=`): an older job of the same key and owner is not
  delivered once a newer one was asked; `debounce_ms=` waits for a pause first.
- **One place for failures.** A job with no `on_error` logs its traceback and emits
  `failed`, which the main window shows as a short message.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ...services.context import Context

from .errors import log_failure

log = logging.getLogger(__name__)

INTERACTIVE, LONG = "interactive", "long"


class Jobs(QObject):
    """Runs use cases on the two lanes and delivers their outcomes on the GUI thread."""

    _delivered = Signal(object, object, object, object, object)  # ticket, on_done, on_error, result, error
    #: A job failed and its caller gave no error handler: (exception)
    failed = Signal(object)
    #: Whether any job is queued or running changed
    busy_changed = Signal(bool)

    def __init__(self, ctx: Context, long_ctx: Context | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._lanes = {
            INTERACTIVE: (ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-interactive"), ctx),
            LONG: (ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-long"), long_ctx or ctx),
        }
        self._pending = 0
        self._latest: dict[tuple, int] = {}
        self._timers: dict[tuple, QTimer] = {}
        self._serial = 0
        self._delivered.connect(self._deliver)

    # -- what views read without a query -------------------------------------------
    def now(self) -> datetime:
        return self.ctx.now()

    def today(self) -> date:
        return self.ctx.today()

    @property
    def calendars(self):
        return self.ctx.calendars

    @property
    def pending(self) -> int:
        return self._pending

    # -- running work -----------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None, lane: str = INTERACTIVE,
               key: tuple | None = None, debounce_ms: int = 0) -> None:
        """Call `fn(ctx, *args)` on `lane`; `on_done(result)` or `on_error(exc)` follow on the
        GUI thread unless the asker is gone or (with `key`) a newer job of that key was asked."""
        ticket = None
        if key is not None:
            self._serial += 1
            ticket = (key, self._serial)
            self._latest[key] = self._serial
            if debounce_ms:
                timer = self._timers.get(key)
                if timer is None or not shiboken6.isValid(timer):
                    timer = QTimer(self, singleShot=True)
                    self._timers[key] = timer
                else:
                    timer.timeout.disconnect()
                timer.setInterval(debounce_ms)
                timer.timeout.connect(lambda: self._start(fn, args, on_done, on_error, lane, ticket))
                timer.start()
                return
        self._start(fn, args, on_done, on_error, lane, ticket)

    def forget(self, key: tuple) -> None:
        """Drop whatever of `key` is on its way (its answer will not be delivered)."""
        self._serial += 1
        self._latest[key] = self._serial
        timer = self._timers.pop(key, None)
        if timer is not None and shiboken6.isValid(timer):
            timer.stop()

    def _start(self, fn, args, on_done, on_error, lane, ticket) -> None:
        pool, ctx = self._lanes[lane]
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        future = pool.submit(fn, ctx, *args)

        def finished(f: Future) -> None:
            error = f.exception()
            # Emitted from the worker thread: Qt queues it to the GUI thread.
            self._delivered.emit(ticket, on_done, on_error, None if error else f.result(), error)

        future.add_done_callback(finished)

    @Slot(object, object, object, object, object)
    def _deliver(self, ticket, on_done, on_error, result, error) -> None:
        self._pending -= 1
        try:
            if ticket is not None and self._latest.get(ticket[0]) != ticket[1]:
                return  # a newer job of this key was asked: this answer is stale
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

    def run_sync(self, fn: Callable[..., Any], *args: Any, lane: str = INTERACTIVE) -> Any:
        """Run `fn(ctx, *args)` on a lane and wait (start-up and shutdown only, never from a view)."""
        pool, ctx = self._lanes[lane]
        return pool.submit(fn, ctx, *args).result()

    def shutdown(self) -> None:
        for pool, _ctx in self._lanes.values():
            pool.shutdown(wait=True)

    @property
    def is_shut_down(self) -> bool:
        return self._lanes[INTERACTIVE][0]._shutdown


def _gone(callback) -> bool:
    """The callback is a method of a Qt object that has been deleted (a closed window)."""
    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not shiboken6.isValid(owner)
