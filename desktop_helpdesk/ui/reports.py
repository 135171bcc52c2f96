"""Printable service reports (biên bản): an on-site visit, and a contract's acceptance.

The facts are read on the worker (services.worklog); here they become HTML in the language
chosen for the document (i18n.using), laid out by a QTextDocument, and written to an A4 PDF
with QPdfWriter (the bundled DejaVu Serif is embedded, so Vietnamese diacritics print the
same everywhere) or sent to a printer through the print dialog.

Customer-facing: staff appear only by alias and code (seed 002 §7); the facts never carry a
name, phone or e-mail of staff.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QEvent, QMarginsF, Qt
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QPageLayout, QPageSize, QPdfWriter, QShortcut, QTextDocument
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

from ..domain.enums import ObligationKind
from ..domain.worklog import VisitOutcome
from ..i18n import N_, _, language, using
from ..i18n.formatting import (
    DISPLAY_ZONE,
    format_date,
    format_datetime,
    format_duration,
    format_long_date,
    format_vnd,
)
from ..paths import resources_dir

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


# -- HTML --------------------------------------------------------------------------------

_DOTS = "." * 40
_RULED = "border-width:1px;border-style:solid;border-color:#444;border-collapse:collapse"


def _v(value) -> str:
    return escape(str(value)) if value not in (None, "") else "—"


def _when(value) -> str:
    if isinstance(value, datetime):
        return escape(format_datetime(value))
    if isinstance(value, date):
        return escape(format_date(value))
    return "—"


def _vendor_head(vendor: dict, number: str, day: date | None) -> str:
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


def _title(title: str, subtitle: str = "") -> str:
    sub = (f"<p align='center' style='margin-top:2px;margin-bottom:4px'><i>{escape(subtitle)}</i></p>"
           if subtitle else "")
    return (f"<p align='center' style='margin-top:16px;margin-bottom:0;font-size:14pt'><b>{escape(title)}</b></p>"
            + sub)


def _section(title: str) -> str:
    return f"<p style='margin-top:9px;margin-bottom:3px;font-size:10.5pt'><b>{escape(title)}</b></p>"


def _facts(rows: list[tuple[str, str]], label_width: int = 26) -> str:
    """Label: value rows; values are already escaped HTML."""
    body = "".join(
        f"<tr><td width='{label_width}%' valign='top' style='padding:1px 8px 1px 0'>{escape(label)}:</td>"
        f"<td valign='top' style='padding:1px 0'>{value}</td></tr>" for label, value in rows)
    return f"<table width='100%' cellspacing='0' cellpadding='0'>{body}</table>"


def _grid(headers: list[str], rows: list[list[str]], widths: list[int] | None = None) -> str:
    """A ruled table; cells are already escaped HTML."""
    def cell(tag, i, content, extra=""):
        width = f" width='{widths[i]}%'" if widths else ""
        return f"<{tag}{width} style='padding:3px 6px;{extra}'>{content}</{tag}>"

    head = "".join(cell("th", i, escape(h), "background-color:#ececec") for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table width='100%' cellspacing='0' cellpadding='0' border='1' style='{_RULED}'><tr>{head}</tr>{body}</table>"


def _boxed(text: str) -> str:
    paragraphs = "<br>".join(escape(line) for line in (text or "").splitlines()) or "&nbsp;"
    return (f"<table width='100%' cellspacing='0' cellpadding='0' border='1' style='{_RULED}'>"
            f"<tr><td style='padding:5px 7px'>{paragraphs}</td></tr></table>")


def _lines(count: int) -> str:
    """Ruled lines for the customer to write on."""
    rows = "".join("<tr><td style='border-bottom-width:1px;border-bottom-style:dotted;border-bottom-color:#444;"
                   "padding-top:16px'>&nbsp;</td></tr>" for _i in range(count))
    return f"<table width='100%' cellspacing='0' cellpadding='0'>{rows}</table>"


def _signatures(left_title: str, right_title: str, right_prefill: str) -> str:
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


def _staff(alias: str, code: str) -> str:
    """How a customer-facing document names staff: alias and code, never a personal name."""
    if alias and code:
        return f"{alias} ({code})"
    return alias or code


def _document(body: str) -> str:
    return (f"<html><head><meta charset='utf-8'></head><body style=\"font-family:'{FONT_FAMILY}';"
            f"font-size:{FONT_SIZE}pt\">{body}</body></html>")


def visit_report_html(facts, vendor: dict, lang: str) -> str:
    """The service report of an on-site visit, in `lang` ("vi" or "en")."""
    with using(lang):
        d = facts.details
        day = _local_day(d.get("ended_at") or d.get("started_at") or facts.occurred_at)
        # The report's number: the ticket's code and the visit's entry (VR: visit report).
        number = _("{ticket}/VR-{entry}").format(ticket=facts.ticket_code, entry=facts.entry_id)
        copies = _("This report is made in two copies; each party keeps one.")
        minutes = None
        if isinstance(d.get("started_at"), datetime) and isinstance(d.get("ended_at"), datetime):
            minutes = int((d["ended_at"] - d["started_at"]).total_seconds() // 60)
        outcome = d.get("outcome")
        outcome_text = _(VisitOutcome(outcome).label) if outcome in set(VisitOutcome) else _("Not stated")
        c = facts.customer
        result = [(_("Outcome"), f"<b>{escape(outcome_text)}</b>")]
        if facts.body:
            result.append((_("Remarks"), "<br>".join(escape(x) for x in facts.body.splitlines())))
        parts = [
            _vendor_head(vendor, number, day),
            _title(_("ON-SITE SERVICE REPORT"), _("Technical support at the customer's premises")),
            _section(_("1. Customer")),
            _facts([(_("Customer"), f"<b>{_v(c.name)}</b>"), (_("Customer code"), _v(c.code)),
                    (_("Address"), _v(c.address)), (_("Tax code"), _v(c.tax_code))]),
            _section(_("2. Contract and request")),
            _facts([(_("Contract number"), _v(facts.contract_number)), (_("Service package"), _v(facts.package_name)),
                    (_("Support ticket"), f"{_v(facts.ticket_code)} — {_v(facts.ticket_subject)}")]),
            _section(_("3. Visit")),
            _facts([(_("Technician"), f"<b>{_v(_staff(facts.technician_alias, facts.technician_code))}</b>"),
                    (_("Place of work"), _v(d.get("address")))]),
            "<p style='margin:0;font-size:4pt'>&nbsp;</p>",
            _grid([_("Scheduled for"), _("Start time"), _("End time"), _("Duration")],
                  [[_when(d.get("scheduled_at")), _when(d.get("started_at")), _when(d.get("ended_at")),
                    escape(format_duration_minutes(minutes)) if minutes is not None else "—"]], [28, 28, 28, 16]),
            _section(_("4. Work done")),
            _boxed(d.get("work_done") or ""),
            _section(_("5. Result")),
            _facts(result),
            _section(_("6. Customer's remarks")),
            _lines(2),
            f"<p style='margin-top:10px;margin-bottom:0'><i>{escape(copies)}</i></p>",
            _signatures(_("CUSTOMER'S REPRESENTATIVE"), _("VENDOR'S TECHNICIAN"),
                        _staff(facts.technician_alias, facts.technician_code)),
        ]
        return _document("".join(parts))


def acceptance_report_html(facts, vendor: dict, lang: str) -> str:
    """The acceptance minutes (biên bản nghiệm thu) of a contract, in `lang`."""
    with using(lang):
        c = facts.customer
        number = _("{contract}/AM").format(contract=facts.contract_number)  # AM: acceptance minutes
        copies = _("These minutes are made in two copies of equal value; each party keeps one.")
        party_a_title, party_b_title = _("Party A (the customer)"), _("Party B (the vendor)")
        vendor_name = vendor.get("name") or _("Software vendor")
        rows = [[escape(_(ObligationKind(kind).label) if kind in set(ObligationKind) else kind)
                 + (f" – {escape(title)}" if title else ""),
                 _when(due), _when(done) if done else escape(_("not recorded"))]
                for kind, due, title, done in facts.milestones]
        work = (_grid([_("Milestone"), _("Planned"), _("Done")], rows, [56, 22, 22]) if rows else _boxed(
            _("Installation, configuration, data set-up and user training as agreed in the contract.")))
        conclusion = _("The parties agree that the software package \"{package}\" under contract {number} has been "
                       "installed, the users trained and the system handed over in working order, and accept it on "
                       "{accepted}. The warranty of {months} months runs from that day until {end}.").format(
            package=facts.package_name, number=facts.contract_number, accepted=format_date(facts.accepted_on),
            months=facts.warranty_months, end=format_date(facts.warranty_end) or "—")
        basis = _("Pursuant to contract No. {number} signed on {signed}").format(
            number=facts.contract_number, signed=format_date(facts.signed_on) or "—")
        party_a = _facts([(_("Name"), f"<b>{_v(c.name)}</b>"), (_("Customer code"), _v(c.code)),
                          (_("Address"), _v(c.address)), (_("Tax code"), _v(c.tax_code)),
                          (_("Represented by"), "." * 26), (_("Position"), "." * 26)], 42)
        party_b = _facts([(_("Name"), f"<b>{_v(vendor_name)}</b>"), (_("Address"), _v(vendor.get("address"))),
                          (_("Tax code"), _v(vendor.get("tax_code"))),
                          (_("Represented by"), f"<b>{_v(_staff(facts.representative_alias, facts.representative_code))}</b>")],
                         42)
        implementation = " – ".join(x for x in (format_date(facts.implementation_started_on),
                                                 format_date(facts.completed_on)) if x) or "—"
        parts = [
            _vendor_head(vendor, number, facts.accepted_on),
            _title(_("ACCEPTANCE AND HANDOVER MINUTES"), basis),
            "<table width='100%' cellspacing='0' cellpadding='0' style='margin-top:6px'><tr>"
            f"<td width='50%' valign='top' style='padding-right:12px'>{_section(party_a_title)}{party_a}</td>"
            f"<td width='50%' valign='top' style='padding-left:12px'>{_section(party_b_title)}{party_b}</td>"
            "</tr></table>",
            _section(_("1. Subject of acceptance")),
            _facts([(_("Contract number"), _v(facts.contract_number)), (_("Service package"), _v(facts.package_name)),
                    (_("Contract value"), escape(format_vnd(facts.value_vnd))),
                    (_("Implementation period"), escape(implementation)),
                    (_("Accepted on"), f"<b>{_when(facts.accepted_on)}</b>")]),
            _section(_("2. Work done")),
            work,
            _section(_("3. Result")),
            f"<p style='margin:0'>{escape(conclusion)}</p>",
            _section(_("4. Remarks")),
            _lines(2),
            f"<p style='margin-top:10px;margin-bottom:0'><i>{escape(copies)}</i></p>",
            _signatures(_("PARTY A'S REPRESENTATIVE"), _("PARTY B'S REPRESENTATIVE"),
                        _staff(facts.representative_alias, facts.representative_code)),
        ]
        return _document("".join(parts))


def format_duration_minutes(minutes: int) -> str:
    from datetime import timedelta

    return format_duration(timedelta(minutes=minutes))


def _local_day(value) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(DISPLAY_ZONE).date()
    return value if isinstance(value, date) else None


# -- PDF and printing ----------------------------------------------------------------------

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
        self.build_html = build_html  # language -> HTML
        self.file_stem = file_stem
        self.title = title
        self.resize(820, 900)
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

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
