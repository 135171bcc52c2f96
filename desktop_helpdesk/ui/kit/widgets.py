"""Small reusable widgets: a form with errors beside each field, date and money inputs,
and a customer picker that searches on the worker thread."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain import validation as v
from ...domain import worklog as wl
from ...domain.enums import _Labelled
from ...domain.phone import format_phone
from ...domain.validation import DateInputError, MoneyTooLarge, parse_money_vnd
from ...i18n import N_, _
from ...i18n.formatting import DISPLAY_ZONE, format_date, format_vnd
from . import retranslate
from . import marks
from .worker import Jobs


def enum_label(enum_cls: type[_Labelled], value: str) -> str:
    """The translated label of a stored enum value ("" stays "")."""
    if not value:
        return ""
    try:
        return _(enum_cls(value).label)
    except ValueError:
        return value


def error_label(word_wrap: bool = True) -> QLabel:
    """A hidden label for an error message beside what it is about (shown with its text)."""
    label = QLabel()
    marks.set_colour(label, "ERROR")
    label.setWordWrap(word_wrap)
    label.hide()
    return label

class FieldRow(QWidget):
    """A field with its error message shown just below it, in the user's language."""

    def __init__(self, field: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = field
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(field)
        layout.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        # A message wrapped to a narrow field (a combo box) needs its lines' height: the
        # form does not ask a word-wrapped label again, and cut the second line in half.
        width = max(self.error.width(), self.field.width())
        self.error.setMinimumHeight(self.error.heightForWidth(width) if message and width > 0 else 0)
        # A screen reader says the field's error with the field (the label below is not
        # read when the field takes the focus).
        self.field.setAccessibleDescription(message or "")


class Form(QFormLayout):
    """A QFormLayout whose rows are FieldRows, keyed by field name."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: dict[str, FieldRow] = {}
        self.labels: dict[str, tuple[QLabel, str]] = {}
        self.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

    def add(self, name: str, title: str, field: QWidget, required: bool = False) -> QWidget:
        row = FieldRow(field)
        label = QLabel()
        label.setBuddy(field)
        self.labels[name] = (label, title + (" *" if required else ""))
        self.rows[name] = row
        self.addRow(label, row)
        return field

    def retranslate(self) -> None:
        for label, title in self.labels.values():
            star = title.endswith(" *")
            label.setText(_(title[:-2] if star else title) + (" *" if star else "") + ":")
            # The field sits in a FieldRow, not beside its label, so Qt's accessibility does
            # not find the label as the field's name: say it (issue #19).
            if label.buddy() is not None:
                label.buddy().setAccessibleName(_(title[:-2] if star else title))

    def set_error(self, name: str, message: str | None) -> None:
        if name in self.rows:
            self.rows[name].set_error(message)

    def clear_errors(self) -> None:
        for row in self.rows.values():
            row.set_error(None)

    def place_errors(self, exc: BaseException) -> bool:
        """Show a refusal's field errors beside their fields; False if `exc` has none (the
        caller then explains it another way)."""
        errors = getattr(exc, "errors", None)
        if not errors:
            return False
        for e in errors:
            self.set_error(e.field, e.text(_))
        return True


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (also with - or .), or ISO yyyy-mm-dd. Empty gives None; else
    DateInputError (a ValueError) saying whether the format is wrong or the date does not
    exist: the domain's rule, the same for every path a date comes in by."""
    return v.parse_date_text(text)


class DateField(QLineEdit):
    """A date typed as dd/mm/yyyy; empty means "not set"."""

    #: The hint shown while empty ("nn/tt/nnnn" in Vietnamese), and the longest text.
    PLACEHOLDER = N_("dd/mm/yyyy")
    MAX_LENGTH = 10
    FORMAT_ERROR = v.MSG_DATE_FORMAT

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self, DateField._show_placeholder)
        self._show_placeholder()
        self.setMaxLength(self.MAX_LENGTH)

    def _show_placeholder(self) -> None:
        self.setPlaceholderText(_(self.PLACEHOLDER))

    def value(self) -> date | None:
        return parse_date(self.text())

    def set_value(self, value: date | None) -> None:
        self.setText(value.strftime("%d/%m/%Y") if value else "")

    def error(self) -> str | None:
        try:
            self.value()
        except DateInputError as exc:  # "31/02/2026 does not exist" rather than a wrong format
            return exc.error.text(_) if exc.error.code.endswith("not_exist") else _(self.FORMAT_ERROR)
        except ValueError:
            return _(self.FORMAT_ERROR)
        return None


class MoneyField(QLineEdit):
    """Whole VND. Accepts 1.500.000, 1,500,000 or 1500000, with or without ₫."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setPlaceholderText("0 ₫")

    def value(self) -> int:
        # English shows the symbol first ("₫1,500,000"): accept it wherever it stands.
        text = self.text().replace("₫", " ").strip()
        return parse_money_vnd(text) if text else 0

    def set_value(self, amount: int) -> None:
        self.setText(format_vnd(amount) if amount else "")

    def error(self) -> str | None:
        try:
            self.value()
        except MoneyTooLarge:
            return _(v.MSG_MONEY_TOO_LARGE)
        except ValueError:
            return _("Enter a whole amount in đồng, e.g. 1.500.000.")
        return None


class CustomerPicker(QLineEdit):
    """Type part of a customer's name, code, phone or tax code; pick from the list.

    The search runs on the worker thread once typing pauses (SEARCH_PAUSE_MS); only the
    answer to the newest text is shown.
    """

    SEARCH_PAUSE_MS = 200

    customer_changed = Signal(object)  # id or None

    def __init__(self, jobs: Jobs, search, parent: QWidget | None = None):
        super().__init__(parent)
        self._jobs = jobs
        self._search = search
        self._choices: dict[str, int] = {}
        self._customer_id: int | None = None
        self._list = QStringListModel(self)
        self._completer = QCompleter(self._list, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(self._completer)
        self._completer.activated[str].connect(self._chosen)
        self.textEdited.connect(self._edited)

    @property
    def customer_id(self) -> int | None:
        return self._customer_id

    def set_customer(self, customer_id: int | None, label: str = "") -> None:
        self._customer_id = customer_id
        self.setText(label)
        self.customer_changed.emit(customer_id)

    def _edited(self, text: str) -> None:
        if self._customer_id is not None:
            self._customer_id = None
            self.customer_changed.emit(None)
        self._jobs.submit(self._search, text, on_done=self._answer, owner=self, key="search",
                          debounce_ms=self.SEARCH_PAUSE_MS)

    def _answer(self, rows) -> None:
        self._choices = {f"{r.code} – {r.name}": r.id for r in rows}
        self._list.setStringList(list(self._choices))
        if self._choices and self.hasFocus():
            self._completer.complete()

    def _chosen(self, text: str) -> None:
        if text in self._choices:
            self.set_customer(self._choices[text], text)


def date_text(value: date | None) -> str:
    return format_date(value)


def enum_combo(enum_cls) -> QComboBox:
    combo = QComboBox()
    for member in enum_cls:
        combo.addItem(_(member.label), member.value)
    return combo


def retranslate_enum_combo(combo: QComboBox, enum_cls) -> None:
    for i in range(combo.count()):
        combo.setItemText(i, enum_label(enum_cls, combo.itemData(i)))


def select_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0) if value is not None else combo.currentIndex())


def display_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        return format_phone(e164)
    except ValueError:
        return e164


def parse_datetime(text: str) -> datetime | None:
    """dd/mm/yyyy hh:mm (also with - or .) in Vietnam's time; blank gives None; else
    DateInputError (a ValueError): a wrong format, or a date or time that does not exist."""
    value = v.parse_datetime_text(text)
    return value.replace(tzinfo=DISPLAY_ZONE) if value is not None else None


def datetime_text(value: datetime | None) -> str:
    return value.astimezone(DISPLAY_ZONE).strftime("%d/%m/%Y %H:%M") if value else ""


class DateTimeField(DateField):
    """A date and time typed as dd/mm/yyyy hh:mm (Vietnam time); empty means "not set"."""

    PLACEHOLDER = N_("dd/mm/yyyy hh:mm")
    MAX_LENGTH = 16
    FORMAT_ERROR = wl.MSG_DATETIME_FORMAT

    def value(self) -> datetime | None:
        return parse_datetime(self.text())

    def set_value(self, value: datetime | None) -> None:
        self.setText(datetime_text(value))


def fit_to_screen(window: QWidget, width: int, height: int, margin: int = 48) -> None:
    """Resize `window` to `width` × `height`, or less where its screen is smaller (a
    1366×768 laptop less its taskbar and the window's title bar): the window's own layout
    scrolls, its buttons stay on screen."""
    parent = window.parentWidget()
    screen = (parent.screen() if parent is not None else None) or window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(width, height)
        return
    room = screen.availableGeometry()
    window.resize(min(width, max(320, room.width() - margin // 2)), min(height, max(240, room.height() - margin)))
