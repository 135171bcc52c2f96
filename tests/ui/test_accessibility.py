"""Keyboard and screen-reader use (issue #19): Tab walks the new-ticket form and the caller
lookup as they are laid out, focus is always visible in both colour schemes, and every control
of both has a name a screen reader says, in the user's language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QColor
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from desktop_helpdesk.ui.kit import marks
from desktop_helpdesk.ui.kit.theme import Theme


def _activate(qtbot, window: QWidget, first: QWidget) -> None:
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window.window(), timeout=3000)
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=3000)


def _walk_tab(qtbot, first: QWidget, limit: int = 60) -> list[QWidget]:
    """The widgets Tab visits from `first` until it comes back to it."""
    seen = [first]
    for _ in range(limit):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        w = QApplication.focusWidget()
        if w is first:
            return seen
        seen.append(w)
    raise AssertionError(f"Tab never came back to the first field: {[type(w).__name__ for w in seen]}")


def _place(widget: QWidget, root: QWidget) -> QRect:
    """Where `widget` is laid out in `root`: inside a scroll area, where it sits in the scrolled
    content (scrolling to the focused field moves it on screen, not in the layout), after it."""
    scroll = next((s for s in root.findChildren(QScrollArea) if s.widget() and s.widget().isAncestorOf(widget)), None)
    if scroll is not None:
        top = widget.mapTo(scroll.widget(), QPoint(0, 0))
        return QRect(top.x(), top.y(), widget.width(), widget.height())
    top = widget.mapTo(root, QPoint(0, 0))
    below = max((s.widget().height() for s in root.findChildren(QScrollArea) if s.widget()), default=0)
    return QRect(top.x(), top.y() + below, widget.width(), widget.height())


def _out_of_order(widgets: list[QWidget], root: QWidget) -> list[str]:
    """Pairs where Tab goes up, or left along the same line (reading order: top to bottom,
    left to right; two widgets whose heights overlap share a line)."""
    wrong = []
    for a, b in zip(widgets, widgets[1:]):
        ra, rb = _place(a, root), _place(b, root)
        same_line = ra.top() < rb.bottom() and rb.top() < ra.bottom()
        if (same_line and rb.left() < ra.left()) or (not same_line and rb.top() < ra.top()):
            wrong.append(f"{_label(a)} {ra.getRect()} → {_label(b)} {rb.getRect()}")
    return wrong


def _label(w: QWidget) -> str:
    text = w.accessibleName() or (w.text() if hasattr(w, "text") and callable(w.text) else "")
    return f"{type(w).__name__}({text!r})"


def test_tab_walks_the_new_ticket_form_top_to_bottom_then_save_and_cancel(open_desk, qtbot):
    window = open_desk(demo=True).window
    window.new_ticket()
    form = window.last_dialog
    qtbot.waitExposed(form)
    _activate(qtbot, form, form.customer)
    order = _walk_tab(qtbot, form.customer)
    names = [_label(w) for w in order]
    assert len(order) >= 12, names
    assert not _out_of_order(order, form), names
    # The fields in the order they are shown, the attachments under them, Cancel last.
    assert order[:4] == [form.customer, form.contact, form.contract, form.subject]
    assert form.attachments.isAncestorOf(order[-2]) and order[-1] is form.cancel_button, names
    form.reject()


def test_tab_walks_the_caller_lookup_as_it_is_laid_out(open_desk, qtbot):
    window = open_desk(demo=True).window
    window.show_lookup()
    lookup = window.lookup
    _activate(qtbot, window, lookup.field)
    order = _walk_tab(qtbot, lookup.field)
    inside = [w for w in order if lookup.isAncestorOf(w)]
    assert inside[:2] == [lookup.field, lookup.results], [_label(w) for w in order]
    assert not _out_of_order(inside, lookup), [_label(w) for w in inside]


# -- what a screen reader says -------------------------------------------------------------
#: The roles a user acts on (a button, a field, a list…), as the accessibility tree tells them.
INTERACTIVE = {QAccessible.Role.PushButton, QAccessible.Role.CheckBox, QAccessible.Role.RadioButton,
               QAccessible.Role.ComboBox, QAccessible.Role.EditableText, QAccessible.Role.SpinBox,
               QAccessible.Role.List, QAccessible.Role.Table, QAccessible.Role.Tree, QAccessible.Role.Slider,
               QAccessible.Role.ButtonMenu, QAccessible.Role.ButtonDropDown, QAccessible.Role.Link}


def _spoken(root: QWidget) -> dict[QWidget, str]:
    """Each visible control under `root` that the user acts on, found by walking Qt's
    accessibility tree from `root` (QAccessible.queryAccessibleInterface), with its name.
    An editable field or a combo box says the name it was given (on Linux Qt says a combo's
    value as its name and links the label by relation; Windows' readers say the name)."""
    found, stack = {}, [QAccessible.queryAccessibleInterface(root)]
    while stack:
        iface = stack.pop()
        if iface is None or not iface.isValid():
            continue
        widget = iface.object()
        if isinstance(widget, QWidget) and widget is not root and widget.isVisible() and widget.isEnabled() \
                and (iface.role() in INTERACTIVE or widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            own = widget.accessibleName()
            found[widget] = own if iface.role() in (QAccessible.Role.EditableText, QAccessible.Role.ComboBox) \
                else iface.text(QAccessible.Text.Name)
        stack.extend(iface.child(i) for i in range(iface.childCount()))
    return found


def test_every_control_of_the_lookup_and_the_new_ticket_form_has_a_name_in_both_languages(
        open_desk, vietnamese, qtbot):
    window = open_desk(demo=True).window
    window.show_lookup()
    window.new_ticket()
    form = window.last_dialog
    qtbot.waitExposed(form)

    def names() -> dict[QWidget, str]:
        return {**_spoken(window.lookup), **_spoken(form)}

    vi = names()
    vietnamese.set_language("en")
    en = names()
    assert set(vi) == set(en) and len(en) >= 18
    assert not [_label(w) for w, name in vi.items() if not name.strip()]
    assert not [_label(w) for w, name in en.items() if not name.strip()]
    same = [en[w] for w in en if en[w] == vi[w]]
    assert not same, same
    form.reject()


# -- focus always visible --------------------------------------------------------------------
def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _around(widget: QWidget):
    """The widget and a few pixels around it, as the window shows them."""
    window = widget.window()
    return window.grab(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()).adjusted(-3, -3, 3, 3)).toImage()


def _focus_pixels(focused, unfocused) -> int:
    """Pixels that change by at least 3:1 when the widget takes the focus (WCAG's contrast
    for a focus indicator against the unfocused look)."""
    return sum(1 for y in range(0, focused.height()) for x in range(0, focused.width())
               if _contrast(focused.pixelColor(x, y), unfocused.pixelColor(x, y)) >= 3)


@pytest.fixture
def scheme(qtbot):
    app = QApplication.instance()
    style, palette = app.style().name(), app.palette()
    made = []

    def use(choice: str) -> Theme:
        made.append(Theme(app, choice, platform="linux"))
        return made[-1]

    yield use
    for t in made:
        t.setParent(None)
        t.deleteLater()
    app.setStyle(style)
    app.setPalette(palette)
    marks.use_scheme(False)


@pytest.mark.parametrize("choice", ["light", "dark"])
def test_the_focused_control_is_always_visibly_marked_in_both_schemes(open_desk, scheme, choice, qtbot):
    """Every Tab stop of the new-ticket form, the fields, combo boxes, check boxes, the
    attachments list and the buttons, is outlined by a ring of ≥ 3:1 against its unfocused
    look, all round it (at least its perimeter), in the light scheme and in the dark one."""
    scheme(choice)
    window = open_desk(demo=True).window
    window.new_ticket()
    form = window.last_dialog
    qtbot.waitExposed(form)
    _activate(qtbot, form, form.customer)
    faint = []
    for _ in range(40):
        w = QApplication.focusWidget()
        qtbot.wait(5)
        focused = _around(w)
        qtbot.keyClick(w, Qt.Key.Key_Tab)
        qtbot.wait(5)
        changed = _focus_pixels(focused, _around(w))
        if changed < 2 * (w.width() + w.height()):
            faint.append(f"{_label(w)}: {changed} px")
        if QApplication.focusWidget() is form.customer:
            break
    assert not faint, faint
    form.reject()
