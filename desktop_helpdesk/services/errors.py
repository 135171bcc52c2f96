"""Errors the use cases raise for the UI to explain (the domain's own errors pass through)."""

from __future__ import annotations

from ..domain import validation as v


class ValidationFailed(Exception):
    """The draft breaks a rule; `errors` are domain ValidationErrors (translated by the UI)."""

    def __init__(self, errors):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = tuple(errors)


def check(errors) -> None:
    """Raise ValidationFailed with every error found (None entries are rules that held)."""
    found = [e for e in errors if e is not None]
    if found:
        raise ValidationFailed(found)


MSG_NOT_POSITIVE = v.N_("Enter a number above zero.")
MSG_PACKAGE_RETIRED = v.N_("This package is no longer sold. Choose another package; contracts that have it keep it.")
