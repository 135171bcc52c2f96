"""First run without the demo: the setup wizard writes the firm's details, its first package
and its working week, and a contract can then be taken."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard

from desktop_helpdesk.services import catalog
from desktop_helpdesk.ui.shell.setup import SetupWizard, needs_setup

from .conftest import type_text


def test_the_wizard_sets_up_a_fresh_database_in_vietnamese(open_desk, vietnamese, qtbot):
    desk = open_desk()
    assert needs_setup(catalog.packages(desk.ctx, True))
    wizard = SetupWizard(desk.jobs)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.company_page.title() == "Công ty của bạn"
    assert wizard.buttonText(QWizard.WizardButton.CancelButton) == "Để sau"
    type_text(wizard.company["name"], "Công ty TNHH Phần mềm Sao Mai")
    type_text(wizard.company["hotline"], "1900 6868")
    wizard.next()
    assert wizard.currentPage() is wizard.package_page
    wizard.code.setText("SM-POS")
    type_text(wizard.name, "Phần mềm bán hàng Sao Mai")
    wizard.spins["warranty_months"].setValue(6)
    wizard.next()
    wizard.week.setCurrentIndex(wizard.week.findData("mon_fri_sat_morning"))
    assert wizard.week.currentText() == "Thứ Hai đến thứ Sáu và sáng thứ Bảy"
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    [package] = catalog.packages(desk.ctx)
    assert (package.id, package.code, package.name, package.warranty_months) == (
        wizard.package_id, "SM-POS", "Phần mềm bán hàng Sao Mai", 6)
    assert catalog.vendor(desk.ctx)["name"] == "Công ty TNHH Phần mềm Sao Mai"
    assert catalog.working_week(desk.ctx) == "mon_fri_sat_morning"
    assert not needs_setup(catalog.packages(desk.ctx, True))


def test_a_bad_package_keeps_the_wizard_open_with_the_reason(open_desk, qtbot):
    desk = open_desk()
    wizard = SetupWizard(desk.jobs)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.code.setText("")  # no code, no name
    wizard.next()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: wizard.error.isVisible())
    assert "required" in wizard.error.text() and wizard.isVisible()
    assert catalog.packages(desk.ctx, True) == []
