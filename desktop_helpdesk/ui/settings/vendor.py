"""The vendor's own details, printed at the head of every customer-facing document (service
reports, acceptance minutes): name, address, tax code, hotline, e-mail and website."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from ...domain import validation as v
from ...i18n import N_, _
from ...services import catalog
from ..kit.errors import failure_message
from ..kit.form import FormDialog
from ..kit.worker import Jobs

log = logging.getLogger(__name__)


class VendorDialog(FormDialog):
    """Edits the header of the reports; read and written on the worker."""

    FIELDS = (("name", N_("Company name"), 200), ("address", N_("Address"), 300), ("tax_code", N_("Tax code"), 14),
              ("hotline", N_("Hotline"), 40), ("email", N_("E-mail"), 254), ("website", N_("Website"), 200))

    #: Checked as typed with the domain's rule (no maxLength: a long paste is said too long,
    #: never cut short without a word).
    TEXT_RULES = {name: (length, False) for name, _title, length in FIELDS}

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(jobs, parent)
        self.resize(560, 360)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.fields: dict[str, QLineEdit] = {}
        for name, title, _length in self.FIELDS:
            edit = QLineEdit()
            self.fields[name] = self.form.add(name, title, edit, required=name == "name")
        self._watch(*self.fields.values())
        self.loaded = False  # until then Save stays off: saving would blank what is stored
        self.read: dict[str, str] = {}  # what was stored when loaded: a save checks nobody changed it since
        self._finish_layout(self.intro)
        jobs.submit(catalog.vendor, on_done=self.load, on_error=self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self.show_status(failure_message(N_("The company details could not be read, so they cannot be changed now."), exc, log))

    def revalidate(self) -> bool:
        ok = super().revalidate()
        if not self.loaded:
            self.save_button.setEnabled(False)
        return ok and self.loaded

    def load(self, values: dict) -> None:
        """Show what is stored (nothing typed is overwritten)."""
        for name, edit in self.fields.items():
            if name not in self._touched:
                edit.setText(values.get(name, ""))
        self.read = dict(values)
        self.loaded = True
        # Details stored earlier are checked at once, so a Save that stays disabled says why.
        self._attempted = self._attempted or any(values.get(name) for name in self.fields)
        self.revalidate()

    def field_errors(self) -> dict[str, str]:
        text = {name: edit.text() for name, edit in self.fields.items()}
        checks = (v.validate_required("name", text["name"]), v.validate_tax_code("tax_code", text["tax_code"]),
                  v.validate_email("email", text["email"]))
        return {err.field: self.error_text(err) for err in checks if err is not None}

    def build_job(self):
        values = {name: edit.text().strip() for name, edit in self.fields.items()}
        read = self.read
        # A concurrent change (another desk saved the details meanwhile) is shown by the form
        # as for every record: "Someone else changed this record after you opened it..."
        return (lambda ctx: catalog.set_vendor(ctx, read, **values)), ()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Company details on reports"))
        self.intro.setText(_("Printed at the head of service reports and acceptance minutes. Staff appear on "
                             "them only by alias and code."))
