"""A resolved case of a human practice as a FHIR R4 Communication (fhir.resources' R4B models,
whose Communication and Bundle are R4's), and a practice's cases as one Bundle.

One Communication holds a whole case: each message is one payload (its words, with its time,
direction and author in extensions), sent is the first message's time and received the last's.
"""

from collections.abc import Sequence
from datetime import datetime

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.communication import Communication, CommunicationPayload
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.reference import Reference

from assistant.errors import Conflict
from assistant.exports.case_records import CaseRecord, MessageRecord
from assistant.exports.fhir_references import (
    ASSISTANT_SYSTEM,
    EXTENSION_BASE,
    contact_reference,
    identifier,
    patient_reference,
    practice_reference,
    staff_reference,
)

# The case's priority in FHIR's request priorities (routine | urgent | asap | stat).
FHIR_PRIORITY = {"emergency": "stat", "urgent": "urgent", "routine": "routine"}
CATEGORY_SYSTEM = f"{ASSISTANT_SYSTEM}:case-category"
MESSAGE_TIME = f"{EXTENSION_BASE}message-time"
MESSAGE_DIRECTION = f"{EXTENSION_BASE}message-direction"
MESSAGE_AUTHOR = f"{EXTENSION_BASE}message-author"
NO_PATIENT_NOTE = (
    "The assistant could not tell which patient this case is about (no patient on file for "
    "the sender, or several and the messages name none or more than one)."
)


class NotForThisPractice(Conflict):
    """FHIR Communications are exported for human practices only."""


def communication(record: CaseRecord) -> Communication:
    """The case as a Communication; refused for an open case or a veterinary practice."""
    case, practice = record.case, record.practice
    if practice.kind != "human":
        raise NotForThisPractice(
            "FHIR Communications are for human practices; export this patient's record as "
            "CSV or PDF instead"
        )
    if case.resolved_at is None:
        raise Conflict(f"case {case.id} is not resolved yet: only resolved cases are exported")
    messages = record.messages
    staff_writers = {m.staff.id: m.staff for m in messages if m.staff is not None}
    recipients = [staff_reference(practice, s) for s in staff_writers.values()]
    notes = [_resolution_note(record, case.resolved_at)]
    if record.patient is None:
        notes.append(Annotation(text=NO_PATIENT_NOTE))
    return Communication(
        id=f"case-{case.id}",
        identifier=[identifier(practice, "case", case.id, None)],
        status="completed",
        category=[
            CodeableConcept(
                coding=[Coding(system=CATEGORY_SYSTEM, code=case.category)], text=case.category
            )
        ],
        priority=FHIR_PRIORITY.get(case.priority, "routine"),
        subject=patient_reference(practice, record.patient) if record.patient else None,
        sender=(
            contact_reference(practice, record.contact, record.relationship, record.patient)
            if record.contact is not None
            else None
        ),
        recipient=recipients or [practice_reference(practice)],
        sent=messages[0].at if messages else case.created_at,
        received=messages[-1].at if messages else case.resolved_at,
        payload=[_payload(m) for m in messages] or None,
        note=notes,
    )


def bundle(records: Sequence[CaseRecord], *, at: datetime) -> Bundle:
    """The cases' Communications as a Bundle of type collection."""
    return Bundle(
        type="collection",
        timestamp=at,
        entry=[BundleEntry(resource=communication(r)) for r in records] or None,
    )


def _payload(message: MessageRecord) -> CommunicationPayload:
    return CommunicationPayload(
        contentString=message.text,
        extension=[
            Extension(url=MESSAGE_TIME, valueDateTime=message.at),
            Extension(url=MESSAGE_DIRECTION, valueCode=message.direction),
            Extension(url=MESSAGE_AUTHOR, valueString=message.author),
        ],
    )


def _resolution_note(record: CaseRecord, resolved_at: datetime) -> Annotation:
    by = record.resolved_by
    author: Reference | None = staff_reference(record.practice, by) if by else None
    return Annotation(
        authorReference=author,
        time=resolved_at,
        text=f"Resolved: {record.case.resolution_note or '(no note)'}",
    )
