"""Printable service reports (biên bản): an on-site visit, and a contract's acceptance.

The facts are read on the worker (services.worklog); here they become HTML in the language
chosen for the document (i18n.using), laid out by a QTextDocument, and written to an A4 PDF
with QPdfWriter (the bundled DejaVu Serif is embedded, so Vietnamese diacritics print the
same everywhere) or sent to a printer through the print dialog.

Customer-facing: staff appear only by alias and code (seed 002 §7); the facts never carry a
name, phone or e-mail of staff."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...domain.vietnam import desk_day
from ...i18n import N_, _, language
from ...i18n.formatting import (
    format_date,
    format_datetime,
    format_duration,
    format_long_date,
)
from ...paths import resources_dir
from . import retranslate
from .marks import DOCUMENT_HEADING_BACKGROUND, DOCUMENT_RULE
from .widgets import fit_to_screen

log = logging.getLogger(__name__)
FONT_FAMILY = "DejaVu Serif"
FONT_FILES = ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf")
FONT_SIZE = 10


_fonts_loaded = False


def ensure_fonts() -> str:
    """Register the bundled report font once (needs a QGuiApplication); returns its family."""
    global _fonts_loaded
    if not _fonts_loaded:
        for name in FONT_FILES:
            if QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / name)) < 0:
                log.warning("cannot load the report font %s", name)
        _fonts_loaded = True
    return FONT_FAMILY


DOC_DOTS = "." * 40
DOC_RULED = f"border-width:1px;border-style:solid;border-color:{DOCUMENT_RULE};border-collapse:collapse"


def doc_v(value) -> str:
    return escape(str(value)) if value not in (None, "") else "—"


def doc_when(value) -> str:
    if isinstance(value, datetime):
        return escape(format_datetime(value))
    if isinstance(value, date):
        return escape(format_date(value))
    return "—"


def doc_vendor_head(vendor: dict, number: str, day: date | None) -> str:
    name = vendor.get("name") or _("Software vendor")
    lines = [f"<b>{escape(name.upper())}</b>"]
    if vendor.get("address"):
        lines.append(escape(vendor["address"]))
    facts = []
    if vendor.get("tax_code"):
        facts.append(_("Tax code: {value}").format(value=vendor["tax_code"]))
    if vendor.get("hotline"):
        facts.append(_("Hotline: {value}").format(value=vendor["hotline"]))
    if facts:
        lines.append(escape(" · ".join(facts)))
    if vendor.get("email") or vendor.get("website"):
        lines.append(escape(" · ".join(x for x in (vendor.get("email"), vendor.get("website")) if x)))
    place = _("{place}, {date}").format(place="." * 16, date=format_long_date(day)) if day else ""
    republic, motto = _("SOCIALIST REPUBLIC OF VIETNAM"), _("Independence – Freedom – Happiness")
    numbered = _("No.: {number}").format(number=number)
    return (
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
        f"<td width='55%' valign='top' style='font-size:8.5pt'>{'<br>'.join(lines)}</td>"
        "<td width='45%' valign='top' align='center' style='font-size:9pt'>"
        f"<b>{escape(republic)}</b><br>"
        f"<b>{escape(motto)}</b><br>"
        "<span style='font-size:6pt'>―――――――――――</span></td></tr>"
        f"<tr><td style='font-size:8.5pt;padding-top:6px'>{escape(numbered)}</td>"
        f"<td align='center' style='padding-top:6px;font-size:9.5pt'><i>{escape(place)}</i></td></tr></table>"
    )


def doc_title(title: str, subtitle: str = "") -> str:
    sub = (f"<p align='center' style='margin-top:2px;margin-bottom:4px'><i>{escape(subtitle)}</i></p>"
           if subtitle else "")
    return (f"<p align='center' style='margin-top:16px;margin-bottom:0;font-size:14pt'><b>{escape(title)}</b></p>"
            + sub)


def doc_section(title: str) -> str:
    return f"<p style='margin-top:9px;margin-bottom:3px;font-size:10.5pt'><b>{escape(title)}</b></p>"


def doc_facts(rows: list[tuple[str, str]], label_width: int = 26) -> str:
    """Label: value rows; values are already escaped HTML."""
    body = "".join(
        f"<tr><td width='{label_width}%' valign='top' style='padding:1px 8px 1px 0'>{escape(label)}:</td>"
        f"<td valign='top' style='padding:1px 0'>{value}</td></tr>" for label, value in rows)
    return f"<table width='100%' cellspacing='0' cellpadding='0'>{body}</table>"


def doc_grid(headers: list[str], rows: list[list[str]], widths: list[int] | None = None) -> str:
    """A ruled table; cells are already escaped HTML."""
    def cell(tag, i, content, extra=""):
        width = f" width='{widths[i]}%'" if widths else ""
        return f"<{tag}{width} style='padding:3px 6px;{extra}'>{content}</{tag}>"

    head = "".join(cell("th", i, escape(h), f"background-color:{DOCUMENT_HEADING_BACKGROUND}") for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table width='100%' cellspacing='0' cellpadding='0' border='1' style='{DOC_RULED}'><tr>{head}</tr>{body}</table>"


def doc_boxed(text: str) -> str:
    paragraphs = "<br>".join(escape(line) for line in (text or "").splitlines()) or "&nbsp;"
    return (f"<table width='100%' cellspacing='0' cellpadding='0' border='1' style='{DOC_RULED}'>"
            f"<tr><td style='padding:5px 7px'>{paragraphs}</td></tr></table>")


def doc_lines(count: int) -> str:
    """Ruled lines for the customer to write on."""
    rows = "".join(f"<tr><td style='border-bottom-width:1px;border-bottom-style:dotted;border-bottom-color:{DOCUMENT_RULE};"
                   "padding-top:16px'>&nbsp;</td></tr>" for _i in range(count))
    return f"<table width='100%' cellspacing='0' cellpadding='0'>{rows}</table>"


def doc_signatures(left_title: str, right_title: str, right_prefill: str) -> str:
    sign = escape(_("(Signature and full name)"))
    name, on = escape(_("Full name:")), escape(_("Date:"))

    def block(title: str, prefill: str) -> str:
        who = f"<b>{escape(prefill)}</b>" if prefill else "." * 34
        return (f"<p align='center' style='margin:0'><b>{escape(title)}</b><br>"
                f"<i style='font-size:8.5pt'>{sign}</i></p>"
                "<table width='100%' cellspacing='0' cellpadding='0'><tr><td style='padding-top:78px'>"
                f"{name} {who}</td></tr><tr><td style='padding-top:6px'>{on} ....../....../..........</td></tr></table>")

    return ("<table width='100%' cellspacing='0' cellpadding='0' style='margin-top:16px'><tr>"
            f"<td width='50%' valign='top' style='padding-right:28px'>{block(left_title, '')}</td>"
            f"<td width='50%' valign='top' style='padding-left:28px'>{block(right_title, right_prefill)}</td>"
            "</tr></table>")


def doc_staff(alias: str, code: str) -> str:
    """How a customer-facing document names staff: alias and code, never a personal name."""
    if alias and code:
        return f"{alias} ({code})"
    return alias or code


def doc_document(body: str) -> str:
    return (f"<html><head><meta charset='utf-8'></head><body style=\"font-family:'{FONT_FAMILY}';"
            f"font-size:{FONT_SIZE}pt\">{body}</body></html>")


def format_duration_minutes(minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes))


def doc_local_day(value) -> date | None:
    if isinstance(value, datetime):
        return desk_day(value)
    return value if isinstance(value, date) else None


def _document_for(html: str, device=None) -> QTextDocument:
    """The report laid out for `device` (a PDF writer or printer): on its page, in its
    resolution, with no margin of its own (the device's page margins are the document's)."""
    doc = QTextDocument()
    doc.setDefaultFont(QFont(ensure_fonts(), FONT_SIZE))
    doc.setDocumentMargin(0)
    if device is not None:
        doc.documentLayout().setPaintDevice(device)
        doc.setPageSize(device.pageLayout().paintRectPixels(device.resolution()).size().toSizeF())
    doc.setHtml(html)
    return doc


def write_pdf(html: str, path: str | Path, title: str = "") -> Path:
    """Write the report as an A4 PDF with its fonts embedded."""
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(20, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("Desktop Helpdesk")
    _document_for(html, writer).print_(writer)
    del writer  # the file is complete once the writer is gone
    return path


def open_report(parent, render, file_stem: str, title: str = N_("Service report")) -> "ReportDialog":
    """Show a report window (deleted when closed) for `render(language) -> HTML`; `title` is
    the English title of its window and PDF (translated when shown)."""
    dialog = ReportDialog(render, file_stem, parent, title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


class ReportDialog(QDialog):
    """Preview of a report with its language, "Save as PDF…" (Ctrl+S) and "Print…" (Ctrl+P)."""

    def __init__(self, build_html, file_stem: str, parent: QWidget | None = None, title: str = N_("Service report")):
        super().__init__(parent)
        retranslate.register(self)
        self.build_html = build_html  # language -> HTML
        self.file_stem = file_stem
        self.title = title
        fit_to_screen(self, 820, 900)  # A4-like, but never taller than the screen: the preview scrolls
        self.language = QComboBox()
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if language() == "vi" else 1)
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language)
        self.preview = QTextBrowser()
        self.save_button, self.print_button, self.close_button = QPushButton(), QPushButton(), QPushButton()
        self.status = QLabel()
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.language_label)
        top.addWidget(self.language)
        top.addStretch()
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        for b in (self.save_button, self.print_button, self.close_button):
            bottom.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 1)
        layout.addLayout(bottom)
        self.language.currentIndexChanged.connect(self._render)
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button.clicked.connect(self.print_report)
        self.close_button.clicked.connect(self.accept)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save_pdf)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_report)
        self.retranslate()
        self.language.setFocus()

    @property
    def document_language(self) -> str:
        return self.language.currentData()

    def html(self) -> str:
        return self.build_html(self.document_language)

    def _render(self) -> None:
        self.preview.document().setDefaultFont(QFont(ensure_fonts(), FONT_SIZE))
        self.preview.setHtml(self.html())

    def save_pdf(self, path: str | None = None) -> Path | None:
        if not path:
            path, _filter = QFileDialog.getSaveFileName(self, _("Save as PDF"), f"{self.file_stem}.pdf",
                                                        _("PDF documents (*.pdf)"))
            if not path:
                return None
        if not str(path).lower().endswith(".pdf"):
            path = f"{path}.pdf"
        try:
            out = write_pdf(self.html(), path, self.windowTitle())
        except OSError as exc:
            log.error("cannot write the report PDF", exc_info=exc)
            self.status.setText(_("The PDF could not be written: check the folder and that the file is not open."))
            return None
        self.status.setText(_("Saved to {path}").format(path=str(out)))
        return out

    def print_report(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageMargins(QMarginsF(20, 15, 15, 15), QPageLayout.Unit.Millimeter)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            _document_for(self.html(), printer).print_(printer)
            self.status.setText(_("Sent to the printer."))

    def retranslate(self) -> None:
        self.setWindowTitle(_(self.title))
        self.language_label.setText(_("Document &language:"))
        self.save_button.setText(_("Save as &PDF…"))
        self.save_button.setToolTip(_("Save as PDF (Ctrl+S)"))
        self.print_button.setText(_("P&rint…"))
        self.print_button.setToolTip(_("Print (Ctrl+P)"))
        self.close_button.setText(_("Close"))
        self._render()
