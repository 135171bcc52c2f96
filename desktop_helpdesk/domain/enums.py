"""The closed vocabularies of the support desk, named for the domain (see shared/DOMAIN.md).

Each enum's value is what the database stores (stable, English, snake_case); its `label` is
the English source text, marked for extraction and translated only when shown.
"""

from __future__ import annotations

from enum import StrEnum


def N_(message: str) -> str:
    """Mark a string for extraction into the catalog without translating it now."""
    return message


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return self._labels()[self]

    @classmethod
    def _labels(cls) -> dict:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class CustomerKind(_Labelled):
    COMPANY = "company"
    HOUSEHOLD = "household"  # hộ kinh doanh
    PERSON = "person"

    @classmethod
    def _labels(cls):
        return {
            cls.COMPANY: N_("Company"),
            cls.HOUSEHOLD: N_("Business household"),
            cls.PERSON: N_("Individual"),
        }


class OperatorRole(_Labelled):
    HOTLINE = "hotline"
    TECHNICIAN = "technician"
    LEAD = "lead"
    ADMIN = "admin"

    @classmethod
    def _labels(cls):
        return {
            cls.HOTLINE: N_("Hotline operator"),
            cls.TECHNICIAN: N_("Field technician"),
            cls.LEAD: N_("Support lead"),
            cls.ADMIN: N_("Administrator"),
        }


class SupportHours(_Labelled):
    OFFICE = "office"
    ALWAYS = "always"  # 24/7 duty

    @classmethod
    def _labels(cls):
        return {cls.OFFICE: N_("Office hours"), cls.ALWAYS: N_("24/7")}


class ContractStage(_Labelled):
    """The contract lifecycle, in order (seeds 000 and 001)."""

    REQUEST_RECEIVED = "request_received"
    AGREED = "agreed"
    SIGNED = "signed"  # signed and paid
    IMPLEMENTATION = "implementation"  # installation, training, pilot run
    COMPLETED = "completed"
    ACCEPTED = "accepted"  # nghiệm thu
    WARRANTY = "warranty"
    MAINTENANCE = "maintenance"
    ENDED = "ended"

    @classmethod
    def _labels(cls):
        return {
            cls.REQUEST_RECEIVED: N_("Request received"),
            cls.AGREED: N_("Package and price agreed"),
            cls.SIGNED: N_("Signed and paid"),
            cls.IMPLEMENTATION: N_("Implementation"),
            cls.COMPLETED: N_("Completed"),
            cls.ACCEPTED: N_("Accepted"),
            cls.WARRANTY: N_("Under warranty"),
            cls.MAINTENANCE: N_("Under maintenance"),
            cls.ENDED: N_("Ended"),
        }

    @property
    def order(self) -> int:
        return list(ContractStage).index(self)


class RequestType(_Labelled):
    INCIDENT = "incident"
    HOW_TO = "how_to"
    COMPLAINT = "complaint"
    CHANGE_REQUEST = "change_request"
    REINSTALL = "reinstall"
    REGULATORY_UPDATE = "regulatory_update"
    SOURCE_CODE_REVIEW = "source_code_review"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            cls.INCIDENT: N_("Incident"),
            cls.HOW_TO: N_("How-to question"),
            cls.COMPLAINT: N_("Complaint"),
            cls.CHANGE_REQUEST: N_("Change request"),
            cls.REINSTALL: N_("Reinstallation"),
            cls.REGULATORY_UPDATE: N_("Regulatory update"),
            cls.SOURCE_CODE_REVIEW: N_("Source code review"),
            cls.OTHER: N_("Other"),
        }


class Channel(_Labelled):
    HOTLINE = "hotline"
    EMAIL = "email"
    REMOTE = "remote"  # TeamViewer / UltraViewer
    ON_SITE = "on_site"
    FAX = "fax"

    @classmethod
    def _labels(cls):
        return {
            cls.HOTLINE: N_("Hotline"),
            cls.EMAIL: N_("E-mail"),
            cls.REMOTE: N_("Remote control"),
            cls.ON_SITE: N_("On site"),
            cls.FAX: N_("Fax"),
        }


class Priority(_Labelled):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @classmethod
    def _labels(cls):
        return {
            cls.LOW: N_("Low"),
            cls.NORMAL: N_("Normal"),
            cls.HIGH: N_("High"),
            cls.URGENT: N_("Urgent"),
        }


class TicketStatus(_Labelled):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    SOLUTION_PROPOSED = "solution_proposed"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {
            cls.NEW: N_("New"),
            cls.IN_PROGRESS: N_("In progress"),
            cls.WAITING_CUSTOMER: N_("Waiting on customer"),
            cls.SOLUTION_PROPOSED: N_("Solution proposed"),
            cls.RESOLVED: N_("Resolved"),
            cls.CLOSED: N_("Closed"),
        }

    @property
    def is_open(self) -> bool:
        return self not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class Coverage(_Labelled):
    WARRANTY = "warranty"
    MAINTENANCE = "maintenance"
    BILLABLE = "billable"
    REFUSED = "refused"

    @classmethod
    def _labels(cls):
        return {
            cls.WARRANTY: N_("Warranty"),
            cls.MAINTENANCE: N_("Maintenance"),
            cls.BILLABLE: N_("Billable"),
            cls.REFUSED: N_("Refused"),
        }


class TicketEventKind(_Labelled):
    """Entries of the append-only ticket history."""

    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    FIELD_CHANGED = "field_changed"
    NOTE = "note"

    @classmethod
    def _labels(cls):
        return {
            cls.CREATED: N_("Created"),
            cls.STATUS_CHANGED: N_("Status changed"),
            cls.ASSIGNED: N_("Assigned"),
            cls.FIELD_CHANGED: N_("Field changed"),
            cls.NOTE: N_("Note"),
        }
