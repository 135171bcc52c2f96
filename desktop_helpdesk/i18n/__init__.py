"""Translation catalogs (gettext via Babel) and the `_()` every user-visible string goes through.

`app.main()` builds a `Translator` and `install()`s it; until then `_()` returns the English
source, so modules can be imported (and tested) without any set-up. Catalogs are read from
compiled `.mo` files when the build produced them, else compiled in memory from the `.po`
source (a checkout run straight from git needs no build step).
"""

from __future__ import annotations

import gettext as _gettext
import io
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

DOMAIN = "desktop_helpdesk"
LANGUAGES = ("vi", "en")


def load_catalog(localedir: Path, language: str) -> _gettext.NullTranslations:
    folder = Path(localedir) / language / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    try:
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with open(mo, "rb") as fh:
                return _gettext.GNUTranslations(fh)
        if po.exists():
            from .catalogs import compile_po

            return _gettext.GNUTranslations(io.BytesIO(compile_po(po, language)))
    except Exception:  # a broken catalog must not stop the app: fall back to English
        log.exception("cannot load the %s catalog from %s", language, folder)
    return _gettext.NullTranslations()


class Translator:
    """The current language and its catalog. Listeners are told when the language changes."""

    def __init__(self, localedir: Path, language: str = "vi"):
        self.localedir = Path(localedir)
        self._catalogs: dict[str, _gettext.NullTranslations] = {}
        self._listeners: list[Callable[[str], None]] = []
        self.language = ""
        self.set_language(language)

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            language = "en"
        if language not in self._catalogs:
            self._catalogs[language] = load_catalog(self.localedir, language)
        changed = language != self.language
        self.language = language
        self._active = self._catalogs[language]
        if changed:
            for listener in list(self._listeners):
                listener(language)

    def on_change(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def gettext(self, message: str) -> str:
        return self._active.gettext(message) if message else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._active.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._active.pgettext(context, message)

    @property
    def locale(self) -> str:
        return "vi_VN" if self.language == "vi" else "en_US"


_current: Translator | None = None


def install(translator: Translator | None) -> None:
    global _current
    _current = translator


def current() -> Translator | None:
    return _current


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translate when shown)."""
    return message


def _(message: str) -> str:
    return _current.gettext(message) if _current else message


def ngettext(singular: str, plural: str, n: int) -> str:
    if _current:
        return _current.ngettext(singular, plural, n)
    return singular if n == 1 else plural


def pgettext(context: str, message: str) -> str:
    return _current.pgettext(context, message) if _current else message


def language() -> str:
    return _current.language if _current else "en"


_document_translators: dict[tuple[str, str], Translator] = {}


@contextmanager
def using(language: str, localedir: Path | None = None):
    """Translate and format in `language` inside the block, e.g. to build a document printed
    in another language than the interface's. Nothing is told of a change (the interface
    stays as it is); call it on the GUI thread, around code that only builds text."""
    global _current
    previous = _current
    folder = Path(localedir) if localedir is not None else (previous.localedir if previous else None)
    if folder is None:
        from ..paths import translations_dir

        folder = translations_dir()
    key = (str(folder), language)
    if key not in _document_translators:
        _document_translators[key] = Translator(folder, language)
    _current = _document_translators[key]
    try:
        yield _current
    finally:
        _current = previous
