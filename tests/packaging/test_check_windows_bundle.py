"""packaging/check-windows-bundle.py on bundles of small PE files written here: what it lets
through is what starts on Windows 10 1809, what it stops is what would show a user "The code
execution cannot proceed because X.dll was not found" (or close at start)."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import pytest

pytest.importorskip("pefile")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "check-windows-bundle.py"


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("check_windows_bundle", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pe_file(imports: dict[str, list[str]], forwards: dict[str, str] | None = None, name: str = "x.dll") -> bytes:
    """A minimal 64-bit DLL: one section holding an import table for `imports` ({dll: [functions]})
    and, with `forwards` ({exported name: "target.function"}), an export table of forwarders."""
    rva = 0x1000
    body = bytearray()

    def put(data: bytes, align: int = 8) -> int:
        while len(body) % align:
            body.append(0)
        at = rva + len(body)
        body.extend(data)
        return at

    # Import table: descriptors first (fixed size), filled in once the names and thunks exist.
    dlls = list(imports)
    descriptors_at = put(b"\0" * 20 * (len(dlls) + 1))
    descriptors = []
    for dll in dlls:
        name_rva = put(dll.encode() + b"\0", 2)
        hints = [put(struct.pack("<H", 0) + f.encode() + b"\0", 2) for f in imports[dll]]
        thunks = b"".join(struct.pack("<Q", h) for h in hints) + b"\0" * 8
        ilt = put(thunks)
        iat = put(thunks)
        descriptors.append(struct.pack("<IIIII", ilt, 0, 0, name_rva, iat))
    start = descriptors_at - rva
    body[start:start + 20 * len(dlls)] = b"".join(descriptors)
    import_dir = (descriptors_at, 20 * (len(dlls) + 1)) if dlls else (0, 0)

    export_dir = (0, 0)
    if forwards:
        # The directory first: an export whose address falls inside the export directory's
        # range (directory and the strings after it) is a forwarder, "dll.function".
        names = sorted(forwards)
        directory = put(b"\0" * 40, 4)
        dll_name = put(name.encode() + b"\0", 2)
        targets = [put(forwards[n].encode() + b"\0", 2) for n in names]
        name_rvas = [put(n.encode() + b"\0", 2) for n in names]
        functions = put(b"".join(struct.pack("<I", t) for t in targets), 4)
        name_table = put(b"".join(struct.pack("<I", r) for r in name_rvas), 4)
        ordinals = put(b"".join(struct.pack("<H", i) for i in range(len(names))), 2)
        at = directory - rva
        body[at:at + 40] = struct.pack("<IIHHIIIIIII", 0, 0, 0, 0, dll_name, 1, len(names), len(names),
                                       functions, name_table, ordinals)
        export_dir = (directory, rva + len(body) - directory)

    raw_size = (len(body) + 0x1FF) // 0x200 * 0x200
    virtual_size = (len(body) + 0xFFF) // 0x1000 * 0x1000
    body.extend(b"\0" * (raw_size - len(body)))

    dos = b"MZ" + b"\0" * 58 + struct.pack("<I", 0x40)
    coff = struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 240, 0x2022)
    optional = struct.pack("<HBBIIIII", 0x20B, 14, 0, 0, raw_size, 0, 0, 0x1000)
    optional += struct.pack("<QII", 0x180000000, 0x1000, 0x200)
    optional += struct.pack("<HHHHHHI", 6, 0, 0, 0, 6, 0, 0)
    optional += struct.pack("<IIIHH", 0x1000 + virtual_size, 0x200, 0, 2, 0x160)
    optional += struct.pack("<QQQQII", 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    directories = [export_dir, import_dir] + [(0, 0)] * 14
    optional += b"".join(struct.pack("<II", *d) for d in directories)
    assert len(optional) == 240
    section = struct.pack("<8sIIIIIIHHI", b".rdata", len(body), 0x1000, raw_size, 0x200, 0, 0, 0, 0, 0x40000040)
    header = dos + b"PE\0\0" + coff + optional + section
    return header + b"\0" * (0x200 - len(header)) + bytes(body)


def bundle(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "DesktopHelpdesk"
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def test_a_bundle_of_windows_and_its_own_dlls_passes(check, tmp_path, capsys):
    root = bundle(tmp_path, {
        "DesktopHelpdesk.exe": pe_file({"KERNEL32.dll": ["ExitProcess"], "python311.dll": ["Py_Main"]}),
        "_internal/python311.dll": pe_file({"VCRUNTIME140.dll": ["memcpy"], "api-ms-win-crt-runtime-l1-1-0.dll": ["_exit"],
                                            "api-ms-win-core-synch-l1-2-0.dll": ["WaitOnAddress"]}),
        "_internal/VCRUNTIME140.dll": pe_file({"KERNEL32.dll": ["GetLastError"]}),
    })
    assert check.main([str(root)]) == 0
    out = capsys.readouterr().out
    assert "3 PE files read" in out
    assert "OK: every imported DLL is in the bundle or in Windows 10 1809" in out


def test_qt_610_importing_windows_icu_fails_and_says_why(check, tmp_path, capsys):
    # Qt 6.10+'s Qt6Core.dll imports icuuc.dll (converters): 1809 has no such ICU.
    root = bundle(tmp_path, {
        "_internal/PySide6/Qt6Core.dll": pe_file({"KERNEL32.dll": ["GetLastError"], "icuuc.dll": ["ucnv_open", "ucnv_close"]}),
    })
    assert check.main([str(root)]) == 1
    out = capsys.readouterr().out
    assert "icuuc.dll  <- _internal/PySide6/Qt6Core.dll" in out
    assert "ICU: the bundle needs Windows' own ICU" in out
    assert "FAILED: the bundle would not start on Windows 10 1809" in out


def test_a_copied_forwarding_icuuc_stub_needs_icu_dll(check, tmp_path, capsys):
    # A build machine's icuuc.dll (Windows 1903+) copied in: exports forwarding to icu.dll.
    root = bundle(tmp_path, {
        "_internal/PySide6/Qt6Core.dll": pe_file({"icuuc.dll": ["ucnv_open"]}),
        "_internal/PySide6/icuuc.dll": pe_file({}, forwards={"ucnv_open": "icu.ucnv_open"}, name="icuuc.dll"),
    })
    assert check.main([str(root)]) == 1
    out = capsys.readouterr().out
    assert "icu.dll  <- _internal/PySide6/icuuc.dll" in out


def test_a_dll_in_neither_the_bundle_nor_windows_is_listed_with_its_importers(check, tmp_path, capsys):
    root = bundle(tmp_path, {
        "_internal/psycopg_binary/_psycopg.pyd": pe_file({"libpq.dll": ["PQconnectdb"], "KERNEL32.dll": ["Sleep"]}),
        # An API set newer than 1809's (the list has synch-l1-2-1; l1-3-0 is not there).
        "_internal/late.dll": pe_file({"api-ms-win-core-synch-l1-3-0.dll": ["X"]}),
    })
    assert check.main([str(root)]) == 1
    out = capsys.readouterr().out
    assert "libpq.dll  <- _internal/psycopg_binary/_psycopg.pyd" in out
    assert "api-ms-win-core-synch-l1-3-0.dll  <- _internal/late.dll" in out
    assert "kernel32.dll" not in out.lower().split("missing", 1)[1]


def test_the_kept_list_has_no_icu_and_no_visual_cpp_runtime(check):
    system = check.load_system_dlls(check.DEFAULT_LIST)
    assert {"kernel32.dll", "user32.dll", "ucrtbase.dll", "api-ms-win-crt-runtime-l1-1-0.dll"} <= system
    assert not system & {"icu.dll", "icuuc.dll", "icuin.dll", "vcruntime140.dll", "msvcp140.dll"}
