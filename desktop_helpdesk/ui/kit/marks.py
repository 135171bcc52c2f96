"""The one palette: how each state reads, as a mark, a colour and a text, wherever it is shown.

Never colour alone: every state has its mark (● ▲ ✖ ✔ ‖ ○ ⚠) so it reads without colour too.

Every colour in the UI comes from the named colours below, each for one meaning, so "late" is
the same red in a list, a badge, a dashboard bar and a form's error line. The per-state tables
(clock states, day countdowns, coverage badges, dashboard sections, work-log kinds) are built
from them; their mark, colour and text are kept together in one `Look` per state.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import shiboken6
from PySide6.QtGui import QColor

from ...domain.coverage import CoverageBadge
from ...domain.enums import Coverage, TicketEventKind
from ...domain.sla import ClockState
from ...i18n import N_, _
from ...i18n.formatting import format_duration, format_vnd

# -- the named colours: one meaning each ------------------------------------------------
#: Wrong, refused or late: a breached clock, an overdue date, expired cover, an unpaid
#: balance, a refused ticket, a failed save, a field's error.
ERROR = "#b00020"
#: Needs attention soon: a clock at risk, a date due soon, the grace period.
WARNING = "#8a5000"
#: On track or done right: a running clock, warranty cover, a passed check, a saved change.
OK = "#1b5e20"
#: Finished, no longer counting: a met clock, an obligation done.
DONE = "#4e6874"
#: Secondary text beside the main one: labels of facts, notes, a due time under a countdown.
MUTED = "#555555"
#: A paused clock: stopped for now, greyed like secondary text.
PAUSED = MUTED
#: What to do or that there is nothing to show: "select a customer", key help, no cover.
HINT = "#5f5f5f"
#: Replaced and no longer counting: a corrected work-log entry, a day removed but not saved.
SUPERSEDED = "#686868"
#: Ordinary text where a link or a style would otherwise colour it.
TEXT = "#000000"
#: The app's accent: what takes you somewhere ("Show more…"), the tray icon.
ACCENT = "#1259ad"
#: Cover by a maintenance contract.
MAINTENANCE = "#1f5fa8"
#: A ticket the customer pays for (no cover, not refused).
BILLABLE = "#715800"
#: A day the firm set in its own calendar (not the statutory one).
FIRM_DAY = "#0d47a1"
#: Behind the match the caller lookup has selected.
HIGHLIGHT = "#fff3c4"
#: Behind a group's heading in a list of results.
HEADING_BACKGROUND = "#e8eef6"
#: Printed documents: table rules and the background of a table's heading row.
DOCUMENT_RULE = "#444444"
DOCUMENT_HEADING_BACKGROUND = "#ececec"
#: Work-log kinds: these only tell the kinds apart in a ticket's history (no state).
NOTE_KIND = "#555555"
CALL_KIND = "#1f5fa8"
REMOTE_SESSION_KIND = "#6a1b9a"
VISIT_KIND = "#186c2c"
EMAIL_KIND = "#875000"
OTHER_KIND = "#5f5f5f"


def colour_style(colour: str) -> str:
    """A stylesheet that sets a widget's text to one of the colours above."""
    return f"color: {colour};"


ERROR_STYLE = colour_style(ERROR)

#: Widgets whose style sheet is made from the colours above, with what makes it: made again
#: when the scheme switches (use_scheme), so a label set once at construction follows too.
_styled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def set_style(widget, make: Callable[[], str] | None) -> None:
    """Give `widget` the style sheet `make()` returns, now and after every switch of scheme.

    `make` reads the colours when called (``lambda: f"color: {marks.HINT}"``), never a copy
    taken at import; None clears the style sheet and forgets the widget.
    """
    if make is None:
        _styled.pop(widget, None)
        widget.setStyleSheet("")
        return
    _styled[widget] = make
    widget.setStyleSheet(make())


def set_colour(widget, name: str, extra: str = "") -> None:
    """Write `widget`'s text in the named colour ("ERROR", "HINT"…) of the current scheme."""
    set_style(widget, lambda: f"{colour_style(globals()[name])} {extra}".strip())


def _restyle() -> None:
    for widget, make in list(_styled.items()):
        if shiboken6.isValid(widget):
            widget.setStyleSheet(make())
        else:
            _styled.pop(widget, None)


def banner_style() -> str:
    """A strip across the window for a state that holds until it passes (the server lost)."""
    return f"QLabel {{ background: {HIGHLIGHT}; color: {WARNING}; padding: 6px 10px; font-weight: bold; }}"

OK_STYLE = colour_style(OK)


@dataclass(frozen=True)
class Look:
    """How one state reads: a mark that needs no colour, a colour above, and a text (N_())."""

    mark: str
    colour: str
    label: str = ""


CLOCK_LOOKS = {
    ClockState.RUNNING: Look("●", OK, N_("running")),
    ClockState.AT_RISK: Look("▲", WARNING, N_("at risk")),
    ClockState.BREACHED: Look("✖", ERROR, N_("breached")),
    ClockState.PAUSED: Look("‖", PAUSED, N_("paused")),
    ClockState.MET: Look("✔", DONE, N_("met")),
}
STATE_MARKS = {state: look.mark for state, look in CLOCK_LOOKS.items()}
STATE_COLOURS = {state: QColor(look.colour) for state, look in CLOCK_LOOKS.items()}
STATE_LABELS = {state: look.label for state, look in CLOCK_LOOKS.items()}


#: Countdowns in days (obligations, contract dates): the same marks and colours as the SLA
#: clocks' (● running, ▲ soon, ✖ overdue, ✔ done).
DAY_LOOKS = {"done": CLOCK_LOOKS[ClockState.MET], "overdue": CLOCK_LOOKS[ClockState.BREACHED],
             "soon": CLOCK_LOOKS[ClockState.AT_RISK], "running": CLOCK_LOOKS[ClockState.RUNNING]}
DAY_COLOURS = {state: QColor(look.colour) for state, look in DAY_LOOKS.items()}
DAY_MARKS = {state: look.mark for state, look in DAY_LOOKS.items()}


#: Per coverage state: a mark that reads without colour, and the colour of the badge.
BADGE_LOOKS = {"warranty": Look("✔", OK), "maintenance": Look("✔", MAINTENANCE), "grace": Look("⚠", WARNING),
               "expired": Look("✖", ERROR), "none": Look("○", HINT)}
BADGE_MARKS = {state: look.mark for state, look in BADGE_LOOKS.items()}
BADGE_COLOURS = {state: look.colour for state, look in BADGE_LOOKS.items()}


#: An unpaid balance is a refusal ground (seed 002 §5), so it turns any badge this colour.
OWES_COLOUR = ERROR


#: A ticket's entitlement verdict, by its coverage.
COVERAGE_COLOURS = {Coverage.WARRANTY: OK, Coverage.MAINTENANCE: MAINTENANCE, Coverage.BILLABLE: BILLABLE,
                    Coverage.REFUSED: ERROR}


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


#: Dashboard sections: the mark and colour of a line's countdown, the same as the ticket list's.
SECTION_LOOKS = {"breached": CLOCK_LOOKS[ClockState.BREACHED], "at_risk": CLOCK_LOOKS[ClockState.AT_RISK],
                 "due_2h": CLOCK_LOOKS[ClockState.AT_RISK], "paused": CLOCK_LOOKS[ClockState.PAUSED]}
#: A section without a look of its own reads as a running clock.
OTHER_SECTION = CLOCK_LOOKS[ClockState.RUNNING]
SECTION_COLOURS = {section: look.colour for section, look in SECTION_LOOKS.items()}
SECTION_MARKS = {section: look.mark for section, look in SECTION_LOOKS.items()}


#: Dashboard chart: clocks met and breached per day.
CHART_MET, CHART_BREACHED = OK, ERROR


#: A work-log kind's mark, which reads without colour, and its colour.
KIND_MARKS = {
    TicketEventKind.NOTE: ("✎", NOTE_KIND),
    TicketEventKind.CALL: ("☎", CALL_KIND),
    TicketEventKind.REMOTE_SESSION: ("⇄", REMOTE_SESSION_KIND),
    TicketEventKind.VISIT: ("⌂", VISIT_KIND),
    TicketEventKind.EMAIL: ("✉", EMAIL_KIND),
}
OTHER_MARK = ("•", OTHER_KIND)
CORRECTED_COLOUR = QColor(SUPERSEDED)


# -- light and dark ------------------------------------------------------------------------
#: The colours that name a meaning (not the printed documents' rules: paper is white).
SCHEMED = ("ERROR", "WARNING", "OK", "DONE", "MUTED", "HINT", "SUPERSEDED", "TEXT", "ACCENT", "MAINTENANCE",
           "BILLABLE", "FIRM_DAY", "HIGHLIGHT", "HEADING_BACKGROUND", "NOTE_KIND", "CALL_KIND",
           "REMOTE_SESSION_KIND", "VISIT_KIND", "EMAIL_KIND", "OTHER_KIND")
#: Colours written on the window, a list or a highlighted strip (the rest are backgrounds).
TEXT_COLOURS = tuple(name for name in SCHEMED if name not in ("HIGHLIGHT", "HEADING_BACKGROUND"))
BACKGROUNDS = ("HIGHLIGHT", "HEADING_BACKGROUND")
#: Each meaning in the light scheme (the values above) and in the dark one: the same hue,
#: lighter, every text colour ≥ 4.5:1 against the dark backgrounds (tests/ui/test_look.py).
LIGHT = {name: globals()[name] for name in SCHEMED}
DARK = {
    "ERROR": "#ff8f98", "WARNING": "#f0b040", "OK": "#7dcf82", "DONE": "#a3b8c2", "MUTED": "#b8b8b8",
    "HINT": "#ababab", "SUPERSEDED": "#adadad", "TEXT": "#f2f2f2", "ACCENT": "#7ab8ff", "MAINTENANCE": "#8cb8f0",
    "BILLABLE": "#dcc050", "FIRM_DAY": "#9cc2ff", "HIGHLIGHT": "#4a3c0c", "HEADING_BACKGROUND": "#2a3442",
    "NOTE_KIND": "#b8b8b8", "CALL_KIND": "#8cb8f0", "REMOTE_SESSION_KIND": "#d09cf5", "VISIT_KIND": "#7dcf82",
    "EMAIL_KIND": "#eaa84a", "OTHER_KIND": "#ababab",
}
#: The dark scheme's window (Fusion's palette there, ui/kit/theme.py; light is Fusion's own).
DARK_WINDOW = {
    "Window": "#2b2b2b", "Base": "#1e1e1e", "AlternateBase": "#262626", "ToolTipBase": "#3a3a3a",
    "PlaceholderText": "#9a9a9a", "Button": "#333333", "BrightText": "#ffffff", "Light": "#505050",
    "Midlight": "#404040", "Mid": "#4a4a4a", "Dark": "#151515", "Shadow": "#000000", "Highlight": "#2f6fb3",
    "HighlightedText": "#ffffff", "LinkVisited": "#c09cf5", "Disabled": "#8a8a8a",
}
#: Whether the dark colours are in use.
dark = False


def scheme_colours(is_dark: bool) -> dict[str, str]:
    return DARK if is_dark else LIGHT


def use_scheme(is_dark: bool) -> None:
    """Switch every named colour and the state tables to the light or dark scheme.

    The tables (CLOCK_LOOKS, STATE_COLOURS, BADGE_COLOURS…) are changed in place, so a view
    that imported them paints the new colours at its next repaint; the style sheets given
    through set_style/set_colour are made again. A single colour is read as ``marks.HINT``
    where it is painted: a name imported from here (``from .marks import HINT``) is a copy
    taken at import and would keep the scheme of that moment.
    """
    global dark, ERROR_STYLE, OK_STYLE, OWES_COLOUR, CHART_MET, CHART_BREACHED, PAUSED, OTHER_SECTION, OTHER_MARK
    dark = is_dark
    g = globals()
    g.update(scheme_colours(is_dark))
    PAUSED = g["MUTED"]
    ERROR_STYLE, OK_STYLE = colour_style(g["ERROR"]), colour_style(g["OK"])
    OWES_COLOUR = g["ERROR"]
    CHART_MET, CHART_BREACHED = g["OK"], g["ERROR"]
    CLOCK_LOOKS.update({
        ClockState.RUNNING: Look("●", g["OK"], N_("running")),
        ClockState.AT_RISK: Look("▲", g["WARNING"], N_("at risk")),
        ClockState.BREACHED: Look("✖", g["ERROR"], N_("breached")),
        ClockState.PAUSED: Look("‖", PAUSED, N_("paused")),
        ClockState.MET: Look("✔", g["DONE"], N_("met")),
    })
    STATE_COLOURS.update({state: QColor(look.colour) for state, look in CLOCK_LOOKS.items()})
    DAY_LOOKS.update({"done": CLOCK_LOOKS[ClockState.MET], "overdue": CLOCK_LOOKS[ClockState.BREACHED],
                      "soon": CLOCK_LOOKS[ClockState.AT_RISK], "running": CLOCK_LOOKS[ClockState.RUNNING]})
    DAY_COLOURS.update({state: QColor(look.colour) for state, look in DAY_LOOKS.items()})
    BADGE_LOOKS.update({"warranty": Look("✔", g["OK"]), "maintenance": Look("✔", g["MAINTENANCE"]),
                        "grace": Look("⚠", g["WARNING"]), "expired": Look("✖", g["ERROR"]),
                        "none": Look("○", g["HINT"])})
    BADGE_COLOURS.update({state: look.colour for state, look in BADGE_LOOKS.items()})
    COVERAGE_COLOURS.update({Coverage.WARRANTY: g["OK"], Coverage.MAINTENANCE: g["MAINTENANCE"],
                             Coverage.BILLABLE: g["BILLABLE"], Coverage.REFUSED: g["ERROR"]})
    SECTION_LOOKS.update({"breached": CLOCK_LOOKS[ClockState.BREACHED], "at_risk": CLOCK_LOOKS[ClockState.AT_RISK],
                          "due_2h": CLOCK_LOOKS[ClockState.AT_RISK], "paused": CLOCK_LOOKS[ClockState.PAUSED]})
    OTHER_SECTION = CLOCK_LOOKS[ClockState.RUNNING]
    SECTION_COLOURS.update({section: look.colour for section, look in SECTION_LOOKS.items()})
    KIND_MARKS.update({
        TicketEventKind.NOTE: ("✎", g["NOTE_KIND"]),
        TicketEventKind.CALL: ("☎", g["CALL_KIND"]),
        TicketEventKind.REMOTE_SESSION: ("⇄", g["REMOTE_SESSION_KIND"]),
        TicketEventKind.VISIT: ("⌂", g["VISIT_KIND"]),
        TicketEventKind.EMAIL: ("✉", g["EMAIL_KIND"]),
    })
    OTHER_MARK = ("•", g["OTHER_KIND"])
    CORRECTED_COLOUR.setRgba(QColor(g["SUPERSEDED"]).rgba())
    _restyle()
