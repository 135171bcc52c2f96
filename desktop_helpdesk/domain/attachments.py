"""Attachments (issue #16): files kept with a ticket, a work-log entry, a contract or a
customer as evidence (seed 002 §4 keeps all support data): screenshots, logs, scanned signed
minutes, written change requests.

The rules every entry path uses (a file dialog, a drop, a paste, the sync): a file name as
stored (NFC, no control characters, no folder part, at most FILE_NAME_LIMIT characters), the
size limit (DEFAULT_LIMIT_MB each unless the desk's settings say otherwise), the content's
identity (sha256: one stored copy per identical file) and who may remove one (whoever added
it, or a lead). Attachments are append-only: removing one marks it, never destroys it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import unicodedata
from enum import StrEnum

from .enums import OperatorRole
from .validation import N_, ValidationError, validate_text


class OwnerKind(StrEnum):
    """What an attachment belongs to (stored as these values)."""

    TICKET = "ticket"
    ENTRY = "ticket_event"  # a work-log entry
    CONTRACT = "contract"
    CUSTOMER = "customer"


#: The size limit of one file when the settings say nothing.
DEFAULT_LIMIT_MB = 20
MB = 1024 * 1024
#: The longest file name kept (Windows' path limit is 260; names beyond are cut at the stem).
FILE_NAME_LIMIT = 200
#: A note beside an attachment.
NOTE_LIMIT = 500

MSG_TOO_LARGE = N_("“{name}” is {size} MB: attachments may be at most {limit} MB each.")
MSG_EMPTY_FILE = N_("“{name}” is empty: there is nothing to attach.")
MSG_NO_NAME = N_("An attachment needs a file name.")
MSG_NOT_YOURS = N_("Only the operator who added this attachment, or a support lead, can remove it.")
MSG_ALREADY_REMOVED = N_("This attachment was already removed.")
MSG_NO_OWNER = N_("Attachments belong to a ticket, a work-log entry, a contract or a customer.")

#: Pictures shown as thumbnails (what Qt reads without plug-ins).
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp"})


def limit_bytes(limit_mb: int | None) -> int:
    """The limit in bytes for a setting in MB (a missing or non-positive setting: the default)."""
    return (limit_mb if isinstance(limit_mb, int) and limit_mb > 0 else DEFAULT_LIMIT_MB) * MB


def _mb(size: int) -> int | float:
    """A size in MB to one decimal, whole when it is (formatted in the user's language by
    whoever shows it)."""
    value = round(size / MB, 1)
    return int(value) if value == int(value) else value


def validate_size(name: str, size: int, limit: int) -> ValidationError | None:
    """None unless the file is empty or larger than `limit` bytes. Codes: ``empty``,
    ``too_large`` (params ``name``, ``size`` and ``limit`` in MB)."""
    if size <= 0:
        return ValidationError("file", "empty", MSG_EMPTY_FILE, (("name", name),))
    if size > limit:
        return ValidationError("file", "too_large", MSG_TOO_LARGE,
                               (("name", name), ("size", _mb(size)), ("limit", _mb(limit))))
    return None


def clean_file_name(name: str) -> str:
    """A file name as stored: the last part of a path, NFC, trimmed; a name too long is cut
    at its stem, keeping the extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base).strip()
    if len(base) > FILE_NAME_LIMIT:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            base = stem[: FILE_NAME_LIMIT - len(ext) - 1] + "." + ext
        else:
            base = base[:FILE_NAME_LIMIT]
    return base


def validate_file_name(name: str) -> ValidationError | None:
    """None unless the name is blank or holds a control character (codes ``required``,
    ``control_character``)."""
    if not clean_file_name(name):
        return ValidationError("file_name", "required", MSG_NO_NAME)
    return validate_text("file_name", name, 10 * FILE_NAME_LIMIT)


def validate_note(note: str | None) -> ValidationError | None:
    return validate_text("note", note, NOTE_LIMIT, multiline=True)


def content_hash(data: bytes) -> str:
    """The identity of a file's content: two identical files are stored once."""
    return hashlib.sha256(data).hexdigest()


def guess_mime(name: str, data: bytes = b"") -> str:
    """The content type, by the bytes' signature for pictures, else by the name's extension."""
    head = data[:12]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF"):
        return "application/pdf"
    guessed, _ = mimetypes.guess_type(name or "", strict=False)
    return guessed or "application/octet-stream"


def is_image(mime: str | None) -> bool:
    return (mime or "") in IMAGE_TYPES


def may_remove(role: str | None, operator_id: int | None, added_by: int | None) -> bool:
    """Whoever added an attachment may remove it; so may a lead or an administrator. With no
    one signed in (a tool on the desk's own file) nothing is refused here."""
    if role is None and operator_id is None:
        return True
    if role in (OperatorRole.LEAD.value, OperatorRole.ADMIN.value):
        return True
    return operator_id is not None and operator_id == added_by
