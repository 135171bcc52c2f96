"""A desk on the team server when the server goes away and comes back."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox


def _server_sql(pg_server, sql: str) -> None:
    pg_server._execute(sql)


@pytest.mark.postgresql_only
@pytest.mark.allow_log_errors
def test_a_lost_server_shows_one_banner_keeps_the_typed_form_and_comes_back_by_itself(open_desk, pg_server, test_db,
                                                                                     qtbot, vietnamese):
    desk = open_desk(demo=True)
    window = desk.window
    window._reconnect_timer.setInterval(200)
    window.show_view("customers")
    desk.idle()
    rows_before = window.pages["customers"].model.rowCount()
    window.new_customer()
    form = window.last_dialog
    form.name.setText("Công ty TNHH Đang Gõ Dở")

    # The server stops taking this database's connections and drops the open ones, as a
    # restarted server or a lost network does.
    name = test_db.url.rsplit("/", 1)[1]
    _server_sql(pg_server, f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    _server_sql(pg_server, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    for _ in range(3):  # every refresh fails meanwhile
        window.refresh_current()
    qtbot.waitUntil(lambda: window.connection_lost, timeout=10_000)
    assert window.connection_banner.text() == "Mất kết nối tới máy chủ, đang thử lại…"
    assert not [w for w in window.findChildren(QMessageBox) if w.isVisible()]  # no box per failed refresh
    qtbot.wait(600)  # a few retries fail quietly
    assert window.connection_lost

    _server_sql(pg_server, f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    qtbot.waitUntil(lambda: not window.connection_lost, timeout=10_000)
    desk.idle()
    assert window.pages["customers"].model.rowCount() == rows_before
    assert form.isVisible() and form.name.text() == "Công ty TNHH Đang Gõ Dở"
    assert not [w for w in window.findChildren(QMessageBox) if w.isVisible()]
