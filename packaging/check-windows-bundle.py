"""Check that a Windows bundle starts on the oldest Windows we promise (Windows 10 1809).

    python packaging/check-windows-bundle.py dist/DesktopHelpdesk [--system-dlls FILE]

Reads every PE file in the bundle (.exe, .dll, .pyd) with pefile and lists each DLL it imports
(normal and delay-load imports, and the targets of forwarded exports) that is neither in the
bundle nor in the list of DLLs that Windows 10 1809 itself provides
(packaging/windows10-1809-system-dlls.txt). Exits 1 if any is missing.

ICU gets its own line: Qt 6.10 and later link Windows' ICU (Qt6Core.dll imports icuuc.dll,
which from Windows 10 1903 forwards everything to icu.dll; 1809 has neither icu.dll nor that
icuuc.dll), so any import of icu.dll, icuuc.dll or icuin.dll fails the check.

A DLL found in the bundle counts only when it sits where Windows' loader looks for it: the
importing file's own folder, the bundle's top folder or _internal/ (PyInstaller puts those
on the search path), or a folder the bundle's code adds (PySide6/, shiboken6/ and the other
package folders with DLLs, which their __init__ add with os.add_dll_directory). The check
counts any folder of the bundle, as those packages do; a DLL that is nowhere in the bundle is
what fails a user's start.

Delay-loaded imports are reported but fail the check only with --strict-delay: a program loads
them only when it calls into them, and Windows' own DLLs delay-load things the old Windows
lack (they check first).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import pefile

HERE = Path(__file__).resolve().parent
DEFAULT_LIST = HERE / "windows10-1809-system-dlls.txt"
PE_SUFFIXES = {".exe", ".dll", ".pyd"}
ICU = {"icu.dll", "icuuc.dll", "icuin.dll"}
# API sets (api-ms-win-*, ext-ms-*) are contracts the loader resolves through the API set
# schema; the list file names those present in 1809 by prefix-with-version.


def load_system_dlls(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            names.add(line)
    return names


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(DLLs needed at load: imports and forwarded exports' targets, delay-loaded DLLs),
    lower-cased; raises pefile.PEFormatError."""
    pe = pefile.PE(str(path), fast_load=True)
    try:
        pe.parse_data_directories(directories=[
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT"],
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_EXPORT"],
        ])
        normal = {e.dll.decode("ascii", "replace").lower() for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])}
        delay = {e.dll.decode("ascii", "replace").lower() for e in getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])}
        # A forwarded export ("icu.ucnv_open") loads its target DLL when a caller binds to it:
        # a copied Windows 1903+ icuuc.dll is nothing but such forwarders to icu.dll.
        export = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
        for symbol in (export.symbols if export else []):
            if symbol.forwarder:
                normal.add(symbol.forwarder.decode("ascii", "replace").rsplit(".", 1)[0].lower() + ".dll")
    finally:
        pe.close()
    return normal, delay


def is_system(name: str, system: set[str]) -> bool:
    if name in system:
        return True
    if name.startswith(("api-ms-win-", "ext-ms-")):
        # The list names API sets with their version: api-ms-win-core-synch-l1-2-0.dll. A
        # contract at a lower minor version than one listed is there too (l1-2-0 holds l1-1-0).
        stem = name[:-4] if name.endswith(".dll") else name
        base, _, version = stem.rpartition("-l")
        for known in system:
            if known.startswith(base + "-l"):
                k = known[:-4] if known.endswith(".dll") else known
                if _version(k.rpartition("-l")[2]) >= _version(version):
                    return True
    return False


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split("-"))
    except ValueError:
        return (-1,)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--system-dlls", type=Path, default=DEFAULT_LIST)
    parser.add_argument("--strict-delay", action="store_true", help="fail on missing delay-loaded DLLs too")
    args = parser.parse_args(argv)

    if not args.bundle.is_dir():
        print(f"check-windows-bundle: {args.bundle} is not a folder", file=sys.stderr)
        return 2
    system = load_system_dlls(args.system_dlls)
    files = sorted(p for p in args.bundle.rglob("*") if p.is_file() and p.suffix.lower() in PE_SUFFIXES)
    in_bundle = {p.name.lower() for p in files}
    missing: dict[str, list[str]] = defaultdict(list)
    missing_delay: dict[str, list[str]] = defaultdict(list)
    unreadable = []
    for path in files:
        try:
            normal, delay = imports_of(path)
        except pefile.PEFormatError as exc:
            unreadable.append(f"{path.relative_to(args.bundle)}: {exc}")
            continue
        rel = path.relative_to(args.bundle).as_posix()
        for name in normal:
            if name in ICU or (name not in in_bundle and not is_system(name, system)):
                missing[name].append(rel)
        for name in delay - normal:
            if name not in in_bundle and not is_system(name, system):
                missing_delay[name].append(rel)

    size = sum(p.stat().st_size for p in args.bundle.rglob("*") if p.is_file())
    print(f"{len(files)} PE files read in {args.bundle} ({size / 2**20:.0f} MiB), "
          f"against {len(system)} Windows 10 1809 system DLLs ({args.system_dlls.name})")
    for line in unreadable:
        print(f"  not a readable PE file: {line}")
    for title, table in (("MISSING (imported, in neither the bundle nor Windows 10 1809)", missing),
                         ("missing but delay-loaded (loaded only when used)", missing_delay)):
        if table:
            print(f"{title}:")
            for name in sorted(table):
                users = table[name]
                shown = ", ".join(users[:4]) + (f" and {len(users) - 4} more" if len(users) > 4 else "")
                print(f"  {name}  <- {shown}")
    failed = bool(missing) or (args.strict_delay and bool(missing_delay))
    if ICU & (set(missing) | (set(missing_delay) if args.strict_delay else set())):
        print("ICU: the bundle needs Windows' own ICU (icu.dll from Windows 10 1903; 1809 / LTSC 2019 "
              "lacks it): a Qt 6.10 or later, or a copied system DLL, is in the bundle "
              "(see packaging/windows-constraints.txt).")
    print("FAILED: the bundle would not start on Windows 10 1809" if failed
          else "OK: every imported DLL is in the bundle or in Windows 10 1809")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
