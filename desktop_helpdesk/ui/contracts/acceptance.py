"""A contract's acceptance and handover minutes, printed and signed by both sides."""

from __future__ import annotations

from html import escape

from ...domain.enums import ObligationKind
from ...i18n import _, using
from ...i18n.formatting import format_date, format_vnd
from ..kit.documents import (
    doc_boxed,
    doc_document,
    doc_facts,
    doc_grid,
    doc_lines,
    doc_section,
    doc_signatures,
    doc_staff,
    doc_title,
    doc_v,
    doc_vendor_head,
    doc_when,
)


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
                 doc_when(due), doc_when(done) if done else escape(_("not recorded"))]
                for kind, due, title, done in facts.milestones]
        work = (doc_grid([_("Milestone"), _("Planned"), _("Done")], rows, [56, 22, 22]) if rows else doc_boxed(
            _("Installation, configuration, data set-up and user training as agreed in the contract.")))
        conclusion = _("The parties agree that the software package \"{package}\" under contract {number} has been "
                       "installed, the users trained and the system handed over in working order, and accept it on "
                       "{accepted}. The warranty of {months} months runs from that day until {end}.").format(
            package=facts.package_name, number=facts.contract_number, accepted=format_date(facts.accepted_on),
            months=facts.warranty_months, end=format_date(facts.warranty_end) or "—")
        basis = _("Pursuant to contract No. {number} signed on {signed}").format(
            number=facts.contract_number, signed=format_date(facts.signed_on) or "—")
        party_a = doc_facts([(_("Name"), f"<b>{doc_v(c.name)}</b>"), (_("Customer code"), doc_v(c.code)),
                          (_("Address"), doc_v(c.address)), (_("Tax code"), doc_v(c.tax_code)),
                          (_("Represented by"), "." * 26), (_("Position"), "." * 26)], 42)
        party_b = doc_facts([(_("Name"), f"<b>{doc_v(vendor_name)}</b>"), (_("Address"), doc_v(vendor.get("address"))),
                          (_("Tax code"), doc_v(vendor.get("tax_code"))),
                          (_("Represented by"), f"<b>{doc_v(doc_staff(facts.representative_alias, facts.representative_code))}</b>")],
                         42)
        implementation = " – ".join(x for x in (format_date(facts.implementation_started_on),
                                                 format_date(facts.completed_on)) if x) or "—"
        parts = [
            doc_vendor_head(vendor, number, facts.accepted_on),
            doc_title(_("ACCEPTANCE AND HANDOVER MINUTES"), basis),
            "<table width='100%' cellspacing='0' cellpadding='0' style='margin-top:6px'><tr>"
            f"<td width='50%' valign='top' style='padding-right:12px'>{doc_section(party_a_title)}{party_a}</td>"
            f"<td width='50%' valign='top' style='padding-left:12px'>{doc_section(party_b_title)}{party_b}</td>"
            "</tr></table>",
            doc_section(_("1. Subject of acceptance")),
            doc_facts([(_("Contract number"), doc_v(facts.contract_number)), (_("Service package"), doc_v(facts.package_name)),
                    (_("Contract value"), escape(format_vnd(facts.value_vnd))),
                    (_("Implementation period"), escape(implementation)),
                    (_("Accepted on"), f"<b>{doc_when(facts.accepted_on)}</b>")]),
            doc_section(_("2. Work done")),
            work,
            doc_section(_("3. Result")),
            f"<p style='margin:0'>{escape(conclusion)}</p>",
            doc_section(_("4. Remarks")),
            doc_lines(2),
            f"<p style='margin-top:10px;margin-bottom:0'><i>{escape(copies)}</i></p>",
            doc_signatures(_("PARTY A'S REPRESENTATIVE"), _("PARTY B'S REPRESENTATIVE"),
                        doc_staff(facts.representative_alias, facts.representative_code)),
        ]
        return doc_document("".join(parts))


