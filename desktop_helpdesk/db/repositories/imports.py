"""Imports: what a file's rows already match in the database, the records added in bulk
under one batch, and undoing a batch while nothing else refers to its records."""

from __future__ import annotations

import json
from typing import Callable, Iterable

from sqlalchemy import String, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import selectinload

from ...domain.text import sort_text
from ...services.dto import (
    BatchRow,
    CustomerDraft,
    ExistingContact,
    ExistingContract,
    ExistingCustomer,
    ExistingPayment,
    UndoBlockers,
)
from .. import models as m
from ._sql import Repo, among, nn, take_codes
from .customers import draft_of, contact_search_text, customer_search_text

#: Rows looked up per statement (SQLite's default limit is 32,766 parameters).
CHUNK = 500


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _outside(stmt, model, batch_id: int | None):
    """`stmt` without the rows of import batch `batch_id` (None: as it is)."""
    if batch_id is None:
        return stmt
    return stmt.where(or_(model.import_batch_id.is_(None), model.import_batch_id != batch_id))


class ImportWriteError(Exception):
    """A chunk could not be written (the transaction is rolled back): the table and the
    server's error code only, as the server's message quotes the row."""

    def __init__(self, table: str, code: str):
        super().__init__(f"writing {table} failed ({code})")


class SqlImportRepository(Repo):
    def __init__(self, session, clock, who: Callable[[], "str | None"], note: Callable[[str], None]):
        super().__init__(session, clock)
        self._who = who
        self._note = note  # a table written past the ORM, for the change feed

    # -- what the rows match ---------------------------------------------------------
    # `not_batch`: leave out the records of that import batch (one written while its file is
    # still being read: the rows see the database as it was before it, services.importing.import_now).
    def customers_matching(self, codes: list[str], tax_codes: list[str], phones: list[str],
                           names: list[str] = (), not_batch: int | None = None) -> list[ExistingCustomer]:
        C = m.Customer
        found: dict[int, ExistingCustomer] = {}
        for column, values in ((C.code, codes), (C.tax_code, tax_codes), (C.phone, phones), (C.name, list(names))):
            for part in self._parts(sorted(set(values))):
                for r in self.s.execute(_outside(select(C.id, C.code, C.name, C.tax_code, C.phone, C.archived_at,
                                                        C.merged_into_id).where(among(self.s, column, part, String)),
                                                 C, not_batch)):
                    found[r.id] = ExistingCustomer(r.id, r.code, r.name, nn(r.tax_code), nn(r.phone),
                                                   r.archived_at is not None, r.merged_into_id)
        return list(found.values())

    def _parts(self, values: list) -> Iterable[list]:
        """`values` in parts for `among`: all at once on PostgreSQL (one array parameter: a
        block's 5,000 phones in one statement, not ten of 500 parameters each), else CHUNK."""
        if self.s.get_bind().dialect.name == "postgresql":
            return [values] if values else []
        return _chunks(values)

    def contacts_of(self, customer_ids: list[int], not_batch: int | None = None) -> list[ExistingContact]:
        K = m.Contact
        out = []
        for part in _chunks(sorted(set(customer_ids))):
            out += [ExistingContact(r.customer_id, r.full_name, nn(r.phone))
                    for r in self.s.execute(_outside(select(K.customer_id, K.full_name, K.phone)
                                                     .where(K.customer_id.in_(part)), K, not_batch))]
        return out

    def contracts_matching(self, numbers: list[str], customer_ids: list[int],
                           not_batch: int | None = None) -> list[ExistingContract]:
        K = m.Contract
        found: dict[int, ExistingContract] = {}
        for column, values in ((K.number, numbers), (K.customer_id, customer_ids)):
            for part in _chunks(sorted(set(values))):
                for r in self.s.execute(_outside(select(K.id, K.number, K.customer_id, K.package_id, K.signed_on,
                                                        K.value_vnd).where(column.in_(part)), K, not_batch)):
                    found[r.id] = ExistingContract(r.id, r.number, r.customer_id, r.package_id, r.signed_on,
                                                   r.value_vnd)
        return list(found.values())

    def payments_of(self, contract_ids: list[int], not_batch: int | None = None) -> list[ExistingPayment]:
        P = m.Payment
        out = []
        for part in _chunks(sorted(set(contract_ids))):
            out += [ExistingPayment(r.contract_id, r.paid_on, r.amount_vnd, nn(r.invoice_number))
                    for r in self.s.execute(_outside(select(P.contract_id, P.paid_on, P.amount_vnd, P.invoice_number)
                                                     .where(P.contract_id.in_(part)), P, not_batch))]
        return out

    # -- batches ---------------------------------------------------------------------
    def new_batch(self, file_name: str) -> int:
        now = self._clock()
        batch = m.ImportBatch(file_name=file_name[:260], customers=0, contacts=0, contracts=0, payments=0,
                              created_at=now, created_by=self._who())
        self.s.add(batch)
        self.s.flush()
        return batch.id

    def count_in_batch(self, batch_id: int, customers: int = 0, contacts: int = 0, contracts: int = 0,
                       payments: int = 0) -> None:
        B = m.ImportBatch
        self.s.execute(update(B).where(B.id == batch_id).values(
            customers=B.customers + customers, contacts=B.contacts + contacts,
            contracts=B.contracts + contracts, payments=B.payments + payments))

    def discard_batch(self, batch_id: int) -> None:
        """Remove a batch with its records, its own row too: an import whose file could not be
        read to the end (services.importing.import_now) leaves nothing behind, as when the
        whole file is read before anything is written."""
        self.undo(batch_id)
        self.s.execute(m.ImportBatch.__table__.delete().where(m.ImportBatch.id == batch_id))

    def batches(self, limit: int = 200) -> list[BatchRow]:
        B = m.ImportBatch
        rows = self.s.execute(select(B).order_by(B.id.desc()).limit(limit)).scalars()
        return [BatchRow(b.id, b.file_name, b.created_at, nn(b.created_by), b.customers, b.contacts, b.contracts,
                         b.payments, b.undone_at) for b in rows]

    def batch(self, batch_id: int) -> BatchRow | None:
        b = self.s.get(m.ImportBatch, batch_id)
        return None if b is None else BatchRow(b.id, b.file_name, b.created_at, nn(b.created_by), b.customers,
                                               b.contacts, b.contracts, b.payments, b.undone_at)

    def tag(self, table: str, ids: list[int], batch_id: int) -> None:
        """Mark rows added by the ordinary repositories (contracts, payments) as the batch's."""
        model = {"contracts": m.Contract, "payments": m.Payment}[table]
        for part in _chunks(ids):
            self.s.execute(update(model).where(model.id.in_(part)).values(import_batch_id=batch_id)
                           .execution_options(synchronize_session=False))

    # -- adding in bulk --------------------------------------------------------------
    def writers(self) -> int:
        """Chunks an import may write at once, each on its own connection: two on the team
        server (its backends index one chunk each on the two cores while the client idles
        in between, benchmarks/README.md "Import"), one on SQLite (one writer at a time)."""
        return 2 if self.s.get_bind().dialect.name == "postgresql" else 1

    def take_customer_codes(self, n: int) -> list[str]:
        """`n` free customer codes from the counter, as the forms take them one by one."""
        return take_codes(self.s, m.Customer.code, "KH", 5, n)

    def add_customers(self, batch_id: int, drafts: list[CustomerDraft]) -> list[int]:
        """Insert clean drafts (codes given) with their contacts; their ids, in order. One
        executemany per table straight to the driver: no ORM objects, and none of
        SQLAlchemy's per-value processing (a third of the time at 100,000 customers)."""
        if not drafts:
            return []
        C = m.Customer.__table__
        stamp, who = self._bound(C.c.created_at, self._clock()), self._who()
        columns = ("uuid", "code", "name", "kind", "tax_code", "address", "province", "phone", "email", "notes",
                   "search_text", "sort_name", "import_batch_id", "created_at", "updated_at", "updated_by", "version")
        self._insert(C, columns, [(
            d.uuid, d.code, d.name, d.kind, d.tax_code or None, d.address or None, d.province or None,
            d.phone or None, d.email or None, d.notes or None, customer_search_text(d), sort_text(d.name),
            batch_id, stamp, stamp, who, 1) for d in drafts])
        by_uuid: dict[str, int] = {}
        if self.s.get_bind().dialect.name == "sqlite":
            # One row back (a JSON array), not a row per customer: see _insert.
            found = self.s.connection().exec_driver_sql(
                "SELECT json_group_array(json_array(id, uuid)) FROM customers "
                "WHERE uuid IN (SELECT value FROM json_each(?))", (json.dumps([d.uuid for d in drafts]),)).scalar()
            by_uuid.update((u, i) for i, u in json.loads(found))
        else:
            for part in _chunks([d.uuid for d in drafts]):
                by_uuid.update((u, i) for i, u in self.s.execute(select(C.c.id, C.c.uuid).where(C.c.uuid.in_(part))))
        ids = [by_uuid[d.uuid] for d in drafts]
        contacts = [(customer_id, c) for customer_id, d in zip(ids, drafts) for c in d.contacts]
        self.add_contacts(batch_id, contacts)
        return ids

    def add_contacts(self, batch_id: int, contacts: list) -> int:
        """Insert (customer_id, ContactData) pairs; their customers' search text is redone
        by the caller when they were there before (new customers' already hold them)."""
        if not contacts:
            return 0
        K = m.Contact.__table__
        stamp, who = self._bound(K.c.created_at, self._clock()), self._who()
        yes, no = self._bound(K.c.is_primary, True), self._bound(K.c.is_primary, False)
        columns = ("uuid", "customer_id", "full_name", "position", "phone", "email", "is_primary", "search_text",
                   "import_batch_id", "created_at", "updated_at", "updated_by", "version")
        self._insert(K, columns, [(
            m.new_uuid(), customer_id, c.full_name, c.position or None, c.phone or None, c.email or None,
            yes if c.is_primary else no, contact_search_text(c.full_name, c.phone, c.email), batch_id, stamp, stamp,
            who, 1) for customer_id, c in contacts])
        return len(contacts)

    def _bound(self, column, value):
        """`value` as SQLAlchemy would send it to the driver for `column` (a datetime's text
        on SQLite, a boolean's 1 or 0)."""
        dialect = self.s.get_bind().dialect
        process = column.type.dialect_impl(dialect).bind_processor(dialect)  # a TypeDecorator's own step included
        return process(value) if process else value

    def _insert(self, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        dialect = self.s.get_bind().dialect
        connection = self.s.connection()
        if dialect.name == "postgresql":
            # COPY: one stream for the chunk instead of a statement a row (psycopg's
            # executemany sends each row as its own INSERT, ~0.1 ms a row on the server).
            cursor = connection.connection.cursor()
            try:
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            except Exception as exc:  # noqa: BLE001 - its text quotes the row (customer data): kept out of the log
                raise ImportWriteError(table.name, getattr(exc, "sqlstate", None) or type(exc).__name__) from None
            finally:
                cursor.close()
        else:
            # One statement for the chunk, its rows as one JSON array: the FTS5 triggers'
            # work is then done once for the statement, not once a row (20,000 customers with
            # their contacts: 3.3-4.3 s instead of 7.3-8.8 s with an executemany; search
            # results and the indexes' integrity-check the same), and SQLite works through
            # the chunk in one step, without taking the interpreter back after every row.
            values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
            sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                   f"SELECT {values} FROM json_each(?) ORDER BY key")
            connection.exec_driver_sql(sql, (json.dumps(rows, ensure_ascii=False),))
        self._note(table.name)  # for the change feed: the driver's statement is not the ORM's

    def refresh_customer_search(self, customer_ids: list[int]) -> None:
        """Redo search_text of customers that received contacts (their names and phones are
        found through the customer too)."""
        C = m.Customer.__table__
        for part in _chunks(sorted(set(customer_ids))):
            # Two statements a chunk (the customers, their contacts), one executemany back.
            found = self.s.scalars(select(m.Customer).options(selectinload(m.Customer.contacts))
                                   .where(m.Customer.id.in_(part))).all()
            if found:
                self.s.execute(C.update().where(C.c.id == bindparam("b_id")).values(search_text=bindparam("b_text")),
                               [{"b_id": c.id, "b_text": customer_search_text(draft_of(c))} for c in found])

    # -- undo ------------------------------------------------------------------------
    def undo_blockers(self, batch_id: int) -> UndoBlockers:
        """What, outside the batch, refers to its records (or changed them since)."""
        C, K, T, P, Q = m.Customer, m.Contract, m.Ticket, m.Payment, m.Contact
        mine_c = select(C.id).where(C.import_batch_id == batch_id)
        mine_k = select(K.id).where(K.import_batch_id == batch_id)
        mine_q = select(Q.id).where(Q.import_batch_id == batch_id)
        count = lambda stmt: self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0  # noqa: E731
        tickets = count(select(T.id).where(or_(T.customer_id.in_(mine_c), T.contract_id.in_(mine_k),
                                               T.contact_id.in_(mine_q))))
        others = (
            count(select(K.id).where(K.customer_id.in_(mine_c), or_(K.import_batch_id.is_(None),
                                                                     K.import_batch_id != batch_id)))
            + count(select(P.id).where(P.contract_id.in_(mine_k), or_(P.import_batch_id.is_(None),
                                                                       P.import_batch_id != batch_id)))
            + count(select(Q.id).where(Q.customer_id.in_(mine_c), or_(Q.import_batch_id.is_(None),
                                                                       Q.import_batch_id != batch_id)))
            + count(select(m.VerificationQuestion.id).where(m.VerificationQuestion.customer_id.in_(mine_c)))
            + count(select(m.Obligation.id).where(m.Obligation.contract_id.in_(mine_k),
                                                  m.Obligation.derived.is_(False)))
            + count(select(C.id).where(C.merged_into_id.in_(mine_c)))
            + count(select(m.CustomerEvent.id).where(m.CustomerEvent.customer_id.in_(mine_c)))
            # Files attached since (issue #16): evidence, never deleted with the import.
            + count(select(m.Attachment.id).where(or_(
                and_(m.Attachment.owner_kind == "customer", m.Attachment.owner_id.in_(mine_c)),
                and_(m.Attachment.owner_kind == "contract", m.Attachment.owner_id.in_(mine_k)))))
        )
        edited = sum(count(select(model.id).where(model.import_batch_id == batch_id, model.version > 1))
                     for model in (C, Q, K, P))
        return UndoBlockers(tickets=tickets, other_records=others, edited=edited)

    def undo(self, batch_id: int) -> None:
        """Delete the batch's records (its customers' obligations, alerts and history go with
        them) and mark it undone. The caller checked `undo_blockers` in the same transaction."""
        # Customers that were there before and got contacts from this batch: their search
        # text names those contacts, and is redone once the contacts are gone.
        kept = list(self.s.scalars(
            select(m.Contact.customer_id).join(m.Customer, m.Customer.id == m.Contact.customer_id)
            .where(m.Contact.import_batch_id == batch_id, m.Customer.import_batch_id.is_distinct_from(batch_id))
            .distinct()))
        for model in (m.Payment, m.Contract, m.Contact, m.Customer):
            table = model.__table__
            if model is m.Contract:
                mine_k = select(m.Contract.id).where(m.Contract.import_batch_id == batch_id)
                for dependent in (m.Obligation, m.ContractEvent, m.Alert):
                    self.s.execute(dependent.__table__.delete().where(dependent.contract_id.in_(mine_k)))
            if model is m.Customer:
                mine_c = select(m.Customer.id).where(m.Customer.import_batch_id == batch_id)
                self.s.execute(m.Obligation.__table__.delete().where(m.Obligation.customer_id.in_(mine_c)))
            self.s.execute(table.delete().where(table.c.import_batch_id == batch_id))
        self.s.expire_all()  # the contacts deleted above are not the session's to keep
        self.refresh_customer_search(kept)
        self.s.execute(update(m.ImportBatch).where(m.ImportBatch.id == batch_id).values(
            undone_at=self._clock(), undone_by=self._who()))
