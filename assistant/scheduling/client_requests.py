"""Booking by text: what the booking dialogue asks of the schedule for one conversation.

The action server calls these through the api's internal endpoints. Nothing here reveals a
visit to anyone but a verified contact, and every answer is data for a template's placeholders.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import Appointment, AppointmentType, Conversation, Patient, StaffUser
from assistant.errors import NotAllowed
from assistant.identity.verification import contains_words, identity_status, patients_of, words
from assistant.scheduling.availability import Offer, SlotFinder
from assistant.scheduling.booking import (
    InvalidBooking,
    SlotTaken,
    SpacingViolation,
    appointment_type_by_code,
    book,
    cancel,
    confirm,
    reschedule,
    upcoming,
)
from assistant.scheduling.preferences import PastDate, chosen_offer, read_preference

# The words clients use for each appointment type code (demo codes; a practice's own type
# names are matched too). The longest phrase found wins: "follow up call" is a call, not a
# post-op visit.
VISIT_WORDS: dict[str, tuple[str, ...]] = {
    "chemo_treatment": ("chemo", "chemotherapy", "treatment", "vincristine", "doxorubicin"),
    "cbc_recheck": ("cbc", "bloodwork", "blood work", "blood test", "labs", "lab work"),
    "radiation_session": ("radiation", "rads", "radiation therapy"),
    "oncology_consult": ("consult", "consultation", "new patient", "referred", "first visit"),
    "recheck_exam": ("recheck", "re check", "checkup", "check up", "exam"),
    "nurse_followup_call": ("call", "phone call", "nurse call", "follow up call", "callback"),
    "postop_visit": ("post op", "postop", "after surgery", "follow up", "followup"),
    "drain_removal": ("drain", "drains", "drain removal"),
    "wound_check": ("wound", "incision", "stitches", "staples", "sutures"),
    "preop_testing": ("pre op", "preop", "before surgery", "pre op testing"),
    "med_onc_referral": ("medical oncology", "oncologist", "chemo", "chemotherapy", "med onc"),
    "rad_onc_referral": ("radiation", "radiation oncology", "rad onc"),
}


@dataclass(frozen=True)
class VisitView:
    """A booked visit as a client may see it (only once verified)."""

    id: int
    patient_id: int
    patient_name: str
    visit_type: str
    type_code: str
    visit_time: str
    clinician_name: str


@dataclass(frozen=True)
class OfferView:
    starts_at: datetime
    clinician_id: int
    label: str


@dataclass
class TimeAnswer:
    """What became of a client's answer to "when?"."""

    outcome: Literal["booked", "offers", "taken", "no_times", "past", "not_understood", "spacing"]
    offers: list[OfferView] = field(default_factory=list)
    visit: VisitView | None = None


@dataclass(frozen=True)
class BookingContext:
    identity: str
    kind: str
    patients: list[tuple[int, str]]
    visits: list[VisitView]
    visit_types: list[tuple[str, str]]


class NotYours(NotAllowed):
    """The visit or patient does not belong to this verified contact."""

    def __str__(self) -> str:
        return f"not this contact's record ({super().__str__()})"


def visit_time_label(moment: datetime, timezone: ZoneInfo) -> str:
    """'Tue Dec 1 at 9:00 AM' in the practice's time."""
    local = moment.astimezone(timezone)
    return f"{local:%a %b} {local.day} at {local.hour % 12 or 12}:{local:%M %p}"


def context(session: Session, *, conversation: Conversation, now: datetime) -> BookingContext:
    """Who is asking and, only when verified, their pets or patients and coming visits."""
    patients = patients_of(session, conversation)
    status = identity_status(session, conversation, patients, now=now)
    practice = conversation.practice
    types = session.scalars(
        select(AppointmentType)
        .where(AppointmentType.practice_id == practice.id)
        .order_by(AppointmentType.id)
    ).all()
    if status != "verified":
        patients = []  # nothing about them before the contact is verified
    return BookingContext(
        identity=status,
        kind=practice.kind,
        patients=[(p.id, p.name) for p in patients],
        visits=visit_views(session, conversation=conversation, patients=patients, now=now),
        visit_types=[(t.code, t.name) for t in types],
    )


def visit_views(
    session: Session, *, conversation: Conversation, patients: list[Patient], now: datetime
) -> list[VisitView]:
    if not patients:
        return []
    names = {p.id: p.name for p in patients}
    timezone = ZoneInfo(conversation.practice.timezone)
    return [
        _view(session, appointment, names[appointment.patient_id], timezone)
        for appointment in upcoming(session, patient_ids=list(names), now=now)
    ]


def match_patient(text: str, patients: list[tuple[int, str]]) -> int | None:
    """The one pet or patient the text names ("biscuit", "the 2nd one"), else None."""
    said = words(text)
    named = [pid for pid, name in patients if contains_words(said, name)]
    if not named:
        # First names alone are enough for people: "for Raymond".
        named = [pid for pid, name in patients if contains_words(said, name.split()[0])]
    if len(named) == 1:
        return named[0]
    if named:
        return None
    index = chosen_offer(text, offers=len(patients))
    return patients[index][0] if index is not None else None


def match_visit_type(text: str, visit_types: list[tuple[str, str]]) -> str | None:
    """The appointment type code the text names, by the longest matching phrase."""
    said = words(text)
    best: dict[str, int] = {}
    for code, name in visit_types:
        for phrase in (*VISIT_WORDS.get(code, ()), name):
            if contains_words(said, phrase):
                best[code] = max(best.get(code, 0), len(words(phrase)))
    if not best:
        index = chosen_offer(text, offers=len(visit_types))
        return visit_types[index][0] if index is not None else None
    top = max(best.values())
    winners = [code for code, length in best.items() if length == top]
    return winners[0] if len(winners) == 1 else None


def match_visit(text: str, visits: list[VisitView]) -> int | None:
    """The visit a client means: by number in the list, else by a pet or type named once."""
    index = chosen_offer(text, offers=len(visits))
    if index is not None:
        return visits[index].id
    said = words(text)
    named = [
        v.id
        for v in visits
        if contains_words(said, v.patient_name) or contains_words(said, v.visit_type)
    ]
    return named[0] if len(named) == 1 else None


def offers_for(
    session: Session,
    *,
    conversation: Conversation,
    type_code: str,
    when: str,
    hints: list[str],
    now: datetime,
    soonest_if_unread: bool = False,
) -> TimeAnswer:
    """Three times for a visit type near what the client asked for (or the soonest).

    `soonest_if_unread`: `when` is the first request ("book a recheck"), which need not name
    a day; an answer to "when?" that names no readable day is "not understood" instead."""
    timezone = ZoneInfo(conversation.practice.timezone)
    kind = _visit_type(session, conversation, type_code)
    preference = None
    if when.strip():
        try:
            preference = read_preference(when, hints=hints, timezone=timezone, now=now)
        except PastDate:
            return TimeAnswer("past")
        if preference is None and not soonest_if_unread:
            return TimeAnswer("not_understood")
    offers = SlotFinder().offers(session, appointment_type=kind, preference=preference, now=now)
    if not offers:
        return TimeAnswer("no_times")
    return TimeAnswer("offers", offers=[_offer_view(o, timezone) for o in offers])


def answer_time(
    session: Session,
    *,
    conversation: Conversation,
    type_code: str,
    patient_id: int | None,
    move_visit_id: int | None,
    offers: list[OfferView],
    text: str,
    when: str,
    hints: list[str],
    idempotency_key: str,
    now: datetime,
) -> TimeAnswer:
    """A reply to the offered times: take the chosen one, or read it as another day."""
    timezone = ZoneInfo(conversation.practice.timezone)
    times = [offer.starts_at.astimezone(timezone).time() for offer in offers]
    index = chosen_offer(text, offers=len(offers), times=times) if offers else None
    if index is None:
        return offers_for(
            session, conversation=conversation, type_code=type_code, when=text, hints=hints, now=now
        )
    chosen = offers[index]
    # A retry of the same message gives back the same visit; it is audited once.
    repeated = session.scalars(
        select(Appointment.id).where(Appointment.idempotency_key == idempotency_key)
    ).first()
    try:
        if move_visit_id is not None:
            appointment = reschedule(
                session,
                appointment=_own_visit(session, conversation, move_visit_id, now),
                starts_at=chosen.starts_at,
                idempotency_key=idempotency_key,
                now=now,
            )
        else:
            appointment = book(
                session,
                patient=_own_patient(session, conversation, patient_id, now),
                appointment_type=_visit_type(session, conversation, type_code),
                starts_at=chosen.starts_at,
                clinician_id=chosen.clinician_id,
                idempotency_key=idempotency_key,
                now=now,
            )
    except SpacingViolation:
        return TimeAnswer("spacing")
    except (SlotTaken, InvalidBooking):
        # Taken meanwhile, or no longer bookable (an offer made hours ago): offer again, for
        # what was asked before. That gave offers, so a `when` with no readable day was the
        # first request ("book a recheck"), which means the soonest times, as it did then.
        again = offers_for(
            session,
            conversation=conversation,
            type_code=type_code,
            when=when,
            hints=[],
            now=now,
            soonest_if_unread=True,
        )
        return TimeAnswer("taken" if again.offers else "no_times", offers=again.offers)
    if repeated is None:
        action = "visit.moved_by_text" if move_visit_id is not None else "visit.booked_by_text"
        _audit(session, conversation, action, appointment)
    return TimeAnswer("booked", visit=_view_of(session, conversation, appointment))


def cancel_visit(
    session: Session, *, conversation: Conversation, visit_id: int, now: datetime
) -> VisitView:
    appointment = _own_visit(session, conversation, visit_id, now)
    view = _view_of(session, conversation, appointment)
    cancel(session, appointment=appointment, now=now)
    _audit(session, conversation, "visit.cancelled_by_text", appointment)
    return view


def confirm_visit(
    session: Session, *, conversation: Conversation, visit_id: int, now: datetime
) -> VisitView:
    appointment = _own_visit(session, conversation, visit_id, now)
    confirm(session, appointment=appointment, now=now)
    _audit(session, conversation, "visit.confirmed_by_text", appointment)
    return _view_of(session, conversation, appointment)


def _audit(
    session: Session, conversation: Conversation, action: str, appointment: Appointment
) -> None:
    """Who changed the schedule by text: the verified contact, in which conversation."""
    record(
        session,
        practice_id=conversation.practice_id,
        actor=(
            f"contact:{conversation.contact_id}"
            if conversation.contact_id
            else f"conversation:{conversation.id}"
        ),
        action=action,
        entity=appointment,
        details={"conversation": conversation.id, "starts_at": appointment.starts_at.isoformat()},
    )


def _view(
    session: Session, appointment: Appointment, patient_name: str, timezone: ZoneInfo
) -> VisitView:
    kind = session.get_one(AppointmentType, appointment.appointment_type_id)
    clinician = session.get_one(StaffUser, appointment.clinician_id)
    return VisitView(
        id=appointment.id,
        patient_id=appointment.patient_id,
        patient_name=patient_name,
        visit_type=kind.name,
        type_code=kind.code,
        visit_time=visit_time_label(appointment.starts_at, timezone),
        clinician_name=clinician.name,
    )


def _view_of(session: Session, conversation: Conversation, appointment: Appointment) -> VisitView:
    patient = session.get_one(Patient, appointment.patient_id)
    return _view(session, appointment, patient.name, ZoneInfo(conversation.practice.timezone))


def _own_patient(
    session: Session, conversation: Conversation, patient_id: int | None, now: datetime
) -> Patient:
    patients = _verified_patients(session, conversation, now)
    if patient_id is None and len(patients) == 1:
        return patients[0]
    for patient in patients:
        if patient.id == patient_id:
            return patient
    raise NotYours(f"patient {patient_id}")


def _own_visit(
    session: Session, conversation: Conversation, visit_id: int, now: datetime
) -> Appointment:
    appointment = session.get(Appointment, visit_id)
    patients = {p.id for p in _verified_patients(session, conversation, now)}
    if appointment is None or appointment.patient_id not in patients:
        raise NotYours(f"visit {visit_id}")
    return appointment


def _verified_patients(
    session: Session, conversation: Conversation, now: datetime
) -> list[Patient]:
    patients = patients_of(session, conversation)
    if identity_status(session, conversation, patients, now=now) != "verified":
        raise NotYours("the contact is not verified")
    return patients


def _visit_type(session: Session, conversation: Conversation, code: str) -> AppointmentType:
    kind = appointment_type_by_code(session, conversation.practice_id, code)
    if kind is None:
        raise NotYours(f"appointment type {code}")
    return kind


def _offer_view(offer: Offer, timezone: ZoneInfo) -> OfferView:
    label = f"{visit_time_label(offer.starts_at, timezone)} with {offer.clinician_name}"
    return OfferView(offer.starts_at, offer.clinician_id, label)
