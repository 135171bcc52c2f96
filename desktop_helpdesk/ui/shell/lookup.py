"""The caller lookup: one field (F2) that finds who is on the phone from their number typed
any way it is said, with their coverage badge, open tickets and running clocks.

The search runs on the worker thread, debounced while the operator types; a stale answer
(the text changed since it was asked) is dropped. The keyboard never leaves the field:
Up/Down choose a match, Enter opens a new ticket for it, Esc closes the lookup. The one
timer of the panel repaints the clocks once a minute while it is visible; no query per tick.

A number nobody has is no dead end: the panel offers, in the same keys, a new customer with
this number, adding the number to a customer (as a contact), or a ticket now with the
customer identified later (a provisional customer of its own for the number; see
services.lookup.provisional_caller for why not one shared placeholder). The number goes on
in its normal form (domain/phone.py)."""

from __future__ import annotations

import logging
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...domain.coverage import coverage_badge
from ...domain.validation import PHONE_MESSAGES
from ...i18n import N_, _, ngettext
from ...services import customers, lookup
from ...services.changes import CUSTOMERS, TICKETS
from ...services.dto import CallerLookup, CallerMatch
from ..kit import retranslate
from .search import archived_text
from ..kit.countdown import clock_countdown_text, urgent_of
from ..kit.endings import coverage_colour, coverage_text
from ..kit.errors import failure_message
from ..kit import marks
from ..kit.widgets import CustomerPicker, display_phone
from ..kit.worker import Jobs

MATCHED_BY = {
    "contact_phone": N_("contact's phone"),
    "customer_phone": N_("customer's phone"),
    "customer_code": N_("customer code"),
    "tax_code": N_("tax code"),
}

#: What the lookup offers for a number nobody has, in this order (Up/Down, Enter).
UNKNOWN_OFFERS = (
    ("new_customer", N_("New customer with this number")),
    ("add_number", N_("Add this number to a customer…")),
    ("ticket_now", N_("Ticket now, customer later")),
)
#: The provisional customer of "ticket now, customer later", named in the operator's language.
PROVISIONAL_NAME = N_("Caller {number} (to identify)")
PROVISIONAL_NOTES = N_("Created from the caller lookup for a ticket taken before the caller was identified. "
                       "Complete this customer, or merge it into the customer it turns out to be.")


class ChooseCustomerDialog(QDialog):
    """"Add this number to a customer…": which customer (type a name, code, phone or tax code)."""

    def __init__(self, jobs: Jobs, phone: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("choose_customer_for_number")
        self.phone = phone
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.picker = CustomerPicker(jobs, customers.customer_choices)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.picker.customer_changed.connect(lambda cid: self.ok.setEnabled(cid is not None))
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.picker)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())
        self.setWindowTitle(_("Add this number to a customer"))
        self.label.setText(_("Which customer does {number} belong to? It is added as a new contact; type the "
                             "caller's name there.").format(number=display_phone(phone)))
        self.picker.setPlaceholderText(_("Type a name, code, phone or tax code"))

    @property
    def customer_id(self) -> int | None:
        return self.picker.customer_id

    def _accept(self) -> None:
        if self.picker.customer_id is not None:
            self.accept()


class CallerLookupPanel(QWidget):
    """The lookup field and its results; lives in a dock of the main window."""

    #: Enter on a match: open a new ticket for its customer and contact (CallerMatch)
    ticket_requested = Signal(object)
    #: A ticket code was clicked (ticket id)
    ticket_open_requested = Signal(int)
    #: Esc: the operator is done with the lookup
    close_requested = Signal()
    #: An answer was shown (for tests and the status bar)
    results_shown = Signal(object)
    #: An unknown number: a new customer with it (the E.164 number)
    new_customer_requested = Signal(str)
    #: An unknown number, a customer chosen: add it there as a contact (customer id, E.164 number)
    add_number_requested = Signal(int, str)
    #: "Ticket now, customer later": its provisional customer is stored (customer id, label)
    provisional_ticket_requested = Signal(int, str)

    DEBOUNCE_MS = 250

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        jobs.changed.connect(self._on_change)
        self.lookup: CallerLookup | None = None
        self.current = 0
        self.offer = 0  # the offer chosen for a number nobody has
        self.choose_dialog: ChooseCustomerDialog | None = None
        self._asked_text: str | None = None
        self._open_when_ready = False
        self.setObjectName("caller_lookup_panel")
        self.field = QLineEdit()
        self.field.setObjectName("caller_lookup_field")
        self.field.setClearButtonEnabled(True)
        self.field.setMaxLength(60)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.results = QTextBrowser()
        self.results.setOpenLinks(False)
        # The keyboard stays in the field (↑ ↓ choose, Enter acts) and a click leaves it there;
        # Tab reaches the cards, so that a screen reader reads them out.
        self.results.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.results.anchorClicked.connect(self._link)
        self.keys = QLabel()
        self.keys.setWordWrap(True)
        marks.set_colour(self.keys, "HINT")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.field)
        layout.addWidget(self.message)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.keys)
        self._timer = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self._timer.timeout.connect(self._ask)
        self.field.textEdited.connect(lambda *_: self._timer.start())
        self.field.installEventFilter(self)
        # The panel's one timer: the clocks shown move on once a minute, from the rows held.
        self._ticker = QTimer(self, interval=60_000)
        self._ticker.timeout.connect(self._render)
        self.retranslate()

    # -- the operator's keys -----------------------------------------------------------
    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.field and event.type() == QEvent.Type.KeyPress:
            key, mods = event.key(), event.modifiers()
            if mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                return False
            if key == Qt.Key.Key_Down:
                self.move(1)
                return True
            if key == Qt.Key.Key_Up:
                self.move(-1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.activate()
                return True
            if key == Qt.Key.Key_Escape:
                self.close_requested.emit()
                return True
        return super().eventFilter(obj, event)

    def move(self, step: int) -> None:
        if self.unknown_number():
            self.offer = max(0, min(len(UNKNOWN_OFFERS) - 1, self.offer + step))
            self._render()
            return
        if self.lookup is None or not self.lookup.matches:
            return
        self.current = max(0, min(len(self.lookup.matches) - 1, self.current + step))
        self._render()
        self.results.scrollToAnchor(f"m{self.current}")

    def current_match(self) -> CallerMatch | None:
        if self.lookup is None or not self.lookup.matches or self._stale():
            return None
        return self.lookup.matches[self.current]

    def activate(self) -> None:
        """Enter: a new ticket for the chosen match. Typed faster than the debounce, the
        search runs now and the ticket opens when its answer comes, if there is one."""
        if self._stale():
            self._open_when_ready = True
            self._ask()
            return
        match = self.current_match()
        if match is not None:
            self.ticket_requested.emit(match)
        elif self.unknown_number():
            self.take_offer(UNKNOWN_OFFERS[self.offer][0])

    # -- a number nobody has ----------------------------------------------------------------
    def unknown_number(self) -> str:
        """The number typed, in E.164, when it reads as a phone number and nobody has it; else ""."""
        found = self.lookup
        if found is None or self._stale() or found.matches or found.error or not found.candidates:
            return ""
        return found.candidates[0]

    def take_offer(self, offer: str) -> None:
        phone = self.unknown_number()
        if not phone:
            return
        if offer == "new_customer":
            self.new_customer_requested.emit(phone)
        elif offer == "add_number":
            dialog = ChooseCustomerDialog(self.jobs, phone, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(lambda: self.add_number_requested.emit(dialog.customer_id, phone))
            dialog.finished.connect(lambda *_a: setattr(self, "choose_dialog", None))
            self.choose_dialog = dialog
            dialog.open()
        elif offer == "ticket_now":
            number = display_phone(phone)
            name = _(PROVISIONAL_NAME).format(number=number)

            def stored(customer_id: int) -> None:
                self.provisional_ticket_requested.emit(customer_id, name)

            self._set_message(_("Preparing the ticket…"))
            self.jobs.submit(lookup.provisional_caller, phone, name, _(PROVISIONAL_NOTES), owner=self,
                             key="provisional", on_done=stored, on_error=self._failed)

    def _stale(self) -> bool:
        return self._timer.isActive() or self._asked_text != self.field.text() or self.lookup is None

    # -- searching on the worker ---------------------------------------------------------
    def _ask(self) -> None:
        self._timer.stop()
        text = self.field.text()
        self._asked_text = text
        self.jobs.submit(lookup.lookup_caller, text, owner=self, key="lookup", on_done=self._answer,
                         on_error=self._failed)

    def _on_change(self, change) -> None:
        if change.touches(TICKETS, CUSTOMERS):  # a saved ticket's clock, a number just given to a customer
            self.refresh()

    def refresh(self) -> None:
        """Ask again for the same text (a ticket was saved: its clock belongs here now)."""
        if self.lookup is not None and self.field.text().strip():
            self._ask()

    def _answer(self, found: CallerLookup) -> None:
        keep = self.lookup.matches[self.current] if self.lookup and self.lookup.matches else None
        self.lookup = found
        self.current = 0
        self.offer = 0
        if keep is not None:  # a refresh keeps the operator's choice
            for i, m in enumerate(found.matches):
                if (m.customer_id, m.contact_id) == (keep.customer_id, keep.contact_id):
                    self.current = i
        self._render()
        self.results_shown.emit(found)
        if self._open_when_ready:
            self._open_when_ready = False
            if found.matches:  # a number nobody has: Enter shows what can be done, the next Enter does it
                self.activate()

    def _failed(self, exc: BaseException) -> None:
        message = failure_message(N_("The lookup could not be done."), exc, logging.getLogger(__name__))
        self._open_when_ready = False
        self._set_message(message, "ERROR")

    # -- showing -------------------------------------------------------------------------
    def _set_message(self, text: str, colour: str = "HINT") -> None:
        self.message.setText(text)
        marks.set_colour(self.message, colour)

    def message_text(self) -> str:
        return self.message.text()

    def _render(self) -> None:
        found = self.lookup
        if found is None or not found.text:
            self._set_message(_("Type the caller's number in any form (0912 345 678, 04 3826 1234, 0168…), "
                                "or a customer code or tax code."))
            self.results.setHtml("")
            return
        if found.error:
            colour = "HINT" if found.error == "too_short" else "ERROR"
            self._set_message(_(PHONE_MESSAGES.get(found.error, PHONE_MESSAGES["empty"])), colour)
            self.results.setHtml("")
            return
        if not found.matches:
            tried = ", ".join(display_phone(c) for c in found.candidates)
            self._set_message(_("No contact or customer has this number ({numbers}).").format(numbers=tried)
                              if tried else _("No customer has this code or tax code."), "ERROR")
            self.results.setHtml(self._offers_html() if found.candidates else "")
            return
        n = len(found.matches)
        self._set_message(ngettext("{n} caller found", "{n} callers found", n).format(n=n))
        now, today = self.jobs.now(), self.jobs.today()
        cards = [self._card(i, m, now, today) for i, m in enumerate(found.matches)]
        self.results.setHtml("".join(cards))

    def _offers_html(self) -> str:
        """What can be done for a number nobody has: the chosen one highlighted, as a match is."""
        number = escape(display_phone(self.lookup.candidates[0]))
        head = escape(_("Enter on {number}:")).format(number=f"<b>{number}</b>")
        rows = []
        for i, (key, label) in enumerate(UNKNOWN_OFFERS):
            background = f" bgcolor='{marks.HIGHLIGHT}'" if i == self.offer else ""
            rows.append(f"<tr><td{background}><a href='offer:{i}' style='text-decoration:none;color:{marks.TEXT}'>"
                        f"{'▸ ' if i == self.offer else '&nbsp;&nbsp;'}{escape(_(label))}</a></td></tr>")
        return f"<p>{head}</p><table width='100%' cellspacing='0' cellpadding='6'>{''.join(rows)}</table>"

    def offers_text(self) -> list[str]:
        """The offers as shown (for tests), the chosen one first marked."""
        return [("▸ " if i == self.offer else "") + _(label) for i, (_key, label) in enumerate(UNKNOWN_OFFERS)]

    def _card(self, i: int, m: CallerMatch, now, today) -> str:
        badge = coverage_badge(today, m.warranty_end, m.maintenance_end, m.outstanding_vnd, terminated_on=m.terminated_on)
        who = escape(m.contact_name) + (f" · {escape(m.contact_position)}" if m.contact_position else "") \
            if m.contact_id else escape(m.customer_name)
        how = _(MATCHED_BY[m.matched_by])
        number = f"☎ {escape(display_phone(m.phone))} · " if m.phone else ""
        lines = [
            f"<a name='m{i}' href='match:{i}' style='text-decoration:none;color:{marks.TEXT}'><b>{who}</b></a>",
            f"{escape(m.customer_code)} — {escape(m.customer_name)}" if m.contact_id else escape(m.customer_code),
        ]
        if m.archived:  # an archived or merged customer: no new work on it (the services refuse it too)
            lines.append(f"<b style='color:{marks.HINT}'>{escape(archived_text(m.archived))}</b>")
        lines += [
            f"<span style='color:{marks.HINT}'>{number}{escape(how)}</span>",
            f"<b style='color:{coverage_colour(badge)}'>{escape(coverage_text(badge))}</b>",
        ]
        if m.open_ticket_count:
            title = ngettext("{n} open ticket", "{n} open tickets", m.open_ticket_count).format(n=m.open_ticket_count)
            # One ticket per two short lines: the dock is narrow, a table would squeeze the subject.
            rows = []
            for t in m.open_tickets:
                clocks = self.jobs.calendars.live_clocks(t)
                urgent = urgent_of(clocks, now)
                colour = marks.STATE_COLOURS[urgent[2]].name() if urgent else marks.HINT
                rows.append(f"<p style='margin:3px 0 0 8px'><a href='ticket:{t.id}'>{escape(t.code)}</a>&nbsp; "
                            f"<span style='color:{colour}'>{escape(clock_countdown_text(clocks, now))}</span><br>"
                            f"<span style='color:{marks.TEXT}'>{escape(t.subject)}</span></p>")
            more = m.open_ticket_count - len(m.open_tickets)
            if more > 0:
                more_text = escape(_("and {n} more").format(n=more))
                rows.append(f"<p style='margin:3px 0 0 8px;color:{marks.HINT}'>{more_text}</p>")
            lines.append(f"<b>{escape(title)}</b>{''.join(rows)}")
        else:
            none_open = escape(_("No open tickets"))
            lines.append(f"<span style='color:{marks.HINT}'>{none_open}</span>")
        background = f" bgcolor='{marks.HIGHLIGHT}'" if i == self.current else ""
        return (f"<table width='100%' cellspacing='0' cellpadding='6'{background}><tr><td>"
                + "<br>".join(lines[:4]) + "".join(f"<div>{x}</div>" for x in lines[4:])
                + "</td></tr></table><hr>")

    def _link(self, url: QUrl) -> None:
        kind, _sep, ident = url.toString().partition(":")
        if not ident.isdigit():
            return
        if kind == "match":
            self.current = int(ident)
            self._render()
            self.activate()
        elif kind == "offer" and int(ident) < len(UNKNOWN_OFFERS):
            self.offer = int(ident)
            self._render()
            self.take_offer(UNKNOWN_OFFERS[self.offer][0])
        elif kind == "ticket":
            self.ticket_open_requested.emit(int(ident))
        self.field.setFocus()

    # -- page ------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        self._ticker.start()
        self._render()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self._ticker.stop()
        super().hideEvent(event)

    def changeEvent(self, event) -> None:
        # The colour scheme switched: the cards are written in its colours again.
        if event.type() == QEvent.Type.PaletteChange and self.isVisible():
            self._render()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.field.setPlaceholderText(_("Caller's phone, customer code or tax code"))
        self.field.setToolTip(_("Caller lookup (F2)"))
        self.field.setAccessibleName(_("Caller lookup"))
        self.field.setAccessibleDescription(_("Caller's phone, customer code or tax code"))
        self.results.setAccessibleName(_("Lookup results"))
        self.keys.setText(_("↑ ↓ choose · Enter: new ticket for the caller (or what to do for a new number) · "
                            "Esc: close"))
        self._render()
