"""The one palette: how each state reads, as a mark, a colour and a text, wherever it is shown.

Never colour alone: every state has its mark (● ▲ ✖ ✔ ‖ ○ ⚠) so it reads without colour too."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtGui import QColor

from ...domain.coverage import CoverageBadge
from ...domain.sla import ClockState
from ...i18n import N_, _
from ...i18n.formatting import format_duration, format_vnd

ERROR_STYLE = "color: #b00020;"
STATE_MARKS = {ClockState.RUNNING: "●", ClockState.AT_RISK: "▲", ClockState.BREACHED: "✖",
               ClockState.PAUSED: "‖", ClockState.MET: "✔"}


STATE_COLOURS = {ClockState.RUNNING: QColor("#1b5e20"), ClockState.AT_RISK: QColor("#a15c00"),
                 ClockState.BREACHED: QColor("#b00020"), ClockState.PAUSED: QColor("#555555"),
                 ClockState.MET: QColor("#607d8b")}


STATE_LABELS = {ClockState.RUNNING: N_("running"), ClockState.AT_RISK: N_("at risk"), ClockState.BREACHED: N_("breached"),
                ClockState.PAUSED: N_("paused"), ClockState.MET: N_("met")}


#: Countdowns in days (obligations, contract dates): per state, a mark that reads without
#: colour and a colour, the same marks as the SLA clocks' (● running, ▲ soon, ✖ overdue, ✔ done).
DAY_COLOURS = {"done": QColor("#607d8b"), "overdue": QColor("#b00020"), "soon": QColor("#a15c00"),
               "running": QColor("#1b5e20")}


DAY_MARKS = {"done": "✔", "overdue": "✖", "soon": "▲", "running": "●"}


#: Per coverage state: a mark that reads without colour, and the colour of the badge.
BADGE_MARKS = {"warranty": "✔", "maintenance": "✔", "grace": "⚠", "expired": "✖", "none": "○"}
BADGE_COLOURS = {"warranty": "#1b7a32", "maintenance": "#1f5fa8", "grace": "#9a5b00", "expired": "#b00020",
                 "none": "#666666"}


#: An unpaid balance is a refusal ground (seed 002 §5), so it turns any badge this colour.
OWES_COLOUR = "#b00020"


def badge_text(badge: CoverageBadge, mark: bool = True) -> str:
    """ "✔ Bảo hành còn 143 ngày · Còn nợ 3.000.000 ₫" / "✔ Warranty: 143 days left · Owes ₫3,000,000"."""
    duration = format_duration(timedelta(days=badge.days))
    warranty = badge.service == "warranty"
    if badge.state in ("warranty", "maintenance") and badge.days == 0:
        text = _("Warranty: last day today") if warranty else _("Maintenance: last day today")
    elif badge.state == "warranty":
        text = _("Warranty: {duration} left").format(duration=duration)
    elif badge.state == "maintenance":
        text = _("Maintenance: {duration} left").format(duration=duration)
    elif badge.state == "grace":
        text = (_("Warranty expired {duration} ago – in grace period") if warranty
                else _("Maintenance expired {duration} ago – in grace period")).format(duration=duration)
    elif badge.state == "expired":
        text = (_("Warranty expired {duration} ago – beyond the grace period") if warranty
                else _("Maintenance expired {duration} ago – beyond the grace period")).format(duration=duration)
    else:
        text = _("No warranty or maintenance")
    if badge.owes:
        text += " · " + _("Owes {amount}").format(amount=format_vnd(badge.outstanding_vnd))
    return f"{BADGE_MARKS[badge.state]} {text}" if mark else text


def badge_colour(badge: CoverageBadge) -> str:
    return OWES_COLOUR if badge.owes else BADGE_COLOURS[badge.state]


SECTION_COLOURS = {"breached": "#b00020", "at_risk": "#a15c00", "due_2h": "#a15c00", "paused": "#555555"}


#: The mark of a line's countdown, the same as the ticket list's (reads without colour).
SECTION_MARKS = {"breached": "✖", "at_risk": "▲", "due_2h": "▲", "paused": "‖"}
