"""Benchmark: two desks saving at once against one database (issue #12, "the team server").

Two writer processes run for `--seconds` (60 by default), each as fast as it can creating a
customer (`services.customers.save_customer`, automatic code) and then a ticket for it on a
paid-up warranty contract (`services.tickets.create_ticket`, automatic code), exactly as the
forms do. Each reports how many it saved, how many failed with a duplicate code
(DuplicateError), how many raised a ConcurrentEditError and how many failed with anything
that is not a domain error (a raw driver or SQLAlchemy error: "database is locked", a unique
violation that escaped as IntegrityError...).

    /work/venv/bin/python -m benchmarks.bench_two_writers                       # SQLite file, 60 s
    /work/venv/bin/python -m benchmarks.bench_two_writers --engine postgresql   # a throwaway server
    /work/venv/bin/python -m benchmarks.bench_two_writers --database-url postgresql+psycopg2://...

Without `--database-url`, SQLite uses a new file in a temporary folder and `--engine
postgresql` starts a throwaway PostgreSQL server (tests/pgserver.PostgresServer) and a new
database on it. Target: 0 duplicate codes and 0 raw errors on both engines.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import date
from pathlib import Path


def _context(url: str):
    from desktop_helpdesk.db.engine import open_database
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.services.context import make_context

    engine, _ = open_database(url)
    return engine, make_context(uow_factory(engine))


def prepare(url: str) -> int:
    """Migrate the database and store one package, customer and paid-up contract; return the contract's id."""
    from desktop_helpdesk.services import contracts, customers
    from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData, PaymentData

    engine, ctx = _context(url)
    try:
        with ctx.uow() as uow:
            pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 12, "always", 120, 24, 48, 72,
                                               True, 45_000_000))
            uow.commit()
        cid = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
        today = ctx.today()
        kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, stage="warranty",
                                                         value_vnd=45_000_000, signed_on=date(today.year, 1, 1),
                                                         accepted_on=today))
        contracts.add_payment(ctx, kid, PaymentData(None, today, 45_000_000), None)
        return kid
    finally:
        engine.dispose()


def writer(url: str, contract_id: int, seconds: float, name: str, start, out) -> None:
    from desktop_helpdesk.domain.errors import ConcurrentEditError, DuplicateError, NotFoundError
    from desktop_helpdesk.services.errors import ValidationFailed
    from desktop_helpdesk.services import contracts, customers, tickets
    from desktop_helpdesk.services.dto import CustomerDraft, TicketDraft

    engine, ctx = _context(url)
    customer_id = contracts.contract_file(ctx, contract_id).customer_id
    counts, raw = Counter(), Counter()
    start.wait()
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        for what, save in (
            ("customer", lambda: customers.save_customer(ctx, CustomerDraft(name=f"Khách {name} {n}", kind="person"))),
            ("ticket", lambda: tickets.create_ticket(ctx, TicketDraft(
                customer_id=customer_id, contract_id=contract_id, subject=f"Máy in lỗi {name} {n}",
                request_type="incident", channel="hotline"), None)),
        ):
            try:
                save()
                counts[f"{what} saved"] += 1
            except DuplicateError:
                counts[f"{what} duplicate code"] += 1
            except ConcurrentEditError:
                counts[f"{what} concurrent edit"] += 1
            except (NotFoundError, ValidationFailed, ValueError) as exc:  # the domain's refusals
                counts[f"{what} other domain error"] += 1
                raw[f"{type(exc).__name__}: {exc}"[:200]] += 1
            except Exception as exc:  # noqa: BLE001 - what the benchmark counts
                counts[f"{what} raw error"] += 1
                raw[f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]] += 1
                if sum(raw.values()) == 1:
                    traceback.print_exc()
    engine.dispose()
    out.put((name, dict(counts), dict(raw)))


def run(url: str, seconds: float) -> dict:
    contract_id = prepare(url)
    mp_ctx = mp.get_context("spawn")
    start, out = mp_ctx.Event(), mp_ctx.Queue()
    procs = [mp_ctx.Process(target=writer, args=(url, contract_id, seconds, name, start, out)) for name in ("A", "B")]
    for p in procs:
        p.start()
    time.sleep(3)  # both imported and connected
    start.set()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    total, raw = Counter(), Counter()
    for name, counts, errors in sorted(results):
        print(f"  writer {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        total.update(counts)
        raw.update(errors)
    for message, count in raw.most_common(5):
        print(f"    {count} x {message}")
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database-url", help="the database (default: a new SQLite file, or a throwaway "
                                               "PostgreSQL server with --engine postgresql)")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    server = None
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url
        if url is None and args.engine == "sqlite":
            from desktop_helpdesk.db.engine import sqlite_url

            url = sqlite_url(Path(folder) / "two_writers.sqlite3")
        elif url is None:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tests.pgserver import PostgresServer

            server = PostgresServer()
            name = server.new_database_name("bench")
            url = server.create_database(name)
        try:
            kind = url.split(":", 1)[0].split("+", 1)[0]
            print(f"two writers, {args.seconds:g} s, {kind}")
            total = run(url, args.seconds)
        finally:
            if server is not None:
                server.stop()
    saved = total["customer saved"] + total["ticket saved"]
    print(f"total: customers {total['customer saved']}, tickets {total['ticket saved']} saved "
          f"({saved / args.seconds:.1f} saves/s); duplicate codes "
          f"{total['customer duplicate code'] + total['ticket duplicate code']}; concurrent edits "
          f"{total['customer concurrent edit'] + total['ticket concurrent edit']}; raw errors "
          f"{total['customer raw error'] + total['ticket raw error']}; other domain errors "
          f"{total['customer other domain error'] + total['ticket other domain error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
