"""Attachments and their stored contents (migration 0022): one content row per distinct file
(sha256), one attachment row per file attached to a record; removal is a mark."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from ...domain.attachments import OwnerKind
from ...domain.errors import NotFoundError
from ...services.dto import AttachmentRow
from .. import models as m
from ._sql import Repo

#: The table each kind of owner lives in.
OWNER_MODELS = {OwnerKind.TICKET.value: m.Ticket, OwnerKind.ENTRY.value: m.TicketEvent,
                OwnerKind.CONTRACT.value: m.Contract, OwnerKind.CUSTOMER.value: m.Customer}


class SqlAttachmentRepository(Repo):
    def owner_exists(self, owner_kind: str, owner_id: int) -> bool:
        model = OWNER_MODELS.get(owner_kind)
        return model is not None and self.s.execute(select(model.id).where(model.id == owner_id)).first() is not None

    def store_content(self, sha256: str, size: int, mime: str, data: bytes) -> int:
        """The id of the stored content with this hash, storing it first if it is new. Two
        desks storing the same new file at once: the second's insert does nothing (the unique
        hash), and it reads the first's row."""
        t = m.AttachmentContent.__table__
        found = self.s.execute(select(t.c.id).where(t.c.sha256 == sha256)).scalar()
        if found is not None:
            return found
        insert = pg_insert if self.s.get_bind().dialect.name == "postgresql" else sqlite_insert
        self.s.execute(insert(t).values(uuid=m.new_uuid(), sha256=sha256, size=size, mime=mime, data=data,
                                        created_at=self._clock()).on_conflict_do_nothing())
        return self.s.execute(select(t.c.id).where(t.c.sha256 == sha256)).scalar_one()

    def add(self, owner_kind: str, owner_id: int, content_id: int, file_name: str, note: str | None,
            operator_id: int | None, uuid: str = "", at: datetime | None = None) -> int:
        row = m.Attachment(owner_kind=owner_kind, owner_id=owner_id, content_id=content_id, file_name=file_name,
                           note=note or None, operator_id=operator_id, added_at=at or self._clock())
        if uuid:
            row.uuid = uuid
        self.s.add(row)
        self.s.flush()
        return row.id

    def id_for_uuid(self, uuid: str) -> int | None:
        return self.s.execute(select(m.Attachment.id).where(m.Attachment.uuid == uuid)).scalar()

    def count_contents(self) -> int:
        from sqlalchemy import func

        return self.s.execute(select(func.count()).select_from(m.AttachmentContent)).scalar_one()

    def _rows(self, *where) -> list[AttachmentRow]:
        a, c = m.Attachment, m.AttachmentContent
        added, removed = aliased(m.Operator), aliased(m.Operator)
        q = (select(a.id, a.uuid, a.owner_kind, a.owner_id, a.file_name, c.size, c.mime, c.sha256, a.note,
                    a.added_at, a.operator_id, added.alias, added.code, a.removed_at, removed.alias, removed.code)
             .join(c, c.id == a.content_id)
             .outerjoin(added, added.id == a.operator_id)
             .outerjoin(removed, removed.id == a.removed_by_id)
             .where(*where).order_by(a.added_at, a.id))
        return [AttachmentRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or "", r[9], r[10],
                              _who(r[11], r[12]), r[13], _who(r[14], r[15]))
                for r in self.s.execute(q)]

    def of(self, owner_kind: str, owner_id: int, include_removed: bool = True) -> list[AttachmentRow]:
        a = m.Attachment
        owners = [owner_id]
        if owner_kind == OwnerKind.CUSTOMER.value:
            # A duplicate merged into this customer keeps its files (they are append-only and
            # never move); the customer kept shows them with its own.
            owners += list(self.s.scalars(select(m.Customer.id).where(m.Customer.merged_into_id == owner_id)))
        where = [a.owner_kind == owner_kind, a.owner_id.in_(owners)]
        if not include_removed:
            where.append(a.removed_at.is_(None))
        return self._rows(*where)

    def get(self, attachment_id: int) -> AttachmentRow:
        rows = self._rows(m.Attachment.id == attachment_id)
        if not rows:
            raise NotFoundError(f"attachments {attachment_id}")
        return rows[0]

    def content(self, attachment_id: int) -> bytes:
        a, c = m.Attachment, m.AttachmentContent
        data = self.s.execute(select(c.data).join(a, a.content_id == c.id).where(a.id == attachment_id)).scalar()
        if data is None:
            raise NotFoundError(f"attachments {attachment_id}")
        return bytes(data)

    def mark_removed(self, attachment_id: int, operator_id: int | None, at: datetime) -> bool:
        """Mark an attachment removed (once: False when it already was). Only the two removal
        columns are written: the team server lets staff update nothing else."""
        t = m.Attachment.__table__
        done = self.s.execute(update(t).where(and_(t.c.id == attachment_id, t.c.removed_at.is_(None)))
                              .values(removed_at=at, removed_by_id=operator_id).returning(t.c.id)).first()
        return done is not None


def _who(alias: str | None, code: str | None) -> str:
    if not code:
        return ""
    return f"{alias} ({code})" if alias else code
