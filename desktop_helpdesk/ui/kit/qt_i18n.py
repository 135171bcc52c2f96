"""Qt's own strings (standard buttons, line-edit menu, dialogs) from our catalog.

Qt ships no Vietnamese translation (no qtbase_vi.qm), so a QTranslator backed by our
gettext catalog answers for Qt's contexts. Re-installing it on a language change makes Qt
send LanguageChange to every widget, which Qt's own widgets follow; ours are told through
the retranslate registry (retranslate.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

from ...i18n import N_, Translator
from . import retranslate

# The source texts Qt itself asks for (standard buttons, the line-edit context menu, message
# boxes): listed here so they are extracted into our catalog and translated.
QT_STRINGS = (
    N_("OK"), N_("&OK"), N_("Cancel"), N_("&Cancel"), N_("&Yes"), N_("&No"), N_("Yes to &All"),
    N_("N&o to All"), N_("Close"), N_("&Close"), N_("Save"), N_("&Save"), N_("Save All"),
    N_("Discard"), N_("Don't Save"), N_("Apply"), N_("Reset"), N_("Restore Defaults"), N_("Help"),
    N_("Abort"), N_("Retry"), N_("Ignore"), N_("Open"), N_("&Undo"), N_("&Redo"), N_("Cu&t"),
    N_("&Copy"), N_("&Paste"), N_("Delete"), N_("Select All"), N_("Show Details..."),
    N_("Hide Details..."), N_("Copy &Link Location"), N_("&Look in:"), N_("File &name:"),
    N_("Files of type:"), N_("Files of &type:"), N_("Back"), N_("Forward"), N_("Parent Directory"), N_("Create New Folder"),
    N_("List View"), N_("Detail View"), N_("Name"), N_("Size"), N_("Type"), N_("Date Modified"),
    N_("All Files (*)"), N_("Directories"), N_("Directory:"), N_("&Choose"), N_("&Open"), N_("&Delete"),
    N_("&Rename"), N_("Show &hidden files"), N_("New Folder"), N_("Computer"), N_("Recent Places"),
)


class CatalogQtTranslator(QTranslator):
    def __init__(self, translator: Translator, parent=None):
        super().__init__(parent)
        self._translator = translator

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: N802 (Qt's name)
        if not source_text:
            return None
        text = self._translator.gettext(source_text)
        return text if text != source_text else None

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        return False


class LanguageSwitcher:
    """Changes the language of the whole running application at once."""

    def __init__(self, app: QCoreApplication, translator: Translator):
        self.app = app
        self.translator = translator
        self.qt_translator = CatalogQtTranslator(translator, app)
        app.installTranslator(self.qt_translator)

    def set_language(self, language: str) -> None:
        self.translator.set_language(language)
        # Remove and install again: Qt posts LanguageChange to every widget (its own widgets'
        # texts, such as standard buttons, follow it).
        self.app.removeTranslator(self.qt_translator)
        self.app.installTranslator(self.qt_translator)
        retranslate.retranslate_all()
