"""A failure the user cannot fix: written to the log with its traceback, shown as one short
message in the user's language that says where the details are.

The log entry and the message come from one call, so no window can say "the details are in
the log file" while nothing was logged (the main window's message for a list that failed to
load did exactly that). An exception is logged once however many hands it passes through:
the worker, a view that reports it, the window that shows it.
"""

from __future__ import annotations

import logging

from ...domain.accounts import Permission
from ...domain.errors import NotAllowed
from ...i18n import N_, _

log = logging.getLogger("desktop_helpdesk.ui")

#: The sentence every such message ends with.
SEE_THE_LOG = N_("The details are in the log file.")

_LOGGED = "_desktop_helpdesk_logged"


def log_failure(what: str, exc: BaseException, logger: logging.Logger | None = None) -> None:
    """Write ``exc`` with its traceback to the log under ``what`` (English, for whoever reads
    the log), unless it was logged already."""
    if getattr(exc, _LOGGED, False):
        return
    (logger or log).error("%s", what, exc_info=exc)
    try:
        setattr(exc, _LOGGED, True)
    except AttributeError:  # an exception without a __dict__: at worst it is logged twice
        pass


def failure_message(what: str, exc: BaseException, logger: logging.Logger | None = None) -> str:
    """Log ``exc`` (see `log_failure`) and return the message to show: ``what`` translated,
    then "The details are in the log file.". ``what`` is the source text marked with N_(),
    e.g. ``failure_message(N_("The search failed."), exc)``; it is also the log entry's text."""
    if isinstance(exc, NotAllowed):  # not a failure: the role's rights; nothing to log but the fact
        (logger or log).info("%s: refused by the role's rights (%s)", what, exc.permission or "server")
        return f"{_(what)} {not_allowed_text(exc)}"
    log_failure(what, exc, logger)
    return f"{_(what)} {_(SEE_THE_LOG)}"


def not_allowed_text(exc: NotAllowed) -> str:
    """Why a role was refused, in the user's language."""
    if exc.permission in {p.value for p in Permission}:
        return _("Your role does not allow you to {what}. Ask a support lead or an administrator.").format(
            what=_(Permission(exc.permission).label))
    return _("The team server refused this for your account. Ask a support lead or an administrator.")
