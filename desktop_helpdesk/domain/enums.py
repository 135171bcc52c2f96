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


class WorkingWeek(_Labelled):
    """The firm's office week: the days and hours its office-hours clocks run."""

    MON_FRI = "mon_fri"  # Monday to Friday, 08:00–12:00 and 13:30–17:30
    MON_FRI_SAT_MORNING = "mon_fri_sat_morning"  # ... and Saturday 08:00–12:00, as many firms work

    @classmethod
    def _labels(cls):
        return {cls.MON_FRI: N_("Monday to Friday"), cls.MON_FRI_SAT_MORNING: N_("Monday to Friday and Saturday morning")}


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
    # The work log (domain.worklog): what the desk did, with each kind's own fields.
    CALL = "call"
    REMOTE_SESSION = "remote_session"
    VISIT = "visit"  # on-site visit
    EMAIL = "email"
    # The reply to a complaint: the result and the plan told to the customer (seed 000 §2.7).
    COMPLAINT_REPLY = "complaint_reply"
    # Raised one step for a maintenance customer whose package gives priority (seed 004).
    PRIORITY_RAISED = "priority_raised"
    # The written change request, its quote and the customer's approval (seed 001).
    CHANGE_REQUEST = "change_request"

    @classmethod
    def _labels(cls):
        return {
            cls.CREATED: N_("Created"),
            cls.STATUS_CHANGED: N_("Status changed"),
            cls.ASSIGNED: N_("Assigned"),
            cls.FIELD_CHANGED: N_("Field changed"),
            cls.NOTE: N_("Note"),
            cls.COMPLAINT_REPLY: N_("Reply to the complaint"),
            cls.PRIORITY_RAISED: N_("Priority raised (maintenance customer)"),
            cls.CHANGE_REQUEST: N_("Change request"),
            cls.CALL: N_("Call"),
            cls.REMOTE_SESSION: N_("Remote session"),
            cls.VISIT: N_("On-site visit"),
            cls.EMAIL: N_("E-mail"),
        }


class EntitlementReason(_Labelled):
    """Why a request is refused, or what the operator must know about its coverage.

    Refusal grounds come from seed 002 §5–6; the last two are notes that never refuse.
    The declaration order is the order in which reasons are listed.
    """

    UNPAID = "unpaid"
    EXPIRED_BEYOND_GRACE = "expired_beyond_grace"
    REPEATED_HOW_TO = "repeated_how_to"
    SOURCE_CODE_REQUEST = "source_code_request"
    NOT_COOPERATING = "not_cooperating"
    OUT_OF_SCOPE = "out_of_scope"
    IN_GRACE_PERIOD = "in_grace_period"
    CHANGE_REQUEST_BILLABLE = "change_request_billable"
    CONTRACT_TERMINATED = "contract_terminated"

    @classmethod
    def _labels(cls):
        return {
            cls.UNPAID: N_("Part or all of the agreed cost is unpaid."),
            cls.EXPIRED_BEYOND_GRACE: N_("The service expired more than 10 days ago."),
            cls.REPEATED_HOW_TO: N_(
                "The customer already asked for this guidance: send them the documentation instead."
            ),
            cls.SOURCE_CODE_REQUEST: N_("The customer asks to inspect the source code."),
            cls.NOT_COOPERATING: N_(
                "The customer does not follow or keep working with the support staff."
            ),
            cls.OUT_OF_SCOPE: N_("The request is outside the support staff's duties."),
            cls.IN_GRACE_PERIOD: N_(
                "The service expired within the last 10 days: serve the customer and remind them to renew."
            ),
            cls.CHANGE_REQUEST_BILLABLE: N_(
                "A change or addition must be requested in writing and is billed extra."
            ),
            cls.CONTRACT_TERMINATED: N_(
                "The contract was terminated early: no warranty or maintenance after its end, help is billed."
            ),
        }

    @property
    def code(self) -> str:
        return self.value

    @property
    def message(self) -> str:
        """The English message, marked for extraction; translate it when shown."""
        return self.label

    @property
    def is_refusal(self) -> bool:
        return self not in (
            EntitlementReason.IN_GRACE_PERIOD,
            EntitlementReason.CHANGE_REQUEST_BILLABLE,
            EntitlementReason.CONTRACT_TERMINATED,
        )


class PaymentMethod(_Labelled):
    CASH = "cash"  # tiền mặt
    BANK_TRANSFER = "bank_transfer"  # chuyển khoản
    CARD = "card"
    E_WALLET = "e_wallet"  # MoMo, ZaloPay, ...
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            cls.CASH: N_("Cash"),
            cls.BANK_TRANSFER: N_("Bank transfer"),
            cls.CARD: N_("Card"),
            cls.E_WALLET: N_("E-wallet"),
            cls.OTHER: N_("Other"),
        }


class ObligationKind(_Labelled):
    """Every kind of dated promise on a contract (DOMAIN.md, "Obligation")."""

    WARRANTY_END = "warranty_end"
    MAINTENANCE_END = "maintenance_end"
    RENEWAL_NOTICE = "renewal_notice"
    MILESTONE_INSTALLATION = "milestone_installation"
    MILESTONE_TRAINING = "milestone_training"
    MILESTONE_PILOT = "milestone_pilot"
    MILESTONE_ACCEPTANCE = "milestone_acceptance"
    PERIODIC_VISIT = "periodic_visit"
    PERIODIC_TRAINING = "periodic_training"
    REGULATORY_UPDATE = "regulatory_update"
    GRACE_END = "grace_end"

    @classmethod
    def _labels(cls):
        return {
            cls.WARRANTY_END: N_("Warranty ends"),
            cls.MAINTENANCE_END: N_("Maintenance term ends"),
            cls.RENEWAL_NOTICE: N_("Renewal notice"),
            cls.MILESTONE_INSTALLATION: N_("Installation"),
            cls.MILESTONE_TRAINING: N_("Training"),
            cls.MILESTONE_PILOT: N_("Pilot run"),
            cls.MILESTONE_ACCEPTANCE: N_("Acceptance"),
            cls.PERIODIC_VISIT: N_("Periodic visit"),
            cls.PERIODIC_TRAINING: N_("Periodic training"),
            cls.REGULATORY_UPDATE: N_("Regulatory software update"),
            cls.GRACE_END: N_("Grace period ends"),
        }

    @property
    def is_derived(self) -> bool:
        """Computed from the contract's dates (not planned by hand)."""
        return self in (
            ObligationKind.WARRANTY_END,
            ObligationKind.MAINTENANCE_END,
            ObligationKind.RENEWAL_NOTICE,
            ObligationKind.GRACE_END,
        )
