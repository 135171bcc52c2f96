"""Use cases of attachments (issue #16): files kept with a ticket, a work-log entry, a
contract or a customer, in the database so they go with the team server and the offline copy.

Any signed-in operator attaches; whoever attached a file, or a lead, may remove it, and
removing marks it (the file stays, as evidence: seed 002 §4). A file identical to one stored
before is stored once (domain.attachments.content_hash). The rules (size limit, file name)
are the domain's, the same for a file dialog, a drop, a paste or an import.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..domain import attachments as ad
from ..domain import validation as v
from .changes import ATTACHMENTS, changes
from .context import Context
from .dto import AttachmentRow, NewAttachment
from .errors import ValidationFailed, check
from .once import client_uuid, create_once


def _author(ctx: Context, operator_id: int | None) -> int | None:
    """The signed-in operator, whatever a form passes; the form's operator when nobody is."""
    return ctx.session.operator_id if ctx.session.operator_id is not None else operator_id


def check_file(new: NewAttachment, limit: int) -> list[v.ValidationError]:
    """What is wrong with a file to attach (the domain's rules), [] when nothing is."""
    name = ad.clean_file_name(new.file_name)
    errors = [ad.validate_file_name(new.file_name), ad.validate_note(new.note)]
    if errors[0] is None:
        errors.append(ad.validate_size(name, len(new.data), limit))
    return [e for e in errors if e is not None]


@changes(ATTACHMENTS)
def add_attachment(ctx: Context, owner_kind: str, owner_id: int, new: NewAttachment,
                   limit: int = ad.limit_bytes(None), operator_id: int | None = None) -> int:
    """Attach a file to a record; its id. ValidationFailed for a file the rules refuse (too
    large, empty, a name with a control character); NotFoundError for a record that is gone.
    With the file's `uuid` it is attached once however often it is sent (services.once)."""
    check(check_file(new, limit))
    new = replace(new, uuid=client_uuid(new.uuid))
    return create_once(ctx, new.uuid, lambda uow: uow.attachments.id_for_uuid(new.uuid),
                       lambda: _add(ctx, owner_kind, owner_id, [new], operator_id)[0])


@changes(ATTACHMENTS)
def add_files(ctx: Context, owner_kind: str, owner_id: int, paths: list[str],
              limit: int = ad.limit_bytes(None), operator_id: int | None = None) -> list[int]:
    """Attach files read from disk (a file dialog, a drop), all or none: ValidationFailed
    with every file the rules refuse, checked by size before one is read."""
    errors = []
    for path in paths:
        name = ad.clean_file_name(Path(path).name)
        err = ad.validate_file_name(Path(path).name) or ad.validate_size(name, Path(path).stat().st_size, limit)
        if err is not None:
            errors.append(err)
    check(errors)
    files = [NewAttachment(Path(p).name, Path(p).read_bytes()) for p in paths]
    check([e for f in files for e in check_file(f, limit)])  # a file that grew since
    return _add(ctx, owner_kind, owner_id, files, operator_id)


def _add(ctx: Context, owner_kind: str, owner_id: int, files: list[NewAttachment],
         operator_id: int | None) -> list[int]:
    if owner_kind not in {k.value for k in ad.OwnerKind}:
        raise ValidationFailed([v.ValidationError("owner", "owner", ad.MSG_NO_OWNER)])
    by = _author(ctx, operator_id)
    ids = []
    with ctx.uow() as uow:
        if not uow.attachments.owner_exists(owner_kind, owner_id):
            from ..domain.errors import NotFoundError

            raise NotFoundError(f"{owner_kind} {owner_id}")
        for f in files:
            if f.uuid and (found := uow.attachments.id_for_uuid(f.uuid)) is not None:
                ids.append(found)  # an earlier attempt committed
                continue
            content_id = uow.attachments.store_content(ad.content_hash(f.data), len(f.data),
                                                       f.mime or ad.guess_mime(f.file_name, f.data), f.data)
            note = v.clean_text(f.note, multiline=True) or None
            ids.append(uow.attachments.add(owner_kind, owner_id, content_id, ad.clean_file_name(f.file_name),
                                           note, by, f.uuid, ctx.now()))
        uow.commit()
    return ids


def attachments_of(ctx: Context, owner_kind: str, owner_id: int) -> list[AttachmentRow]:
    """A record's attachments in the order they were added, the removed ones too (marked)."""
    with ctx.uow() as uow:
        return uow.attachments.of(owner_kind, owner_id)


def content(ctx: Context, attachment_id: int) -> tuple[AttachmentRow, bytes]:
    """An attachment and its bytes (to show, open or save)."""
    with ctx.uow() as uow:
        return uow.attachments.get(attachment_id), uow.attachments.content(attachment_id)


def stored_contents(ctx: Context) -> int:
    """How many distinct files are stored (one per identical content)."""
    with ctx.uow() as uow:
        return uow.attachments.count_contents()


@changes(ATTACHMENTS)
def remove_attachment(ctx: Context, attachment_id: int, operator_id: int | None = None) -> int:
    """Mark an attachment removed: it leaves the record's list of files in use, and stays
    stored, marked with who removed it and when. Whoever added it, or a lead, may."""
    me = _author(ctx, operator_id)
    with ctx.uow() as uow:
        row = uow.attachments.get(attachment_id)
        if row.removed:
            raise ValidationFailed([v.ValidationError("attachment", "removed", ad.MSG_ALREADY_REMOVED)])
        if not ad.may_remove(ctx.session.role, me, row.added_by_id):
            raise ValidationFailed([v.ValidationError("attachment", "not_yours", ad.MSG_NOT_YOURS)])
        if not uow.attachments.mark_removed(attachment_id, me, ctx.now()):
            raise ValidationFailed([v.ValidationError("attachment", "removed", ad.MSG_ALREADY_REMOVED)])
        uow.commit()
    return attachment_id
