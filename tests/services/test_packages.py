"""Packages through the services: create, rename and retire; a retired package stays on the
contracts that have it, with its terms, and is not sold again."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.errors import ConcurrentEditError, DuplicateError
from desktop_helpdesk.services import catalog, contracts, customers
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData
from desktop_helpdesk.services.errors import ValidationFailed

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)


def _data(code="SPOS", name="Phần mềm bán hàng SmartPOS", months=6):
    return PackageData(0, code, name, months, "office", 240, 24, 48, 72, True, 15_000_000)


@pytest.fixture
def ctx(engine):
    return make_context(uow_factory(engine), lambda: NOW)


def test_a_new_package_is_on_sale_with_its_terms_and_its_code_is_unique(ctx):
    pid = catalog.add_package(ctx, _data(code=" spos ", name="  Phần mềm bán hàng   SmartPOS "))
    [p] = catalog.packages(ctx)
    assert (p.id, p.code, p.name, p.warranty_months, p.active) == (pid, "SPOS", "Phần mềm bán hàng SmartPOS", 6, True)
    with pytest.raises(DuplicateError) as dup:
        catalog.add_package(ctx, _data(code="spos", name="Another"))
    assert dup.value.field == "code"
    with pytest.raises(ValidationFailed) as bad:
        catalog.add_package(ctx, _data(code="", name="x" * 201))
    assert {e.field for e in bad.value.errors} == {"code", "name"}
    with pytest.raises(ValidationFailed):
        catalog.add_package(ctx, PackageData(0, "K", "Kế toán", 0, "office", 240, 24, 48, 72, True, 0))
    assert len(catalog.packages(ctx)) == 1  # nothing half-written


def test_rename_checks_the_version_and_the_contracts_show_the_new_name(ctx):
    pid = catalog.add_package(ctx, _data())
    cid = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=1_000_000,
                                                     request_received_on=date(2026, 1, 5)))
    p = catalog.packages(ctx)[0]
    catalog.rename_package(ctx, pid, p.version, "SPOS2", "SmartPOS 2")
    assert contracts.get_contract(ctx, kid).package_name == "SmartPOS 2"
    with pytest.raises(ConcurrentEditError):  # renamed by someone else since this version was read
        catalog.rename_package(ctx, pid, p.version, "SPOS3", "SmartPOS 3")
    other = catalog.add_package(ctx, _data(code="KT", name="Kế toán"))
    with pytest.raises(DuplicateError):
        catalog.rename_package(ctx, other, None, "SPOS2", "Kế toán")


def test_a_retired_package_stays_on_its_contracts_with_its_terms_and_is_not_sold_again(ctx):
    pid = catalog.add_package(ctx, _data(months=6))
    cid = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    draft = ContractDraft(customer_id=cid, package_id=pid, value_vnd=1_000_000, request_received_on=date(2026, 1, 5),
                          accepted_on=date(2026, 2, 1))
    kid = contracts.save_contract(ctx, draft)
    p = catalog.packages(ctx)[0]
    catalog.set_package_retired(ctx, pid, p.version, True)
    assert catalog.packages(ctx) == []  # not offered to new contracts
    [retired] = catalog.packages(ctx, include_retired=True)
    assert not retired.active
    details = contracts.get_contract(ctx, kid)
    assert (details.package_name, details.package_active) == ("Phần mềm bán hàng SmartPOS", False)
    # The contract saves again with its package, and its warranty still counts the package's 6 months.
    contracts.save_contract(ctx, details.draft, kid, details.version)
    assert contracts.get_contract(ctx, kid).warranty_end == date(2026, 8, 1)
    # A new contract, or a contract moved to it, is refused.
    with pytest.raises(ValidationFailed) as refused:
        contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, request_received_on=date(2026, 3, 1)))
    assert [e.code for e in refused.value.errors] == ["retired"]
    other = catalog.add_package(ctx, _data(code="KT", name="Kế toán"))
    kid2 = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=other,
                                                      request_received_on=date(2026, 3, 1)))
    moved = contracts.get_contract(ctx, kid2)
    with pytest.raises(ValidationFailed):
        contracts.save_contract(ctx, moved.draft.__class__(**{**moved.draft.__dict__, "package_id": pid}), kid2,
                                moved.version)
    # On sale again.
    catalog.set_package_retired(ctx, pid, retired.version, False)
    assert {p.id for p in catalog.packages(ctx)} == {other, pid}
