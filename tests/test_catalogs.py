"""The Vietnamese catalog stays complete: every user-visible string extracted from the code
is in the template and translated, not fuzzy, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "desktop_helpdesk"), method_map=[("**.py", "python")], keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(path: Path):
    with open(path, "rb") as fh:
        return read_po(fh)


def test_template_has_every_string_in_the_code():
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(ROOT / "translations" / "desktop_helpdesk.pot") if m.id}
    missing = _source_messages() - template
    assert not missing, f"run the pybabel extract/update commands in README.md: {sorted(missing)}"


def test_vietnamese_catalog_is_complete_and_placeholders_match():
    catalog = _catalog(ROOT / "translations" / "vi" / "LC_MESSAGES" / "desktop_helpdesk.po")
    problems = []
    for message in _source_messages():
        entry = catalog.get(message)
        strings = [entry.string] if entry is not None and isinstance(entry.string, str) else list(entry.string or []) if entry else []
        if entry is None or not strings or not all(strings) or entry.fuzzy:
            problems.append(f"untranslated: {message!r}")
        elif any(sorted(PLACEHOLDER.findall(message)) != sorted(PLACEHOLDER.findall(t)) for t in strings):
            problems.append(f"placeholders differ: {message!r} -> {entry.string!r}")
    assert not problems, "\n".join(problems)
