"""Plain data the services hand out and take in: frozen dataclasses, never ORM objects.

Rows (`...Row`) are what the lists show; details carry everything an edit dialog needs,
including the `version` that the save must match (optimistic locking). Drafts are what a
dialog submits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Mapping, TypeVar

T = TypeVar("T")


#: Where the firm's working week (a domain.enums.WorkingWeek value) is kept, in app_meta.
WEEK_KEY = "calendar.week"


@dataclass(frozen=True)
class ListQuery:
    """One page request of a list: filter, sort and the keyset cursor of the previous page."""

    text: str = ""
    sort: str = ""  # a sort key the list knows; "" is the list's default
    descending: bool = False
    after: tuple | None = None
    limit: int = 100
    filters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple
    next_cursor: tuple | None  # None: this was the last page


@dataclass(frozen=True)
class OperatorData:
    id: int
    code: str
    full_name: str
    alias: str
    role: str
    active: bool = True
    login: str = ""
    team: str = ""


@dataclass(frozen=True)
class OperatorAccount:
    """An operator as File → Operators shows and edits them. `id` None: a new operator."""

    id: int | None
    full_name: str
    alias: str
    role: str
    login: str = ""
    team: str = ""
    active: bool = True
    code: str = ""
    has_password: bool = False
    signed_in_at: datetime | None = None
    version: int | None = None


@dataclass(frozen=True)
class Credential:
    """What a sign-in reads of an account (never leaves the services)."""

    operator_id: int
    password_hash: str | None
    active: bool
    failed_sign_ins: int
    last_failed_at: datetime | None


@dataclass(frozen=True)
class OperatorDraft:
    code: str
    full_name: str
    alias: str
    role: str


@dataclass(frozen=True)
class PackageData:
    id: int
    code: str
    name: str
    warranty_months: int
    support_hours: str
    proposal_target_minutes: int
    fix_target_hours: int
    fix_extended_hours: int
    complaint_target_hours: int
    maintenance_priority: bool
    list_price_vnd: int
    version: int | None = None  # as read; a save of the terms checks it (None: a package not stored yet)
    active: bool = True  # False: retired, no longer sold; it stays on the contracts that have it


@dataclass(frozen=True)
class ContactData:
    id: int | None
    full_name: str
    position: str = ""
    phone: str = ""  # E.164 when stored
    email: str = ""
    is_primary: bool = False


@dataclass(frozen=True)
class CustomerRow:
    id: int
    code: str
    name: str
    kind: str
    tax_code: str
    phone: str
    province: str
    contract_count: int
    open_ticket_count: int
    warranty_end: date | None = None
    maintenance_end: date | None = None
    outstanding_vnd: int = 0
    archived: bool = False  # listed only when the list shows archived customers too
    #: The termination day when the latest coverage ended by an early termination (CoverageFacts).
    terminated_on: date | None = None


@dataclass(frozen=True)
class CustomerDraft:
    name: str
    kind: str
    code: str = ""  # empty: the next free code is given
    tax_code: str = ""
    address: str = ""
    province: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""
    contacts: tuple[ContactData, ...] = ()
    uuid: str = ""  # chosen by the form that creates the record: a retried create finds it (see services.once)


@dataclass(frozen=True)
class CustomerDetails:
    id: int
    version: int
    draft: CustomerDraft
    changed_by: str = ""  # who saved this version (updated_by), "" when not recorded
    changed_at: datetime | None = None
    archived_at: datetime | None = None  # archived: out of the lists and of the choices for new work
    merged_into: CustomerChoice | None = None  # a duplicate merged into this customer


@dataclass(frozen=True)
class CustomerChoice:
    """A customer as offered by a picker."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ContractRow:
    id: int
    number: str
    customer_id: int
    customer_name: str
    package_name: str
    stage: str
    value_vnd: int
    signed_on: date | None
    accepted_on: date | None
    warranty_end: date | None
    maintenance_end: date | None
    #: The day it ended (its last covered day when it ended early); None while it runs.
    ended_on: date | None = None


@dataclass(frozen=True)
class ContractDraft:
    customer_id: int
    package_id: int
    number: str = ""  # empty: the next free number is given
    stage: str = "request_received"
    value_vnd: int = 0
    request_received_on: date | None = None
    signed_on: date | None = None
    accepted_on: date | None = None
    maintenance_end: date | None = None
    notes: str = ""
    uuid: str = ""  # chosen by the form that creates the record: a retried create finds it (see services.once)


@dataclass(frozen=True)
class ContractDetails:
    id: int
    version: int
    draft: ContractDraft
    customer_name: str
    warranty_end: date | None
    changed_by: str = ""  # who saved this version (updated_by), "" when not recorded
    changed_at: datetime | None = None
    package_name: str = ""
    package_active: bool = True  # False: the package was retired since; the contract keeps it


@dataclass(frozen=True)
class ContractChoice:
    id: int
    number: str
    package_name: str
    stage: str


@dataclass(frozen=True)
class TicketClock:
    """One SLA clock of a ticket, as stored (see services.clocks)."""

    kind: str
    started_at: datetime
    paused_seconds: int
    paused_since: datetime | None
    stopped_at: datetime | None
    due_at: datetime


@dataclass(frozen=True)
class SlaTerms:
    """What a ticket's clocks are measured against: its package's calendar and targets."""

    support_hours: str = "office"
    proposal_minutes: int = 240
    fix_hours: int = 24
    fix_extended_hours: int = 48
    complaint_hours: int = 72


@dataclass(frozen=True)
class TicketRow:
    id: int
    code: str
    subject: str
    customer_id: int
    customer_name: str
    contract_number: str
    request_type: str
    channel: str
    priority: str
    status: str
    coverage: str
    assignee: str
    received_at: datetime
    clocks: tuple = ()  # TicketClock, in kind order
    terms: SlaTerms = SlaTerms()
    next_due_at: datetime | None = None
    #: A field laptop's change of this ticket waits in Sync conflicts (issue #15).
    in_conflict: bool = False


@dataclass(frozen=True)
class TicketDraft:
    customer_id: int
    subject: str
    request_type: str
    channel: str
    priority: str = "normal"
    status: str = "new"
    contact_id: int | None = None
    contract_id: int | None = None
    assignee_id: int | None = None
    description: str = ""
    coverage: str = ""
    received_at: datetime | None = None  # None: now
    uuid: str = ""  # chosen by the form that creates the record: a retried create finds it (see services.once)


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    operator: str
    kind: str
    field: str
    old_value: str
    new_value: str
    body: str
    # The work log (domain.worklog): the entry's id, the entry it corrects, its duration,
    # its kind's own fields (domain.worklog.details_from_json) and when it was typed in.
    id: int = 0
    corrects_id: int | None = None
    duration_minutes: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class TicketDetails:
    id: int
    version: int
    code: str
    draft: TicketDraft
    customer_name: str
    contact_name: str
    contract_number: str
    history: tuple[HistoryEntry, ...]
    changed_by: str = ""  # who saved this version (updated_by), "" when not recorded
    changed_at: datetime | None = None
    #: Operator id (as text, as assignment rows of the history store it) -> "Name (code)",
    #: for the operators those rows name.
    people: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NewEvent:
    """A history entry to append."""

    kind: str
    field: str = ""
    old_value: str = ""
    new_value: str = ""
    body: str = ""
    occurred_at: datetime | None = None  # None: now


@dataclass(frozen=True)
class PaymentData:
    id: int | None
    paid_on: date
    amount_vnd: int
    method: str = "bank_transfer"
    invoice_number: str = ""
    uuid: str = ""  # chosen by the form that creates the record: a retried create finds it (see services.once)


@dataclass(frozen=True)
class InstalmentData:
    """One line of a contract's payment schedule: due on `due_on`, `amount_vnd` whole đồng."""

    due_on: date
    amount_vnd: int


@dataclass(frozen=True)
class ChangeRequestData:
    """A change-request ticket's written request, quote and approval (seed 001)."""

    request_text: str = ""
    quote_vnd: int | None = None
    approved_on: date | None = None


@dataclass(frozen=True)
class PlannedData:
    """A planned obligation typed in for a contract (a milestone, visit, training, update)."""

    id: int | None
    kind: str
    due_on: date
    title: str = ""
    done_on: date | None = None
    #: Stopped because the contract ended before it fell due (done_on is that day too).
    cancelled_on: date | None = None


@dataclass(frozen=True)
class ContractHistoryEntry:
    occurred_at: datetime
    operator: str
    kind: str
    field: str
    old_value: str
    new_value: str
    body: str


@dataclass(frozen=True)
class ContractFile:
    """Everything the contract window shows besides the editable draft."""

    id: int
    version: int
    number: str
    customer_id: int
    customer_name: str
    package_name: str
    warranty_months: int
    stage: str
    value_vnd: int
    request_received_on: date | None
    agreed_on: date | None
    signed_on: date | None
    implementation_started_on: date | None
    completed_on: date | None
    accepted_on: date | None
    warranty_end: date | None
    maintenance_end: date | None
    ended_on: date | None
    renewal_notice_days: int
    payments: tuple[PaymentData, ...]
    planned: tuple[PlannedData, ...]
    history: tuple[ContractHistoryEntry, ...]
    #: The payment schedule (only instalments past their due date are debt), by due date.
    instalments: tuple[InstalmentData, ...] = ()
    #: Why it ended before its term (ended_on is the termination date); "" otherwise.
    termination_reason: str = ""

    @property
    def paid_vnd(self) -> int:
        return sum(p.amount_vnd for p in self.payments)


@dataclass(frozen=True)
class ObligationRow:
    id: int
    kind: str
    due_on: date
    customer_id: int
    customer_name: str
    contract_id: int
    contract_number: str
    title: str
    done_on: date | None
    #: Stopped because its contract ended before it fell due (done_on is that day too).
    cancelled_on: date | None = None


@dataclass(frozen=True)
class CoverageFacts:
    """What entitlement is decided on, read from a customer's contracts."""

    warranty_end: date | None
    maintenance_end: date | None
    outstanding_vnd: int
    contract_id: int | None = None
    #: The termination day when the latest coverage ended by an early termination.
    terminated_on: date | None = None
    #: A maintenance contract covering today whose package gives priority (seed 004).
    maintenance_priority: bool = False


@dataclass(frozen=True)
class VerificationQuestionData:
    id: int
    question: str


@dataclass(frozen=True)
class CallerQuestions:
    """What the verification window asks: the customer's questions, and whether their
    answers may be checked now (domain.verification.attempts_left)."""

    questions: tuple[VerificationQuestionData, ...]
    tries_left: int
    """Wrong answers still allowed this hour."""
    locked_until: datetime | None
    """Refused until then (too many wrong answers in the last hour); None: answers are checked."""


@dataclass(frozen=True)
class VerificationOutcome:
    """The result of checking one answer."""

    matched: bool | None
    """Whether it matched; None: refused without comparing (see `locked_until`)."""
    tries_left: int
    """Wrong answers still allowed this hour, after this one."""
    locked_until: datetime | None
    """When checking works again for this customer, while it is refused (after this answer
    too, when it was the last wrong answer allowed); otherwise None."""


@dataclass(frozen=True)
class DashboardItem:
    """A line of the dashboard: a ticket (with its clock) or an obligation (with its contract)."""

    section: str
    ticket_id: int | None
    contract_id: int | None
    code: str
    title: str
    customer_name: str
    due: datetime | date | None
    kind: str = ""


@dataclass(frozen=True)
class DashboardData:
    now: datetime
    counts: Mapping[str, int]
    items: tuple[DashboardItem, ...]
    met_breached_by_day: tuple[tuple[date, int, int], ...]  # (day, met, breached), oldest first
    #: Whose tickets the counts, lists and chart are: None (everyone), ("operator", id),
    #: ("team", name) or ("unassigned", None).
    scope: tuple | None = None


@dataclass(frozen=True)
class OperatorLoad:
    """One operator's share of the work, for the lead's dashboard. `operator_id` None is the
    row of the tickets nobody is assigned."""

    operator_id: int | None
    code: str
    full_name: str
    team: str
    open_tickets: int
    breached_now: int  # open tickets with a running clock past its due time
    breached_recently: int  # clocks stopped after their due time in the last 30 days


@dataclass(frozen=True)
class CalendarDay:
    """One of the firm's own calendar days: `kind` is "day_off" or "working_day"."""

    day: date
    kind: str
    name: str


@dataclass(frozen=True)
class AlertData:
    id: int
    kind: str  # "assigned", "clock_at_risk", "clock_breached", "obligation_due"
    ticket_id: int | None
    contract_id: int | None
    title: str
    due_at: datetime | None
    raised_at: datetime
    read: bool = False  # acknowledged (by the operator it was read for)
    recipient_id: int | None = None  # the one operator it concerns; None: the whole team


@dataclass(frozen=True)
class CallerMatch:
    """One answer of the caller lookup: a contact (or the customer itself, when its own number
    or code matched) with what the operator needs before saying a word: coverage facts, the
    open tickets and their clocks."""

    customer_id: int
    customer_code: str
    customer_name: str
    contact_id: int | None  # None: the customer's own phone, code or tax code matched
    contact_name: str
    contact_position: str
    phone: str  # the E.164 number that matched ("" for a code or tax code)
    matched_by: str  # "contact_phone", "customer_phone", "customer_code" or "tax_code"
    reading: int  # which reading of the typed number matched: 0 = the most likely
    warranty_end: date | None
    maintenance_end: date | None
    outstanding_vnd: int
    open_ticket_count: int
    open_tickets: tuple = ()  # TicketRow, the most urgent first
    archived: str = ""  # "" in use; "archived"; "merged:KH…" (the customer that stays)
    kept_id: int | None = None  # merged: the customer that stays (new work goes to it)
    kept_label: str = ""  # merged: "KH… – its name"
    terminated_on: date | None = None  # the latest cover ended early that day: no grace after it


@dataclass(frozen=True)
class CallerLookup:
    """What the lookup found for `text`: every E.164 reading tried, most likely first, and
    the matches in that order. `error` is the PhoneError code when the text is no phone
    number and matched no customer code or tax code either ("" otherwise)."""

    text: str
    candidates: tuple[str, ...]
    matches: tuple[CallerMatch, ...]
    error: str = ""


@dataclass(frozen=True)
class SearchCandidate:
    """A record the storage found for a global search, before ranking."""

    kind: str  # "customer", "contact", "contract", "ticket"
    id: int
    code: str  # customer code, contract or ticket number; "" for a contact
    title: str  # name, or the ticket's subject
    detail: str  # a short second line: customer, phone, package, status…
    customer_id: int | None
    search_text: str  # folded
    recency: datetime | None
    exact: str  # the key matched exactly ("phone", "code", "tax_code", "number"), or ""
    keys: tuple[str, ...] = ()  # fields whose start counts as a prefix match
    status: str = ""  # contract stage or ticket status (a key of its enum)
    #: (field, text) of the record, names before addresses and notes: what a hit matched
    #: is read from them (domain.search.match_field)
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: int
    code: str
    title: str
    detail: str
    customer_id: int | None
    tier: int  # domain.search: EXACT, PREFIX, WORDS, SUBSTRING
    status: str = ""
    matched: str = ""  # the field that matched: "phone", "name", "address"… (domain.search.match_field)


@dataclass(frozen=True)
class SearchGroup:
    kind: str
    hits: tuple  # SearchHit, best first
    total: int  # candidates found (exact and prefix hits, and the newest rows with every word)
    capped: bool  # more rows contain the words than were looked at


@dataclass(frozen=True)
class SearchResults:
    text: str
    groups: tuple  # SearchGroup in the order customers, contacts, contracts, tickets
    too_short: bool = False


@dataclass(frozen=True)
class PartyFacts:
    """The customer as a customer-facing document names them."""

    name: str
    code: str
    address: str
    tax_code: str


@dataclass(frozen=True)
class VisitReportFacts:
    """What a visit's service report is built from, read in one unit of work. Staff appear
    only by alias and code (seed 002 §7): no name, phone or e-mail is read."""

    entry_id: int  # the newest version of the visit (its last correction, or itself)
    ticket_code: str
    ticket_subject: str
    customer: PartyFacts
    contract_number: str
    package_name: str
    details: Mapping[str, Any]
    body: str
    occurred_at: datetime
    technician_alias: str
    technician_code: str
    corrected: bool = False


@dataclass(frozen=True)
class AcceptanceReportFacts:
    contract_id: int
    contract_number: str
    package_name: str
    warranty_months: int
    value_vnd: int
    customer: PartyFacts
    signed_on: date | None
    implementation_started_on: date | None
    completed_on: date | None
    accepted_on: date | None
    warranty_end: date | None
    milestones: tuple  # (kind, due_on, title, done_on) of the planned implementation milestones
    representative_alias: str
    representative_code: str


@dataclass(frozen=True)
class FeedCursor:
    """Where a desk is in the change feed: the highest id it has read, and the lower ids it
    skipped over that may still commit (id, when first missed as a POSIX time)."""

    watermark: int = -1  # -1: not started (the first read starts at the newest row)
    pending: tuple = ()


@dataclass(frozen=True)
class FeedRows:
    rows: tuple  # (origin, tables) of each new row, oldest first
    cursor: FeedCursor


# -- imports (services/importing.py) ------------------------------------------------------
@dataclass(frozen=True)
class ExistingCustomer:
    """A customer already in the database that an import row may be."""

    id: int
    code: str
    name: str
    tax_code: str
    phone: str
    archived: bool = False
    merged_into_id: int | None = None  # a merged duplicate: the customer that stays


@dataclass(frozen=True)
class ExistingContact:
    customer_id: int
    full_name: str
    phone: str


@dataclass(frozen=True)
class ExistingContract:
    id: int
    number: str
    customer_id: int
    package_id: int
    signed_on: date | None
    value_vnd: int


@dataclass(frozen=True)
class ExistingPayment:
    contract_id: int
    paid_on: date
    amount_vnd: int
    invoice_number: str


@dataclass(frozen=True)
class BatchRow:
    """One import, as File → Import lists it."""

    id: int
    file_name: str
    created_at: datetime
    created_by: str
    customers: int
    contacts: int
    contracts: int
    payments: int
    undone_at: datetime | None = None


@dataclass(frozen=True)
class UndoBlockers:
    """Why an import cannot be undone: tickets on its records, other records on them (a
    contract, a payment, a contact typed in since, a merge), or its records changed since."""

    tickets: int = 0
    other_records: int = 0
    edited: int = 0

    @property
    def any(self) -> bool:
        return bool(self.tickets or self.other_records or self.edited)


@dataclass(frozen=True)
class CustomerHistoryRow:
    """One entry of a customer's own history (merged, archived, restored), as displayed."""

    occurred_at: datetime
    operator: str  # the operator's full name, "" when none was chosen
    kind: str  # "merged", "archived", "restored"
    field: str  # for "merged": "merged_from" (on the customer kept) or "merged_into" (on the duplicate)
    old_value: str
    new_value: str  # for "merged": the other customer's code
    body: str  # for "merged": the other customer's name


@dataclass(frozen=True)
class MergePreview:
    """What merging `duplicate` into `keep` would do, read before the user confirms: both
    customers as read (their versions go back with the merge, so a change meanwhile is
    refused) and what would move."""

    keep: CustomerChoice
    keep_version: int
    duplicate: CustomerChoice
    duplicate_version: int
    moves: CustomerHoldings  # the duplicate's


@dataclass(frozen=True)
class CustomerHoldings:
    """What refers to a customer by its id: counted for a merge's confirmation, moved by it."""

    contacts: int = 0
    contracts: int = 0
    tickets: int = 0
    open_tickets: int = 0
    obligations: int = 0
    questions: int = 0


@dataclass(frozen=True)
class MovedHoldings:
    """What a merge moved: the ids of the tickets and contracts (each gets a history entry)."""

    ticket_ids: tuple[int, ...] = ()
    contract_ids: tuple[int, ...] = ()
    contacts: int = 0
    obligations: int = 0
    questions: int = 0


# -- attachments (issue #16) ----------------------------------------------------------------
@dataclass(frozen=True)
class NewAttachment:
    """A file to attach: its name, bytes, content type ("": guessed) and a note. With a
    `uuid` (chosen by whoever attaches it) it is attached once however often it is sent."""

    file_name: str
    data: bytes
    mime: str = ""
    note: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class AttachmentRow:
    """One attachment as a list shows it (the bytes are read apart: `attachments.content`)."""

    id: int
    uuid: str
    owner_kind: str
    owner_id: int
    file_name: str
    size: int
    mime: str
    sha256: str
    note: str
    added_at: datetime
    added_by_id: int | None
    added_by: str
    removed_at: datetime | None = None
    removed_by: str = ""

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
