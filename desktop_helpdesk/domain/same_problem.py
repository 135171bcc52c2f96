"""Whether a new ticket repeats one the customer already has open: the new-ticket form's
warning "this customer already has an open ticket on this" (issue #16).

An open ticket is about the same problem when its subject is similar (domain/similarity.py:
the overlap of folded meaning words, the one rule every place uses); it is worth a mention
when it is only of the same kind (an incident while another incident is open). Similar
subjects come first, the most similar first.

    >>> same_problem("incident", "Không in được hoá đơn", "how_to", "khong in duoc hoa don GTGT")
    'similar'
    >>> same_problem("incident", "Máy in kẹt giấy", "incident", "Cài đặt máy mới")
    'same_kind'
    >>> same_problem("incident", "Máy in kẹt giấy", "how_to", "Cài đặt phần mềm")
    ''
"""
from __future__ import annotations

from .similarity import is_similar, similarity

SIMILAR, SAME_KIND = "similar", "same_kind"

#: A type that says nothing about the problem: "other" beside "other" is no repeat.
_VAGUE_TYPES = frozenset({"other"})


def same_problem(request_type: str, subject: str, open_type: str, open_subject: str) -> str:
    """SIMILAR, SAME_KIND or "" for an open ticket (`open_type`, `open_subject`) against the
    new one (`request_type`, `subject`)."""
    if is_similar(subject, open_subject):
        return SIMILAR
    if request_type and request_type == open_type and request_type not in _VAGUE_TYPES:
        return SAME_KIND
    return ""


def repeats(request_type: str, subject: str, open_tickets, limit: int = 3) -> list[tuple[object, str]]:
    """The open tickets (objects with `request_type` and `subject`) the new one may repeat,
    as (ticket, reason): similar subjects first (most similar first), then the same kind in
    the order given; at most `limit`."""
    found = []
    for i, t in enumerate(open_tickets):
        reason = same_problem(request_type, subject, t.request_type, t.subject)
        if reason:
            score = similarity(subject, t.subject) if reason == SIMILAR else 0.0
            found.append(((reason != SIMILAR, -score, i), t, reason))
    found.sort(key=lambda f: f[0])
    return [(t, reason) for _key, t, reason in found[:limit]]
