"""The one .po -> .mo compiler: the app (a checkout without a build step), the wheel build
(setup.py) and the Windows bundle (build_installer.spec) all compile catalogs here, so a
catalog reads the same whichever way the app was installed.

Only the standard library and Babel, and no relative imports: setup.py runs in pip's isolated
build environment, where Babel is a build requirement but the app's other dependencies are
missing, and loads this file by its path instead of importing the package.
"""

from __future__ import annotations

import io
from pathlib import Path

#: Where a catalog sits under a translations folder: <lang>/LC_MESSAGES/<domain>.po
PO_PATTERN = "*/LC_MESSAGES/*.po"


def compile_po(po_path: Path, language: str | None = None) -> bytes:
    """The compiled (.mo) form of one .po catalog. ``language`` defaults to the catalog's
    folder name (translations/<lang>/LC_MESSAGES/x.po), which sets its plural rules."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po_path = Path(po_path)
    with open(po_path, "rb") as fh:
        catalog = read_po(fh, locale=language or po_path.parent.parent.name)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def compile_catalogs(src_dir: Path, out_dir: Path) -> list[tuple[Path, Path]]:
    """Compile every <lang>/LC_MESSAGES/<domain>.po under ``src_dir`` to the same place under
    ``out_dir``; returns (source .po, written .mo) pairs, sorted."""
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    written = []
    for po in sorted(src_dir.glob(PO_PATTERN)):
        mo = out_dir / po.relative_to(src_dir).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        mo.write_bytes(compile_po(po))
        written.append((po, mo))
    return written
