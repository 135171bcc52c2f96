"""The ticket's history and work log in the ticket detail: every entry in the order things
happened, with its kind's mark and label; buttons (and keys) to log a note, a call, a
remote session, an on-site visit or an e-mail; "Correct…" to append a correction of an
entry; and the service report of a visit.

The log is append-only: this module offers no way to edit or delete an entry."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain import worklog as wl
from ...domain.enums import (
    Channel,
    Coverage,
    EntitlementReason,
    Priority,
    RequestType,
    TicketEventKind,
    TicketStatus,
)
from ...domain.worklog import (
    DETAIL_LIMITS,
    CallDirection,
    EmailDirection,
    RemoteTool,
    VisitOutcome,
    WorkLogDraft,
)
from ...i18n import N_, _
from ...i18n.formatting import DISPLAY_ZONE, format_datetime, format_duration
from ...services import catalog, worklog
from ...services.errors import ValidationFailed
from ..kit import retranslate
from ..kit.attachments import AttachmentsBox
from ..kit.documents import open_report
from ..kit.errors import failure_message
from ..kit.form import FormDialog
from ..kit import marks
from ..kit.widgets import DateTimeField, enum_label, error_label, select_data
from ..kit.worker import Jobs
from .visit_report import visit_report_html

log = logging.getLogger(__name__)


WORKLOG_VALUES = {k.value for k in wl.WORKLOG_KINDS}


#: Keys that open the work-log dialog for a kind, anywhere in the tickets view.
KIND_KEYS = {
    TicketEventKind.NOTE: "Ctrl+Alt+N",
    TicketEventKind.CALL: "Ctrl+Alt+C",
    TicketEventKind.REMOTE_SESSION: "Ctrl+Alt+R",
    TicketEventKind.VISIT: "Ctrl+Alt+V",
    TicketEventKind.EMAIL: "Ctrl+Alt+M",
}


def duration_text(minutes: int | None) -> str:
    """ "12 phút" / "12 min", "1 giờ 5 phút" / "1 h 5 min"."""
    return format_duration(timedelta(minutes=minutes), short=True) if minutes is not None else ""


def kind_label(kind: str) -> str:
    return enum_label(TicketEventKind, kind) if kind in {k.value for k in TicketEventKind} else kind


def assignee_text(value: str, people: Mapping[str, str] | None) -> str:
    """Who an assignment row names: "Name (code)", "nobody" for "", "#id" for an operator
    no longer in the database."""
    if not value:
        return _("nobody")
    return (people or {}).get(value) or f"#{value}"


def describe(e, by_id: dict | None = None, people: Mapping[str, str] | None = None) -> str:
    """One line for a history entry, in the current language. `people` names the operators
    of assignment rows (TicketDetails.people)."""
    try:
        kind = TicketEventKind(e.kind)
    except ValueError:
        kind = None
    d = e.details or {}
    text = ""
    if kind == TicketEventKind.CREATED:
        text = _("Ticket created")
    elif kind == TicketEventKind.STATUS_CHANGED:
        text = _("Status: {old} → {new}").format(old=enum_label(TicketStatus, e.old_value),
                                                 new=enum_label(TicketStatus, e.new_value))
    elif kind == TicketEventKind.ASSIGNED:
        text = _("Assigned: {old} → {new}").format(old=assignee_text(e.old_value, people),
                                                   new=assignee_text(e.new_value, people))
    elif kind == TicketEventKind.FIELD_CHANGED:
        names = {"customer": _("Customer"), "subject": _("Subject"), "request_type": _("Type"), "channel": _("Channel"), "priority": _("Priority"),
                 "contact_id": _("Contact"), "contract_id": _("Contract"), "coverage": _("Coverage"),
                 "description": _("Description")}
        labels = {"request_type": RequestType, "channel": Channel, "priority": Priority, "coverage": Coverage}
        old, new = e.old_value, e.new_value
        if e.field in labels:
            old, new = enum_label(labels[e.field], old), enum_label(labels[e.field], new)
        if e.field in ("contact_id", "contract_id", "description"):
            text = _("{field} changed").format(field=names.get(e.field, e.field))
        else:
            text = _("{field}: {old} → {new}").format(field=names.get(e.field, e.field), old=old or "—", new=new or "—")
    elif kind == TicketEventKind.NOTE:
        text = e.body
    elif kind == TicketEventKind.CALL:
        text = " · ".join(x for x in (enum_label(CallDirection, d.get("direction", "")),
                                       duration_text(e.duration_minutes), e.body) if x)
    elif kind == TicketEventKind.REMOTE_SESSION:
        session = _("session {id}").format(id=d.get("session_id", ""))
        text = " · ".join(x for x in (enum_label(RemoteTool, d.get("tool", "")), session,
                                       duration_text(e.duration_minutes), e.body) if x)
    elif kind == TicketEventKind.VISIT:
        parts = [d.get("address", "")]
        if d.get("started_at"):
            span = format_datetime(d["started_at"])
            if d.get("ended_at"):
                span += " – " + d["ended_at"].astimezone(DISPLAY_ZONE).strftime("%H:%M")
            parts.append(span)
        elif d.get("scheduled_at"):
            parts.append(_("scheduled {when}").format(when=format_datetime(d["scheduled_at"])))
        parts += [duration_text(e.duration_minutes), enum_label(VisitOutcome, d.get("outcome", "")),
                  d.get("work_done", ""), e.body]
        text = " · ".join(x.replace("\n", " ") for x in parts if x)
    elif kind == TicketEventKind.EMAIL:
        direction = (_("Sent to {address}") if d.get("direction") == "sent" else _("Received from {address}")).format(
            address=d.get("address", ""))
        text = " · ".join(x for x in (direction, "“" + d.get("subject", "") + "”", e.body) if x)
    elif e.kind == "entitlement":
        refused = e.body.split()[:1] == ["refused"]
        codes = [c for c in e.body.split() if c != "refused"]
        reasons = "; ".join(_(EntitlementReason(c).message) for c in codes if c in {r.value for r in EntitlementReason})
        verdict = enum_label(Coverage, "refused" if refused else e.new_value)
        text = _("Entitlement: {verdict}").format(verdict=verdict) + (f" ({reasons})" if reasons else "")
    elif e.kind == "override":
        text = _("Refusal overridden → {coverage}: {reason}").format(coverage=enum_label(Coverage, e.new_value),
                                                                     reason=e.body)
    elif e.kind == "verification":
        text = (_("Caller verification: answer matches") if e.new_value == "match"
                else _("Caller verification: answer does not match"))
    else:
        text = e.kind
    if e.corrects_id:
        original = (by_id or {}).get(e.corrects_id)
        when = format_datetime(original.occurred_at) if original is not None else f"#{e.corrects_id}"
        text = _("Correction of the entry of {when} ({reason}): {text}").format(
            when=when, reason=d.get("reason", ""), text=text)
    return text


class WorkLogPanel(QWidget):
    """The history of the selected ticket, with the work-log actions."""

    #: An entry was added: (ticket id)
    entry_added = Signal(int)

    COL_TIME, COL_KIND, COL_BY, COL_TEXT = range(4)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.operator = lambda: None  # the signed-in operator (OperatorData) or None; set by the window
        self.details = None
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.kind_buttons: dict[TicketEventKind, QPushButton] = {}
        # The title above its buttons, not beside them: with large text on a 1366 px screen the
        # row was wide enough to squeeze the ticket's clocks beside it.
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addStretch()
        for kind in wl.WORKLOG_KINDS:
            b = QPushButton()
            b.clicked.connect(lambda _c=False, k=kind: self.add_entry(k))
            self.kind_buttons[kind] = b
            top.addWidget(b)
        self.install_shortcuts(self)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(self.COL_TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_BY, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemActivated.connect(lambda *_: self.correct_current())
        self.correct_button = QPushButton()
        self.report_button = QPushButton()
        self.correct_button.clicked.connect(self.correct_current)
        self.report_button.clicked.connect(self.report_current)
        self.status = error_label()
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.status, 1)
        bottom.addStretch()
        bottom.addWidget(self.correct_button)
        bottom.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bottom)
        self.dialog = None
        self._select_id: int | None = None
        self.retranslate()

    def install_shortcuts(self, scope: QWidget) -> None:
        """Make the log keys work anywhere in `scope` (the whole tickets view, so the
        operator can log a call right after picking the ticket in the list)."""
        for kind, key in KIND_KEYS.items():
            QShortcut(QKeySequence(key), scope, activated=lambda k=kind: self.add_entry(k),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # -- showing -----------------------------------------------------------------------
    def set_details(self, details) -> None:
        """Show a ticket's history (TicketDetails), or nothing for None."""
        self.details = details
        self._fill()

    def entries(self) -> tuple:
        return self.details.history if self.details is not None else ()

    def _fill(self) -> None:
        current = self.current_entry()
        self.tree.clear()
        history = self.entries()
        by_id = {e.id: e for e in history}
        newest = wl.current_versions([e for e in history if e.kind in WORKLOG_VALUES])
        select = None
        for e in history:
            mark, colour = marks.KIND_MARKS.get(e.kind, marks.OTHER_MARK)
            label = kind_label(e.kind) if e.kind in WORKLOG_VALUES else _("Change")
            corrected = e.id in newest and newest[e.id] != e.id
            text = describe(e, by_id, self.details.people)
            if corrected:
                text = _("[corrected later] {text}").format(text=text)
            item = QTreeWidgetItem([format_datetime(e.occurred_at), f"{mark} {label}", e.operator or "—", text])
            item.setData(0, Qt.ItemDataRole.UserRole, e.id)
            item.setForeground(self.COL_KIND, QBrush(QColor(colour)))
            if corrected:
                for col in range(4):
                    item.setForeground(col, QBrush(marks.CORRECTED_COLOUR))
                font = item.font(self.COL_TEXT)
                font.setStrikeOut(True)
                item.setFont(self.COL_TEXT, font)
            if e.corrects_id:
                font = item.font(self.COL_KIND)
                font.setItalic(True)
                item.setFont(self.COL_KIND, font)
            tip = [text]
            if e.recorded_at is not None and abs(e.recorded_at - e.occurred_at) > timedelta(minutes=5):
                tip.append(_("Recorded {when}").format(when=format_datetime(e.recorded_at)))
            item.setToolTip(self.COL_TEXT, "\n".join(tip))
            self.tree.addTopLevelItem(item)
            if (current is not None and e.id == current.id and select is None) or e.id == self._select_id:
                select = item
        if select is not None and select.data(0, Qt.ItemDataRole.UserRole) == self._select_id:
            self._select_id = None
        if select is None and self.tree.topLevelItemCount():
            select = self.tree.topLevelItem(self.tree.topLevelItemCount() - 1)
        if select is not None:
            self.tree.setCurrentItem(select)
            self.tree.scrollToItem(select)
        self._update_buttons()

    def current_entry(self):
        item = self.tree.currentItem()
        if item is None or self.details is None:
            return None
        entry_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((e for e in self.details.history if e.id == entry_id), None)

    def _update_buttons(self) -> None:
        e = self.current_entry()
        has_ticket = self.details is not None
        for b in self.kind_buttons.values():
            b.setEnabled(has_ticket)
        self.correct_button.setEnabled(e is not None and e.kind in WORKLOG_VALUES)
        self.report_button.setEnabled(e is not None and e.kind == TicketEventKind.VISIT)

    # -- actions -----------------------------------------------------------------------
    def _operator_id(self):
        op = self.operator()
        return op.id if op is not None else None

    def add_entry(self, kind: TicketEventKind = TicketEventKind.CALL) -> WorkLogDialog | None:
        if self.details is None:
            return None
        return self._open(WorkLogDialog(self.jobs, self.details.id, self._operator_id(),
                                        kind=kind, parent=self))

    def correct_current(self) -> WorkLogDialog | None:
        e = self.current_entry()
        if e is None or e.kind not in WORKLOG_VALUES or self.details is None:
            return None
        return self._open(WorkLogDialog(self.jobs, self.details.id, self._operator_id(),
                                        kind=TicketEventKind(e.kind), original=e, parent=self))

    def _open(self, dialog: "WorkLogDialog") -> "WorkLogDialog":
        ticket_id = self.details.id
        dialog.saved.connect(lambda entry_id: self._saved(ticket_id, entry_id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, ticket_id: int, entry_id: int) -> None:
        self._select_id = entry_id  # the new entry is selected when the history comes back
        self.entry_added.emit(ticket_id)

    def report_current(self):
        e = self.current_entry()
        if e is None or e.kind != TicketEventKind.VISIT:
            return
        self.status.hide()
        self.jobs.submit(worklog.visit_report, e.id, on_done=self._show_report,
                           on_error=self._report_failed)

    def _show_report(self, result) -> None:
        facts, vendor = result
        self.report_dialog = open_report(self, lambda lang: visit_report_html(facts, vendor, lang),
                                         f"{facts.ticket_code}-{facts.entry_id}")

    def _report_failed(self, exc: BaseException) -> None:
        self.status.setText(failure_message(N_("The report could not be prepared."), exc, log))
        self.status.show()

    def retranslate(self) -> None:
        self.title.setText(_("History and work log"))
        titles = {TicketEventKind.NOTE: _("+ Note"), TicketEventKind.CALL: _("+ Call"),
                  TicketEventKind.REMOTE_SESSION: _("+ Remote"), TicketEventKind.VISIT: _("+ Visit"),
                  TicketEventKind.EMAIL: _("+ E-mail")}
        for kind, b in self.kind_buttons.items():
            b.setText(titles[kind])
            b.setToolTip(_("Log: {kind} ({key})").format(
                kind=kind_label(kind), key=QKeySequence(KIND_KEYS[kind]).toString(QKeySequence.SequenceFormat.NativeText)))
        self.tree.setHeaderLabels([_("When"), _("Type"), _("By"), _("What")])
        self.correct_button.setText(_("C&orrect…"))
        self.correct_button.setToolTip(_("Log a correction of the selected entry; the entry itself stays as it was (Enter)"))
        self.report_button.setText(_("Service &report…"))
        self._fill()


def _combo(enum_cls, blank: bool = False) -> QComboBox:
    combo = QComboBox()
    if blank:
        combo.addItem("", None)
    for member in enum_cls:
        combo.addItem("", member.value)
    return combo


class WorkLogDialog(FormDialog):
    """Log one entry, or a correction of `original`. Keyboard: the kind is chosen first (or
    given), Tab walks the kind's fields, Enter or Ctrl+Enter saves, Esc cancels."""

    #: A long paste stays whole and is said too long beside the field (the domain's limits).
    TEXT_RULES = {name: (limit, False) for name, limit in DETAIL_LIMITS.items()}

    #: Field name -> the kinds that show it.
    SHOWN = {
        "occurred_at": (TicketEventKind.NOTE, TicketEventKind.CALL, TicketEventKind.REMOTE_SESSION,
                        TicketEventKind.EMAIL),
        "call_direction": (TicketEventKind.CALL,),
        "email_direction": (TicketEventKind.EMAIL,),
        "tool": (TicketEventKind.REMOTE_SESSION,),
        "session_id": (TicketEventKind.REMOTE_SESSION,),
        "duration_minutes": (TicketEventKind.CALL, TicketEventKind.REMOTE_SESSION),
        "subject": (TicketEventKind.EMAIL,),
        "email_address": (TicketEventKind.EMAIL,),
        "scheduled_at": (TicketEventKind.VISIT,),
        "technician_id": (TicketEventKind.VISIT,),
        "address": (TicketEventKind.VISIT,),
        "started_at": (TicketEventKind.VISIT,),
        "ended_at": (TicketEventKind.VISIT,),
        "outcome": (TicketEventKind.VISIT,),
        "work_done": (TicketEventKind.VISIT,),
    }
    #: Domain field -> form field, where the names differ per kind.
    FORM_NAMES = {(TicketEventKind.CALL, "direction"): "call_direction",
                  (TicketEventKind.EMAIL, "direction"): "email_direction",
                  (TicketEventKind.EMAIL, "address"): "email_address"}

    def __init__(self, jobs: Jobs, ticket_id: int, operator_id: int | None,
                 kind: TicketEventKind = TicketEventKind.CALL, original=None, parent: QWidget | None = None):
        super().__init__(jobs, parent)
        self.ticket_id = ticket_id
        self.operator_id = operator_id
        self.original = original
        self.resize(560, 460)
        f = self.form
        self.kind = f.add("kind", N_("Entry type"), QComboBox())
        for k in wl.WORKLOG_KINDS:
            self.kind.addItem("", k.value)
        self.reason = f.add("reason", N_("What was wrong"), QLineEdit(), required=True)
        self.occurred_at = f.add("occurred_at", N_("When"), DateTimeField())
        self.call_direction = f.add("call_direction", N_("Direction"), _combo(CallDirection))
        self.email_direction = f.add("email_direction", N_("Direction"), _combo(EmailDirection))
        self.tool = f.add("tool", N_("Tool"), _combo(RemoteTool))
        self.session_id = f.add("session_id", N_("Session ID"), QLineEdit(), required=True)
        self.duration = f.add("duration_minutes", N_("Duration"), QLineEdit(), required=True)
        self.subject = f.add("subject", N_("Subject"), QLineEdit(), required=True)
        self.email_address = f.add("email_address", N_("Address"), QLineEdit(), required=True)
        self.scheduled_at = f.add("scheduled_at", N_("Scheduled for"), DateTimeField(), required=True)
        self.technician = f.add("technician_id", N_("Technician"), QComboBox(), required=True)
        self.technician.setMinimumContentsLength(32)  # a name, alias and code read whole
        self.technician.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.address = f.add("address", N_("Place of work"), QLineEdit(), required=True)
        self.started_at = f.add("started_at", N_("Start time"), DateTimeField())
        self.ended_at = f.add("ended_at", N_("End time"), DateTimeField())
        self.outcome = f.add("outcome", N_("Outcome"), _combo(VisitOutcome, blank=True))
        self.work_done = f.add("work_done", N_("Work done"), QPlainTextEdit())
        self.body = f.add("body", N_("Notes"), QPlainTextEdit())
        for edit in (self.work_done, self.body):
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(80)
        self.duration.setMaxLength(12)
        self.technician.addItem("", None)
        self.occurred_at.set_value(jobs.now())
        self._watch(self.reason, self.occurred_at, self.session_id, self.duration, self.subject, self.email_address,
                    self.scheduled_at, self.address, self.started_at, self.ended_at, self.body, self.work_done,
                    self.kind, self.technician, self.call_direction, self.email_direction, self.tool, self.outcome)
        for w in (self.body, self.work_done):
            w.textChanged.connect(self.revalidate)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        select_data(self.kind, TicketEventKind(kind).value)
        if original is not None:
            self._prefill(original)
            self.kind.setEnabled(False)
        self.duration.returnPressed.connect(self.save)
        self.jobs.submit(catalog.operators, on_done=self._got_operators, owner=self)  # dropped if closed first
        self.attachments = AttachmentsBox(jobs, "ticket_event", operator_id)  # issue #16: attached to the saved entry
        self.attachments.follow(self)
        self._finish_layout(self.attachments)
        self._kind_changed()
        self._focus_first()

    # -- building ----------------------------------------------------------------------
    def current_kind(self) -> TicketEventKind:
        return TicketEventKind(self.kind.currentData())

    def _kind_changed(self, *_args) -> None:
        kind = self.current_kind()
        for name, kinds in self.SHOWN.items():
            self._show(name, kind in kinds)
        self._show("reason", self.original is not None)
        self._show("kind", True)
        self.retranslate()
        self.revalidate()

    def _show(self, name: str, visible: bool) -> None:
        self.form.rows[name].setVisible(visible)
        self.form.labels[name][0].setVisible(visible)

    def _focus_first(self) -> None:
        kind = self.current_kind()
        first = {TicketEventKind.NOTE: self.body, TicketEventKind.CALL: self.duration,
                 TicketEventKind.REMOTE_SESSION: self.session_id, TicketEventKind.VISIT: self.scheduled_at,
                 TicketEventKind.EMAIL: self.subject}[kind]
        (self.reason if self.original is not None else first).setFocus()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Once the window is up (opened from a key press, the press's widget may still
        # hold the focus while the dialog appears).
        QTimer.singleShot(0, self._focus_first)

    def _got_operators(self, operators) -> None:
        # Field technicians first (who goes on site), then the rest of the active staff.
        active = [o for o in operators if o.active]
        technicians = {o.id for o in active if o.role == "technician"}
        for o in sorted(active, key=lambda o: o.id not in technicians):
            self.technician.addItem(f"{o.full_name} – {o.alias} ({o.code})", o.id)
        # The visit's own technician when correcting it; else the one signing in only when they
        # are a technician (a hotline operator logging a colleague's visit chooses).
        wanted = (self.original.details.get("technician_id") if self.original is not None else None) or (
            self.operator_id if self.operator_id in technicians else None)
        select_data(self.technician, wanted)
        self.revalidate()

    def _prefill(self, e) -> None:
        d = e.details or {}
        self.occurred_at.set_value(e.occurred_at)
        self.body.setPlainText(e.body)
        select_data(self.call_direction, d.get("direction"))
        select_data(self.email_direction, d.get("direction"))
        select_data(self.tool, d.get("tool"))
        select_data(self.outcome, d.get("outcome"))
        self.session_id.setText(d.get("session_id", ""))
        if d.get("duration_minutes") is not None:
            self.duration.setText(str(d["duration_minutes"]))
        self.subject.setText(d.get("subject", ""))
        self.email_address.setText(d.get("address", "") if e.kind == TicketEventKind.EMAIL else "")
        self.address.setText(d.get("address", "") if e.kind == TicketEventKind.VISIT else "")
        self.scheduled_at.set_value(d.get("scheduled_at"))
        self.started_at.set_value(d.get("started_at"))
        self.ended_at.set_value(d.get("ended_at"))
        self.work_done.setPlainText(d.get("work_done", ""))

    # -- the draft ---------------------------------------------------------------------
    def _parse_errors(self) -> dict[str, str]:
        errors = {}
        kind = self.current_kind()
        for name, field in (("occurred_at", self.occurred_at), ("scheduled_at", self.scheduled_at),
                            ("started_at", self.started_at), ("ended_at", self.ended_at)):
            if kind in self.SHOWN[name] and field.error():
                errors[name] = field.error()
        if kind in self.SHOWN["duration_minutes"]:
            try:
                wl.parse_duration(self.duration.text())
            except ValueError:
                errors["duration_minutes"] = _(wl.MSG_DURATION_FORMAT)
        return errors

    @staticmethod
    def _value(fn):
        try:
            return fn()
        except ValueError:
            return None

    def draft(self) -> WorkLogDraft:
        kind = self.current_kind()
        values = {
            "direction": (self.call_direction.currentData() if kind == TicketEventKind.CALL
                          else self.email_direction.currentData()),
            "duration_minutes": self._value(lambda: wl.parse_duration(self.duration.text())),
            "tool": self.tool.currentData(),
            "session_id": self.session_id.text(),
            "subject": self.subject.text(),
            "address": self.email_address.text() if kind == TicketEventKind.EMAIL else self.address.text(),
            "scheduled_at": self._value(self.scheduled_at.value),
            "technician_id": self.technician.currentData(),
            "started_at": self._value(self.started_at.value),
            "ended_at": self._value(self.ended_at.value),
            "outcome": self.outcome.currentData(),
            "work_done": self.work_done.toPlainText(),
        }
        details = {name: values[name] for name in wl.FIELDS[kind] if values.get(name) not in (None, "")}
        if self.original is not None:
            details["reason"] = self.reason.text()
        occurred = self._value(self.occurred_at.value) if kind in self.SHOWN["occurred_at"] else None
        return WorkLogDraft(kind.value, body=self.body.toPlainText(), details=details, occurred_at=occurred,
                            corrects_id=self.original.id if self.original is not None else None,
                            uuid=self.create_uuid)  # an entry (or a correction) is always a new row

    def field_errors(self) -> dict[str, str]:
        errors = self._parse_errors()
        kind = self.current_kind()
        original_kind = self.original.kind if self.original is not None else None
        for err in wl.validate_entry(self.draft(), now=self.jobs.now(), original_kind=original_kind):
            name = self.FORM_NAMES.get((kind, err.field), err.field)
            errors.setdefault(name, err.text(_))
        return errors

    def build_job(self):
        return worklog.add_entry, (self.ticket_id, self.operator_id, self.draft())

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationFailed):
            kind = self.current_kind()
            exc = ValidationFailed([type(e)(self.FORM_NAMES.get((kind, e.field), e.field), e.code, e.message, e.params)
                                    for e in exc.errors])
        super()._failed(exc)

    def retranslate(self) -> None:
        super().retranslate()
        for combo, enum_cls in ((self.call_direction, CallDirection), (self.email_direction, EmailDirection),
                                (self.tool, RemoteTool), (self.outcome, VisitOutcome)):
            for i in range(combo.count()):
                value = combo.itemData(i)
                combo.setItemText(i, enum_label(enum_cls, value) if value else _("(not yet known)"))
        for i in range(self.kind.count()):
            value = self.kind.itemData(i)
            mark = marks.KIND_MARKS[TicketEventKind(value)][0]
            self.kind.setItemText(i, f"{mark} {kind_label(value)}")
        kind = kind_label(self.kind.currentData()) if self.kind.currentData() else ""
        self.setWindowTitle((_("Correct an entry: {kind}") if self.original is not None
                             else _("Log: {kind}")).format(kind=kind))
        self.duration.setPlaceholderText(_("minutes, e.g. 12 or 1:30"))
        self.session_id.setPlaceholderText(_("e.g. 123 456 789"))
        self.email_address.setPlaceholderText("name@example.com")
        self.reason.setPlaceholderText(_("e.g. the duration was typed wrong"))
        self.body.setPlaceholderText(_("What was said or done"))
