"""No customer data in the log after a failed save (issue #14): the save's SQL goes to the log
with its traceback, its parameters never; the server's own message, which may quote a value,
is stripped of it (db/engine.py)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from desktop_helpdesk.services import customers
from desktop_helpdesk.services.dto import ContactData, CustomerDraft
from desktop_helpdesk.ui.kit.errors import failure_message

PHONE, EMAIL, NOTE, NAME = "0912 345 678", "chu.tiem@kimhoa.vn", "Khách VIP, nợ 3.500.000 đ", "Tiệm vàng Kim Hoa Ngọc Bích"


def _refuse_customers(engine, how: str) -> None:
    """Every insert of a customer fails in the database itself: a constraint another program
    added (PostgreSQL's DETAIL then quotes the whole failing row), or its trigger quoting the
    new row in its own words."""
    with engine.begin() as conn:
        if how == "check":
            if engine.dialect.name == "postgresql":
                conn.execute(text("ALTER TABLE customers ADD CONSTRAINT short_names CHECK (length(name) < 5) NOT VALID"))
            else:
                conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON customers WHEN length(new.name) >= 5 BEGIN "
                                  "SELECT RAISE(ABORT, 'CHECK constraint failed: short_names'); END"))
        elif engine.dialect.name == "postgresql":
            conn.execute(text("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                              "RAISE EXCEPTION 'refused: % %', NEW.name, NEW.phone; END $$"))
            conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION refuse()"))
        else:
            conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON customers BEGIN "
                              "SELECT RAISE(ABORT, 'refused: ' || new.name || ' ' || new.phone); END"))


@pytest.mark.allow_log_errors
@pytest.mark.parametrize("how", ["check", "trigger"])
def test_a_failed_save_leaves_no_customer_data_in_the_log(ctx, engine, caplog, how):
    if how == "trigger" and engine.dialect.name == "sqlite":
        pytest.skip("SQLite's RAISE text is the program's own; there is no server message to clean")
    _refuse_customers(engine, how)
    draft = CustomerDraft(name=NAME, kind="household", phone=PHONE, email=EMAIL, notes=NOTE,
                          contacts=(ContactData(None, "Ngô Thị Bích", phone="0987 654 321", email="bich@kimhoa.vn"),))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Exception) as failed:
        customers.save_customer(ctx, draft)
    message = failure_message("The customer could not be saved.", failed.value)
    records = [r for r in caplog.records if r.exc_info]
    assert records, "the failure was not logged with its traceback"
    logged = "\n".join(logging.Formatter("%(message)s").format(r) for r in caplog.records)
    assert "INSERT INTO customers" in logged  # the statement is there, for whoever reads the log
    for secret in (PHONE.replace(" ", ""), "912345678", EMAIL, NOTE, NAME, "Ngô Thị Bích", "bich@kimhoa.vn"):
        assert secret not in logged, secret
        assert secret not in message
    with ctx.uow() as uow:
        assert uow.customers.count() == 0  # nothing half-written
