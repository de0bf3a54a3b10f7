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
from assistant.db.models.escalation import Escalation
from assistant.db.models.messaging import InboxMessage, OutboxMessage
from assistant.db.models.oncall import OnCallShift
from assistant.db.models.people import Contact, ContactPatient, Patient
from assistant.db.models.practice import Practice, StaffUser
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
    "Claim",
    "ClinicianShift",
    "Contact",
    "ContactPatient",
    "Conversation",
    "Escalation",
    "InboxMessage",
    "InsurancePolicy",
    "Invoice",
    "InvoiceLine",
    "Message",
    "OnCallShift",
    "OutboxMessage",
    "Patient",
    "Payment",
    "PreAuthorization",
    "Practice",
    "ProtocolSeries",
    "StaffUser",
    "TemplateApproval",
]
