"""Look and feel (issue #19): icons and names on every action, the toolbar, the navigation's
counts and icons-only mode, the status bar, the colour schemes and their contrast."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QToolButton

from desktop_helpdesk.ui.kit import marks
from desktop_helpdesk.ui.kit.theme import Theme, dark_palette, light_palette, style_name


def _plain(text: str) -> str:
    return text.replace("&", "").strip()


def _window_actions(window) -> list:
    """Every action the operator sees in the window's menus (submenus included) and toolbar."""
    found = []

    def walk(menu: QMenu) -> None:
        for a in menu.actions():
            if a.isSeparator():
                continue
            found.append(a)
            if a.menu() is not None:
                walk(a.menu())

    for top in window.menuBar().actions():
        walk(top.menu())
    found += [a for a in window.look.toolbar.actions() if not a.isSeparator()]
    return list(dict.fromkeys(found))


def _accessible_names(window) -> dict:
    """What a screen reader says for each action: through Qt's accessibility tree, the menu's
    entries and the toolbar's buttons."""
    names = {}
    for top in window.menuBar().actions():
        stack = [top.menu()]
        while stack:
            menu = stack.pop()
            iface = QAccessible.queryAccessibleInterface(menu)
            entries = [a for a in menu.actions()]
            for i, a in enumerate(entries):
                child = iface.child(i)
                if child is not None and not a.isSeparator():
                    names.setdefault(a, child.text(QAccessible.Text.Name))
                if a.menu() is not None:
                    stack.append(a.menu())
    for a in window.look.toolbar.actions():
        button = window.look.toolbar.widgetForAction(a)
        if isinstance(button, QToolButton):
            names[("toolbar", a)] = QAccessible.queryAccessibleInterface(button).text(QAccessible.Text.Name)
    return names


def test_every_menu_and_toolbar_action_has_an_icon_and_a_translated_accessible_name(open_desk, vietnamese, qtbot):
    window = open_desk(demo=True).window
    actions = _window_actions(window)
    assert len(actions) > 25
    no_icon = [_plain(a.text()) for a in actions if a.icon().isNull()]
    assert not no_icon, no_icon
    vi = _accessible_names(window)
    vietnamese.set_language("en")
    en = _accessible_names(window)
    assert set(vi) == set(en)
    empty = [k for k in en if not _plain(en[k]) or not _plain(vi[k])]
    assert not empty
    # The same name in both languages is no translation, but for the languages' own names.
    same = {_plain(en[k]) for k in en if _plain(en[k]) == _plain(vi[k])} - {"English", "Tiếng Việt"}
    assert not same, same
    # The toolbar's buttons are the day's actions, each tooltip naming its key.
    tips = {_plain(a.iconText()): a.toolTip() for a in window.look.toolbar_actions}
    assert tips["Caller lookup"].endswith("(F2)") and tips["New ticket"].endswith("(Ctrl+N)")
    assert tips["Search"].endswith("(Ctrl+F)") and tips["Log a call"].endswith("(Ctrl+Alt+C)")
    assert tips["Alerts"].endswith("(Ctrl+Shift+A)")


def test_icons_are_crisp_at_high_dpi(open_desk):
    window = open_desk().window
    icon = window.act_new_ticket.icon()
    # Drawn at the size asked for: a 2x pixmap is a real 2x image, not a blown-up 1x one.
    pixmap = icon.pixmap(window.look.toolbar.iconSize(), 2.0)
    assert pixmap.devicePixelRatio() == 2.0 and pixmap.width() == 40


def test_the_navigation_shows_counts_and_folds_to_icons_remembered(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    desk.idle()
    item = next(window.nav.item(i) for i in range(window.nav.count())
                if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == "tickets")
    qtbot.waitUntil(lambda: item.data(Qt.ItemDataRole.UserRole + 1) is not None, timeout=10_000)
    open_count, mine = item.data(Qt.ItemDataRole.UserRole + 1)
    assert open_count > 0
    assert f"{open_count} open tickets" in item.toolTip()
    assert all(not window.nav.item(i).icon().isNull() for i in range(window.nav.count()))
    wide = window.nav.width()
    window.look.act_collapse.trigger()
    qtbot.waitUntil(lambda: window.nav.width() <= 60, timeout=3000)
    assert wide > 100 and desk.settings.nav_collapsed
    desk.close()
    again = open_desk()  # the same database and settings file, opened again
    assert again.window.look.collapsed and again.window.nav.maximumWidth() <= 60
    assert again.window.look.act_collapse.isChecked()


def test_the_status_bar_says_who_and_the_connection_never_a_path(open_desk, qtbot):
    window = open_desk(demo=True).window
    assert window.operator_label.text().startswith("Operator: ")
    state = window.look.connection_label
    assert state.text() == "● Connected"
    window._lost_connection()
    assert state.text() == "✖ Not connected – retrying"
    window._reconnect_timer.stop()


# -- colour schemes --------------------------------------------------------------------------
def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_mark_colour_reads_against_every_background_of_its_scheme(dark):
    colours = marks.scheme_colours(dark)
    palette = dark_palette() if dark else light_palette()
    backgrounds = {role.name: palette.color(role).name() for role in
                   (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase)}
    backgrounds.update({name: colours[name] for name in marks.BACKGROUNDS})
    poor = [f"{name} {colours[name]} on {where} {bg}: {contrast(colours[name], bg):.2f}"
            for name in marks.TEXT_COLOURS for where, bg in backgrounds.items()
            if contrast(colours[name], bg) < 4.5]
    assert not poor, poor
    assert set(marks.LIGHT) == set(marks.DARK) == set(marks.SCHEMED)


@pytest.fixture
def theme(qtbot):
    app = QApplication.instance()
    style, palette = app.style().name(), app.palette()
    made = []

    def make(choice="system"):
        t = Theme(app, choice)
        made.append(t)
        return t

    yield make
    for t in made:
        t.setParent(None)
        t.deleteLater()
    app.setStyle(style)
    app.setPalette(palette)
    marks.use_scheme(False)


def test_switching_the_scheme_while_running_restyles_the_open_windows(open_desk, theme, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    window.look.theme = theme("light")
    window.new_ticket()
    dialog = window.last_dialog
    light_icon = window.act_new_ticket.icon().pixmap(20).toImage()
    assert window.palette().color(QPalette.ColorRole.Window).lightness() > 200
    breached = marks.STATE_COLOURS[marks.ClockState.BREACHED].name()

    window.look.scheme_actions["dark"].trigger()
    assert desk.settings.color_scheme == "dark"
    # The window and the open form repaint dark; the icons are drawn again in light ink.
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window).lightness() < 80, timeout=3000)
    assert dialog.palette().color(QPalette.ColorRole.Base).lightness() < 80
    assert window.act_new_ticket.icon().pixmap(20).toImage() != light_icon
    # The countdowns' colours are the dark variants (the list paints them at its next repaint).
    assert marks.STATE_COLOURS[marks.ClockState.BREACHED].name() == marks.DARK["ERROR"] != breached
    assert window.look.connection_label.styleSheet() == marks.colour_style(marks.DARK["OK"])
    assert marks.DARK["HIGHLIGHT"] in window.connection_banner.styleSheet()  # "server lost" strip

    window.look.scheme_actions["light"].trigger()
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window).lightness() > 200, timeout=3000)
    assert window.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert marks.STATE_COLOURS[marks.ClockState.BREACHED].name() == breached
    dialog.reject()


def test_the_scheme_follows_the_system_live_unless_chosen(theme, monkeypatch, qtbot):
    t = theme("system")
    hints = QApplication.instance().styleHints()
    assert t.dark == (hints.colorScheme() == Qt.ColorScheme.Dark)
    # The system turns dark (what Windows' setting does): Qt says so with colorSchemeChanged.
    monkeypatch.setattr(t, "system_is_dark", lambda: True)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert t.dark and marks.dark
    qtbot.waitUntil(lambda: QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80, timeout=3000)
    t.set_choice("light")  # the user's choice wins over the system's
    monkeypatch.setattr(t, "system_is_dark", lambda: True)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert t.dark is False and not marks.dark


def test_native_style_on_windows_fusion_elsewhere():
    assert style_name("win32", ["windows11", "windowsvista", "Windows", "Fusion"]) == "windows11"
    assert style_name("win32", ["windowsvista", "Windows", "Fusion"]) == "windowsvista"
    assert style_name("linux", ["Windows", "Fusion"]) == "fusion"
    assert style_name("darwin", ["macOS", "Fusion"]) == "fusion"


# -- accessibility -----------------------------------------------------------------------------
def _controls(root) -> list:
    """The controls a keyboard user reaches in `root`, walked through Qt's accessibility tree:
    (role, the name a screen reader says, the widget)."""
    from PySide6.QtWidgets import QWidget

    found, stack = [], [QAccessible.queryAccessibleInterface(root)]
    while stack:
        iface = stack.pop()
        if iface is None or not iface.isValid():
            continue
        widget = iface.object()
        if isinstance(widget, QWidget) and widget.isVisible() and widget.focusPolicy() != Qt.FocusPolicy.NoFocus \
                and widget is not root:
            found.append((iface.role(), iface.text(QAccessible.Text.Name), widget))
        stack.extend(iface.child(i) for i in range(iface.childCount()))
    return found


def _names(root) -> dict:
    # A combo box's own name is its label (Windows' screen readers say it); on Linux Qt says
    # its value instead and links the label by relation, so the widget's name is compared.
    inputs = (QAccessible.Role.EditableText, QAccessible.Role.ComboBox)
    return {widget: (widget.accessibleName() if role in inputs else name) for role, name, widget in _controls(root)}


def test_caller_lookup_and_new_ticket_form_speak_to_a_screen_reader_in_both_languages(open_desk, vietnamese, qtbot):
    window = open_desk(demo=True).window
    window.show_lookup()
    window.new_ticket()
    form = window.last_dialog
    vi = {**_names(window.lookup), **_names(form)}
    assert len(vi) > 15
    assert not [type(w).__name__ for w, name in vi.items() if not name.strip()]
    assert vi[window.lookup.field] == "Tra cứu người gọi" and vi[form.subject] == "Tiêu đề"
    vietnamese.set_language("en")
    en = {**_names(window.lookup), **_names(form)}
    assert en[window.lookup.field] == "Caller lookup" and en[form.subject] == "Subject"
    assert en[form.customer] == "Customer" and en[form.description] == "Description"
    iface = QAccessible.queryAccessibleInterface(window.lookup.field)
    assert iface.text(QAccessible.Text.Description) == "Caller's phone, customer code or tax code"
    # A refused save: the field's error is what the screen reader adds to its name.
    form.save()
    qtbot.waitUntil(lambda: bool(form.subject.accessibleDescription()), timeout=5000)
    assert QAccessible.queryAccessibleInterface(form.subject).text(QAccessible.Text.Description) \
        == form.form.rows["subject"].error.text()
    form.reject()


# -- first-start tour ----------------------------------------------------------------------------
def test_the_first_start_tour_has_four_steps_in_the_users_language_and_is_shown_once(open_desk, vietnamese, qtbot):
    desk = open_desk(demo=True)
    look = desk.window.look
    look.maybe_show_tour()
    tour = look.tour
    qtbot.waitUntil(tour.isVisible, timeout=3000)
    assert tour.windowTitle() == "Chào mừng bạn đến với Desktop Helpdesk"
    titles = [tour.title.text()]
    for _ in range(3):
        qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
        titles.append(tour.title.text())
    assert titles == ["Tra cứu người gọi – F2", "Phiếu yêu cầu mới – Ctrl+N", "Đồng hồ SLA", "Bảng điều khiển"]
    assert tour.counter.text() == "Bước 4/4" and tour.skip_button.isHidden()
    qtbot.mouseClick(tour.back_button, Qt.MouseButton.LeftButton)
    assert tour.title.text() == "Đồng hồ SLA"
    qtbot.mouseClick(tour.skip_button, Qt.MouseButton.LeftButton)  # skipped: seen all the same
    qtbot.waitUntil(lambda: not tour.isVisible(), timeout=3000)
    assert desk.settings.tour_done
    look.tour = None
    look.maybe_show_tour()
    assert look.tour is None  # not again by itself
    look.act_tour.trigger()  # Help → Take the tour: whenever asked
    qtbot.waitUntil(lambda: look.tour is not None and look.tour.isVisible(), timeout=3000)
    look.tour.reject()


@pytest.mark.sqlite_only
def test_entries_the_rest_of_the_shell_adds_to_the_menus_get_icons_too(open_desk, tmp_path, qtbot):
    """As app.main builds it: the team server, backups, import and sign-in entries are added
    after the window; each has its icon when its menu opens."""
    from pathlib import Path

    from desktop_helpdesk.db.backup import SqliteBackups
    from desktop_helpdesk.settings import Credentials, Settings
    from desktop_helpdesk.ui.shell.accounts import AccountActions
    from desktop_helpdesk.ui.shell.backup import BackupAccess, BackupActions
    from desktop_helpdesk.ui.shell.connect import ServerAccess, TeamServerActions
    from desktop_helpdesk.ui.shell.importer import ImportActions

    desk = open_desk(demo=True)
    window = desk.window
    TeamServerActions(window, ServerAccess(probe=lambda *a: None, explain=str, restart=lambda *a: None,
                                           credentials=Credentials(), settings=Settings(),
                                           save_settings=lambda: None, server_label=None))
    window.backups = BackupActions(window, desk.jobs, BackupAccess(
        SqliteBackups(Path(desk.engine.url.database)), desk.settings, lambda: None, tmp_path / "data",
        lambda: None), start=False)
    window.imports = ImportActions(window, desk.jobs, desk.settings, lambda: None)
    window.accounts = AccountActions(window, desk.jobs, desk.ctx.session, desk.author, desk.settings, lambda: None)
    for top in window.menuBar().actions():
        top.menu().aboutToShow.emit()
    missing = [_plain(a.text()) for a in _window_actions(window) if a.icon().isNull() and a.isVisible()]
    assert not missing, missing


def test_the_toolbar_and_status_bar_fit_a_1366_screen_in_vietnamese(open_desk, vietnamese, qtbot):
    window = open_desk(demo=True).window
    window.resize(1366, 700)
    window.show_lookup()  # the caller lookup open beside the list, as during a call
    qtbot.waitUntil(lambda: window.width() == 1366, timeout=3000)
    toolbar = window.look.toolbar
    for action in window.look.toolbar_actions:
        button = toolbar.widgetForAction(action)
        # Not pushed into the toolbar's overflow menu, its text whole.
        assert button.isVisible() and button.width() >= button.sizeHint().width(), action.iconText()
    bar = window.statusBar()
    for label in (window.operator_label, window.database_label, window.look.connection_label):
        assert label.isVisible() and label.width() >= label.sizeHint().width() and \
            label.geometry().right() <= bar.width(), label.text()
    # The navigation keeps the room for its names and counts ("Phiếu yêu cầu 26 của tôi 111"):
    # the view beside it gives way to the lookup, not the names.
    nav = window.nav
    qtbot.waitUntil(lambda: nav.item(4).data(Qt.ItemDataRole.UserRole + 1) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: nav.viewport().width() >= nav.sizeHintForColumn(0), timeout=3000)


def test_log_a_call_from_anywhere_goes_to_the_ticket_and_opens_a_call_entry(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    window.show_view("dashboard")
    window.dashboard.setFocus()
    desk.idle()
    page = window.pages["tickets"]
    qtbot.keyClick(window.dashboard, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    # No ticket chosen yet: the tickets list, and a word on what to do.
    assert window.current_page() is page
    assert window.statusBar().currentMessage() == "Choose the ticket the call is about, then log the call."
    desk.idle()
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.worklog.details is not None, timeout=10_000)
    window.look.toolbar.widgetForAction(window.look.act_log_call).click()
    dialog = page.worklog.dialog
    assert dialog is not None and dialog.isVisible() and dialog.current_kind() == "call"
    dialog.reject()


def _same_meaning(light: str, dark: str) -> bool:
    """Whether `dark` is the dark scheme's colour for a meaning whose light colour is `light`."""
    return any(marks.LIGHT[name] == light and marks.DARK[name] == dark for name in marks.SCHEMED)


def test_a_live_switch_repaints_countdowns_clocks_lookup_and_labels_in_the_new_colours(open_desk, theme, qtbot):
    """Colours are read where they are painted, not copied at import: after View → Colour
    scheme → Dark, the ticket list's countdown cells, the open ticket's clocks, the caller
    lookup's cards and hints and the dashboard's cards all use the dark scheme's colours."""
    desk = open_desk(demo=True)
    window = desk.window
    window.look.theme = theme("light")
    window.show_view("tickets")
    page = window.pages["tickets"]
    desk.idle()
    model = page.model

    def countdowns() -> list[str]:
        return [model.data(model.index(r, model.countdown_column), Qt.ItemDataRole.ForegroundRole).name()
                for r in range(model.rowCount())]

    page.table.selectRow(0)
    desk.idle()
    qtbot.waitUntil(lambda: bool(page.clocks._rows), timeout=5000)
    light_cells, light_left = countdowns(), page.clocks._rows[0][1].styleSheet()
    assert light_cells and set(light_cells) <= set(marks.LIGHT.values())
    window.show_lookup()
    QTest.keyClicks(window.lookup.field, "0912 345 678")  # a number nobody has: the offers, one highlighted
    qtbot.waitUntil(lambda: window.lookup.lookup is not None and window.lookup.lookup.text == "0912 345 678",
                    timeout=5000)
    assert marks.LIGHT["HIGHLIGHT"] in window.lookup.results.toHtml()
    assert window.lookup.keys.styleSheet() == marks.colour_style(marks.LIGHT["HINT"])

    window.look.scheme_actions["dark"].trigger()
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window).lightness() < 80, timeout=3000)
    dark_cells = countdowns()
    assert all(_same_meaning(a, b) for a, b in zip(light_cells, dark_cells, strict=True)), (light_cells, dark_cells)
    assert dark_cells != light_cells
    # The open ticket's clock line: the same state, the dark scheme's colour.
    dark_left = page.clocks._rows[0][1].styleSheet()
    assert dark_left != light_left and any(marks.DARK[n] in dark_left for n in marks.TEXT_COLOURS)
    # The caller lookup: its key help and its highlighted offer.
    assert window.lookup.keys.styleSheet() == marks.colour_style(marks.DARK["HINT"])
    html = window.lookup.results.toHtml()
    assert marks.DARK["HIGHLIGHT"] in html and marks.LIGHT["HIGHLIGHT"] not in html
    # The dashboard's cards that count something are written in the dark colours.
    window.show_view("dashboard")
    desk.idle()
    coloured = [b.styleSheet() for b in window.dashboard.cards.values() if b.styleSheet()]
    assert coloured and all(any(marks.DARK[n] in s for n in marks.TEXT_COLOURS) for s in coloured)
    # A form's error line (set once when the form was built) follows too.
    window.new_ticket()
    form = window.last_dialog
    form.save()
    qtbot.waitUntil(lambda: form.form.rows["subject"].error.isVisible(), timeout=5000)
    assert form.form.rows["subject"].error.styleSheet() == marks.colour_style(marks.DARK["ERROR"])
    window.look.scheme_actions["light"].trigger()
    assert form.form.rows["subject"].error.styleSheet() == marks.colour_style(marks.LIGHT["ERROR"])
    form.reject()


def test_text_size_grows_every_open_window_live_and_is_remembered(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    window.new_ticket()
    form = window.last_dialog
    before = form.subject.fontInfo().pixelSize(), form.subject.sizeHint().height()
    table = window.pages["tickets"].table
    code_width = table.columnWidth(0)
    window.look.text_size_actions[150].trigger()
    try:
        assert desk.settings.text_size == 150
        qtbot.waitUntil(lambda: form.subject.fontInfo().pixelSize() >= before[0] * 1.4, timeout=3000)
        assert form.subject.sizeHint().height() > before[1]  # the field grows with its text
        # The lists' columns grow with their text (a code is not cut to "YC26-0001…").
        qtbot.waitUntil(lambda: table.columnWidth(0) >= code_width * 1.4, timeout=3000)
        assert window.look.menu_text_size.menuAction().icon().isNull() is False
    finally:
        window.look.text_size_actions[100].trigger()
    qtbot.waitUntil(lambda: form.subject.fontInfo().pixelSize() == before[0], timeout=3000)
    assert abs(table.columnWidth(0) - code_width) <= 2
    assert desk.settings.text_size == 100
    form.reject()




def test_no_view_keeps_a_copy_of_a_scheme_colour_taken_at_import():
    """A colour imported by name (``from ..kit.marks import HINT``) is the value it had at
    import: after a live switch of scheme it paints the old one. Views read ``marks.HINT``
    where they paint (or give a style through marks.set_style / set_colour)."""
    import ast
    from pathlib import Path

    import desktop_helpdesk.ui as ui

    copied = set(marks.SCHEMED) | {"ERROR_STYLE", "OK_STYLE", "OWES_COLOUR", "CHART_MET", "CHART_BREACHED",
                                   "PAUSED", "OTHER_SECTION", "OTHER_MARK"}
    root = Path(ui.__file__).parent
    found = {}
    for path in root.rglob("*.py"):
        name = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("marks"):
                names = sorted(a.name for a in node.names if a.name in copied)
                if names:
                    found[name] = names
    assert found == {}


def test_the_windows_bundle_takes_the_icon_fonts_and_qtpy():
    """The icons are drawn from qtawesome's font files, read by path at run time, through
    qtpy, which imports its binding by name: PyInstaller's analysis sees neither, so the spec
    names them (and the Windows requirements list both packages)."""
    import ast
    import re
    from pathlib import Path

    import qtawesome

    root = Path(__file__).resolve().parents[2]
    spec = (root / "build_installer.spec").read_text(encoding="utf-8")
    tree = ast.parse(spec)
    calls = {(node.func.id, node.args[0].value) for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.args and isinstance(node.args[0], ast.Constant)}
    assert ("collect_data_files", "qtawesome") in calls
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert {"qtpy", "qtpy.QtCore", "qtpy.QtGui", "qtpy.QtWidgets", "qtawesome.iconic_font"} <= strings
    # What the spec's patterns take in are the files qtawesome loads (Phosphor's among them).
    fonts = Path(qtawesome.__file__).parent / "fonts"
    assert {"fonts/*.ttf", "fonts/*.json"} <= strings and any(fonts.glob("phosphor*.ttf"))
    wanted = {re.split(r"[<>=;\s]", line.strip(), maxsplit=1)[0].lower()
              for line in (root / "packaging" / "windows-requirements.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    assert {"qtawesome", "qtpy"} <= wanted


def test_the_dashboard_cards_keep_their_vietnamese_titles_whole_beside_the_lookup(open_desk, vietnamese, qtbot):
    """At 1366 px with 150 % text (or the lookup open beside it) four cards a row would cut
    "Tạm dừng – chờ khách hàng": the cards go to two columns instead."""
    window = open_desk(demo=True).window
    window.resize(1366, 740)
    window.show_view("dashboard")
    window.show_lookup()
    board = window.dashboard
    qtbot.waitUntil(lambda: board.data is not None, timeout=10_000)
    for width in (1366, 1280):  # 1366 px at 100 %; 1920 px at 150 % is 1280 for the app
        window.resize(width, 740)
        qtbot.waitUntil(lambda: window.width() == width, timeout=3000)
        QApplication.processEvents()
        cut = [b.text() for b in board.cards.values() if b.width() < b.sizeHint().width()]
        assert not cut, (width, board.card_columns, cut)
    assert board.card_columns == 2
