"""Shared reference data: operators, packages and their SLA terms, the firm's support
calendar, and the vendor's details printed on reports. Package and calendar edits recompute
the clocks they move, in batches that commit, with progress."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..domain import validation as v
from ..domain.accounts import Permission
from ..domain.enums import SupportHours, WorkingWeek
from ..domain.errors import ConcurrentEditError
from ..domain.sla import ClockKind
from ..domain.text import normalize, sort_key
from ..domain.vietnam import VIETNAM
from . import alerts, clocks
from .accounts import require
from .changes import CALENDAR, CONTRACTS, OPERATORS, PACKAGES, TICKETS, VENDOR, changes
from .context import Context
from .dto import WEEK_KEY, CalendarDay, OperatorDraft, PackageData, SlaTerms
from .errors import MSG_NOT_POSITIVE, check
from .progress import Progress, report

#: Vendor facts printed at the head of customer-facing documents (app_meta keys).
VENDOR_KEYS = ("vendor.name", "vendor.address", "vendor.tax_code", "vendor.hotline", "vendor.email", "vendor.website")


# -- operators -----------------------------------------------------------------------
def operators(ctx: Context):
    """Staff in Vietnamese list order: by given name, then family and middle names."""
    with ctx.uow() as uow:
        return sorted(uow.operators.all(), key=lambda o: sort_key(o.full_name, by_given_name=True))


@changes(OPERATORS)
def add_operator(ctx: Context, draft: OperatorDraft) -> int:
    require(ctx, Permission.OPERATORS)
    check([v.validate_required("full_name", draft.full_name), v.validate_required("alias", draft.alias),
           v.validate_text("code", draft.code, v.TEXT_LIMITS["operators.code"]),
           v.validate_text("full_name", draft.full_name, v.TEXT_LIMITS["operators.full_name"]),
           v.validate_text("alias", draft.alias, v.TEXT_LIMITS["operators.alias"])])
    with ctx.uow() as uow:
        new_id = uow.operators.add(
            replace(draft, full_name=normalize(draft.full_name), alias=normalize(draft.alias), code=normalize(draft.code).upper())
        )
        uow.commit()
        return new_id


# -- packages ------------------------------------------------------------------------
def packages(ctx: Context, include_retired: bool = False):
    """The packages on sale, by name (with `include_retired`, the retired ones after them)."""
    with ctx.uow() as uow:
        return uow.packages.all(include_retired)


MSG_SUPPORT_HOURS = v.N_("Choose the support hours.")


def _package_names(code: str, name: str) -> tuple[str, str]:
    code, name = normalize(code).upper(), normalize(name)
    check([v.validate_required("code", code), v.validate_required("name", name),
           v.validate_text("code", code, v.TEXT_LIMITS["packages.code"]),
           v.validate_text("name", name, v.TEXT_LIMITS["packages.name"])])
    return code, name


@changes(PACKAGES)
def add_package(ctx: Context, data: PackageData) -> int:
    """A new package on sale, with its code, name, warranty and SLA terms. DuplicateError when
    another package has the code."""
    require(ctx, Permission.PACKAGES)
    code, name = _package_names(data.code, data.name)
    check([None if value > 0 else v.ValidationError(field, "not_positive", MSG_NOT_POSITIVE)
           for field, value in (("warranty_months", data.warranty_months),
                                ("proposal_target_minutes", data.proposal_target_minutes),
                                ("fix_target_hours", data.fix_target_hours),
                                ("fix_extended_hours", data.fix_extended_hours),
                                ("complaint_target_hours", data.complaint_target_hours))]
          + [None if data.support_hours in {h.value for h in SupportHours}
             else v.ValidationError("support_hours", "required", MSG_SUPPORT_HOURS),
             v.validate_money_vnd("list_price_vnd", data.list_price_vnd)])
    with ctx.uow() as uow:
        package_id = uow.packages.add(replace(data, code=code, name=name, active=True))
        uow.commit()
        return package_id


@changes(PACKAGES, CONTRACTS)
def rename_package(ctx: Context, package_id: int, version: int | None, code: str, name: str) -> None:
    """A package's new code and name (its contracts show the new name). `version` as read:
    ConcurrentEditError if another desk saved the package since; DuplicateError for a code in use."""
    require(ctx, Permission.PACKAGES)
    code, name = _package_names(code, name)
    with ctx.uow() as uow:
        uow.packages.rename(package_id, version, code, name)
        uow.commit()


@changes(PACKAGES)
def set_package_retired(ctx: Context, package_id: int, version: int | None, retired: bool) -> None:
    """Retire a package (no longer offered for new contracts; the contracts that have it keep
    it, with its terms) or put it on sale again."""
    require(ctx, Permission.PACKAGES)
    with ctx.uow() as uow:
        uow.packages.set_active(package_id, version, not retired)
        uow.commit()


def reference_data(ctx: Context):
    """What the forms choose from: (packages, operators)."""
    return packages(ctx), operators(ctx)


@changes(PACKAGES, TICKETS)
def update_package_terms(ctx: Context, data: PackageData, progress: Progress | None = None, batch: int = 1000) -> int:
    """Save a package's warranty and SLA terms, then recompute the due times of every
    ticket clock still running on them, in batches (one transaction each), reporting
    `progress(done, total)`. Returns how many tickets were recomputed. `data.version` is the
    package's version as read: ConcurrentEditError if another desk saved its terms since."""
    require(ctx, Permission.PACKAGES)
    check([None if isinstance(value, int) and value > 0 else v.ValidationError(name, "not_positive", MSG_NOT_POSITIVE)
           for name, value in (("warranty_months", data.warranty_months),
                               ("proposal_target_minutes", data.proposal_target_minutes),
                               ("fix_target_hours", data.fix_target_hours),
                               ("fix_extended_hours", data.fix_extended_hours),
                               ("complaint_target_hours", data.complaint_target_hours))])
    with ctx.uow() as uow:
        uow.packages.update_terms(data.id, data)
        ids = uow.packages.open_ticket_ids(data.id)
        uow.commit()
    terms = SlaTerms(data.support_hours, data.proposal_target_minutes, data.fix_target_hours,
                     data.fix_extended_hours, data.complaint_target_hours)
    policy, calendar = ctx.calendars.rules_for(terms)
    for start in range(0, len(ids), batch):
        with ctx.uow() as uow:
            earliest = None
            for ticket_id in ids[start:start + batch]:
                stored, _terms = uow.tickets.clock_columns(ticket_id)
                moved = {}
                for k, cols in stored.items():
                    kind = ClockKind(k)
                    clock = clocks.clock_from_columns(kind, cols, policy, calendar)
                    # A clock already met or breached keeps its verdict (as a calendar edit does).
                    moved[kind] = (clock.recompute(policy.target(kind), calendar)
                                   if clock and clock.stopped_at is None else clock)
                due = clocks.next_due(moved)
                uow.tickets.set_clocks(ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in moved.items()}, due)
                earliest = due if earliest is None or (due is not None and due < earliest) else earliest
            alerts.recheck_from(uow, earliest)  # shorter targets may have made clocks overdue
            uow.commit()
        report(progress, min(start + batch, len(ids)), len(ids))
    return len(ids)


# -- the firm's support calendar -----------------------------------------------------
def calendar_days(ctx: Context) -> list[CalendarDay]:
    """The firm's own days off and working days, by date."""
    with ctx.uow() as uow:
        return uow.calendar.all()


@changes(CALENDAR, TICKETS)
def save_calendar_days(ctx: Context, put, remove, progress: Progress | None = None, batch: int = 2000) -> int:
    """Add or change the firm's days `put` (CalendarDay) and remove the dates `remove`,
    then recompute the due times of every clock still running or paused on the office
    calendar that a changed date can move (those due on or after the earliest changed
    date), in batches of one transaction each, reporting `progress(done, total)`.
    Stopped clocks keep their verdict. Returns how many tickets were recomputed."""
    require(ctx, Permission.CALENDAR)
    check([v.validate_text("name", d.name, v.TEXT_LIMITS["calendar_exceptions.name"]) for d in put]
          + [v.validate_required("name", d.name) for d in put]
          + [None if d.kind in (clocks.DAY_OFF, clocks.WORKING_DAY) else v.validate_required("kind", "")
             for d in put])
    put = [replace(d, name=normalize(d.name)) for d in put]
    changed = {d.day for d in put} | set(remove)
    with ctx.uow() as uow:
        for day in remove:
            uow.calendar.remove(day)
        for day in put:
            uow.calendar.put(day)
        days, week = uow.calendar.all(), uow.calendar.week()
        uow.commit()
    ctx.calendars.set_office_days(days, week)
    if not changed:
        return 0
    return _recompute_office(ctx, datetime.combine(min(changed), datetime.min.time(), VIETNAM), progress, batch)


def working_week(ctx: Context) -> str:
    """The firm's working week (a WorkingWeek value)."""
    with ctx.uow() as uow:
        return uow.calendar.week()


@changes(CALENDAR, TICKETS)
def set_working_week(ctx: Context, read: str, week: str, progress: Progress | None = None, batch: int = 2000) -> int:
    """The firm's working week (e.g. Saturday mornings too) for every office-hours clock,
    then the due times of the clocks still running or paused on it recomputed from today,
    in batches with progress. `read` is the week as read when the form was filled:
    ConcurrentEditError if another desk changed it since, and nothing is written."""
    require(ctx, Permission.CALENDAR)
    if week not in {w.value for w in WorkingWeek}:
        check([v.validate_required("week", "")])
    with ctx.uow() as uow:
        # Never set reads as Monday to Friday: either stored form of it is what was read.
        if not (uow.swap_meta(WEEK_KEY, read, week)
                or (read == WorkingWeek.MON_FRI and uow.swap_meta(WEEK_KEY, "", week))):
            raise ConcurrentEditError(f"{WEEK_KEY} changed since it was read")
        days = uow.calendar.all()
        uow.commit()
    ctx.calendars.set_office_days(days, week)
    # Always recomputed: applying the same week again finishes a recompute Cancel stopped.
    return _recompute_office(ctx, datetime.combine(ctx.today(), datetime.min.time(), VIETNAM), progress, batch)


def _recompute_office(ctx: Context, first: datetime, progress: Progress | None, batch: int) -> int:
    """Recompute the due times of every clock still running or paused on the office
    calendar and due from `first`, in batches (one transaction each). Stopped clocks keep
    their verdict. Returns how many tickets were recomputed."""
    with ctx.uow() as uow:
        ids = uow.tickets.office_ticket_ids_due_from(first)
    return recompute_tickets(ctx, ids, progress, batch)


def recompute_tickets(ctx: Context, ids: list[int], progress: Progress | None = None, batch: int = 2000) -> int:
    """Recompute the due times of these tickets' clocks still running or paused, on this
    database's calendars (a ticket made on a field laptop, once it reached the server: its
    clocks started when the technician says it was received, and fall due by the firm's
    calendar as the server knows it)."""
    report(progress, 0, len(ids))
    for start in range(0, len(ids), batch):
        with ctx.uow() as uow:
            updates, earliest = [], None
            for ticket_id, stored, terms in uow.tickets.clocks_of(ids[start:start + batch]):
                policy, calendar = ctx.calendars.rules_for(terms)
                moved = {}
                for c in stored:
                    kind = ClockKind(c.kind)
                    clock = clocks.clock_from_columns(kind, {
                        "started_at": c.started_at, "paused_seconds": c.paused_seconds,
                        "paused_since": c.paused_since, "stopped_at": c.stopped_at, "due_at": c.due_at},
                        policy, calendar)
                    moved[kind] = clock if clock.stopped_at is not None else clock.recompute(calendar=calendar)
                due = clocks.next_due(moved)
                updates.append((ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in moved.items()}, due))
                if due is not None and (earliest is None or due < earliest):
                    earliest = due
            uow.tickets.write_clocks(updates)
            alerts.recheck_from(uow, earliest)  # an added working day brings due times forward
            uow.commit()
        report(progress, min(start + batch, len(ids)), len(ids))
    return len(ids)


# -- the vendor's details on reports -------------------------------------------------
def vendor(ctx: Context) -> dict[str, str]:
    with ctx.uow() as uow:
        return {key.split(".", 1)[1]: uow.get_meta(key) or "" for key in VENDOR_KEYS}


#: The most characters one of the vendor's details may hold (a name, an address, a bank account line).
VENDOR_TEXT_LIMIT = 300


@changes(VENDOR)
def set_vendor(ctx: Context, read: dict[str, str], **values: str) -> None:
    """Store the vendor's details `values`. `read` is what `vendor()` returned when the form
    was filled: the details have no version of their own, so each stored value is compared
    with the one read as it is written; any change made meanwhile by another desk raises
    ConcurrentEditError and nothing is written."""
    require(ctx, Permission.COMPANY)
    check([v.validate_text(name, value, VENDOR_TEXT_LIMIT) for name, value in values.items()])
    with ctx.uow() as uow:
        for name, value in values.items():
            key = f"vendor.{name}"
            if key not in VENDOR_KEYS:
                raise KeyError(name)
            if not uow.swap_meta(key, read.get(name, ""), normalize(value)):
                raise ConcurrentEditError(f"{key} changed since it was read")
        uow.commit()
