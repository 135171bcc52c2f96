"""The team server's commit signal: a thread LISTENs on the change feed's channel and calls
back at each notification, so a colleague's save reaches this desk at once instead of at the
next poll. Only a hint: notifications sent while the connection is down are lost, which is
why the desk always reads the feed from its watermark (services.feed) and polls anyway."""

from __future__ import annotations

import logging
import threading
from typing import Callable

from sqlalchemy import Engine

from .repositories.feed import CHANNEL

log = logging.getLogger(__name__)


class NotificationListener:
    """LISTEN on its own connection from `engine`'s URL; `on_notify()` is called from the
    listener thread (emit a Qt signal there). Reconnects quietly after a lost connection."""

    def __init__(self, engine: Engine, on_notify: Callable[[], None], retry_seconds: float = 5.0):
        self._engine = engine
        self._on_notify = on_notify
        self._retry = retry_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed-listener", daemon=True)

    def start(self) -> "NotificationListener":
        if self._engine.dialect.name == "postgresql":
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=3)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                raw = self._engine.raw_connection()
            except Exception:  # noqa: BLE001 - the server is away: the poll says so; retry
                self._stop.wait(self._retry)
                continue
            try:
                conn = raw.driver_connection
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self._on_notify()  # caught up after (re)connecting
                while not self._stop.is_set():
                    for _n in conn.notifies(timeout=1.0, stop_after=1):
                        self._on_notify()
            except Exception:  # noqa: BLE001
                log.info("the change-feed listener lost its connection; reconnecting")
                self._stop.wait(self._retry)
            finally:
                try:
                    raw.invalidate()  # a LISTENing connection never goes back to the pool
                except Exception:  # noqa: BLE001
                    pass
