"""The job runner the views share: newest answer wins by key, debounce, answers for closed
windows dropped, and every save broadcast as a change (even when its window was closed)."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtWidgets import QWidget

from desktop_helpdesk.services import customers
from desktop_helpdesk.services.changes import CUSTOMERS
from desktop_helpdesk.services.dto import CustomerDraft, ListQuery
from desktop_helpdesk.ui.kit.worker import Jobs


def test_only_the_newest_answer_of_a_key_arrives_and_a_debounced_burst_runs_once(qtbot, ctx):
    jobs, owner, got, ran = Jobs(ctx), QWidget(), [], []
    release = threading.Event()
    jobs.submit(lambda _ctx: release.wait(5) and "old", owner=owner, key="k", on_done=got.append)
    jobs.submit(lambda _ctx: "new", owner=owner, key="k", on_done=got.append)
    release.set()
    qtbot.waitUntil(lambda: jobs.pending == 0, timeout=5000)
    assert got == ["new"]  # the slower, older answer never shows over the newer one

    for text in ("n", "ng", "ngu"):
        jobs.submit(lambda _ctx, t=text: ran.append(t) or t, owner=owner, key="typed", debounce_ms=50,
                    on_done=got.append)
    qtbot.waitUntil(lambda: got[-1] == "ngu", timeout=5000)
    assert ran == ["ngu"]  # one query for the pause, not one per key pressed
    jobs.shutdown()


def test_a_save_is_broadcast_even_when_the_window_that_asked_is_gone(qtbot, ctx):
    jobs, owner, answers = Jobs(ctx), QWidget(), []
    release = threading.Event()

    def slow_save(c, draft):
        release.wait(5)
        return customers.save_customer(c, draft)

    slow_save.changes = customers.save_customer.changes
    with qtbot.waitSignal(jobs.changed, timeout=5000) as changed:
        jobs.submit(slow_save, CustomerDraft(name="Nhà thuốc Minh Châu", kind="company"), owner=owner,
                    on_done=answers.append)
        shiboken6.delete(owner)  # the form was closed while saving
        release.set()
    change = changed.args[0]
    assert change.primary == CUSTOMERS and change.record_id is not None
    assert answers == []  # nobody left to answer, but the lists still learn of the new customer
    assert customers.get_customer(ctx, change.record_id).draft.name == "Nhà thuốc Minh Châu"
    jobs.shutdown()


def test_a_page_asked_before_a_reload_is_dropped_when_it_arrives_late(qtbot, ctx):
    from collections import namedtuple

    from desktop_helpdesk.services.dto import Page
    from desktop_helpdesk.ui.kit.paged_model import Column, PagedTableModel

    Row = namedtuple("Row", "id name")
    release, asked = threading.Event(), []

    def fetch(_ctx, query):
        asked.append(query.text)
        if query.text == "old":
            release.wait(5)  # the old filter's page is slow
        return Page((Row(len(asked), query.text),), None)

    jobs = Jobs(ctx)
    model = PagedTableModel([Column("Name", "name", lambda r: r.name)], fetch, jobs, filters={})
    model.set_filter_text("old")
    assert model.loading
    model.set_filter_text("new")  # typed on while the old page is on its way
    release.set()
    qtbot.waitUntil(lambda: jobs.pending == 0, timeout=5000)
    assert asked == ["old", "new"]
    assert [model.row_at(r).name for r in range(model.rowCount())] == ["new"] and not model.loading
    jobs.shutdown()


def test_a_long_job_stopped_by_cancel_is_broadcast_as_a_change_and_is_no_failure(qtbot, ctx):
    from desktop_helpdesk.services.changes import PACKAGES, TICKETS
    from desktop_helpdesk.services.progress import Cancelled
    from desktop_helpdesk.ui.kit.worker import LONG

    jobs, failures = Jobs(ctx), []
    jobs.failed.connect(failures.append)

    def recompute(_ctx):  # committed two batches of five, then the person pressed Cancel
        raise Cancelled(2, 5)

    recompute.changes = (PACKAGES, TICKETS)
    with qtbot.waitSignal(jobs.changed, timeout=5000) as changed:
        jobs.submit(recompute, lane=LONG)
    assert changed.args[0].kinds == {PACKAGES, TICKETS} and changed.args[0].record_id is None
    qtbot.waitUntil(lambda: jobs.pending == 0, timeout=5000)
    assert failures == []  # nobody asked for an answer, and a stop is not an error to show
    jobs.shutdown()


def test_after_shutdown_a_late_timer_or_request_starts_nothing(qtbot, ctx):
    """Quitting: a view's timer or a debounced request that fires after the runner stopped
    asks nothing and raises nothing (it used to raise 'cannot schedule new futures')."""
    jobs, owner, ran = Jobs(ctx), QWidget(), []
    jobs.submit(lambda _ctx: ran.append("debounced"), owner=owner, key="k", debounce_ms=30)
    jobs.shutdown()
    jobs.submit(lambda _ctx: ran.append("late"))
    qtbot.wait(100)
    assert ran == [] and jobs.pending == 0


def test_quitting_finishes_queued_saves_and_drops_long_work_not_yet_started(qtbot, ctx):
    """Issue #17: quitting waits for the operator's queued save, and for the long job running
    now, but not for long work still queued behind it (the next alert check, a backup)."""
    from desktop_helpdesk.ui.kit.worker import LONG

    jobs, ran = Jobs(ctx), []
    running, release = threading.Event(), threading.Event()

    def long_batch(_ctx):
        running.set()
        release.wait(5)
        ran.append("long batch")

    jobs.submit(long_batch, lane=LONG)
    for i in range(3):
        jobs.submit(lambda _ctx, i=i: ran.append(f"queued long {i}"), lane=LONG)
    assert running.wait(5)
    jobs.submit(customers.save_customer, CustomerDraft(name="Cửa hàng Bình An", kind="company"))
    threading.Timer(0.2, release.set).start()
    jobs.shutdown()
    assert ran == ["long batch"]  # the one running finished; the three behind it never started
    names = [r.name for r in customers.list_customers(ctx, ListQuery(text="binh an", limit=50)).rows]
    assert names == ["Cửa hàng Bình An"]  # the save queued before quitting was made


def test_a_held_lane_keeps_its_jobs_in_order_until_released_and_skips_superseded_ones(qtbot, ctx):
    """Start-up (issue #17): the long lane waits while the start view loads; then its jobs
    run in the order asked, a keyed job asked twice only in its newest form, and the
    interactive lane was never held up."""
    from desktop_helpdesk.ui.kit.worker import LONG

    jobs, ran, got = Jobs(ctx), [], []
    jobs.hold(LONG)
    jobs.submit(lambda _ctx: ran.append("alert check"), lane=LONG)
    jobs.submit(lambda _ctx: ran.append("counts 1") or 1, lane=LONG, key="counts", on_done=got.append)
    jobs.submit(lambda _ctx: ran.append("page") or "page", on_done=got.append)
    qtbot.waitUntil(lambda: got == ["page"], timeout=5000)
    jobs.submit(lambda _ctx: ran.append("counts 2") or 2, lane=LONG, key="counts", on_done=got.append)
    assert ran == ["page"]  # the long work is still waiting
    jobs.release(LONG)
    qtbot.waitUntil(lambda: jobs.pending == 0 and len(got) == 2, timeout=5000)
    assert ran == ["page", "alert check", "counts 2"] and got == ["page", 2]
    jobs.submit(lambda _ctx: ran.append("later"), lane=LONG)  # released: runs at once
    qtbot.waitUntil(lambda: ran[-1] == "later", timeout=5000)
    jobs.shutdown()
