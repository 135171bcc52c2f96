"""The field laptop's sync: a team server (PostgreSQL, started by the test session) and
laptops holding encrypted offline copies of it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from desktop_helpdesk.db import offline
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.context import make_context

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
PASSWORD = "mật khẩu laptop 1"


class Laptop:
    """One technician's laptop: an encrypted copy, and a context on it as the app has."""

    def __init__(self, server, path, scope, name):
        self.server = server
        self.path = path
        self.engine, self.first = offline.take(server, path, PASSWORD, scope, device_name=name,
                                               operator_id=None, author=name, now=NOW)
        self.name = name
        self.ctx = make_context(uow_factory(self.engine))

    def sync(self, now=NOW, **kw):
        return offline.sync_now(self.engine, self.server, author=self.name, operator_id=None, now=now, **kw)

    def state(self):
        return offline.state(self.engine)


@pytest.fixture
def laptop_factory(engine, tmp_path):
    made = []

    def make(scope, name="laptop"):
        lap = Laptop(engine, tmp_path / f"{name}-{len(made)}.db", scope, name)
        made.append(lap)
        return lap

    yield make
    for lap in made:
        lap.engine.dispose()
