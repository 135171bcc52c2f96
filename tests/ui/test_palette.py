"""One palette: every colour the UI shows is one of the named colours in ui/kit/marks.py."""

from __future__ import annotations

import re
from pathlib import Path

from desktop_helpdesk.ui.kit import marks

UI = Path(marks.__file__).resolve().parents[1]
HEX = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b")


def _named() -> dict[str, str]:
    return {name: value for name, value in vars(marks).items()
            if name.isupper() and isinstance(value, str) and HEX.fullmatch(value)}


def test_no_colour_is_written_outside_the_palette():
    strays = [f"{path.relative_to(UI)}:{n}: {line.strip()}"
              for path in sorted(UI.rglob("*.py")) if path != Path(marks.__file__).resolve()
              for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if HEX.search(line)]
    assert not strays, "name the colour in ui/kit/marks.py and use the name:\n" + "\n".join(strays)


def test_every_state_table_is_built_from_the_named_colours():
    named = set(_named().values())
    colours = [look.colour for table in (marks.CLOCK_LOOKS, marks.DAY_LOOKS, marks.BADGE_LOOKS, marks.SECTION_LOOKS)
               for look in table.values()]
    colours += [c.name() for c in (*marks.STATE_COLOURS.values(), *marks.DAY_COLOURS.values(), marks.CORRECTED_COLOUR)]
    colours += [*marks.BADGE_COLOURS.values(), *marks.SECTION_COLOURS.values(), *marks.COVERAGE_COLOURS.values(),
                *(colour for _mark, colour in (*marks.KIND_MARKS.values(), marks.OTHER_MARK)), marks.OWES_COLOUR]
    assert set(colours) <= named


def test_one_meaning_one_colour_across_the_tables():
    # Late is one red, soon one amber, on track one green, wherever it is shown.
    assert marks.BADGE_COLOURS["expired"] == marks.OWES_COLOUR == marks.SECTION_COLOURS["breached"] == marks.ERROR
    assert marks.DAY_COLOURS["overdue"].name() == marks.STATE_COLOURS[marks.ClockState.BREACHED].name() == marks.ERROR
    assert marks.BADGE_COLOURS["grace"] == marks.SECTION_COLOURS["at_risk"] == marks.WARNING
    assert marks.BADGE_COLOURS["warranty"] == marks.STATE_COLOURS[marks.ClockState.RUNNING].name() == marks.OK
    assert marks.COVERAGE_COLOURS[marks.Coverage.MAINTENANCE] == marks.BADGE_COLOURS["maintenance"]
