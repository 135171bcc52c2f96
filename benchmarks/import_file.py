"""Write a customer list to import, as a firm going live brings one: the template's
Vietnamese headers, phone numbers as people type them ("0912 345 678"), tax codes as text,
one contact person on each customer's row; optionally contracts and payments sheets and a
number of bad rows of every kind the preview must explain.

    /work/venv/bin/python -m benchmarks.import_file --customers 100000 --out benchmarks/data/import-100k.xlsx
    /work/venv/bin/python -m benchmarks.import_file --customers 800 --contracts 150 --payments 50 --bad 50 \\
        --out /tmp/khach-hang-1000.xlsx        # the "1,000 rows, 50 bad" file of issue #14's show run

The same seed gives the same file. Bad rows are spread evenly and listed on stdout (sheet,
row, what is wrong), so a reader can check the preview names each one.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import _landline, _mobile, _person, _tax_code  # noqa: E402
from desktop_helpdesk.domain.importing import COLUMNS, SHEET_NAMES, RecordKind  # noqa: E402
from desktop_helpdesk.paths import resources_dir  # noqa: E402

KIND_WORDS = {"company": "Doanh nghiệp", "household": "Hộ kinh doanh", "person": "Cá nhân"}

#: What a bad row of each sheet can be (the reason is printed with the row).
BAD_CUSTOMERS = ("tax code checksum", "phone too short", "e-mail without domain", "unknown type", "name too long",
                 "phone with letters", "same tax code as an earlier row", "no name")
BAD_CONTRACTS = ("unknown package", "31/02/2026", "accepted before signed", "unknown customer", "value 1,5 triệu")
BAD_PAYMENTS = ("unknown contract", "no date", "negative amount")


def _local(phone_e164: str) -> str:
    """+84912345678 as people type it: 0912 345 678."""
    digits = "0" + phone_e164[3:]
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}" if len(digits) == 10 else digits


def _headers(kind: RecordKind) -> list[str]:
    return [c.headers[0] for c in COLUMNS[kind]]


def build(customers: int, contracts: int = 0, payments: int = 0, bad: int = 0, seed: int = 7,
          packages: list[str] | None = None):
    """(sheets as {name: rows}, [(sheet, row, reason)]) for the file. `packages`: the names
    the contracts use (default: the demo's)."""
    rng = random.Random(seed)
    data = json.loads((resources_dir() / "demo" / "demo_vi.json").read_text(encoding="utf-8"))
    provinces = list(data["provinces"].items())
    packages = packages or [p["name"] for p in data["packages"]]
    total = customers + contracts + payments
    bad_rows = set(round(i * total / bad) + total // (2 * bad) for i in range(bad)) if bad else set()
    listed = []
    sheets: dict[str, list[list]] = {}

    customer_rows, tax_codes, codes = [_headers(RecordKind.CUSTOMERS)], [], []
    for i in range(customers):
        kind = rng.choices(("company", "household", "person"), (60, 30, 10))[0]
        province, districts = rng.choice(provinces)
        owner = _person(rng, data)
        tax = ""
        if kind == "company":
            name = " ".join(rng.choice(data[k]) for k in ("company_forms", "company_words", "company_fields"))
            tax = _tax_code(rng, branch=rng.random() < 0.1)
            phone = _local(_landline(rng, data["area_codes"].get(province, "028")))
        elif kind == "household":
            name = f"{rng.choice(data['shop_kinds'])} {owner.split()[-1]} {rng.choice(data['shop_suffixes'])}".strip()
            phone = _local(_mobile(rng))
        else:
            name, phone = owner, _local(_mobile(rng))
        address = f"{rng.randrange(1, 400)} {rng.choice(data['streets'])}, {rng.choice(districts)}"
        email = f"lienhe{i}@{'khach' if kind != 'company' else 'congty'}{i % 997}.vn"
        contact = owner if kind != "person" else ""
        row = ["", name, KIND_WORDS[kind], tax, address, province, phone, email, "",
               contact, rng.choice(data["positions"]) if contact else "", _local(_mobile(rng)) if contact else "",
               ""]
        number = len(customer_rows) + 1
        if i in bad_rows:
            reason = BAD_CUSTOMERS[len(listed) % len(BAD_CUSTOMERS)]
            if reason == "tax code checksum":
                row[3] = "0100109107"
            elif reason == "phone too short":
                row[6] = "0912 34"
            elif reason == "e-mail without domain":
                row[7] = "ketoan@"
            elif reason == "unknown type":
                row[2] = "Bệnh viện"
            elif reason == "name too long":
                row[1] = (name + " ") * 30
            elif reason == "phone with letters":
                row[6] = "09l2 345 678"
            elif reason == "same tax code as an earlier row" and tax_codes:
                row[3] = tax_codes[0]
            else:
                row[1] = ""
            listed.append((SHEET_NAMES[RecordKind.CUSTOMERS][0], number, reason))
        elif tax:
            tax_codes.append(tax)
            codes.append(tax)
        customer_rows.append(row)
    sheets[SHEET_NAMES[RecordKind.CUSTOMERS][0]] = customer_rows

    if contracts:
        rows, numbers = [_headers(RecordKind.CONTRACTS)], []
        for j in range(contracts):
            number = f"HĐ-{2024 + j % 3}-{j + 1:04d}"
            signed = f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 13):02d}/{2024 + j % 3}"
            accepted_day = int(signed[:2]) + 1
            accepted = f"{accepted_day:02d}{signed[2:]}"
            row = [number, codes[j % len(codes)] if codes else "", rng.choice(packages),
                   f"{rng.randrange(5, 200) * 1_000_000:,}".replace(",", "."), signed, accepted, "", ""]
            if customers + j in bad_rows:
                reason = BAD_CONTRACTS[sum(1 for x in listed if x[0] == "Hợp đồng") % len(BAD_CONTRACTS)]
                if reason == "unknown package":
                    row[2] = "Phần mềm không có"
                elif reason == "31/02/2026":
                    row[4] = "31/02/2026"
                elif reason == "accepted before signed":
                    row[5] = "01/01/2020"
                elif reason == "unknown customer":
                    row[1] = "KH99999"
                else:
                    row[3] = "1,5 triệu"
                listed.append((SHEET_NAMES[RecordKind.CONTRACTS][0], len(rows) + 1, reason))
            else:
                numbers.append(number)
            rows.append(row)
        sheets[SHEET_NAMES[RecordKind.CONTRACTS][0]] = rows
        if payments:
            rows = [_headers(RecordKind.PAYMENTS)]
            for k in range(payments):
                row = [numbers[k % len(numbers)], f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 13):02d}/2026",
                       f"{rng.randrange(1, 50) * 1_000_000:,}".replace(",", "."),
                       rng.choice(("Chuyển khoản", "Tiền mặt")), f"{k + 1:07d}"]
                if customers + contracts + k in bad_rows:
                    reason = BAD_PAYMENTS[sum(1 for x in listed if x[0] == "Thanh toán") % len(BAD_PAYMENTS)]
                    if reason == "unknown contract":
                        row[0] = "HĐ-0000-0000"
                    elif reason == "no date":
                        row[1] = ""
                    else:
                        row[2] = "-500.000"
                    listed.append((SHEET_NAMES[RecordKind.PAYMENTS][0], len(rows) + 1, reason))
                rows.append(row)
            sheets[SHEET_NAMES[RecordKind.PAYMENTS][0]] = rows
    return sheets, listed


def write(path: Path, sheets: dict[str, list[list]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--contracts", type=int, default=0)
    parser.add_argument("--payments", type=int, default=0)
    parser.add_argument("--bad", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--packages", help="the package names the contracts use, separated by ';' (default: the demo's)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    sheets, listed = build(args.customers, args.contracts, args.payments, args.bad, args.seed,
                           args.packages.split(";") if args.packages else None)
    write(args.out, sheets)
    print(f"{args.out}: " + ", ".join(f"{name} {len(rows) - 1} rows" for name, rows in sheets.items()))
    for sheet, row, reason in listed:
        print(f"  bad: {sheet} row {row}: {reason}")


if __name__ == "__main__":
    main()
