"""The floor of `bench_launch`: the least a Qt desk on this data can do before its first rows
are on screen, started and timed exactly as the app is.

A bare PySide6 program that imports what the app's first view needs at the very least
(QtWidgets, SQLAlchemy, Babel, argon2), shows a sign-in dialog with two fields, and once it
is accepted opens a SQLAlchemy engine on the same SQLite file, checks the password against
the operator's argon2id hash (as any program that signs people in must), reads the 50 newest tickets,
formats their dates with Babel in Vietnamese and shows them in a QTableWidget in a
1366x768 window; Ctrl+Q closes it. It writes the same moments as the app
(DESKTOP_HELPDESK_TIMING): signin_shown, first_data, event_loop_ended.

    python -m benchmarks.launch_floor DATABASE_FILE
"""

from __future__ import annotations

import os
import sys
import time


def mark(name: str) -> None:
    path = os.environ.get("DESKTOP_HELPDESK_TIMING")
    if path:
        with open(path, "a", encoding="ascii") as f:
            f.write(f"{name} {time.time():.6f}\n")


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QKeySequence, QShortcut
    from PySide6.QtWidgets import (
        QApplication,
        QDialog,
        QDialogButtonBox,
        QFormLayout,
        QLineEdit,
        QMainWindow,
        QTableWidget,
        QTableWidgetItem,
    )
    import sqlalchemy as sa
    from argon2 import PasswordHasher
    from babel.dates import format_datetime

    app = QApplication(sys.argv)
    dialog = QDialog()
    dialog.setWindowTitle("Desktop Helpdesk")
    form = QFormLayout(dialog)
    login, password = QLineEdit("bench"), QLineEdit()
    password.setEchoMode(QLineEdit.EchoMode.Password)
    form.addRow("Tên đăng nhập", login)
    form.addRow("Mật khẩu", password)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    password.setFocus()
    QTimer.singleShot(0, lambda: QTimer.singleShot(0, lambda: mark("signin_shown")))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 1
    engine = sa.create_engine(f"sqlite:///{sys.argv[1]}")
    with engine.connect() as conn:
        # The password checked as the app must (argon2id, argon2-cffi's defaults), or no floor.
        stored = conn.exec_driver_sql("SELECT password_hash FROM operators WHERE login = ?", (login.text(),)).scalar()
        PasswordHasher().verify(stored, password.text())
        rows = conn.exec_driver_sql(
            "SELECT code, subject, status, priority, received_at FROM tickets ORDER BY received_at DESC LIMIT 50").all()
    window = QMainWindow()
    window.setWindowTitle("Desktop Helpdesk")
    table = QTableWidget(len(rows), 5)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if c == 4:
                from datetime import datetime

                value = format_datetime(datetime.fromisoformat(str(value)), "short", locale="vi_VN")
            table.setItem(r, c, QTableWidgetItem(str(value)))
    window.setCentralWidget(table)
    window.resize(1366, 768)
    QShortcut(QKeySequence.StandardKey.Quit, window, window.close)
    window.show()
    QTimer.singleShot(0, lambda: mark("first_data"))
    code = app.exec()
    mark("event_loop_ended")
    engine.dispose()
    return code


if __name__ == "__main__":
    sys.exit(main())
