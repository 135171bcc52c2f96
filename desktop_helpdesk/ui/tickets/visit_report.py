"""The service report (biên bản) of an on-site visit: printed and signed at the customer's."""

from __future__ import annotations

from datetime import datetime
from html import escape

from ...domain.worklog import VisitOutcome
from ...i18n import _, using
from ..kit.documents import (
    doc_boxed,
    doc_document,
    doc_facts,
    doc_grid,
    doc_lines,
    doc_local_day,
    doc_section,
    doc_signatures,
    doc_staff,
    doc_title,
    doc_v,
    doc_vendor_head,
    doc_when,
    format_duration_minutes,
)


def visit_report_html(facts, vendor: dict, lang: str) -> str:
    """The service report of an on-site visit, in `lang` ("vi" or "en")."""
    with using(lang):
        d = facts.details
        day = doc_local_day(d.get("ended_at") or d.get("started_at") or facts.occurred_at)
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
            doc_vendor_head(vendor, number, day),
            doc_title(_("ON-SITE SERVICE REPORT"), _("Technical support at the customer's premises")),
            doc_section(_("1. Customer")),
            doc_facts([(_("Customer"), f"<b>{doc_v(c.name)}</b>"), (_("Customer code"), doc_v(c.code)),
                    (_("Address"), doc_v(c.address)), (_("Tax code"), doc_v(c.tax_code))]),
            doc_section(_("2. Contract and request")),
            doc_facts([(_("Contract number"), doc_v(facts.contract_number)), (_("Service package"), doc_v(facts.package_name)),
                    (_("Support ticket"), f"{doc_v(facts.ticket_code)} — {doc_v(facts.ticket_subject)}")]),
            doc_section(_("3. Visit")),
            doc_facts([(_("Technician"), f"<b>{doc_v(doc_staff(facts.technician_alias, facts.technician_code))}</b>"),
                    (_("Place of work"), doc_v(d.get("address")))]),
            "<p style='margin:0;font-size:4pt'>&nbsp;</p>",
            doc_grid([_("Scheduled for"), _("Start time"), _("End time"), _("Duration")],
                  [[doc_when(d.get("scheduled_at")), doc_when(d.get("started_at")), doc_when(d.get("ended_at")),
                    escape(format_duration_minutes(minutes)) if minutes is not None else "—"]], [28, 28, 28, 16]),
            doc_section(_("4. Work done")),
            doc_boxed(d.get("work_done") or ""),
            doc_section(_("5. Result")),
            doc_facts(result),
            doc_section(_("6. Customer's remarks")),
            doc_lines(2),
            f"<p style='margin-top:10px;margin-bottom:0'><i>{escape(copies)}</i></p>",
            doc_signatures(_("CUSTOMER'S REPRESENTATIVE"), _("VENDOR'S TECHNICIAN"),
                        doc_staff(facts.technician_alias, facts.technician_code)),
        ]
        return doc_document("".join(parts))


