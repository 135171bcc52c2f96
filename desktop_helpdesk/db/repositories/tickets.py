"""Tickets: the list, their SLA clocks (stored per kind, read and rewritten in batches),
and the append-only history and work log."""

from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import exists, and_, bindparam, false, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import False_

from ...domain.entitlement import EarlierTicket
from ...domain.enums import RequestType, TicketEventKind, TicketStatus
from ...domain.vietnam import VIETNAM
from ...domain.text import fold
from ...domain.worklog import WorkLogDraft, details_from_json, details_to_json
from ...domain.worklog import duration_minutes as worklog_duration
from ...services.dto import (
    ChangeRequestData,
    HistoryEntry,
    ListQuery,
    NewEvent,
    OperatorLoad,
    Page,
    SlaTerms,
    TicketClock,
    TicketDetails,
    TicketDraft,
    TicketRow,
)
from .. import models as m
from ._sql import (
    OPEN_STATUSES,
    Repo,
    chosen_sort,
    empty_if_null,
    flush,
    id_for_uuid,
    indexed_page_ids,
    keyset,
    likely,
    nn,
    take_code,
    text_filter,
    unindexed,
    with_uuid,
)

CLOCK_KINDS = ("proposal", "fix", "complaint")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
CLOCK_FIELDS = ("started_at", "paused_seconds", "paused_since", "stopped_at", "due_at")
CLOCK_COLUMNS = [getattr(m.Ticket, f"{k}_{f}") for k in CLOCK_KINDS for f in CLOCK_FIELDS]


def _clocks_of(r) -> tuple:
    out = []
    for kind in CLOCK_KINDS:
        started = getattr(r, f"{kind}_started_at")
        if started is not None:
            out.append(TicketClock(kind, started, getattr(r, f"{kind}_paused_seconds") or 0,
                                   getattr(r, f"{kind}_paused_since"), getattr(r, f"{kind}_stopped_at"),
                                   getattr(r, f"{kind}_due_at")))
    return tuple(out)


def _terms_of(r) -> SlaTerms:
    """Package terms from a Package row or a list row with the package's columns."""
    hours = getattr(r, "support_hours", None)
    if hours is None:
        return SlaTerms()
    return SlaTerms(hours, r.proposal_target_minutes, r.fix_target_hours, r.fix_extended_hours,
                    r.complaint_target_hours)


#: The ticket queues (the tickets view's selector): whose tickets a list shows.
QUEUES = ("mine", "unassigned", "team", "all")


def queue_condition(filters, assignee=None):
    """The condition of the list's queue, from `filters`: "queue" (one of QUEUES), "operator_id"
    (the signed-in operator, for "mine") and "team" (their team, for "team"). None for "all".
    A queue that cannot hold anything (no operator signed in, no team) matches no row.
    `assignee`: the expression tested (default the column; see `SqlTicketRepository.list`)."""
    T = m.Ticket
    column = T.assignee_id if assignee is None else assignee
    queue = filters.get("queue") or "all"
    if queue == "mine":
        me = filters.get("operator_id")
        return column == me if me else false()
    if queue == "unassigned":
        return column.is_(None)
    if queue == "team":
        team = filters.get("team") or ""
        # The team's few operators, then their tickets through the assignee index.
        return column.in_(select(m.Operator.id).where(m.Operator.team == team)) if team else false()
    return None


#: A queue holding more tickets than this is read by walking the list's sort index and
#: testing each ticket's assignee (one page costs a few thousand rows at most); a smaller
#: one through the assignee index, all its tickets then sorted. On 1M tickets the 35k
#: unassigned ones, read and sorted, took 5.4 s for the first page; walked, milliseconds.
QUEUE_WALK_THRESHOLD = 5_000


def scope_condition(scope):
    """The dashboard's scope as a condition on tickets: None (everyone), ("operator", id),
    ("team", name) or ("unassigned", None)."""
    if not scope:
        return None
    kind, value = scope
    return queue_condition({"queue": {"operator": "mine"}.get(kind, kind), "operator_id": value, "team": value})


def _in_conflict(uuid_column):
    """Whether a field laptop's change of the record waits in Sync conflicts (issue #15): one
    index probe per row shown."""
    C = m.SyncConflict
    return exists().where(C.entity_uuid == uuid_column, C.resolved_at.is_(None)).label("in_conflict")


def queue_rank(priority_first: bool, received_at: datetime) -> str:
    """The sortable text of the lists' default order (see Ticket.queue_rank): the received
    time in UTC written as SQLite stores it, so old rows (ranked by the migration from the
    stored text) and new ones compare alike."""
    stamp = received_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return ("1" if priority_first else "0") + stamp


class SqlTicketRepository(Repo):
    SORTS = {
        "received_at": m.Ticket.received_at,
        "code": m.Ticket.code,
        "subject": m.Ticket.subject,
        "customer": m.Customer.sort_name,
        "request_type": m.Ticket.request_type,
        "channel": m.Ticket.channel,
        "priority": m.Ticket.priority,
        "status": m.Ticket.status,
        "coverage": empty_if_null(m.Ticket.coverage),
        # The default order (read descending): maintenance customers with priority first,
        # then the newest (migration 0023).
        # Matches ix_tickets_queue_rank_sort (a row written without a rank sorts last).
        "queue_rank": empty_if_null(m.Ticket.queue_rank),
        # Tickets without a running clock last: the far-future date sorts them after the rest.
        "next_due_at": empty_if_null(m.Ticket.next_due_at, "'9999-12-31 00:00:00.000000'"),
    }

    def _row_stmt(self):
        T = m.Ticket
        assignee = aliased(m.Operator)
        P = m.Package
        return (
            select(T.id, T.code, T.subject, T.customer_id, m.Customer.name.label("customer_name"),
                   m.Contract.number.label("contract_number"), T.request_type, T.channel, T.priority, T.status,
                   T.coverage, assignee.full_name.label("assignee"), T.received_at, T.next_due_at,
                   *CLOCK_COLUMNS, P.support_hours, P.proposal_target_minutes, P.fix_target_hours,
                   P.fix_extended_hours, P.complaint_target_hours, _in_conflict(T.uuid))
            .join(m.Customer, m.Customer.id == T.customer_id)
            .outerjoin(m.Contract, m.Contract.id == T.contract_id)
            .outerjoin(P, P.id == m.Contract.package_id)
            .outerjoin(assignee, assignee.id == T.assignee_id)
        )

    @staticmethod
    def _to_row(r) -> TicketRow:
        return TicketRow(r.id, r.code, r.subject, r.customer_id, r.customer_name, nn(r.contract_number),
                         r.request_type, r.channel, r.priority, r.status, nn(r.coverage),
                         nn(r.assignee), r.received_at, _clocks_of(r), _terms_of(r), r.next_due_at,
                         bool(r.in_conflict))

    def list(self, query: ListQuery) -> Page:
        T = m.Ticket
        stmt = self._row_stmt()
        conds = []
        state = query.filters.get("state")
        if state == "open":
            conds.append(likely(self.s, T.status.in_(OPEN_STATUSES)))
        elif state == "done":
            conds.append(likely(self.s, T.status.not_in(OPEN_STATUSES)))
        if query.filters.get("customer_id"):
            conds.append(T.customer_id == query.filters["customer_id"])
        queue = queue_condition(query.filters)
        if queue is not None and not query.text and self._large_queue(queue):
            # SQLite, with no statistics on how many tickets an assignee holds, would read
            # them all through the assignee index to sort them: walk the sort index instead.
            # (Not with words: those pages are read from the words' index, see below.)
            queue = queue_condition(query.filters, unindexed(self.s, T.assignee_id))
        if queue is not None:
            conds.append(queue)
        sort = chosen_sort(self.SORTS, query.sort)
        # A word in few tickets: the page's ids from the trigram index, not a walk of the sort
        # index (a sort on the customer's name needs the join, a customer's tickets are few:
        # both walked).
        ids = indexed_page_ids(self.s, T.search_text, query.text, conds, sort, query) \
            if query.text and sort is not m.Customer.sort_name and not query.filters.get("customer_id") else None
        if ids is None:
            cond = text_filter(T.search_text, query.text, self.s)
            if cond is not None:
                conds.append(cond)
        else:
            # The ids hold the words already: asked again, PostgreSQL read every match a
            # second time through the trigram index (3,856 rows for "nguyen": 14 ms).
            conds.append(T.id.in_(ids))
        return keyset(self.s, stmt.where(*conds), sort, T.id, query, self._to_row)

    def _large_queue(self, queue) -> bool:
        """Whether the queue's condition holds more than QUEUE_WALK_THRESHOLD tickets (SQLite
        only; counted on the assignee index, capped). PostgreSQL's planner knows from its
        statistics."""
        if self.s.get_bind().dialect.name != "sqlite" or isinstance(queue, False_):
            return False
        capped = select(m.Ticket.id).where(queue).limit(QUEUE_WALK_THRESHOLD + 1).subquery()
        return (self.s.scalar(select(func.count()).select_from(capped)) or 0) > QUEUE_WALK_THRESHOLD

    @staticmethod
    def _due_between(stmt, start, end, column=None, scope=None):
        column = m.Ticket.next_due_at if column is None else column
        stmt = stmt.where(column.is_not(None))
        if start is not None:
            stmt = stmt.where(column >= start)
        if end is not None:
            stmt = stmt.where(column < end)
        cond = scope_condition(scope)
        return stmt if cond is None else stmt.where(cond)

    @staticmethod
    def _running():
        T = m.Ticket
        return and_(*(or_(getattr(T, f"{k}_paused_since").is_(None), getattr(T, f"{k}_stopped_at").is_not(None))
                      for k in CLOCK_KINDS))

    def _due_stmt(self, start, end, scope=None):
        """Tickets whose clocks run and fall due in [start, end). A ticket waiting on the
        customer keeps its frozen due time in next_due_at (the list sorts by it) but is not
        due: its clocks are paused (waiting pauses them all at once)."""
        return self._due_between(self._row_stmt(), start, end, scope=scope).where(self._running())

    def count_due(self, start, end, scope=None) -> int:
        """As `_due_stmt`, counted from indexes: every ticket due in the range, less the
        paused ones. `scope`: whose tickets (see `scope_condition`), None for everyone's."""
        T = m.Ticket
        due = self.s.scalar(self._due_between(select(func.count(T.id)), start, end, scope=scope)) or 0
        paused = self._paused(scope)
        paused_due = self.s.scalar(self._due_between(select(func.count()).select_from(paused), start, end,
                                                     paused.c.next_due_at)) or 0
        return due - paused_due

    def due_rows(self, start, end, limit: int, scope=None) -> list:
        rows = self.s.execute(self._due_stmt(start, end, scope).order_by(m.Ticket.next_due_at, m.Ticket.id)
                              .limit(limit))
        return [self._to_row(r) for r in rows]

    def _paused(self, scope=None):
        """(id, next_due_at) of the tickets with a clock paused and not stopped: one range of
        a covering index per clock kind (a time after the epoch, i.e. not null: SQLite takes
        no index for IS NOT NULL; "+" so the stop time is read from the same index, not
        looked up by its own, which would read every open ticket), united. About 0.02 s on
        1M tickets instead of a 0.8 s scan. With a `scope`, each arm keeps that scope's
        tickets only."""
        T = m.Ticket
        cond = scope_condition(scope)
        arms = [select(T.id, T.next_due_at).where(getattr(T, f"{k}_paused_since") >= _EPOCH,
                                                  unindexed(self.s, getattr(T, f"{k}_stopped_at")).is_(None),
                                                  *([cond] if cond is not None else []))
                for k in CLOCK_KINDS]
        return arms[0].union(*arms[1:]).subquery()

    def count_paused(self, scope=None) -> int:
        return self.s.scalar(select(func.count()).select_from(self._paused(scope))) or 0

    def paused_rows(self, limit: int, scope=None) -> list:
        T = m.Ticket
        paused = self._paused(scope)
        # The few ids first, from the index; then their rows with the joins (joining and
        # sorting every paused ticket took 0.7 s on 1M tickets).
        ids = select(paused.c.id).order_by(paused.c.next_due_at, paused.c.id).limit(limit).scalar_subquery()
        rows = self.s.execute(self._row_stmt().where(T.id.in_(ids)).order_by(T.next_due_at, T.id))
        return [self._to_row(r) for r in rows]

    def stopped_clocks_since(self, since, scope=None) -> list[tuple]:
        """(stopped_at, due_at) of every clock stopped since `since`, for met / breached counts."""
        T = m.Ticket
        cond = scope_condition(scope)
        out = []
        for k in CLOCK_KINDS:
            stopped, due = getattr(T, f"{k}_stopped_at"), getattr(T, f"{k}_due_at")
            stmt = select(stopped, due).where(stopped >= since)
            out += self.s.execute(stmt if cond is None else stmt.where(cond)).all()
        return out

    def operator_load(self, now, since) -> list[OperatorLoad]:
        """Each operator's open tickets, those breached now (a running clock past its due
        time, as the dashboard's "Breached") and the clocks they stopped late since `since`,
        counted by SQL (GROUP BY the indexed assignee), with a row for the unassigned tickets
        (operator id None). Every active operator is listed, with or without tickets."""
        T, O = m.Ticket, m.Operator
        # Grouped by "+assignee_id": SQLite would otherwise walk the whole assignee index to
        # group without sorting (2 s and 8 s on 1M tickets) instead of reading the few rows
        # the status, due-time and stop-time indexes select (then grouped in a temp b-tree).
        assignee = unindexed(self.s, T.assignee_id)

        def by_assignee(*conds) -> dict:
            return dict(self.s.execute(select(assignee.label("a"), func.count()).where(*conds)
                                       .group_by(assignee)).all())

        open_ = by_assignee(T.status.in_(OPEN_STATUSES))
        breached = by_assignee(T.next_due_at.is_not(None), T.next_due_at < now, self._running())
        late: dict = {}
        for k in CLOCK_KINDS:
            stopped, due = getattr(T, f"{k}_stopped_at"), getattr(T, f"{k}_due_at")
            for assignee_id, n in by_assignee(stopped >= since, stopped > due).items():
                late[assignee_id] = late.get(assignee_id, 0) + n
        people = self.s.execute(select(O.id, O.code, O.full_name, O.team, O.active)
                                .order_by(O.full_name, O.id)).all()
        out = [OperatorLoad(p.id, p.code, p.full_name, nn(p.team), open_.get(p.id, 0), breached.get(p.id, 0),
                            late.get(p.id, 0))
               for p in people if p.active or open_.get(p.id) or breached.get(p.id) or late.get(p.id)]
        out.append(OperatorLoad(None, "", "", "", open_.get(None, 0), breached.get(None, 0), late.get(None, 0)))
        return out

    def queue_counts(self, filters) -> dict[str, int]:
        """How many tickets each queue holds under the list's state filter (not its words):
        indexed counts (the assignee index; the status index for "all")."""
        T = m.Ticket
        state = filters.get("state")
        base = []
        if state == "open":
            base.append(T.status.in_(OPEN_STATUSES))
        elif state == "done":
            base.append(T.status.not_in(OPEN_STATUSES))
        out = {}
        for queue in QUEUES:
            cond = queue_condition({**filters, "queue": queue})
            if isinstance(cond, False_):
                out[queue] = 0
                continue
            out[queue] = self.s.scalar(select(func.count(T.id)).where(*base, *([cond] if cond is not None else []))) or 0
        return out

    def set_assignee(self, ticket_id: int, assignee_id: int | None) -> int | None:
        """Give the ticket to `assignee_id` (None: nobody); returns the assignee it had. The
        ticket's version moves on: a form open on it meanwhile is told on save."""
        t = self._load(m.Ticket, ticket_id)
        old = t.assignee_id
        if old != assignee_id:
            t.assignee_id = assignee_id
            self._bump(t)
            flush(self.s, "code", t.code)
        return old

    def operator_labels(self, ids) -> dict[str, str]:
        """"Name (code)" of the operators whose ids (as text, as the history stores them) are
        given; disabled operators too: the history names who was assigned then."""
        wanted = {int(i) for i in ids if str(i).isdigit()}
        if not wanted:
            return {}
        O = m.Operator
        return {str(r.id): f"{r.full_name} ({r.code})"
                for r in self.s.execute(select(O.id, O.full_name, O.code).where(O.id.in_(sorted(wanted))))}

    def clock_columns(self, ticket_id: int) -> tuple[dict, SlaTerms]:
        """kind -> stored columns of each clock, and the package terms they run on."""
        t = self._load(m.Ticket, ticket_id)
        package = t.contract.package if t.contract else None
        terms = _terms_of(package) if package else SlaTerms()
        return {kind: {name: getattr(t, f"{kind}_{name}") for name in CLOCK_FIELDS} for kind in CLOCK_KINDS}, terms

    def terms_for_contract(self, contract_id: int | None) -> SlaTerms:
        if not contract_id:
            return SlaTerms()
        k = self.s.get(m.Contract, contract_id)
        return _terms_of(k.package) if k else SlaTerms()

    def office_ticket_ids_due_from(self, moment) -> list[int]:
        """Tickets with a clock still running or paused, due at or after `moment`, on the
        office calendar (a package with office hours, or no package): the clocks a change of
        the office calendar on or after `moment` can move. Read through the partial due-time
        indexes, not the whole table."""
        T, K, P = m.Ticket, m.Contract, m.Package
        due_ids = [select(T.id).where(getattr(T, f"{k}_stopped_at").is_(None), getattr(T, f"{k}_due_at").is_not(None),
                                      getattr(T, f"{k}_due_at") >= moment) for k in CLOCK_KINDS]
        ids = due_ids[0].union(*due_ids[1:]).subquery()
        stmt = (select(T.id).join(ids, ids.c.id == T.id).outerjoin(K, K.id == T.contract_id)
                .outerjoin(P, P.id == K.package_id)
                .where(func.coalesce(P.support_hours, "office") == "office").order_by(T.id))
        return list(self.s.scalars(stmt))

    def clocks_of(self, ticket_ids) -> list[tuple[int, tuple, SlaTerms]]:
        """(ticket id, its clocks, its package terms) for a batch of tickets, in one query."""
        T, K, P = m.Ticket, m.Contract, m.Package
        stmt = (select(T.id, *CLOCK_COLUMNS, P.support_hours, P.proposal_target_minutes, P.fix_target_hours,
                       P.fix_extended_hours, P.complaint_target_hours)
                .outerjoin(K, K.id == T.contract_id).outerjoin(P, P.id == K.package_id)
                .where(T.id.in_(list(ticket_ids))).order_by(T.id))
        return [(r.id, _clocks_of(r), _terms_of(r)) for r in self.s.execute(stmt)]

    def write_clocks(self, updates) -> None:
        """Rewrite the clock columns of many tickets: `updates` is (ticket id, kind ->
        columns, next due). A recomputation is not an edit of the ticket, so its version is
        not bumped: an operator who has the ticket open can still save it."""
        groups: dict[tuple, list[dict]] = {}  # one executemany per set of clocks
        for ticket_id, columns, next_due_at in updates:
            row = {"b_id": ticket_id, "next_due_at": next_due_at}
            for kind, values in columns.items():
                row.update({f"{kind}_{name}": value for name, value in values.items()})
            groups.setdefault(tuple(sorted(row)), []).append(row)
        table = m.Ticket.__table__
        for names, rows in groups.items():
            stmt = (table.update().where(table.c.id == bindparam("b_id"))
                    .values({**{k: bindparam(k) for k in names if k != "b_id"}, "updated_at": self._clock()}))
            self.s.connection().execute(stmt, rows)

    def set_clocks(self, ticket_id: int, columns: dict, next_due_at) -> None:
        t = self._load(m.Ticket, ticket_id)
        for kind, values in columns.items():
            for name, value in values.items():
                setattr(t, f"{kind}_{name}", value)
        t.next_due_at = next_due_at
        self.s.flush()

    def get(self, ticket_id: int) -> TicketDetails:
        t = self._load(m.Ticket, ticket_id)
        draft = TicketDraft(
            customer_id=t.customer_id, subject=t.subject, request_type=t.request_type, channel=t.channel,
            priority=t.priority, status=t.status, contact_id=t.contact_id, contract_id=t.contract_id,
            assignee_id=t.assignee_id, description=nn(t.description), coverage=nn(t.coverage),
            received_at=t.received_at,
        )
        # In the order things happened (a call logged after it ended sits where it took place).
        events = self.s.scalars(
            select(m.TicketEvent).where(m.TicketEvent.ticket_id == ticket_id)
            .order_by(m.TicketEvent.occurred_at, m.TicketEvent.id)
        ).all()
        history = tuple(
            HistoryEntry(e.occurred_at, e.operator.full_name if e.operator else "", e.kind, nn(e.field),
                         nn(e.old_value), nn(e.new_value), nn(e.body), e.id, e.corrects_id, e.duration_minutes,
                         details_from_json(e.details), e.created_at)
            for e in events
        )
        assigned = [v for e in history if e.kind == TicketEventKind.ASSIGNED for v in (e.old_value, e.new_value) if v]
        return TicketDetails(
            t.id, t.version, t.code, draft, t.customer.name, t.contact.full_name if t.contact else "",
            t.contract.number if t.contract else "", history, nn(t.updated_by), t.updated_at,
            people=self.operator_labels(assigned),
        )

    def _apply(self, t: m.Ticket, draft: TicketDraft) -> None:
        t.customer_id, t.subject, t.request_type, t.channel = draft.customer_id, draft.subject, draft.request_type, draft.channel
        t.priority, t.status, t.contact_id, t.contract_id = draft.priority, draft.status, draft.contact_id, draft.contract_id
        t.assignee_id, t.description, t.coverage = draft.assignee_id, draft.description or None, draft.coverage or None
        t.received_at = draft.received_at
        customer = self._load(m.Customer, draft.customer_id)
        now = self._clock()
        if not TicketStatus(draft.status).is_open and t.resolved_at is None:
            t.resolved_at = now
        if TicketStatus(draft.status).is_open:
            t.resolved_at = None
        t.closed_at = (t.closed_at or now) if draft.status == TicketStatus.CLOSED else None
        t.search_text = fold(f"{t.code} {draft.subject} {customer.code} {customer.name} {draft.description}")

    def add(self, draft: TicketDraft, code: str, priority_first: bool = False) -> int:
        """A new ticket; `priority_first` ranks it before the others in the lists' default
        order (queue_rank: a maintenance customer whose package gives priority, seed 004)."""
        t = with_uuid(self._stamped(m.Ticket(code=code)), draft.uuid)
        self._apply(t, draft)
        t.queue_rank = queue_rank(priority_first, t.received_at)
        self.s.add(t)
        flush(self.s, "code", code, uuid=draft.uuid)
        return t.id

    def id_for_uuid(self, uuid: str) -> int | None:
        return id_for_uuid(self.s, m.Ticket, uuid)

    def entry_id_for_uuid(self, uuid: str) -> int | None:
        return id_for_uuid(self.s, m.TicketEvent, uuid)

    def update(self, ticket_id: int, version: int, draft: TicketDraft) -> None:
        t = self._load(m.Ticket, ticket_id, version)
        self._apply(t, draft)
        self._bump(t)
        flush(self.s, "code", t.code)

    def append_event(self, ticket_id: int, operator_id: int | None, event: NewEvent) -> None:
        self.s.add(self._stamped(m.TicketEvent(
            ticket_id=ticket_id, operator_id=operator_id, kind=str(event.kind), field=event.field or None,
            old_value=event.old_value or None, new_value=event.new_value or None, body=event.body or None,
            occurred_at=event.occurred_at or self._clock(),
        )))
        self.s.flush()

    def append_worklog(self, ticket_id: int, operator_id: int | None, draft: WorkLogDraft, occurred_at) -> int:
        """Append a work-log entry (validated by the service). The history has no update or
        delete: a correction is appended like any entry, naming the one it corrects."""
        e = self._stamped(m.TicketEvent(
            ticket_id=ticket_id, operator_id=operator_id, kind=str(draft.kind), body=draft.body or None,
            details=details_to_json(draft), duration_minutes=worklog_duration(draft),
            corrects_id=draft.corrects_id, occurred_at=occurred_at))
        self.s.add(with_uuid(e, draft.uuid))
        flush(self.s, "uuid", draft.uuid, uuid=draft.uuid)
        return e.id

    def event_facts(self, event_id: int) -> tuple[int, str]:
        """(ticket id, kind) of a history entry."""
        e = self._load(m.TicketEvent, event_id)
        return e.ticket_id, e.kind

    def next_code(self, year: int) -> str:
        return take_code(self.s, m.Ticket.code, f"YC{year % 100:02d}-", 6)

    def how_tos_since(self, customer_id: int, since, except_id: int | None = None) -> list[EarlierTicket]:
        """The customer's how-to tickets received on or after the day `since` (the desk's
        calendar), oldest first, for the repeated-guidance check (domain.entitlement)."""
        T = m.Ticket
        start = datetime.combine(since, time(0), VIETNAM).astimezone(timezone.utc)
        stmt = (select(T.code, T.received_at, T.subject)
                .where(T.customer_id == customer_id, T.request_type == RequestType.HOW_TO.value,
                       T.received_at >= start)
                .order_by(T.received_at, T.id))
        if except_id is not None:
            stmt = stmt.where(T.id != except_id)
        return [EarlierTicket(code, at.astimezone(VIETNAM).date(), subject) for code, at, subject in self.s.execute(stmt)]

    def count_replies(self, ticket_id: int) -> int:
        """The complaint replies logged on the ticket (corrections included: each is one)."""
        E = m.TicketEvent
        return self.s.scalar(select(func.count(E.id)).where(
            E.ticket_id == ticket_id, E.kind == TicketEventKind.COMPLAINT_REPLY.value)) or 0

    def change_request(self, ticket_id: int) -> ChangeRequestData | None:
        row = self.s.scalar(select(m.ChangeRequest).where(m.ChangeRequest.ticket_id == ticket_id))
        if row is None:
            return None
        return ChangeRequestData(row.request_text, row.quote_vnd, row.approved_on)

    def save_change_request(self, ticket_id: int, data: ChangeRequestData) -> ChangeRequestData | None:
        """Store the ticket's change request (one row per ticket, updated in place); returns
        what it held before (None for the first save)."""
        self._load(m.Ticket, ticket_id)
        row = self.s.scalar(select(m.ChangeRequest).where(m.ChangeRequest.ticket_id == ticket_id))
        before = None if row is None else ChangeRequestData(row.request_text, row.quote_vnd, row.approved_on)
        if row is None:
            row = self._stamped(m.ChangeRequest(ticket_id=ticket_id))
            self.s.add(row)
        else:
            self._bump(row)
        row.request_text, row.quote_vnd, row.approved_on = data.request_text, data.quote_vnd, data.approved_on
        self.s.flush()
        return before
