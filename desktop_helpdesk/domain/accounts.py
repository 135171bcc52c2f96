"""Operators' accounts: what each role may change, the user-name and password rules, and how
long a sign-in waits after wrong passwords. Pure rules: the services enforce them on a local
file, and the team server's GRANTs enforce the same on PostgreSQL (db/roles.py)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from enum import Enum

from .enums import OperatorRole
from .validation import N_, ValidationError


class Permission(str, Enum):
    """What a role may do beyond the daily work (customers, contracts, tickets, work log),
    which every signed-in operator may do."""

    PACKAGES = "packages"  # create, rename, retire packages; their SLA terms
    CALENDAR = "calendar"  # the firm's days off and working week
    COMPANY = "company"  # the vendor details printed on documents
    OPERATORS = "operators"  # create, disable, reset passwords, change roles
    RESTORE = "restore"  # put a backup back in place of the data (everyone's work since is gone)
    REPORTS = "reports"  # the SLA reports: every operator's compliance and workload (issue #16)

    @property
    def label(self) -> str:
        return {
            Permission.PACKAGES: N_("change packages and their terms"),
            Permission.CALENDAR: N_("change the support calendar"),
            Permission.COMPANY: N_("change the company details"),
            Permission.OPERATORS: N_("manage operators"),
            Permission.RESTORE: N_("restore a backup"),
            Permission.REPORTS: N_("see the SLA reports"),
        }[self]


#: Leads and administrators run the desk; hotline operators and technicians do the daily work.
GRANTED: dict[str, frozenset[Permission]] = {
    OperatorRole.HOTLINE.value: frozenset(),
    OperatorRole.TECHNICIAN.value: frozenset(),
    OperatorRole.LEAD.value: frozenset({Permission.PACKAGES, Permission.CALENDAR, Permission.COMPANY,
                                        Permission.REPORTS}),
    OperatorRole.ADMIN.value: frozenset(Permission),
}


def may(role: str | None, permission: Permission) -> bool:
    return permission in GRANTED.get(role or "", frozenset())


# -- user names and passwords -------------------------------------------------------------
MIN_PASSWORD = 8
MAX_PASSWORD = 128
LOGIN_PATTERN = re.compile(r"[a-z][a-z0-9._-]{1,62}")

MSG_LOGIN = N_("Use 2 to 63 letters without accents, digits, '.', '_' or '-', starting with a letter (e.g. lan.nguyen).")
MSG_PASSWORD_SHORT = N_("The password needs at least {min} characters.")
MSG_PASSWORD_LONG = N_("The password may have at most {max} characters.")
MSG_PASSWORD_CONTROL = N_("The password cannot contain control characters.")


def normal_login(text: str) -> str:
    """A user name as stored and compared: trimmed, lower case (it is also the team server's
    login role, which PostgreSQL folds to lower case when unquoted)."""
    return unicodedata.normalize("NFC", (text or "").strip()).lower()


def validate_login(field: str, text: str) -> ValidationError | None:
    if not LOGIN_PATTERN.fullmatch(normal_login(text)):
        return ValidationError(field, "login", MSG_LOGIN)
    return None


def validate_password(field: str, password: str) -> ValidationError | None:
    """Length only (NIST SP 800-63B: no composition rules), counted in characters after NFC,
    and no control characters (they cannot be typed back at the sign-in box)."""
    text = unicodedata.normalize("NFC", password or "")
    if len(text) < MIN_PASSWORD:
        return ValidationError(field, "too_short", MSG_PASSWORD_SHORT, (("min", MIN_PASSWORD),))
    if len(text) > MAX_PASSWORD:
        return ValidationError(field, "too_long", MSG_PASSWORD_LONG, (("max", MAX_PASSWORD),))
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        return ValidationError(field, "control", MSG_PASSWORD_CONTROL)
    return None


def normal_password(password: str) -> str:
    """What is hashed: the NFC form (a Vietnamese tone typed as a combining mark on one
    keyboard and precomposed on another is the same password)."""
    return unicodedata.normalize("NFC", password or "")


# -- slowing down guessing ------------------------------------------------------------------
#: Wrong passwords in a row that are free; each one after doubles the wait, up to the cap.
FREE_FAILURES = 3
FIRST_WAIT = timedelta(seconds=5)
MAX_WAIT = timedelta(minutes=5)


def sign_in_wait(failures: int) -> timedelta:
    """How long after the last wrong password the next try is taken."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(MAX_WAIT, FIRST_WAIT * (2 ** (failures - FREE_FAILURES)))


def next_try_at(failures: int, last_failed_at: datetime | None) -> datetime | None:
    """When the next try is taken (None: now)."""
    wait = sign_in_wait(failures)
    if not wait or last_failed_at is None:
        return None
    return last_failed_at + wait
