"""Writing one benchmark's section of benchmarks/README.md, leaving the others as they are."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def replace_section(title: str, section: str, readme: Path = README) -> None:
    """Replace the `## {title}` section (up to the next `## ` heading) with `section`, or
    append it when the README has none yet."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section.rstrip() + "\n\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    readme.write_text(text, encoding="utf-8")
