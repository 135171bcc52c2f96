"""A change request (yêu cầu thay đổi): written, quoted, approved, billed (seed 001).

Seed 001: "Nếu khách hàng muốn thay đổi hoặc bổ sung dịch vụ thì phải thông báo cho người
cung cấp dịch vụ bằng văn bản và phải trả thêm" — a change or addition is asked for *in
writing* and is *paid extra*; its process (Bước 2 → Bước 4) agrees the price before the work
starts ("thỏa thuận về giá cả" then "tiến hành triển khai công việc"). So a change-request
ticket holds:

* the written request: the customer's text, typed in (an attachment of the scanned letter
  can be added beside it);
* the quote: whole đồng, more than zero;
* the customer's approval date: not before the ticket was received, not in the future, and
  only with a written request and a quote (an approval of nothing is not an approval).

Its coverage is always billable (:mod:`.entitlement`, rule 2). Work does not start before
the approval: the ticket cannot be put *in progress* or *resolved* until the request is
approved (:func:`work_refusal`). Proposing the solution (the quote is that proposal),
waiting on the customer and closing a request the customer declined stay allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .enums import N_, RequestType, TicketStatus
from .text import normalize
from .validation import (
    LONG_TEXT,
    MAX_MONEY_VND,
    MSG_MONEY_NEGATIVE,
    MSG_MONEY_NOT_INTEGER,
    MSG_MONEY_TOO_LARGE,
    ValidationError,
    validate_text,
)

__all__ = ["ChangeRequest", "change_request_problems", "work_refusal", "WORK_STATUSES"]

MSG_WRITTEN_REQUIRED = N_("Type the customer's written request (or its exact words).")
MSG_QUOTE_POSITIVE = N_("The quote must be more than zero đồng.")
MSG_APPROVAL_NEEDS_QUOTE = N_("The customer can approve only a written request with a quote.")
MSG_APPROVAL_IN_FUTURE = N_("The approval date is in the future.")
MSG_APPROVAL_BEFORE_REQUEST = N_("The approval date is before the request was received.")
# Short: it is shown beside the status field; the form's row says what is missing.
MSG_WORK_BEFORE_APPROVAL = N_("Work starts after the customer approves the quote.")

#: The statuses that mean the vendor works on (or has done) the change.
WORK_STATUSES = (TicketStatus.IN_PROGRESS.value, TicketStatus.RESOLVED.value)


@dataclass(frozen=True)
class ChangeRequest:
    """The change-request part of a ticket; ``quote_vnd`` None until quoted."""

    request_text: str = ""
    quote_vnd: int | None = None
    approved_on: date | None = None

    @property
    def approved(self) -> bool:
        return bool(normalize(self.request_text)) and bool(self.quote_vnd) and self.approved_on is not None


def change_request_problems(cr: ChangeRequest, today: date, received_on: date | None = None) -> list[ValidationError]:
    """Every problem of ``cr``, one per field (empty when it can be saved)."""
    errors: list[ValidationError] = []
    text = normalize(cr.request_text or "")
    if not text:
        errors.append(ValidationError("request_text", "required", MSG_WRITTEN_REQUIRED))
    else:
        err = validate_text("request_text", cr.request_text, LONG_TEXT, multiline=True)
        if err is not None:
            errors.append(err)
    quote = cr.quote_vnd
    if quote is not None:
        if isinstance(quote, bool) or not isinstance(quote, int):
            errors.append(ValidationError("quote_vnd", "money_not_integer", MSG_MONEY_NOT_INTEGER))
        elif quote < 0:
            errors.append(ValidationError("quote_vnd", "money_negative", MSG_MONEY_NEGATIVE))
        elif quote == 0:
            errors.append(ValidationError("quote_vnd", "quote_not_positive", MSG_QUOTE_POSITIVE))
        elif quote > MAX_MONEY_VND:
            errors.append(ValidationError("quote_vnd", "money_too_large", MSG_MONEY_TOO_LARGE))
    if cr.approved_on is not None:
        if not text or not quote:
            errors.append(ValidationError("approved_on", "approval_needs_quote", MSG_APPROVAL_NEEDS_QUOTE))
        elif cr.approved_on > today:
            errors.append(ValidationError("approved_on", "in_future", MSG_APPROVAL_IN_FUTURE))
        elif received_on is not None and cr.approved_on < received_on:
            errors.append(ValidationError("approved_on", "before_request", MSG_APPROVAL_BEFORE_REQUEST))
    return errors


def work_refusal(request_type: str, new_status: str, cr: ChangeRequest | None) -> ValidationError | None:
    """The refusal to start (or finish) work on a change request not yet approved; None
    when allowed. Every path that moves a ticket's status asks it."""
    if request_type != RequestType.CHANGE_REQUEST.value or new_status not in WORK_STATUSES:
        return None
    if cr is not None and cr.approved:
        return None
    return ValidationError("status", "change_not_approved", MSG_WORK_BEFORE_APPROVAL)
