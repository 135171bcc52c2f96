"""Switching Vietnamese ↔ English while running, with the main window and a dialog open."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QMenu

from desktop_helpdesk.ui.kit.qt_i18n import LanguageSwitcher


def _visible_texts(widget) -> set[str]:
    texts = {widget.windowTitle()} if widget.windowTitle() else set()
    for w in widget.findChildren(QLabel):
        if w.text():
            texts.add(w.text())
    for w in widget.findChildren(QAbstractButton):
        if w.text():
            texts.add(w.text())
    for w in widget.findChildren(QLineEdit):
        if w.placeholderText():
            texts.add(w.placeholderText())
    for m in widget.findChildren(QMenu):
        texts.add(m.title())
        texts.update(a.text() for a in m.actions() if a.text())
    return texts


def test_switching_language_changes_every_open_window_at_once(open_desk, translator, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    switcher = LanguageSwitcher(QApplication.instance(), translator)
    window.new_ticket()
    dialog = window.last_dialog
    english_window, english_dialog = _visible_texts(window), _visible_texts(dialog)
    assert "New ticket" in english_dialog and "Tickets" in {window.nav.item(i).text() for i in range(window.nav.count())}

    switcher.set_language("vi")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Phiếu yêu cầu mới", timeout=3000)
    vi_window, vi_dialog = _visible_texts(window), _visible_texts(dialog)
    # Nothing English is left in a translated place; language-neutral texts (codes, names) stay.
    left = (vi_window & english_window) - {"English", "Tiếng Việt", desk.window.database_label.text(), ""} - _neutral(window)
    assert not left, left
    left = (vi_dialog & english_dialog) - _neutral(dialog)
    assert not left, left
    headers = {window.pages["tickets"].model.headerData(i, _h()) for i in range(4)}
    assert {"Mã", "Tiêu đề"} <= headers
    assert window.pages["tickets"].model.data(window.pages["tickets"].model.index(0, 7)) in {
        "Mới", "Đang xử lý", "Chờ khách hàng", "Đã đề xuất phương án"}
    assert dialog.save_button.text() == "&Lưu"

    switcher.set_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "New ticket", timeout=3000)
    assert _visible_texts(window) == english_window
    assert _visible_texts(dialog) == english_dialog
    switcher.set_language("vi")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Phiếu yêu cầu mới", timeout=3000)
    assert _visible_texts(window) == vi_window
    dialog.reject()
    switcher.set_language("en")


def test_qt_standard_buttons_are_vietnamese(translator, qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    switcher = LanguageSwitcher(QApplication.instance(), translator)
    switcher.set_language("vi")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"Đồng ý", "Hủy"}
    switcher.set_language("en")


def _h():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def _neutral(widget) -> set[str]:
    """Texts that are the same in both languages: data, numbers, symbols."""
    from desktop_helpdesk.ui.kit.paged_model import PagedTableModel  # noqa: F401

    same = set()
    for w in widget.findChildren(QLabel):
        t = w.text()
        if not t or t.startswith("/") or t[:1].isdigit() or t in {"*", "—"}:
            same.add(t)
    return same | {"24/7", "Desktop Helpdesk"}
