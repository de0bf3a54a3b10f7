"""Visits changed by text as FHIR R4 Appointments (fhir.resources' R4B models), for a human
practice to enter in its own schedule. One Appointment per visit touched, in its state now:
a move gives the new visit (booked) and the one it replaced (cancelled, "moved by text")."""

from collections.abc import Sequence
from datetime import datetime

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.appointment import AppointmentParticipant
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding

from assistant.db.models import Appointment, Practice
from assistant.errors import Conflict
from assistant.exports.fhir_references import (
    ASSISTANT_SYSTEM,
    identifier,
    patient_reference,
    staff_reference,
)
from assistant.exports.text_bookings import CONCERN_CALL, TextBooking

# Our appointment states in FHIR's: a moved visit is cancelled there (its replacement is
# booked), a completed one fulfilled.
FHIR_STATUS = {
    "booked": "booked",
    "cancelled": "cancelled",
    "rescheduled": "cancelled",
    "completed": "fulfilled",
}
VISIT_TYPE_SYSTEM = f"{ASSISTANT_SYSTEM}:visit-type"


def appointments_bundle(
    practice: Practice, changes: Sequence[TextBooking], *, at: datetime
) -> Bundle:
    """A Bundle (collection) with one Appointment per visit the changes touched."""
    if practice.kind != "human":
        raise Conflict("FHIR Appointments are for human practices; export the CSV instead")
    visits: dict[int, FhirAppointment] = {}
    for change in changes:
        visits[change.appointment.id] = appointment(practice, change, change.appointment)
        if change.previous is not None:
            visits[change.previous.id] = appointment(practice, change, change.previous)
    return Bundle(
        type="collection",
        timestamp=at,
        entry=[BundleEntry(resource=visits[key]) for key in sorted(visits)] or None,
    )


def appointment(practice: Practice, change: TextBooking, visit: Appointment) -> FhirAppointment:
    status = FHIR_STATUS.get(visit.status, "booked")
    replaced = visit.id != change.appointment.id  # the visit a move replaced
    comment = _how(change)
    if replaced:
        comment += f"; replaced by appointment {change.appointment.id}"
    elif change.previous is not None:
        comment += f"; replaces appointment {change.previous.id}"
    return FhirAppointment(
        id=f"appointment-{visit.id}",
        identifier=[identifier(practice, "appointment", visit.id, visit.source_id)],
        status=status,
        cancelationReason=(
            CodeableConcept(text="moved by text" if replaced else f"{change.change} by text")
            if status == "cancelled"
            else None
        ),
        serviceType=[
            CodeableConcept(
                coding=[
                    Coding(
                        system=VISIT_TYPE_SYSTEM,
                        code=change.visit_type.code,
                        display=change.visit_type.name,
                    )
                ],
                text=change.visit_type.name,
            )
        ],
        start=visit.starts_at,
        end=visit.ends_at,
        minutesDuration=int((visit.ends_at - visit.starts_at).total_seconds() // 60),
        created=visit.created_at,
        comment=comment,
        participant=[
            AppointmentParticipant(
                actor=patient_reference(practice, change.patient), status="accepted"
            ),
            AppointmentParticipant(
                actor=staff_reference(practice, change.clinician), status="accepted"
            ),
        ],
    )


def _how(change: TextBooking) -> str:
    if change.change == CONCERN_CALL:
        return "Nurse call back the assistant booked when the client texted a concern"
    return f"{change.change.capitalize()} by text by {change.by}"
