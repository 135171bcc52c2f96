"""SLA reports for support leads (issue #16): compliance by customer, package, operator or
month over a period of whole months in Vietnam time.

What each figure means (the report's own definitions, said the same in the view's tips and
the exported files):

- **Received**: tickets received in the period (the month of a ticket is the month of its
  received time in Asia/Ho_Chi_Minh: 2026-03-31 23:30 there belongs to March). Every clock
  figure is about the clocks of these tickets, whenever they stopped.
- **Resolved**: tickets resolved in the period (workload), whenever received; by month, the
  month they were resolved in.
- **Met / Breached**: clocks (proposal, fix, complaint) as `domain.sla.SlaClock.state()`
  reads them now: met = stopped by their due time; breached = stopped late, running past
  their due time, or paused after it. **Open**: the others (still running or waiting on the
  customer in time). **Compliance** = met / (met + breached).
- **At risk**: running clocks not yet due that have used the dashboard's at-risk share of
  their target (75 % by default), the same rule and horizon as the dashboard's count.
- **Median time to propose / to fix**: the median of the time each stopped clock counted
  against the vendor, *in its target's own unit*: the proposal in **working hours** of the
  package's support calendar, the fix in **clock hours**; time waiting on the customer is
  left out of both (`SlaClock.used`). So they compare directly with the targets (4 working
  hours; 24 or 48 hours).
- **Obligations**: the planned promises (installation, training, pilot and acceptance
  milestones, periodic visits and trainings, regulatory updates; not the dates derived from
  a contract's terms) due in the period: done on time, done late, missed (not done, due
  before today). Not by operator: an obligation belongs to a contract, not a person.

Counts are SQL aggregates (db/repositories/sla_reports.py), on a second connection while the
medians stream the stopped clocks in chunks on the first, reporting progress between chunks,
where a Cancel stops the report.
"""

from __future__ import annotations

import os
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from ..domain.accounts import Permission
from ..domain.sla import ClockKind, ClockState
from ..domain.vietnam import VIETNAM
from .accounts import require
from .clocks import clock_from_columns
from .context import Context
from .dashboard import AT_RISK_HORIZON
from .dto import SlaTerms
from .progress import Progress, report

DIMENSIONS = ("month", "customer", "package", "operator")
KINDS = ("proposal", "fix", "complaint")
#: Rows streamed per chunk for the medians; progress is reported between chunks.
CHUNK = 50_000
#: The longest period a report covers: five years of months.
MAX_MONTHS = 60


@dataclass(frozen=True)
class ReportQuery:
    """Months `first`..`last` (any day in them; both included), grouped by `dimension`."""

    first: date
    last: date
    dimension: str = "month"

    def normal(self) -> "ReportQuery":
        first, last = sorted((self.first.replace(day=1), self.last.replace(day=1)))
        if self.dimension not in DIMENSIONS:
            raise ValueError(f"unknown report dimension {self.dimension!r}")
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months > MAX_MONTHS:
            first = _add_months(last, -(MAX_MONTHS - 1))
        return ReportQuery(first, last, self.dimension)

    @property
    def months(self) -> list[str]:
        return month_keys(self.first, self.last)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end): from the first month's first midnight in
        Vietnam to the midnight after the last month."""
        start = datetime.combine(self.first.replace(day=1), time(0), VIETNAM)
        end = datetime.combine(_add_months(self.last.replace(day=1), 1), time(0), VIETNAM)
        return start.astimezone(_UTC), end.astimezone(_UTC)


@dataclass(frozen=True)
class ReportRow:
    """One group's figures (see the module's definitions). `key`: 'YYYY-MM', or the
    customer's, package's or operator's id (None: no contract / unassigned)."""

    key: Any
    name: str = ""
    code: str = ""
    received: int = 0
    resolved: int = 0
    clocks: dict = field(default_factory=dict)  # kind -> clocks started
    met: dict = field(default_factory=dict)  # kind -> met
    breached: dict = field(default_factory=dict)  # kind -> breached
    at_risk: int = 0
    median_propose: timedelta | None = None
    median_fix: timedelta | None = None
    obligations: tuple | None = None  # (due, on time, late, missed); None: not by this dimension

    @property
    def met_total(self) -> int:
        return sum(self.met.values())

    @property
    def breached_total(self) -> int:
        return sum(self.breached.values())

    @property
    def open_total(self) -> int:
        return sum(self.clocks.values()) - self.met_total - self.breached_total

    @property
    def compliance(self) -> float | None:
        decided = self.met_total + self.breached_total
        return self.met_total / decided if decided else None


@dataclass(frozen=True)
class SlaReport:
    query: ReportQuery
    now: datetime
    rows: tuple  # ReportRow, in the order shown (months in order; others by received, most first)
    total: ReportRow


_UTC = timezone.utc


def _add_months(day: date, n: int) -> date:
    y, mo = divmod(day.year * 12 + day.month - 1 + n, 12)
    return date(y, mo + 1, 1)


def month_keys(first: date, last: date) -> list[str]:
    """'YYYY-MM' of every month from `first`'s to `last`'s."""
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(f"{day.year:04d}-{day.month:02d}")
        day = _add_months(day, 1)
    return out


def build_report(ctx: Context, query: ReportQuery, progress: Progress | None = None) -> SlaReport:
    """Runs on the long lane: the report of `query` at the context's now. Leads and
    administrators only (Permission.REPORTS). `progress(done, total)` is told between steps
    and chunks (it may raise Cancelled to stop)."""
    require(ctx, Permission.REPORTS)
    query = query.normal()
    now = ctx.now()
    today = ctx.today()
    start, end = query.bounds()
    dim = query.dimension
    groups: dict[Any, dict] = {}

    def group(key) -> dict:
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"received": 0, "resolved": 0, "clocks": {}, "met": {}, "breached": {}, "at_risk": 0,
                               "propose": [], "fix": [], "obligations": None if dim == "operator" else (0, 0, 0, 0)}
        return g

    if dim == "month":
        for key in query.months:
            group(key)
    def grouped_counts() -> list:
        # On a connection of its own, while this one streams the stopped clocks: the two
        # passes over the period's tickets run side by side (both engines let readers be).
        with ctx.uow() as other:
            return (other.sla_reports.clock_counts(dim, start, end, now),
                    other.sla_reports.resolved_counts(dim, start, end))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-counts") as pool, ctx.uow() as uow:
        repo = uow.sla_reports
        counting = pool.submit(grouped_counts)
        stopped_total = repo.received_count(start, end)  # at most one streamed row per ticket
        total_steps = stopped_total + 4 * CHUNK  # the other steps count as a chunk each
        done = 0
        report(progress, done, total_steps)
        first_day, after_day = query.first, _add_months(query.last, 1)
        if dim != "operator":
            for key, figures in repo.obligation_counts(dim, first_day, after_day, today).items():
                group(key)["obligations"] = figures
        desk_obligations = repo.obligation_counts(None, first_day, after_day, today).get(None, (0, 0, 0, 0))
        done += CHUNK
        report(progress, done, total_steps)
        # At risk: the dashboard's rule, for the clocks that can be at risk at all.
        calendars = ctx.calendars
        for kind in KINDS:
            for r in repo.running_near_due(kind, dim, start, end, now, now + AT_RISK_HORIZON):
                terms = SlaTerms() if r.support_hours is None else SlaTerms(
                    r.support_hours, r.proposal_target_minutes, r.fix_target_hours, r.fix_extended_hours,
                    r.complaint_target_hours)
                policy, calendar = calendars.rules_for(terms)
                clock = clock_from_columns(ClockKind(kind), {
                    "started_at": r.started_at, "paused_seconds": r.paused_seconds, "paused_since": None,
                    "stopped_at": None, "due_at": r.due_at}, policy, calendar)
                if policy.state(clock, now) == ClockState.AT_RISK:
                    group(r.key)["at_risk"] += 1
        done += CHUNK
        report(progress, done, total_steps)
        # Medians: each stopped clock's time in its target's unit (SlaClock.used).
        # The proposal in working seconds of the package's calendar (its target is working
        # time, WorkingTimeTarget), the fix in elapsed seconds (ClockTimeTarget); the paused
        # time, kept in each target's own unit, taken off, as SlaClock.used does.
        terms = repo.contract_terms()
        office = calendars.for_hours("office").working_seconds_between
        between = {h: calendars.for_hours(h or "office").working_seconds_between for h in {h for _p, h in terms.values()}}
        working_seconds = {cid: between[h] for cid, (_p, h) in terms.items()}  # no contract: office hours
        package_of = {cid: p for cid, (p, _h) in terms.items()} if dim == "package" else None
        lists: dict[Any, tuple[list, list]] = {}
        for part in repo.stopped_clocks(dim, start, end, CHUNK):
            for key, cid, p_start, p_moment, p_paused, f_start, f_moment, f_paused in part:
                if package_of is not None:
                    key = package_of.get(cid)
                pair = lists.get(key)
                if pair is None:
                    pair = lists[key] = (group(key)["propose"], groups[key]["fix"])
                if p_start is not None:
                    used = working_seconds.get(cid, office)(p_start, p_moment) - (p_paused or 0)
                    pair[0].append(used if used > 0 else 0)
                if f_start is not None:
                    used = f_moment - f_start - (f_paused or 0)
                    pair[1].append(used if used > 0 else 0)
            done += len(part)
            report(progress, done, total_steps)
        counts, resolved = counting.result()
        for key, n in resolved.items():
            group(key)["resolved"] = n
        for key, received, *per_kind in counts:
            g = group(key)
            g["received"] = received
            for i, k in enumerate(KINDS):
                started, met, breached = per_kind[3 * i:3 * i + 3]
                g["clocks"][k], g["met"][k], g["breached"][k] = started or 0, met or 0, breached or 0
        labels = repo.labels(dim, groups.keys())
    rows = []
    all_propose, all_fix = [], []
    for key, g in groups.items():
        name, code = labels.get(key, ("", ""))
        all_propose += g["propose"]
        all_fix += g["fix"]
        rows.append(ReportRow(key, name, code, g["received"], g["resolved"], dict(g["clocks"]), dict(g["met"]),
                              dict(g["breached"]), g["at_risk"], _median(g["propose"]), _median(g["fix"]),
                              g["obligations"] if dim != "operator" else None))
    if dim == "month":
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (-r.received, -r.resolved, r.key is None, r.name))
    total = ReportRow(None, received=sum(r.received for r in rows), resolved=sum(r.resolved for r in rows),
                      clocks=_sum_kinds(r.clocks for r in rows), met=_sum_kinds(r.met for r in rows),
                      breached=_sum_kinds(r.breached for r in rows), at_risk=sum(r.at_risk for r in rows),
                      median_propose=_median(all_propose), median_fix=_median(all_fix),
                      obligations=desk_obligations)
    report(progress, total_steps, total_steps)
    return SlaReport(query, now, tuple(rows), total)


def _sum_kinds(dicts) -> dict:
    out = dict.fromkeys(KINDS, 0)
    for d in dicts:
        for k, n in d.items():
            out[k] += n
    return out


def _median(seconds: list) -> timedelta | None:
    """The median of whole seconds (the mean of the middle two for an even count), to the second."""
    if not seconds:
        return None
    return timedelta(seconds=round(statistics.median(seconds)))


# -- Excel --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportTable:
    """A report as its reader sees it, in one language: built by the view (which translates),
    written here to Excel and there to PDF. `kinds` per column: "text", "number", "percent"
    or "hours" (a float of hours)."""

    title: str
    facts: tuple  # (label, value) lines above the table
    headers: tuple
    kinds: tuple
    rows: tuple  # tuples of values (None: nothing to show)
    total: tuple
    notes: tuple = ()  # the definitions, one paragraph each


def write_xlsx(path: str | os.PathLike, table: ReportTable) -> Path:
    """The report as an Excel workbook (openpyxl write-only): facts, the table with a total
    row, then the definitions; numbers stay numbers (percentages and hours formatted)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .export import _sheet_name, printable

    path = Path(path)
    part = path.with_name(path.name + ".part")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_name(table.title))
    for i, kind in enumerate(table.kinds, 1):
        ws.column_dimensions[get_column_letter(i)].width = 34 if i == 1 else max(12, min(len(table.headers[i - 1]) + 2, 22))
    bold = Font(bold=True)

    def text(value, strong=False):
        cell = WriteOnlyCell(ws, value=printable(str(value)))
        cell.data_type = "s"
        if strong:
            cell.font = bold
        return cell

    def row_cells(values, strong=False):
        out = []
        for value, kind in zip(values, table.kinds):
            if value is None:
                out.append(None)
            elif kind == "text":
                out.append(text(value, strong))
            else:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = {"percent": "0.0%", "hours": "0.00", "number": "#,##0"}[kind]
                if strong:
                    cell.font = bold
                out.append(cell)
        return out

    ws.append([text(table.title, True)])
    for label, value in table.facts:
        ws.append([text(label), text(value)])
    ws.append([])
    ws.append([text(h, True) for h in table.headers])
    for values in table.rows:
        ws.append(row_cells(values))
    ws.append(row_cells(table.total, strong=True))
    ws.append([])
    for note in table.notes:
        ws.append([text(note)])
    try:
        wb.save(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


__all__ = ["DIMENSIONS", "ReportQuery", "ReportRow", "ReportTable", "SlaReport", "build_report", "month_keys",
           "write_xlsx"]
