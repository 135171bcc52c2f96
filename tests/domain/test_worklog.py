"""The work log's rules: each kind's fields, durations as typed, corrections, storage form."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from desktop_helpdesk.domain import worklog as wl
from desktop_helpdesk.domain.worklog import WorkLogDraft, parse_duration, validate_entry

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("typed,minutes", [("12", 12), ("12 phút", 12), ("12p", 12), ("1:30", 90), ("1h30", 90),
                                           ("1g30", 90), ("2h", 120), (" 45 min ", 45), ("", None)])
def test_durations_are_read_as_operators_type_them(typed, minutes):
    assert parse_duration(typed) == minutes


@pytest.mark.parametrize("typed", ["abc", "1:75", "1,5", "-5", "12 giây"])
def test_other_durations_are_refused(typed):
    with pytest.raises(ValueError):
        parse_duration(typed)


def _fields(errors):
    return {(e.field, e.code) for e in errors}


def test_each_kind_requires_its_own_fields():
    assert _fields(validate_entry(WorkLogDraft("note"))) == {("body", "required")}
    assert _fields(validate_entry(WorkLogDraft("call"))) == {("direction", "required"), ("duration_minutes", "required")}
    assert _fields(validate_entry(WorkLogDraft("remote_session"))) == {
        ("tool", "required"), ("session_id", "required"), ("duration_minutes", "required")}
    assert _fields(validate_entry(WorkLogDraft("visit"))) == {
        ("scheduled_at", "required"), ("technician_id", "required"), ("address", "required")}
    assert _fields(validate_entry(WorkLogDraft("email"))) == {
        ("direction", "required"), ("subject", "required"), ("address", "required")}
    assert _fields(validate_entry(WorkLogDraft("status_changed"))) == {("kind", "not_worklog")}


def test_durations_choices_times_and_addresses_are_checked():
    call = lambda **d: WorkLogDraft("call", details={"direction": "in", "duration_minutes": 5, **d})  # noqa: E731
    assert validate_entry(call()) == []
    assert _fields(validate_entry(call(duration_minutes=0))) == {("duration_minutes", "duration_positive")}
    assert _fields(validate_entry(call(duration_minutes=24 * 60 + 1))) == {("duration_minutes", "duration_too_long")}
    assert _fields(validate_entry(call(direction="sideways"))) == {("direction", "choice")}
    visit = WorkLogDraft("visit", details={"scheduled_at": NOW, "technician_id": 1, "address": "x",
                                           "ended_at": NOW + timedelta(hours=1)})
    assert _fields(validate_entry(visit, now=NOW)) == {("started_at", "end_without_start"), ("ended_at", "in_future")}
    email = WorkLogDraft("email", details={"direction": "sent", "subject": "s", "address": "khong-phai-email"})
    assert _fields(validate_entry(email)) == {("address", "email_invalid")}
    # A visit may be scheduled in the future; what already happened may not be.
    planned = WorkLogDraft("visit", details={"scheduled_at": NOW + timedelta(days=2), "technician_id": 1, "address": "x"})
    assert validate_entry(planned, now=NOW) == []


def test_a_correction_needs_a_reason_and_the_kind_of_its_original():
    fixed = WorkLogDraft("call", details={"direction": "in", "duration_minutes": 21}, corrects_id=7)
    assert _fields(validate_entry(fixed, original_kind="call")) == {("reason", "required")}
    fixed = WorkLogDraft("call", details={"direction": "in", "duration_minutes": 21, "reason": "sai"}, corrects_id=7)
    assert validate_entry(fixed, original_kind="call") == []
    assert _fields(validate_entry(fixed, original_kind="email")) == {("kind", "correction_kind")}
    assert _fields(validate_entry(fixed, original_kind="status_changed")) == {("kind", "not_correctable")}


def test_details_round_trip_through_json_with_aware_datetimes():
    draft = WorkLogDraft("visit", details={"scheduled_at": NOW, "technician_id": 3, "address": " Hà Nội ",
                                           "started_at": NOW, "ended_at": NOW + timedelta(minutes=95)})
    stored = wl.details_to_json(draft)
    back = wl.details_from_json(stored)
    assert back == {"scheduled_at": NOW, "technician_id": 3, "address": "Hà Nội", "started_at": NOW,
                    "ended_at": NOW + timedelta(minutes=95)}
    assert wl.duration_minutes(draft) == 95
    assert "Hà Nội" in stored  # readable in the file, not escaped


def test_the_newest_correction_of_a_chain_is_the_current_version():
    class E:
        def __init__(self, id, corrects_id=None):
            self.id, self.corrects_id = id, corrects_id

    assert wl.current_versions([E(1), E(2, 1), E(3), E(4, 2)]) == {1: 4, 2: 4, 3: 3, 4: 4}


def test_every_message_is_translated_into_vietnamese():
    from desktop_helpdesk.i18n import using

    messages = [getattr(wl, n) for n in dir(wl) if n.startswith("MSG_")]
    with using("vi") as t:
        translated = {m: t.gettext(m) for m in messages}
    assert all(translated[m] != m for m in messages), [m for m in messages if translated[m] == m]
    assert translated[wl.MSG_DURATION_POSITIVE] == "Thời lượng phải ít nhất một phút."


def test_a_one_line_detail_has_its_limit_and_no_control_character_while_notes_keep_theirs():
    long_subject = WorkLogDraft("email", details={"direction": "received", "subject": "x" * 301, "address": "a@b.vn"})
    assert _fields(validate_entry(long_subject)) == {("subject", "too_long")}
    session = WorkLogDraft("remote_session",
                           details={"tool": "ultraviewer", "session_id": "1" * 41, "duration_minutes": 5})
    assert _fields(validate_entry(session)) == {("session_id", "too_long")}
    control = WorkLogDraft("email", details={"direction": "received", "subject": "Lỗi\x1bin", "address": "a@b.vn"})
    assert [e.field for e in validate_entry(control)] == ["subject"]
    note = WorkLogDraft("note", body="Dòng 1\n\tDòng 2 " + "y" * 5000)
    assert validate_entry(note) == []
