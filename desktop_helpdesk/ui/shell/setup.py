"""First run without the demo: the firm's details, its first package and its working week.

A fresh database has no package, and a contract needs one; reports print the firm's details;
office-hours clocks need the firm's week. The wizard asks for all three once, in a few
fields each; Cancel skips it (File → Packages and SLA…, Company details… and the support
calendar do the same later)."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from ...domain.enums import SupportHours, WorkingWeek
from ...domain.errors import DuplicateError
from ...domain.text import normalize
from ...i18n import N_, _
from ...services import catalog
from ...services.dto import PackageData
from ...services.errors import ValidationFailed
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit.widgets import enum_label, error_label
from ..kit.worker import Jobs

log = logging.getLogger(__name__)


def _apply(ctx, company: dict[str, str], package: PackageData, week: str) -> int:
    """On the worker: the firm's details, its first package and its week, in that order.
    Returns the package's id."""
    catalog.set_vendor(ctx, catalog.vendor(ctx), **company)
    # Finish pressed again after a later step failed: the package the first press saved is
    # that one (adding it again was refused as a duplicate code, and the wizard never finished).
    saved = next((p for p in catalog.packages(ctx, True) if p.code == normalize(package.code).upper()
                  and p.name == normalize(package.name)), None)
    package_id = saved.id if saved is not None else catalog.add_package(ctx, package)
    read = catalog.working_week(ctx)
    if week != read:
        catalog.set_working_week(ctx, read, week)
    return package_id


class SetupWizard(QWizard):
    """Company, first package, working week: the minimum to take the first contract."""

    COMPANY = (("name", N_("Company name:"), 200), ("address", N_("Address:"), 300),
               ("tax_code", N_("Tax code:"), 14), ("hotline", N_("Hotline:"), 40))

    def __init__(self, jobs: Jobs, parent=None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.package_id: int | None = None
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)

        # 1. The firm.
        self.company_page = QWizardPage()
        self.company_intro = QLabel()
        self.company_intro.setWordWrap(True)
        self.company = {}
        self.company_labels = {}
        form = QFormLayout()
        for key, _label, _limit in self.COMPANY:
            field = QLineEdit()
            self.company[key] = field
            self.company_labels[key] = QLabel()
            self.company_labels[key].setBuddy(field)
            form.addRow(self.company_labels[key], field)
        layout = QVBoxLayout(self.company_page)
        layout.addWidget(self.company_intro)
        layout.addLayout(form)
        self.addPage(self.company_page)

        # 2. The first package.
        self.package_page = QWizardPage()
        self.package_intro = QLabel()
        self.package_intro.setWordWrap(True)
        self.code, self.name = QLineEdit("PM"), QLineEdit()
        self.support_hours = QComboBox()
        for h in SupportHours:
            self.support_hours.addItem("", h.value)
        self.spins = {}
        for key, value, maximum in (("warranty_months", 12, 60), ("proposal_target_minutes", 240, 10_000),
                                    ("fix_target_hours", 24, 1000), ("fix_extended_hours", 48, 1000),
                                    ("complaint_target_hours", 72, 1000)):
            spin = QSpinBox()
            spin.setRange(1, maximum)
            spin.setValue(value)
            self.spins[key] = spin
        self.package_labels = {k: QLabel() for k in ("code", "name", "support_hours", *self.spins)}
        form = QFormLayout()
        for key, widget in (("code", self.code), ("name", self.name), ("support_hours", self.support_hours),
                            *self.spins.items()):
            self.package_labels[key].setBuddy(widget)
            form.addRow(self.package_labels[key], widget)
        layout = QVBoxLayout(self.package_page)
        layout.addWidget(self.package_intro)
        layout.addLayout(form)
        self.addPage(self.package_page)

        # 3. The working week.
        self.week_page = QWizardPage()
        self.week_intro = QLabel()
        self.week_intro.setWordWrap(True)
        self.week = QComboBox()
        for w in WorkingWeek:
            self.week.addItem("", w.value)
        self.week_label = QLabel()
        self.week_label.setBuddy(self.week)
        self.error = error_label()
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.week_label, self.week)
        layout = QVBoxLayout(self.week_page)
        layout.addWidget(self.week_intro)
        layout.addLayout(form)
        layout.addStretch()
        layout.addWidget(self.error)
        self.addPage(self.week_page)

        self.resize(620, 460)
        self.retranslate()

    def package(self) -> PackageData:
        spins = {k: s.value() for k, s in self.spins.items()}
        return PackageData(0, self.code.text(), self.name.text(), spins["warranty_months"],
                           self.support_hours.currentData(), spins["proposal_target_minutes"],
                           spins["fix_target_hours"], spins["fix_extended_hours"], spins["complaint_target_hours"],
                           True, 0)

    def accept(self) -> None:
        """Finish: saved on the worker; the wizard closes once everything is written."""
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        company = {k: f.text() for k, f in self.company.items()}

        def done(package_id: int) -> None:
            self.package_id = package_id
            super(SetupWizard, self).accept()

        def failed(exc) -> None:
            self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
            if isinstance(exc, ValidationFailed):
                self.error.setText("; ".join(e.text(_) for e in exc.errors))
            elif isinstance(exc, DuplicateError):
                self.error.setText(_("Another package already has the code {code}.").format(code=exc.value))
            else:
                self.error.setText(failure_message(N_("The setup could not be saved."), exc, log))
            self.error.show()

        self.jobs.submit(_apply, company, self.package(), self.week.currentData(), on_done=done, on_error=failed,
                         owner=self)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Set up Desktop Helpdesk"))
        for button, text in ((QWizard.WizardButton.BackButton, _("< &Back")),
                             (QWizard.WizardButton.NextButton, _("&Next >")),
                             (QWizard.WizardButton.FinishButton, _("&Finish")),
                             (QWizard.WizardButton.CancelButton, _("Skip for now"))):
            self.setButtonText(button, text)
        self.company_page.setTitle(_("Your company"))
        self.company_intro.setText(_("Printed on service reports and acceptance minutes. You can change it later "
                                     "in File → Company details."))
        for key, label, _limit in self.COMPANY:
            self.company_labels[key].setText(_(label))
        self.package_page.setTitle(_("The first package you sell"))
        self.package_intro.setText(_("Every contract is for a package: its warranty and the support times it "
                                     "promises. Add more in File → Packages and SLA."))
        texts = {"code": _("Code:"), "name": _("Name:"), "support_hours": _("Support hours:"),
                 "warranty_months": _("Warranty (months):"),
                 "proposal_target_minutes": _("Solution proposal within (working minutes):"),
                 "fix_target_hours": _("Fix within (hours):"),
                 "fix_extended_hours": _("Fix within, over days off (hours):"),
                 "complaint_target_hours": _("Complaint answered within (hours):")}
        for key, label in self.package_labels.items():
            label.setText(texts[key])
        self.name.setPlaceholderText(_("e.g. Sales software for shops"))
        for i in range(self.support_hours.count()):
            self.support_hours.setItemText(i, enum_label(SupportHours, self.support_hours.itemData(i)))
        self.week_page.setTitle(_("Your working week"))
        self.week_intro.setText(_("Office-hours clocks count only the hours your office works, and skip "
                                  "Vietnam's public holidays. Add your own days off in the support calendar."))
        self.week_label.setText(_("&Working week:"))
        for i in range(self.week.count()):
            self.week.setItemText(i, enum_label(WorkingWeek, self.week.itemData(i)))


def needs_setup(packages) -> bool:
    """A database with no package at all (retired ones count) has never been set up."""
    return not packages
