"""Caller verification through the services, on both engines: answers stored as argon2id,
old PBKDF2 answers still checked and upgraded after a good answer, and at most
MAX_FAILED_ATTEMPTS wrong answers per customer in an hour, on every desk."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from argon2.profiles import CHEAPEST
from sqlalchemy import text

from desktop_helpdesk.db.engine import open_database
from desktop_helpdesk.db.repositories.verification import ADVISORY_LOCK_CLASS
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.verification import (
    MAX_FAILED_ATTEMPTS,
    hash_answer,
    normalize_answer,
)
from desktop_helpdesk.services import catalog, customers, tickets
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import CustomerDraft, OperatorDraft
from tests.factories import Clock, warranty_ticket

START = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)  # 15:00 in Hà Nội
ANSWER = "Nguyễn Thị Hoa"


def old_pbkdf2_hash(answer: str) -> str:
    """The answer hashed exactly as the code before issue #13 stored it."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", normalize_answer(answer).encode("utf-8"), salt, 100_000)
    return f"pbkdf2_sha256$100000${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


@pytest.fixture
def clock():
    return Clock(START)


@pytest.fixture
def desk(engine, clock):
    ctx = make_context(uow_factory(engine, clock), clock)
    ticket_id = warranty_ticket(ctx)
    customer_id = tickets.get_ticket(ctx, ticket_id).draft.customer_id
    operator_id = catalog.add_operator(ctx, OperatorDraft("", "Trần Văn Lâm", "Lâm", "operator"))
    qid = customers.add_verification_question(ctx, customer_id, "Ai ký hợp đồng?", ANSWER)
    return ctx, customer_id, ticket_id, operator_id, qid


def stored_hash(engine, qid: int) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT answer_hash FROM verification_questions WHERE id = :id"), {"id": qid}).scalar()


def set_stored_hash(engine, qid: int, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE verification_questions SET answer_hash = :h WHERE id = :id"), {"h": value, "id": qid})


def attempts(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT question_id, operator_id, matched FROM verification_attempts ORDER BY id"))]


def test_a_new_answer_is_stored_as_argon2id_and_checked_loosely(desk, engine):
    ctx, _cid, _tid, operator_id, qid = desk
    stored = stored_hash(engine, qid)
    assert stored.startswith("$argon2id$") and "Hoa" not in stored
    good = customers.verify_answer(ctx, qid, "  nguyen thi HOA ", None, operator_id)
    assert good.matched is True and good.locked_until is None
    bad = customers.verify_answer(ctx, qid, "Nguyễn Thị Hoà Bình", None, operator_id)
    assert bad.matched is False and bad.tries_left == MAX_FAILED_ATTEMPTS - 1
    # each check is kept as evidence: who, which question, the outcome (never the answer)
    assert [(q, o, bool(m)) for q, o, m in attempts(engine)] == [(qid, operator_id, True), (qid, operator_id, False)]
    assert stored_hash(engine, qid) == stored  # a current hash is not rewritten


def test_an_answer_stored_with_pbkdf2_still_checks_and_becomes_argon2id_after_a_good_answer(desk, engine):
    ctx, _cid, ticket_id, operator_id, qid = desk
    old = old_pbkdf2_hash(ANSWER)
    set_stored_hash(engine, qid, old)
    assert customers.verify_answer(ctx, qid, "Trần Thị Hoa", ticket_id, operator_id).matched is False
    assert stored_hash(engine, qid) == old  # a wrong answer proves nothing: nothing to rehash with
    assert customers.verify_answer(ctx, qid, "NGUYEN THI HOA", ticket_id, operator_id).matched is True
    new = stored_hash(engine, qid)
    assert new.startswith("$argon2id$") and new != old
    assert customers.verify_answer(ctx, qid, "nguyễn thị hoa", ticket_id, operator_id).matched is True
    assert customers.verify_answer(ctx, qid, "Trần Thị Hoa", ticket_id, operator_id).matched is False
    outcomes = [e.new_value for e in tickets.get_ticket(ctx, ticket_id).history if e.kind == "verification"]
    assert outcomes == ["no_match", "match", "match", "no_match"]


def test_an_argon2_hash_with_outdated_parameters_is_replaced_after_a_good_answer(desk, engine):
    ctx, _cid, _tid, operator_id, qid = desk
    weak = hash_answer(ANSWER, parameters=CHEAPEST)
    set_stored_hash(engine, qid, weak)
    assert customers.verify_answer(ctx, qid, ANSWER, None, operator_id).matched is True
    new = stored_hash(engine, qid)
    assert new != weak and new.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_sixth_answer_within_an_hour_is_refused_even_when_right_and_an_hour_later_it_is_checked(
        desk, engine, clock):
    ctx, cid, ticket_id, operator_id, qid = desk
    old = old_pbkdf2_hash(ANSWER)
    set_stored_hash(engine, qid, old)
    second = customers.add_verification_question(ctx, cid, "Tên cửa hàng đầu tiên?", "Kim Hoa")
    left = []
    for n in range(MAX_FAILED_ATTEMPTS):
        clock.now = START + timedelta(minutes=n)
        outcome = customers.verify_answer(ctx, (qid, second)[n % 2], "Lê Văn Tám", ticket_id, operator_id)
        assert outcome.matched is False
        left.append(outcome.tries_left)
    assert left == [4, 3, 2, 1, 0]
    assert outcome.locked_until == START + timedelta(hours=1)  # when the first wrong answer is an hour old

    clock.now = START + timedelta(minutes=20)
    for question, answer in ((qid, ANSWER), (second, "Kim Hoa")):  # every question of the customer
        refused = customers.verify_answer(ctx, question, answer, ticket_id, operator_id)
        assert (refused.matched, refused.tries_left, refused.locked_until) == (None, 0, START + timedelta(hours=1))
    assert stored_hash(engine, qid) == old  # not compared, so not rehashed
    asked = customers.questions_to_ask(ctx, cid)
    assert asked.locked_until == START + timedelta(hours=1) and len(asked.questions) == 2
    # the refusals are evidence too, but the ticket's history records only real checks
    assert [m for _q, _o, m in attempts(engine)][-2:] == [None, None]
    history = [e.new_value for e in tickets.get_ticket(ctx, ticket_id).history if e.kind == "verification"]
    assert history == ["no_match"] * MAX_FAILED_ATTEMPTS

    clock.now = START + timedelta(hours=1) - timedelta(seconds=1)
    assert customers.verify_answer(ctx, qid, ANSWER, ticket_id, operator_id).matched is None
    clock.now = START + timedelta(hours=1)
    assert customers.questions_to_ask(ctx, cid).locked_until is None
    good = customers.verify_answer(ctx, qid, ANSWER, ticket_id, operator_id)
    assert good.matched is True and good.tries_left == 1  # four wrong answers of the hour still count
    assert stored_hash(engine, qid).startswith("$argon2id$")


def test_the_limit_holds_on_another_desk_and_after_a_restart_but_not_for_another_customer(
        desk, engine, migrated_db_url, clock):
    ctx, _cid, _tid, operator_id, qid = desk
    for _ in range(MAX_FAILED_ATTEMPTS):
        customers.verify_answer(ctx, qid, "sai", None, operator_id)
    other_id = customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH Hoa Mai", kind="company"))
    other_q = customers.add_verification_question(ctx, other_id, "Mã số thuế cũ?", "0101234567")

    other_engine, _ = open_database(migrated_db_url)  # a second desk (or the same one restarted)
    try:
        other_desk = make_context(uow_factory(other_engine, clock), clock)
        assert customers.verify_answer(other_desk, qid, ANSWER, None, None).matched is None
        assert customers.questions_to_ask(other_desk, _cid).tries_left == 0
        assert customers.verify_answer(other_desk, other_q, "0101234567", None, None).matched is True
    finally:
        other_engine.dispose()


@pytest.mark.postgresql_only
def test_a_check_waits_for_another_desks_check_of_the_same_customer_and_counts_its_wrong_answer(desk, engine):
    """Two desks checking the same customer's answers at once cannot both use the last try:
    the second waits for the first (an advisory lock on the customer), then counts its
    wrong answer. Here the first desk is a raw connection holding that lock while it records
    the fifth wrong answer; the check that waited is refused, even with the right answer."""
    ctx, cid, _tid, operator_id, qid = desk
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        customers.verify_answer(ctx, qid, "sai", None, operator_id)
    outcome = {}
    with engine.connect() as first:
        first.execute(text("SELECT pg_advisory_xact_lock(:c, :id)"), {"c": ADVISORY_LOCK_CLASS, "id": cid})
        second = threading.Thread(target=lambda: outcome.update(
            result=customers.verify_answer(ctx, qid, ANSWER, None, operator_id)))
        second.start()
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory' AND datname = current_database()"
        for _ in range(600):  # until the second desk's check is seen waiting for the lock
            with engine.connect() as probe:
                if probe.execute(text(waiting)).scalar():
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the second check never waited for the first")
        first.execute(text(
            "INSERT INTO verification_attempts (uuid, customer_id, question_id, operator_id, attempted_at, matched) "
            "VALUES (:uuid, :cid, :qid, NULL, :at, false)"),
            {"uuid": "00000000-0000-4000-8000-000000000001", "cid": cid, "qid": qid, "at": START.replace(tzinfo=None)})
        first.commit()  # ends the transaction: the lock is released
        second.join()
    assert outcome["result"].matched is None and outcome["result"].locked_until == START + timedelta(hours=1)
