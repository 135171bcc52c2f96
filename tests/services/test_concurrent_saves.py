"""Saves with no version of their own before issue #12 (package terms, the vendor's
details): the second of two desks that read the same state is refused, not a silent wipe."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop_helpdesk.domain.errors import ConcurrentEditError
from desktop_helpdesk.services import catalog

from tests.factories import warranty_ticket


def test_the_second_of_two_package_terms_saves_read_together_is_refused(ctx):
    warranty_ticket(ctx)
    read = catalog.packages(ctx)[0]
    catalog.update_package_terms(ctx, replace(read, proposal_target_minutes=60))
    with pytest.raises(ConcurrentEditError):
        catalog.update_package_terms(ctx, replace(read, fix_target_hours=12))
    stored = catalog.packages(ctx)[0]
    assert (stored.proposal_target_minutes, stored.fix_target_hours) == (60, 24)
    catalog.update_package_terms(ctx, replace(stored, fix_target_hours=12))  # read again: saved
    assert catalog.packages(ctx)[0].fix_target_hours == 12


def test_the_second_of_two_vendor_saves_read_together_is_refused(ctx):
    read = catalog.vendor(ctx)  # nothing stored yet
    catalog.set_vendor(ctx, read, name="Công ty Sao Việt", hotline="1900 1234")
    with pytest.raises(ConcurrentEditError):
        catalog.set_vendor(ctx, read, name="Công ty Sao Mai", hotline="")
    assert catalog.vendor(ctx)["name"] == "Công ty Sao Việt"
    again = catalog.vendor(ctx)
    catalog.set_vendor(ctx, again, name="Công ty Sao Mai", hotline="1900 1234")
    assert catalog.vendor(ctx)["name"] == "Công ty Sao Mai"


def test_a_vendor_detail_changed_meanwhile_is_not_overwritten_by_an_unchanged_form_value(ctx):
    catalog.set_vendor(ctx, catalog.vendor(ctx), name="Công ty Sao Việt", hotline="1900 1234")
    read = catalog.vendor(ctx)
    catalog.set_vendor(ctx, read, hotline="1900 5555")
    with pytest.raises(ConcurrentEditError):  # this desk changes only the name, but would write the old hotline
        catalog.set_vendor(ctx, read, name="Công ty Sao Mai", hotline=read["hotline"])
    assert catalog.vendor(ctx)["hotline"] == "1900 5555"
