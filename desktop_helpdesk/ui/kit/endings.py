"""How an early end reads (issue #16): a customer's or a contract's coverage badge in the
``terminated`` state, and an obligation the termination cancelled.

Each has its own mark, so it reads without colour too, a colour from the one palette
(:mod:`.marks`, read when painted so a light/dark switch shows at the next repaint) and a
text. :func:`coverage_text` and :func:`coverage_colour` answer every badge state: the
terminated one here, the others as :func:`.marks.badge_text` and :func:`.marks.badge_colour`
do, so a view calls these two and shows whatever the badge is.

(Kept beside marks.py while issue #19 reworks its colours; its ``terminated`` look belongs
in ``BADGE_LOOKS`` and :func:`.marks.badge_text` once that has landed.)
"""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QColor

from ...domain.coverage import CoverageBadge
from ...i18n import _
from ...i18n.formatting import format_date, format_vnd
from . import marks

#: A contract ended early: no coverage from the day after, help is billed (not refused).
TERMINATED_MARK = "⊘"
#: An obligation that stopped because its contract ended before it fell due.
CANCELLED_MARK = "⊘"


def coverage_text(badge: CoverageBadge, mark: bool = True) -> str:
    """ "⊘ Đã chấm dứt ngày 15/11/2026: không còn bảo hành, bảo trì" / "⊘ Terminated on Nov 15,
    2026: no warranty or maintenance"; any other state as marks.badge_text says it."""
    if badge.state != "terminated":
        return marks.badge_text(badge, mark)
    text = _("Terminated on {date}: no warranty or maintenance").format(date=format_date(badge.terminated_on))
    if badge.owes:
        text += " · " + _("Owes {amount}").format(amount=format_vnd(badge.outstanding_vnd))
    return f"{TERMINATED_MARK} {text}" if mark else text


def coverage_colour(badge: CoverageBadge) -> str:
    """The badge's colour: a termination bills help (the billable colour); unpaid turns any
    badge the error colour."""
    if badge.state != "terminated":
        return marks.badge_colour(badge)
    return marks.OWES_COLOUR if badge.owes else marks.BILLABLE


def cancelled_text(cancelled_on: date, short: bool = False) -> str:
    """ "⊘ Đã hủy" (a countdown cell) or "⊘ Đã hủy: hợp đồng kết thúc ngày 15/11/2026"."""
    if short:
        return CANCELLED_MARK + " " + _("Cancelled")
    return f"{CANCELLED_MARK} " + _("Cancelled: the contract ended on {date}").format(date=format_date(cancelled_on))


def cancelled_colour() -> QColor:
    """No longer counting, neither done nor late: the superseded grey."""
    return QColor(marks.SUPERSEDED)
