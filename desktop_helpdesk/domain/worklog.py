"""The work log: what the desk did for a ticket, as entries of its append-only history.

Notes, calls, remote-control sessions, on-site visits and e-mails are kinds of
``TicketEventKind``. Each kind has its own structured fields (``WorkLogDraft.details``),
stored as JSON beside the history row and checked here. Nothing in the log is edited or
deleted (seed 002 §4: all support data is kept as a reference for later disputes); a
mistake is put right by a *correction*, a new entry of the same kind that names the entry
it corrects and carries the corrected values and why.

Plain Python: no Qt, SQLAlchemy or Babel. Messages are English, marked with ``N_`` and
translated by the UI.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from .enums import N_, RequestType, TicketEventKind, TicketStatus, _Labelled
from .validation import CLOCK_SKEW, LONG_TEXT, ValidationError, validate_email, validate_text

#: The history kinds that make up the work log, in the order the UI offers them.
WORKLOG_KINDS = (
    TicketEventKind.NOTE,
    TicketEventKind.CALL,
    TicketEventKind.REMOTE_SESSION,
    TicketEventKind.VISIT,
    TicketEventKind.EMAIL,
)

#: Entries appended like the work log's but offered by their own forms: the reply to a
#: complaint (seed 000 §2.7). Checked by :func:`validate_entry`; correctable like the others.
ENTRY_KINDS = WORKLOG_KINDS + (TicketEventKind.COMPLAINT_REPLY,)

#: The longest duration one entry may claim (a visit may take a long working day).
MAX_DURATION_MINUTES = 24 * 60
#: The most characters of a one-line detail (an e-mail's subject, a remote session's id); the
#: others are notes (LONG_TEXT, several lines).
DETAIL_LIMITS: dict[str, int] = {"subject": 300, "session_id": 40}

MSG_REQUIRED = N_("This field is required.")
MSG_DURATION_FORMAT = N_("Enter minutes (e.g. 12) or hours and minutes (e.g. 1:30 or 1h30).")
MSG_DURATION_POSITIVE = N_("The duration must be at least one minute.")
MSG_DURATION_TOO_LONG = N_("The duration must not be longer than 24 hours.")
MSG_DATETIME_FORMAT = N_("Enter a date and time as dd/mm/yyyy hh:mm.")
MSG_END_BEFORE_START = N_("The visit cannot end before it started.")
MSG_END_WITHOUT_START = N_("Enter when the visit started.")
MSG_EMAIL_ADDRESS = N_("Enter an email address such as name@example.com.")
MSG_CHOOSE = N_("Choose a value from the list.")
MSG_CORRECTION_REASON = N_("Say what was wrong in the entry you correct.")
MSG_CORRECTION_KIND = N_("A correction must be of the same kind as the entry it corrects.")
MSG_NOT_CORRECTABLE = N_("Only work-log entries (notes, calls, remote sessions, visits, e-mails) can be corrected.")
MSG_IN_FUTURE = N_("This time is in the future.")
MSG_BEFORE_RECEIVED = N_("This time is before the ticket was received.")
# Short: it is shown beside the status field. The form's row says the rest (seed 000 §2.7).
MSG_COMPLAINT_NEEDS_REPLY = N_("Log the reply to the complaint (result and plan) first.")


class CallDirection(_Labelled):
    INCOMING = "in"
    OUTGOING = "out"

    @classmethod
    def _labels(cls):
        return {cls.INCOMING: N_("Incoming call"), cls.OUTGOING: N_("Outgoing call")}


class EmailDirection(_Labelled):
    RECEIVED = "received"
    SENT = "sent"

    @classmethod
    def _labels(cls):
        return {cls.RECEIVED: N_("E-mail received"), cls.SENT: N_("E-mail sent")}


class RemoteTool(_Labelled):
    ULTRAVIEWER = "ultraviewer"
    TEAMVIEWER = "teamviewer"
    ANYDESK = "anydesk"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {cls.ULTRAVIEWER: N_("UltraViewer"), cls.TEAMVIEWER: N_("TeamViewer"),
                cls.ANYDESK: N_("AnyDesk"), cls.OTHER: N_("Other tool")}


class VisitOutcome(_Labelled):
    RESOLVED = "resolved"
    PARTLY_RESOLVED = "partly_resolved"
    FOLLOW_UP = "follow_up"  # another visit or remote session is needed
    NOT_DONE = "not_done"  # e.g. the customer was absent, the site not ready

    @classmethod
    def _labels(cls):
        return {cls.RESOLVED: N_("Resolved"), cls.PARTLY_RESOLVED: N_("Partly resolved"),
                cls.FOLLOW_UP: N_("Follow-up needed"), cls.NOT_DONE: N_("Could not be done")}


class ReplyChannel(_Labelled):
    """How the customer was told the result and the plan of their complaint."""

    PHONE = "phone"
    EMAIL = "email"
    ON_SITE = "on_site"
    LETTER = "letter"

    @classmethod
    def _labels(cls):
        return {cls.PHONE: N_("By phone"), cls.EMAIL: N_("By e-mail"), cls.ON_SITE: N_("In person"),
                cls.LETTER: N_("In writing")}


#: Per kind: the fields of ``details`` and which of them are required.
FIELDS: dict[TicketEventKind, tuple[str, ...]] = {
    TicketEventKind.NOTE: (),
    TicketEventKind.CALL: ("direction", "duration_minutes", "number"),
    TicketEventKind.REMOTE_SESSION: ("tool", "session_id", "duration_minutes"),
    TicketEventKind.VISIT: ("scheduled_at", "technician_id", "address", "started_at", "ended_at", "outcome",
                            "work_done"),
    TicketEventKind.EMAIL: ("direction", "subject", "address"),
    TicketEventKind.COMPLAINT_REPLY: ("channel", "result", "plan"),
}
REQUIRED: dict[TicketEventKind, tuple[str, ...]] = {
    TicketEventKind.NOTE: ("body",),
    TicketEventKind.CALL: ("direction", "duration_minutes"),
    TicketEventKind.REMOTE_SESSION: ("tool", "session_id", "duration_minutes"),
    TicketEventKind.VISIT: ("scheduled_at", "technician_id", "address"),
    TicketEventKind.EMAIL: ("direction", "subject", "address"),
    TicketEventKind.COMPLAINT_REPLY: ("channel", "result", "plan"),
}
_DATETIME_FIELDS = ("scheduled_at", "started_at", "ended_at")
_CHOICES: dict[tuple[TicketEventKind, str], type[_Labelled]] = {
    (TicketEventKind.CALL, "direction"): CallDirection,
    (TicketEventKind.EMAIL, "direction"): EmailDirection,
    (TicketEventKind.REMOTE_SESSION, "tool"): RemoteTool,
    (TicketEventKind.VISIT, "outcome"): VisitOutcome,
    (TicketEventKind.COMPLAINT_REPLY, "channel"): ReplyChannel,
}


@dataclass(frozen=True)
class WorkLogDraft:
    """An entry to append. ``details`` holds the kind's fields: datetimes as aware
    datetimes, durations as whole minutes, ids as ints, the rest as text.
    ``occurred_at`` None means now; ``corrects_id`` names the entry this one corrects.
    ``uuid``, chosen by the form, makes a retried save find the entry it already wrote."""

    kind: str
    body: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None
    corrects_id: int | None = None
    uuid: str = ""

    def get(self, name: str, default=None):
        return self.details.get(name, default)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def duration_minutes(draft: WorkLogDraft) -> int | None:
    """The entry's duration in minutes: typed for calls and remote sessions, the time
    between start and end for a visit (None when not known)."""
    if draft.kind == TicketEventKind.VISIT:
        start, end = draft.get("started_at"), draft.get("ended_at")
        if isinstance(start, datetime) and isinstance(end, datetime) and end >= start:
            return int((end - start).total_seconds() // 60)
        return None
    value = draft.get("duration_minutes")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def validate_entry(draft: WorkLogDraft, now: datetime | None = None,
                   original_kind: str | None = None, received_at: datetime | None = None) -> list[ValidationError]:
    """Every problem of the draft, one per field (an empty list when it can be saved).

    ``now`` enables the check that nothing already done lies in the future (a visit's
    *scheduled* time may). ``original_kind`` is the kind of the corrected entry.
    ``received_at`` (the ticket's) enables the check that no work took place before the
    ticket was received."""
    errors: dict[str, ValidationError] = {}

    def add(name: str, code: str, message: str) -> None:
        errors.setdefault(name, ValidationError(name, code, message))

    try:
        kind = TicketEventKind(draft.kind)
    except ValueError:
        kind = None
    if kind not in ENTRY_KINDS:
        add("kind", "not_worklog", MSG_NOT_CORRECTABLE)
        return list(errors.values())
    for name in REQUIRED[kind]:
        value = draft.body if name == "body" else draft.get(name)
        if _blank(value):
            add(name, "required", MSG_REQUIRED)
    for (k, name), enum_cls in _CHOICES.items():
        value = draft.get(name)
        if k == kind and not _blank(value) and value not in set(enum_cls):
            add(name, "choice", MSG_CHOOSE)
    if kind == TicketEventKind.VISIT and draft.get("technician_id") is not None and not (
            isinstance(draft.get("technician_id"), int) and draft.get("technician_id") > 0):
        add("technician_id", "choice", MSG_CHOOSE)
    if "duration_minutes" in FIELDS[kind]:
        value = draft.get("duration_minutes")
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                add("duration_minutes", "duration_format", MSG_DURATION_FORMAT)
            elif value < 1:
                add("duration_minutes", "duration_positive", MSG_DURATION_POSITIVE)
            elif value > MAX_DURATION_MINUTES:
                add("duration_minutes", "duration_too_long", MSG_DURATION_TOO_LONG)
    for name in _DATETIME_FIELDS:
        value = draft.get(name)
        if name in FIELDS[kind] and value is not None and not (
                isinstance(value, datetime) and value.tzinfo is not None):
            add(name, "datetime_format", MSG_DATETIME_FORMAT)
    if kind == TicketEventKind.VISIT:
        start, end = draft.get("started_at"), draft.get("ended_at")
        if isinstance(end, datetime) and start is None:
            add("started_at", "end_without_start", MSG_END_WITHOUT_START)
        if isinstance(start, datetime) and isinstance(end, datetime) and end.tzinfo and start.tzinfo and end < start:
            add("ended_at", "end_before_start", MSG_END_BEFORE_START)
            if end - start > timedelta(minutes=MAX_DURATION_MINUTES):
                add("ended_at", "duration_too_long", MSG_DURATION_TOO_LONG)
    if kind == TicketEventKind.EMAIL and not _blank(draft.get("address")):

        if validate_email("address", draft.get("address")) is not None:
            add("address", "email_invalid", MSG_EMAIL_ADDRESS)
    for name, value in (("body", draft.body), *draft.details.items()):
        if isinstance(value, str):
            one_line = name in DETAIL_LIMITS
            err = validate_text(name, value, DETAIL_LIMITS.get(name, LONG_TEXT), multiline=not one_line)
            if err is not None:
                errors.setdefault(name, err)
    if now is not None:
        slack = CLOCK_SKEW  # clocks of two workstations differ a little
        if draft.occurred_at is not None and draft.occurred_at > now + slack:
            add("occurred_at", "in_future", MSG_IN_FUTURE)
        for name in ("started_at", "ended_at"):
            value = draft.get(name)
            if name in FIELDS[kind] and isinstance(value, datetime) and value.tzinfo and value > now + slack:
                add(name, "in_future", MSG_IN_FUTURE)
    if received_at is not None and received_at.tzinfo is not None:
        earliest = received_at - CLOCK_SKEW
        if draft.occurred_at is not None and draft.occurred_at.tzinfo and draft.occurred_at < earliest:
            add("occurred_at", "before_received", MSG_BEFORE_RECEIVED)
        for name in ("started_at", "ended_at"):
            value = draft.get(name)
            if name in FIELDS[kind] and isinstance(value, datetime) and value.tzinfo and value < earliest:
                add(name, "before_received", MSG_BEFORE_RECEIVED)
    if draft.corrects_id is not None:
        if original_kind is not None and original_kind not in {k.value for k in ENTRY_KINDS}:
            add("kind", "not_correctable", MSG_NOT_CORRECTABLE)
        elif original_kind is not None and original_kind != kind.value:
            add("kind", "correction_kind", MSG_CORRECTION_KIND)
        if _blank(draft.get("reason")):
            add("reason", "required", MSG_CORRECTION_REASON)
    return list(errors.values())


def complaint_resolution_error(request_type: str, new_status: str, replies: int) -> ValidationError | None:
    """The refusal to resolve or close a complaint with no reply logged (seed 000 §2.7: the
    complaint is settled "và KAIO phải phản hồi lại cho KH về kết quả và kế hoạch xử lý",
    the customer told the result and the plan). ``replies`` counts the ticket's
    :attr:`TicketEventKind.COMPLAINT_REPLY` entries. Every path that resolves a ticket asks
    this: the ticket form, a status change, a visit logged as resolved. None when allowed."""
    if request_type != RequestType.COMPLAINT.value or replies > 0:
        return None
    if new_status not in (TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value):
        return None
    return ValidationError("status", "complaint_needs_reply", MSG_COMPLAINT_NEEDS_REPLY)


# -- text input ----------------------------------------------------------------------

_DURATION = re.compile(r"(?:(\d{1,2})\s*(?:[:hg]|giờ|gio)\s*(\d{1,2})?\s*(?:m|p|phút|phut|min)?|(\d{1,4})\s*(?:m|p|phút|phut|min)?)",
                       re.IGNORECASE)


def parse_duration(text: str) -> int | None:
    """Minutes from what an operator types: ``12``, ``12 phút``, ``1:30``, ``1h30``,
    ``1g30`` (giờ), ``2h``. Blank gives None; anything else raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(text)
    if match.group(3) is not None:
        return int(match.group(3))
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if minutes >= 60:
        raise ValueError(text)
    return hours * 60 + minutes


# -- storage form ----------------------------------------------------------------------

DETAILS_VERSION = 1


def details_to_json(draft: WorkLogDraft) -> str | None:
    """The kind's fields (plus a correction's reason) as JSON; datetimes in ISO 8601 UTC."""
    kind = TicketEventKind(draft.kind)
    names = FIELDS[kind] + (("reason",) if draft.corrects_id is not None else ())
    out: dict[str, Any] = {}
    for name in names:
        value = draft.get(name)
        if _blank(value):
            continue
        if isinstance(value, datetime):
            value = value.astimezone(timezone.utc).isoformat()
        elif isinstance(value, str):
            value = value.strip()
        out[name] = value
    if not out:
        return None
    out["v"] = DETAILS_VERSION
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def details_from_json(text: str | None) -> dict[str, Any]:
    """The stored fields back, datetimes as aware UTC datetimes. Unknown keys are kept."""
    if not text:
        return {}
    raw = json.loads(text)
    raw.pop("v", None)
    for name in _DATETIME_FIELDS:
        if isinstance(raw.get(name), str):
            raw[name] = datetime.fromisoformat(raw[name])
    return raw


def current_versions(entries) -> dict[int, int]:
    """Entry id -> the id of the newest correction in its chain (itself when never
    corrected). ``entries`` have ``id`` and ``corrects_id``; a correction of a correction
    corrects the whole chain."""
    corrected_by: dict[int, int] = {}
    for e in sorted(entries, key=lambda e: e.id):
        if e.corrects_id:
            corrected_by[e.corrects_id] = e.id
    out = {}
    for e in entries:
        newest = e.id
        while newest in corrected_by:
            newest = corrected_by[newest]
        out[e.id] = newest
    return out
