"""All tables. Importing this package registers every model on `Base.metadata`."""

from assistant.db.models.audit import AuditLog
from assistant.db.models.billing import (
    Claim,
    InsurancePolicy,
    Invoice,
    InvoiceLine,
    Payment,
    PreAuthorization,
)
from assistant.db.models.conversation import Conversation, Message
from assistant.db.models.coordination import (
    CaseChecklistItem,
    LabResult,
    Outreach,
    StaffAlert,
    SupportResource,
    SurgicalCase,
)
from assistant.db.models.escalation import Escalation
from assistant.db.models.messaging import InboxMessage, OutboxMessage, Picture
from assistant.db.models.oncall import OnCallShift
from assistant.db.models.people import Contact, ContactPatient, Patient
from assistant.db.models.practice import Practice, StaffLink, StaffUser
from assistant.db.models.records import FhirSyncState
from assistant.db.models.scheduling import (
    Appointment,
    AppointmentTimeClaim,
    AppointmentType,
    ClinicianShift,
    ProtocolSeries,
)
from assistant.db.models.templates import TemplateApproval

__all__ = [
    "Appointment",
    "AppointmentTimeClaim",
    "AppointmentType",
    "AuditLog",
    "CaseChecklistItem",
    "Claim",
    "ClinicianShift",
    "Contact",
    "ContactPatient",
    "Conversation",
    "Escalation",
    "FhirSyncState",
    "InboxMessage",
    "InsurancePolicy",
    "Invoice",
    "InvoiceLine",
    "LabResult",
    "Message",
    "OnCallShift",
    "OutboxMessage",
    "Outreach",
    "Patient",
    "Payment",
    "Picture",
    "Practice",
    "PreAuthorization",
    "ProtocolSeries",
    "StaffAlert",
    "StaffLink",
    "StaffUser",
    "SupportResource",
    "SurgicalCase",
    "TemplateApproval",
]
