"""The one .po -> .mo compiler, as the app, setup.py and the PyInstaller spec use it."""

from __future__ import annotations

import gettext
import importlib.util
import io
from pathlib import Path

from desktop_helpdesk.i18n import load_catalog
from desktop_helpdesk.i18n.catalogs import compile_catalogs, compile_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"


def test_every_catalog_is_compiled_to_the_same_place_and_reads_vietnamese(tmp_path):
    written = compile_catalogs(TRANSLATIONS, tmp_path)
    assert {mo.relative_to(tmp_path).as_posix() for _po, mo in written} >= {
        "vi/LC_MESSAGES/desktop_helpdesk.mo", "en/LC_MESSAGES/desktop_helpdesk.mo"}
    with open(tmp_path / "vi" / "LC_MESSAGES" / "desktop_helpdesk.mo", "rb") as fh:
        assert gettext.GNUTranslations(fh).gettext("&Save") == "&Lưu"
    # A copied translations folder with the built .mo reads the same as the .po in memory.
    assert load_catalog(tmp_path, "vi").gettext("Cancel") == "Hủy"


def test_plural_rules_come_from_the_catalog_language():
    po = TRANSLATIONS / "vi" / "LC_MESSAGES" / "desktop_helpdesk.po"
    vi = gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    assert vi.ngettext("{count} row", "{count} rows", 1) == vi.ngettext("{count} row", "{count} rows", 5)


def test_setup_py_can_load_the_compiler_by_path_without_the_package():
    """setup.py runs where the app's dependencies are missing: the module needs none of them."""
    spec = importlib.util.spec_from_file_location("_catalogs_by_path", ROOT / "desktop_helpdesk" / "i18n" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.compile_po(TRANSLATIONS / "vi" / "LC_MESSAGES" / "desktop_helpdesk.po") == \
        compile_po(TRANSLATIONS / "vi" / "LC_MESSAGES" / "desktop_helpdesk.po")
