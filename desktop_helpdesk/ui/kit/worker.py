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
- **Saves are broadcast.** A use case declares what it changes (services.changes); when it
  succeeds, `changed` carries that `Change` to every view, which decides for itself whether
  to refresh (even when the window that asked was closed meanwhile). A long job stopped by
  Cancel (services.progress.Cancelled) committed what it did so far: it is broadcast too,
  and it is no failure (its `on_error` hears of it; without one nothing is shown).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, Callable, Hashable

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ...domain.errors import ConnectionLost
from ...services.changes import Change, change_of
from ...services.context import Context
from ...services.progress import Cancelled
from .errors import log_failure

log = logging.getLogger(__name__)

INTERACTIVE, LONG = "interactive", "long"


class Jobs(QObject):
    """Runs use cases on the two lanes and delivers their outcomes on the GUI thread."""

    _delivered = Signal(object, object, object, object, object, object)  # ticket, on_done, on_error, result, error, change
    #: A save succeeded: (services.changes.Change)
    changed = Signal(Change)
    #: A job failed and its caller gave no error handler: (exception)
    failed = Signal(object)
    #: Whether any job is queued or running changed
    busy_changed = Signal(bool)

    def __init__(self, ctx: Context, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        # Each lane's thread takes its own connection from the engine's pool.
        self._lanes = {
            INTERACTIVE: ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-interactive"),
            LONG: ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-long"),
        }
        self._pending = 0
        self._held: dict[str, list] = {}  # lane -> jobs kept until released (see hold)
        self._shut_down = False
        self._latest: dict[tuple, int] = {}  # (owner id, key) -> serial of the newest job asked
        self._timers: dict[tuple, QTimer] = {}  # (owner id, key) -> its debounce timer
        self._owners: set[int] = set()  # owners whose destruction drops their entries above
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
               owner: QObject | None = None, key: Hashable | None = None, debounce_ms: int = 0) -> None:
        """Call `fn(ctx, *args)` on `lane`; `on_done(result)` or `on_error(exc)` follow on the
        GUI thread unless the asker is gone (`owner`, else the object whose method `on_done`
        is) or, with `key`, a newer job of that key and owner was asked meanwhile. With
        `debounce_ms` the job starts only once no newer one of its key was asked for that long."""
        ticket = None
        if key is not None:
            scoped = self._scoped(key, owner)
            self._serial += 1
            ticket = (scoped, self._serial)
            self._latest[scoped] = self._serial
            if debounce_ms:
                timer = self._timers.get(scoped)
                if timer is None or not shiboken6.isValid(timer):
                    timer = QTimer(owner or self, singleShot=True)  # dies with its owner
                    self._timers[scoped] = timer
                else:
                    timer.timeout.disconnect()
                timer.setInterval(debounce_ms)
                timer.timeout.connect(lambda: self._start(fn, args, on_done, on_error, lane, ticket, owner))
                timer.start()
                return
        self._start(fn, args, on_done, on_error, lane, ticket, owner)

    def forget(self, key: Hashable, owner: QObject | None = None) -> None:
        """Drop whatever of `key` is on its way or waiting (its answer will not be delivered)."""
        scoped = self._scoped(key, owner)
        self._latest.pop(scoped, None)  # an answer on its way no longer matches anything
        timer = self._timers.get(scoped)
        if timer is not None and shiboken6.isValid(timer):
            timer.stop()
        timer = self._timers.pop(scoped, None)
        if timer is not None and shiboken6.isValid(timer):
            timer.stop()

    def _scoped(self, key: Hashable, owner: QObject | None) -> tuple:
        """`key` of `owner`; the owner's entries go when it is destroyed (no growth per dialog)."""
        oid = id(owner)
        if owner is not None and oid not in self._owners:
            self._owners.add(oid)
            owner.destroyed.connect(lambda *_: self._drop_owner(oid))
        return (oid, key)

    def _drop_owner(self, oid: int) -> None:
        self._owners.discard(oid)
        for table in (self._latest, self._timers):
            for scoped in [s for s in table if s[0] == oid]:
                del table[scoped]

    def hold(self, lane: str) -> None:
        """Keep `lane`'s jobs waiting, in order, until `release(lane)`: at start-up the long
        lane's work (the first alert check, the navigation counts, each operator's load)
        waits until the start view's first data is on screen, so it does not share the CPU
        (and Python's lock) with it (issue #17)."""
        self._held.setdefault(lane, [])

    def release(self, lane: str) -> None:
        """Start what `hold(lane)` kept, in the order asked; a job of a key asked again
        meanwhile starts only in its newest form."""
        for job in self._held.pop(lane, []):
            ticket = job[5]
            if ticket is not None and self._latest.get(ticket[0]) != ticket[1]:
                continue  # superseded while it waited: its answer would be dropped anyway
            self._start(*job)

    def _start(self, fn, args, on_done, on_error, lane, ticket, owner) -> None:
        if lane in self._held and not self._shut_down:
            self._held[lane].append((fn, args, on_done, on_error, lane, ticket, owner))
            return
        if self._shut_down:  # quitting: a timer that fires now (a view's tick, a debounce) asks nothing
            log.debug("job %s not started: the job runner is shut down", getattr(fn, "__name__", fn))
            return
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        future = self._lanes[lane].submit(fn, self.ctx, *args)

        def finished(f: Future) -> None:
            if f.cancelled():  # dropped unstarted at shutdown: nobody waits for it any more
                return
            error = f.exception()
            result = None if error else f.result()
            # A cancelled job changed what its committed batches wrote (no record id).
            change = change_of(fn, result) if error is None or isinstance(error, Cancelled) else None
            # Emitted from the worker thread: Qt queues it to the GUI thread.
            self._delivered.emit((ticket, owner), on_done, on_error, result, error, change)

        future.add_done_callback(finished)

    @Slot(object, object, object, object, object, object)
    def _deliver(self, asker, on_done, on_error, result, error, change) -> None:
        self._pending -= 1
        try:
            self._answer(*asker, on_done, on_error, result, error)
        finally:
            if change is not None:
                self.changed.emit(change)
            if self._pending == 0:
                self.busy_changed.emit(False)

    def _answer(self, ticket, owner, on_done, on_error, result, error) -> None:
        stale = ticket is not None and self._latest.get(ticket[0]) != ticket[1]  # a newer job of this key was asked
        gone = (owner is not None and not shiboken6.isValid(owner)) or _gone(on_done if error is None else on_error)
        if stale or gone:  # nobody is waiting for this answer; a failure still reaches the log
            if error is not None and not isinstance(error, Cancelled):
                log_failure("database job failed (its answer was no longer awaited)", error, log)
            return
        if ticket is not None:
            del self._latest[ticket[0]]  # answered: any older answer of the key still counts as stale
        if error is not None:
            if on_error is not None:
                on_error(error)
            elif isinstance(error, Cancelled):
                log.info("a long job was stopped by its user after %s of %s", error.done, error.total)
            elif isinstance(error, ConnectionLost):  # every job while the server is away: one line each
                log.info("database job not done: the server cannot be reached (%s)", error)
                self.failed.emit(error)
            else:
                log_failure("database job failed", error, log)  # once: the window that shows it does not log again
                self.failed.emit(error)
        elif on_done is not None:
            on_done(result)

    def run_sync(self, fn: Callable[..., Any], *args: Any, lane: str = INTERACTIVE) -> Any:
        """Run `fn(ctx, *args)` on a lane and wait (start-up and shutdown only, never from a view)."""
        return self._lanes[lane].submit(fn, self.ctx, *args).result()

    def shutdown(self) -> None:
        self._shut_down = True
        for timer in self._timers.values():
            if shiboken6.isValid(timer):
                timer.stop()
        # Interactive work still queued (a save the operator made) is done; long work not
        # yet started (a daily backup, the next alert check, an export's next page) is
        # dropped, so quitting waits at most for the batch running now (issue #17).
        self._lanes[LONG].shutdown(wait=False, cancel_futures=True)
        self._lanes[INTERACTIVE].shutdown(wait=True)
        self._lanes[LONG].shutdown(wait=True)

    @property
    def is_shut_down(self) -> bool:
        return self._shut_down


def _gone(callback) -> bool:
    """The callback is a method of a Qt object that has been deleted (a closed window)."""
    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not shiboken6.isValid(owner)
