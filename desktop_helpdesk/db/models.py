"""SQLAlchemy 2 typed models: the storage shape of the domain.

Every row carries an integer key, a stable UUID (for multi-workstation editing and offline
sync), aware-UTC `created_at`/`updated_at` and a version counter for optimistic locking.
Money is whole VND in integer columns. `search_text` columns hold the Python-folded text
(`domain.text.fold`) because SQLite's lower()/LIKE do not fold Vietnamese diacritics or đ.
The migrations in `migrations/` are the schema; a test checks they produce exactly this.
On SQLite, `<table>_fts` (FTS5, trigram) indexes the search_text of the tables in
`SEARCH_INDEXED`, kept in step by triggers (migration 0007); they are not models.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime. Refuses naive values; always returns aware UTC values."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused: {value!r}")
        value = value.astimezone(timezone.utc)
        # Stored without zone so SQLite's text form sorts chronologically.
        return value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_uuid() -> str:
    return str(uuid.uuid4())


#: Tables whose search_text has an FTS5 trigram index `<table>_fts` on SQLite (migration 0007).
SEARCH_INDEXED = ("customers", "contacts", "contracts", "tickets")


def is_search_index_table(name: str) -> bool:
    """An FTS5 table of the search (`_fts`: trigrams, 0007; `_words`: words, 0015) or one
    of its shadow tables (`_data`, `_idx`, ...): not a model."""
    return any(name in (f"{t}_fts", f"{t}_words") or name.startswith((f"{t}_fts_", f"{t}_words_"))
               for t in SEARCH_INDEXED)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RowMixin:
    """Integer key, stable UUID, audit times and author, and the optimistic-locking version."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Who made the last change (the operator's alias and code, or the desk's name), stamped
    # by the unit of work with `updated_at`: a refused save tells who saved first.
    updated_by: Mapped[Optional[str]] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        # SQLAlchemy bumps `version` on every UPDATE and raises StaleDataError when the
        # row was changed by someone else since it was read.
        return {"version_id_col": cls.__table__.c.version}


class Operator(RowMixin, Base):
    """A member of the support staff. `alias` is what customers see (seed 002 §7)."""

    __tablename__ = "operators"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    alias: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Migration 0017: signing in.
    login: Mapped[Optional[str]] = mapped_column(String(63), index=False)
    password_hash: Mapped[Optional[str]] = mapped_column(String(200))  # argon2id, local file only
    team: Mapped[Optional[str]] = mapped_column(String(60), index=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    signed_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    __table_args__ = (Index("uq_operators_login", "login", unique=True),)


class ImportBatch(Base):
    """One import of a customer list (migration 0016): what it added, so it can be undone
    while nothing else refers to its records."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    file_name: Mapped[str] = mapped_column(String(260))
    customers: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    contracts: Mapped[int] = mapped_column(Integer, default=0)
    payments: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[Optional[str]] = mapped_column(String(120))
    undone_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    undone_by: Mapped[Optional[str]] = mapped_column(String(120))


def _batch_column() -> Mapped[Optional[int]]:
    """The import batch that added the row (None: typed in)."""
    return mapped_column(ForeignKey("import_batches.id"), index=True)


class Customer(RowMixin, Base):
    __tablename__ = "customers"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    tax_code: Mapped[Optional[str]] = mapped_column(String(14), index=True)
    address: Mapped[Optional[str]] = mapped_column(String(300))
    province: Mapped[Optional[str]] = mapped_column(String(60))
    phone: Mapped[Optional[str]] = mapped_column(String(16), index=True)  # E.164
    email: Mapped[Optional[str]] = mapped_column(String(254))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # domain.text.sort_text(name): Vietnamese dictionary order as a plain string.
    sort_name: Mapped[str] = mapped_column(Text, default="", index=True)
    import_batch_id: Mapped[Optional[int]] = _batch_column()
    # Archived: out of the lists and of the choices for new work; its history stays.
    archived_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    # A duplicate merged into another customer: kept, archived, pointing at the one that stays.
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("customers.id"), index=True)

    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="customer", order_by="Contact.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_customers_name", "name"),
        Index("ix_customers_kind", "kind"),
        # The list sorts by coalesce(x, ''): an index on the very expression serves it.
        Index("ix_customers_tax_code_sort", func.coalesce(literal_column("tax_code"), literal_column("''"))),
        Index("ix_customers_phone_sort", func.coalesce(literal_column("phone"), literal_column("''"))),
        Index("ix_customers_province_sort", func.coalesce(literal_column("province"), literal_column("''"))),
    )


class Contact(RowMixin, Base):
    """A person at the customer the desk talks to (người liên hệ)."""

    __tablename__ = "contacts"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    position: Mapped[Optional[str]] = mapped_column(String(80))
    phone: Mapped[Optional[str]] = mapped_column(String(16), index=True)  # E.164
    email: Mapped[Optional[str]] = mapped_column(String(254))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    import_batch_id: Mapped[Optional[int]] = _batch_column()
    search_text: Mapped[str] = mapped_column(Text, default="")

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Package(RowMixin, Base):
    """What was sold, with its warranty length and support terms."""

    __tablename__ = "packages"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    warranty_months: Mapped[int] = mapped_column(Integer, default=12)
    support_hours: Mapped[str] = mapped_column(String(20), default="office")
    proposal_target_minutes: Mapped[int] = mapped_column(Integer, default=240)
    fix_target_hours: Mapped[int] = mapped_column(Integer, default=24)
    fix_extended_hours: Mapped[int] = mapped_column(Integer, default=48)
    complaint_target_hours: Mapped[int] = mapped_column(Integer, default=72)
    maintenance_priority: Mapped[bool] = mapped_column(Boolean, default=True)
    list_price_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Contract(RowMixin, Base):
    __tablename__ = "contracts"

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="RESTRICT"), index=True)
    stage: Mapped[str] = mapped_column(String(30), default="request_received", index=True)
    value_vnd: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    request_received_on: Mapped[Optional[date]] = mapped_column(Date)
    signed_on: Mapped[Optional[date]] = mapped_column(Date)
    accepted_on: Mapped[Optional[date]] = mapped_column(Date)
    warranty_end: Mapped[Optional[date]] = mapped_column(Date, index=True)
    maintenance_end: Mapped[Optional[date]] = mapped_column(Date, index=True)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Lifecycle dates not kept by the first release (one per stage, see domain.contracts).
    agreed_on: Mapped[Optional[date]] = mapped_column(Date)
    implementation_started_on: Mapped[Optional[date]] = mapped_column(Date)
    completed_on: Mapped[Optional[date]] = mapped_column(Date)
    ended_on: Mapped[Optional[date]] = mapped_column(Date)
    renewal_notice_days: Mapped[int] = mapped_column(Integer, default=30)
    import_batch_id: Mapped[Optional[int]] = _batch_column()
    # Why the contract ended before its term (ended_on is its last covered day; 0023).
    termination_reason: Mapped[Optional[str]] = mapped_column(Text)

    customer: Mapped[Customer] = relationship()
    package: Mapped[Package] = relationship()
    instalments: Mapped[list["Instalment"]] = relationship(
        order_by="(Instalment.due_on, Instalment.id)", cascade="all, delete-orphan"
    )
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="contract", order_by="Payment.paid_on", cascade="all, delete-orphan"
    )

    __table_args__ = tuple(
        Index(f"ix_contracts_{name}_sort", func.coalesce(literal_column(name), literal_column("'0001-01-01'")))
        for name in ("signed_on", "accepted_on", "warranty_end", "maintenance_end")
    )


class Ticket(RowMixin, Base):
    """A support request (phiếu yêu cầu). Its history is in `ticket_events`."""

    __tablename__ = "tickets"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    # Indexed with status (ix_tickets_customer_id_status): counts open tickets index-only.
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    contract_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"), index=True)
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    description: Mapped[Optional[str]] = mapped_column(Text)
    request_type: Mapped[str] = mapped_column(String(30), index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal", index=True)
    status: Mapped[str] = mapped_column(String(30), default="new", index=True)
    coverage: Mapped[Optional[str]] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)  # 0024: the reports
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    search_text: Mapped[str] = mapped_column(Text, default="")
    # SLA clocks (domain.sla): each clock's whole state in plain columns. The earliest due
    # time of the clocks still running or paused is kept in next_due_at, so lists sort and
    # filter by time left in SQL.
    proposal_started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    proposal_paused_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    proposal_paused_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    proposal_stopped_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    proposal_due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    fix_started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    fix_paused_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    fix_paused_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    fix_stopped_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    fix_due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    complaint_started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    complaint_paused_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    complaint_paused_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    complaint_stopped_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    complaint_due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    next_due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    # The lists' default order (0023): '1' for a maintenance customer whose package gives
    # priority (seed 004), else '0', then received_at as sortable text; read descending.
    queue_rank: Mapped[Optional[str]] = mapped_column(String(40))

    customer: Mapped[Customer] = relationship()
    contact: Mapped[Optional[Contact]] = relationship()
    contract: Mapped[Optional[Contract]] = relationship()
    assignee: Mapped[Optional[Operator]] = relationship()

    __table_args__ = (
        Index("ix_tickets_customer_id_status", "customer_id", "status"),
        Index("ix_tickets_coverage_sort", func.coalesce(literal_column("coverage"), literal_column("''"))),
        Index("ix_tickets_queue_rank_sort", func.coalesce(literal_column("queue_rank"), literal_column("''"))),
        # Paused clocks, counted and ordered by due time from the index alone (dashboard).
        *(Index(f"ix_tickets_{k}_paused", f"{k}_paused_since", f"{k}_stopped_at", "next_due_at")
          for k in ("proposal", "fix", "complaint")),
        Index("ix_tickets_next_due_sort",
              func.coalesce(literal_column("next_due_at"), literal_column("'9999-12-31 00:00:00.000000'"))),
        # The clocks still running or paused, by due time, one index per kind: the alert
        # check and a calendar edit read a range of these instead of the whole table.
        *(Index(f"ix_tickets_{k}_due_running", f"{k}_due_at",
                sqlite_where=text(f"{k}_stopped_at IS NULL AND {k}_due_at IS NOT NULL"),
                postgresql_where=text(f"{k}_stopped_at IS NULL AND {k}_due_at IS NOT NULL"))
          for k in ("proposal", "fix", "complaint")),
    )


class Payment(RowMixin, Base):
    """Money received against a contract, in whole VND."""

    __tablename__ = "payments"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(20))
    invoice_number: Mapped[Optional[str]] = mapped_column(String(40))
    import_batch_id: Mapped[Optional[int]] = _batch_column()

    contract: Mapped["Contract"] = relationship(back_populates="payments")


class Instalment(RowMixin, Base):
    """One line of a contract's payment schedule (domain.contracts.Instalment), whole VND."""

    __tablename__ = "contract_instalments"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)


class ChangeRequest(RowMixin, Base):
    """A change-request ticket's written request, quote and approval (seed 001)."""

    __tablename__ = "change_requests"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"), unique=True)
    request_text: Mapped[str] = mapped_column(Text)
    quote_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    approved_on: Mapped[Optional[date]] = mapped_column(Date)


class Obligation(RowMixin, Base):
    """A dated promise with a countdown. Planned rows (milestones, visits, trainings,
    regulatory updates) are typed in; derived rows (warranty and maintenance ends, renewal
    notice, grace end) are rewritten from the contract's dates whenever it is saved, so the
    list sorts and filters by due date in SQL."""

    __tablename__ = "obligations"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[Optional[str]] = mapped_column(String(200))
    done_on: Mapped[Optional[date]] = mapped_column(Date)
    derived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Stopped because the contract ended before it fell due (0023); done_on is set with it.
    cancelled_on: Mapped[Optional[date]] = mapped_column(Date)


class HistoryMixin:
    """An entry of an append-only history: never updated or deleted, so no version bumps;
    the UUID and audit times are kept like every row's, for sync."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    operator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    field: Mapped[Optional[str]] = mapped_column(String(40))
    old_value: Mapped[Optional[str]] = mapped_column(Text)
    new_value: Mapped[Optional[str]] = mapped_column(Text)
    body: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr
    def operator(cls) -> Mapped[Optional["Operator"]]:
        return relationship("Operator")


class ContractEvent(HistoryMixin, Base):
    """Append-only history of a contract: stage changes (with their dates), payments,
    renewals and edits."""

    __tablename__ = "contract_events"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)


class CustomerEvent(HistoryMixin, Base):
    """Append-only history of a customer: merged, archived, restored (migration 0016)."""

    __tablename__ = "customer_events"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)


class VerificationQuestion(RowMixin, Base):
    """An ownership-verification question (seed 002 §1). The answer is stored only as a
    salted hash of its normalised form (domain.verification)."""

    __tablename__ = "verification_questions"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    answer_hash: Mapped[str] = mapped_column(String(200))


class VerificationAttempt(Base):
    """One check of a caller's answer (migration 0018): whether it matched, or None when it
    was refused without comparing because the customer had too many wrong answers in the
    last hour (domain.verification.attempts_left). The wrong answers of the last hour are
    counted here, so the limit holds across desks and restarts; the rows are also evidence
    of who checked what, and when. Never the answer itself."""

    __tablename__ = "verification_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("verification_questions.id", ondelete="CASCADE"),
                                             index=True)
    operator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    matched: Mapped[Optional[bool]] = mapped_column(Boolean)

    __table_args__ = (
        # The count of a customer's recent wrong answers reads this index only.
        Index("ix_verification_attempts_customer_time", "customer_id", "attempted_at"),
    )


class TicketEvent(HistoryMixin, Base):
    """One entry of a ticket's append-only history (status, assignment, fields, notes,
    entitlement, overrides, caller verification) and of its work log (domain.worklog:
    calls, remote sessions, visits, e-mails, notes).

    A work-log entry's own fields are JSON in `details` (each kind has different ones; the
    domain checks them); its duration is a column so time spent can be summed in SQL. A
    correction is a new row whose `corrects_id` names the row it corrects. The migration
    adds SQLite triggers that refuse UPDATE and DELETE of the entries' content."""

    __tablename__ = "ticket_events"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"), index=True)
    corrects_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ticket_events.id"),
                                                       index=True)
    duration_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    details: Mapped[Optional[str]] = mapped_column(Text)

    # The assignment rows by id (migration 0019): the alert check reads those made since
    # its watermark, not the whole history.
    __table_args__ = (Index("ix_ticket_events_assigned", "id", sqlite_where=text("kind = 'assigned'"),
                            postgresql_where=text("kind = 'assigned'")),)


class Alert(RowMixin, Base):
    """A notification raised once: `key` names the clock and state (or the obligation), so
    a restart never repeats it and a clock that breached while the app was closed is
    reported once on start."""

    __tablename__ = "alerts"

    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    ticket_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Acknowledged before migration 0019, by the desk for everyone; since then each operator
    # acknowledges for themselves (AlertRead).
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Migration 0019: the one operator the alert concerns; NULL: everyone who sees the
    # team's alerts (an unassigned ticket, an obligation).
    recipient_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id"))

    __table_args__ = (Index("ix_alerts_recipient_id_raised_at", "recipient_id", "raised_at"),)


class AlertRead(Base):
    """One operator acknowledged one alert (migration 0019): a shared alert stays unread for
    the operators who have not."""

    __tablename__ = "alert_reads"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarException(RowMixin, Base):
    """One of the firm's own calendar days on top of Vietnam's public holidays: an extra day
    off (`day_off`, e.g. the rest of a Tết week the firm gives) or an extra working day
    (`working_day`, office hours, e.g. working on a statutory holiday). Applies to the office
    calendar; the 24/7 calendar has no days off."""

    __tablename__ = "calendar_exceptions"

    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))


class AttachmentContent(Base):
    """The bytes of an attached file, stored once however many attachments share them
    (migration 0022): the sha256 of the content is unique. In the database (BLOB on SQLite,
    bytea on PostgreSQL), so a file goes with the team server and the offline copy."""

    __tablename__ = "attachment_contents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attachment(Base):
    """A file kept with a ticket, a work-log entry (a ticket_events row), a contract or a
    customer (migration 0022; domain.attachments). Append-only like the history: never
    deleted, never changed but for its removal mark (`removed_at`, `removed_by_id`), so
    copies that travel by UUID never conflict. `operator_id` is who added it (on the team
    server the history's author trigger sets it from the session user)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    content_id: Mapped[int] = mapped_column(ForeignKey("attachment_contents.id", ondelete="RESTRICT"), index=True)
    file_name: Mapped[str] = mapped_column(String(260))
    note: Mapped[Optional[str]] = mapped_column(Text)
    operator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_attachments_owner", "owner_kind", "owner_id"),)


class AppMeta(Base):
    """Small key/value facts about this database (e.g. when demo data was loaded)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ChangeFeed(Base):
    """One row per committed unit of work that wrote: which tables it touched, and which
    desk (`origin`, one id per running app) wrote them. Other desks read the rows after the
    last one they saw, so every open view learns of a colleague's save within a second or two
    (on PostgreSQL a NOTIFY at commit makes it immediate). Written in the same transaction as
    the change; old rows are pruned."""

    __tablename__ = "change_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(36))
    tables: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class CodeCounter(Base):
    """The last number handed out for each code prefix ("KH", "NV", "HD2025-", "YC25-").
    Taken with one atomic UPDATE ... RETURNING inside the saving transaction, so two desks
    never get the same code (db/repositories/_sql.py::next_code; migration 0011)."""

    __tablename__ = "code_counters"

    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


# -- the field laptop's sync with the team server (migration 0021, issue #15) --------------
class SyncDevice(Base):
    """A laptop that syncs an offline copy with this server: the last device sequence number
    whose change was applied, so a batch sent again after a lost reply changes nothing."""

    __tablename__ = "sync_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    operator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id"))
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sync_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())


class SyncConflict(Base):
    """A laptop's change the server did not apply, for a person to decide: a field both sides
    changed (`field` with base, mine, theirs), or an edit of a record deleted on the server
    (`kind` "deleted", `payload` the laptop's whole record, for a restore). Nothing is lost:
    the laptop's value waits here until someone keeps it, keeps theirs or types another."""

    __tablename__ = "sync_conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    device_id: Mapped[str] = mapped_column(String(36), index=True)
    operator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_uuid: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    field: Mapped[Optional[str]] = mapped_column(String(60))
    base: Mapped[Optional[str]] = mapped_column(Text)
    mine: Mapped[Optional[str]] = mapped_column(Text)
    theirs: Mapped[Optional[str]] = mapped_column(Text)
    payload: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    resolved_by: Mapped[Optional[str]] = mapped_column(String(120))
    resolution: Mapped[Optional[str]] = mapped_column(String(20))


class SyncLog(Base):
    """The server's last change of each synced record, by the writing transaction's id
    (PostgreSQL xid8, filled by triggers whatever wrote): a laptop pulls the records whose
    id is at or past the oldest transaction still running at its previous pull, so nothing
    committed late is skipped. `deleted`: the record is gone (a tombstone)."""

    __tablename__ = "sync_log"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_uuid: Mapped[str] = mapped_column(String(60), primary_key=True)
    xid: Mapped[int] = mapped_column(BigInteger, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
