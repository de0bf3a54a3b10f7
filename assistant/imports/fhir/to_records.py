"""Validated FHIR resources to the import's records (`assistant.imports.records`): what each
resource type gives, and what it does not (a proposed appointment, a vital sign).

Patient -> a patient, and a contact of their own (relationship `self`) when they have a
mobile number; RelatedPerson -> a contact who is the patient's caregiver; Practitioner -> which
of our staff it is (by e-mail); Appointment -> an appointment; Observation -> a lab result when
its code maps to one of our lab tests. Schedule and Slot are counted only. Consent: core FHIR
says nothing of SMS consent, so every contact read here has none stated (`unknown`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.relatedperson import RelatedPerson
from fhir.resources.R4B.resource import Resource

from assistant.imports import values
from assistant.imports.csv_files import LAB_TIME_UNKNOWN, MAX_LENGTH, Context
from assistant.imports.mapping import Mapping
from assistant.imports.records import (
    AppointmentRecord,
    ContactRecord,
    LabResultRecord,
    LinkRecord,
    Origin,
    PatientRecord,
    Record,
    StaffRecord,
    VisitStatus,
)
from assistant.imports.values import BadValue

# Appointment.status -> ours. `proposed` and `waitlist` are not bookings yet: not imported.
APPOINTMENT_STATUSES: dict[str, VisitStatus] = {
    "booked": "booked",
    "pending": "booked",
    "arrived": "booked",
    "checked-in": "booked",
    "fulfilled": "completed",
    "cancelled": "cancelled",
    "noshow": "cancelled",
    "entered-in-error": "cancelled",
}
NOT_BOOKINGS = ("proposed", "waitlist")
# Observation.status values that are a result; the others (registered, cancelled,
# entered-in-error, unknown) are not imported.
RESULT_STATUSES = ("preliminary", "final", "amended", "corrected")
LOINC = "http://loinc.org"
# LOINC codes -> our lab test codes: `cbc` is what the lab check before chemotherapy looks
# for (assistant/coordination/visits.py); `chemistry` and `urinalysis` as the CSV import's;
# `ekg` and `chest_xray` are pre-op tests of a surgical case (assistant/coordination/
# case_rules.yml). A mapping file's `lab_tests:` adds more ("system|code" or "code").
DEFAULT_LAB_TESTS = {
    f"{LOINC}|58410-2": "cbc",  # CBC panel - Blood by Automated count
    f"{LOINC}|57021-8": "cbc",  # CBC W Auto Differential panel - Blood
    f"{LOINC}|57782-5": "cbc",  # CBC W Ordered Manual Differential panel - Blood
    f"{LOINC}|24323-8": "chemistry",  # Comprehensive metabolic 2000 panel
    f"{LOINC}|51990-0": "chemistry",  # Basic metabolic panel - Blood
    f"{LOINC}|24357-6": "urinalysis",  # Urinalysis macro (dipstick) panel
    f"{LOINC}|11524-6": "ekg",  # EKG study
    f"{LOINC}|36643-5": "chest_xray",  # XR Chest 2 Views
}
# Preferred first when a person has several names.
NAME_USES = ("official", "usual", None, "temp", "nickname", "anonymous", "old", "maiden")


class Refusal(ValueError):
    """A resource that cannot become a record; the message says why."""


@dataclass
class Converted:
    records: list[Record] = field(default_factory=list)
    # (kind, origin, reason) of records that could not be made.
    refusals: list[tuple[str, Origin, str]] = field(default_factory=list)
    # Read, valid, and deliberately not applied.
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Resolver:
    """Turns a Reference into `Type/id`: relative, absolute, or a fullUrl of the Bundle."""

    full_urls: dict[str, str]

    def __call__(self, ref: Reference | None, kind: str) -> str | None:
        if ref is None or ref.reference is None:
            return None
        said = str(ref.reference)
        said = self.full_urls.get(said, said)
        parts = said.rstrip("/").split("/")
        if "_history" in parts:  # Patient/1/_history/2: the resource, any version
            parts = parts[: parts.index("_history")]
        if len(parts) >= 2 and parts[-2] == kind:
            return f"{kind}/{parts[-1]}"
        return None


def convert(
    resources: Iterable[tuple[Origin, Resource]],
    *,
    mapping: Mapping,
    context: Context,
    resolve: Resolver,
    our_appointment_types: frozenset[str],
) -> Converted:
    out = Converted()
    for origin, resource in resources:
        kind = resource.get_resource_type()
        try:
            if kind == "Patient":
                _patient(out, origin, cast(Patient, resource), context)
            elif kind == "RelatedPerson":
                _related_person(out, origin, cast(RelatedPerson, resource), context, resolve)
            elif kind == "Practitioner":
                _practitioner(out, origin, cast(Practitioner, resource))
            elif kind == "Appointment":
                _appointment(
                    out,
                    origin,
                    cast(Appointment, resource),
                    mapping,
                    resolve,
                    our_appointment_types,
                )
            elif kind == "Observation":
                _observation(out, origin, cast(Observation, resource), mapping, context, resolve)
        except Refusal as exc:
            out.refusals.append((KIND_OF_TYPE[kind], origin, str(exc)))
    return out


KIND_OF_TYPE = {
    "Practitioner": "staff",
    "Patient": "patients",
    "RelatedPerson": "clients",
    "Appointment": "appointments",
    "Observation": "labs",
}


def _patient(out: Converted, origin: Origin, patient: Patient, ctx: Context) -> None:
    source_id = f"Patient/{patient.id}"
    name = _name(patient.name)
    if name is None:
        raise Refusal("no name")
    out.records.append(
        PatientRecord(
            origin=origin,
            source_id=source_id,
            name=_limited(" ".join(part for part in name if part), "name"),
            species=None,
            breed=None,
            date_of_birth=_birth_date(patient.birthDate, ctx),
            diagnosis=None,  # FHIR keeps it in Condition, not read: staff's text is kept
        )
    )
    mobile = _mobile(patient.telecom, ctx)
    if mobile is None:
        return
    try:
        phone = values.phone_e164(mobile, country=ctx.country)
    except BadValue as exc:  # the patient stands; only the contact is refused
        out.refusals.append(("clients", origin, f"telecom: {exc}"))
        return
    first, last = name
    out.records.append(ContactRecord(origin, source_id, first, last, phone, consent=None))
    out.records.append(LinkRecord(origin, source_id, source_id, "self"))


def _related_person(
    out: Converted, origin: Origin, person: RelatedPerson, ctx: Context, resolve: Resolver
) -> None:
    source_id = f"RelatedPerson/{person.id}"
    if person.active is False:
        out.notes.append(f"{source_id}: not active; not imported")
        return
    patient = resolve(person.patient, "Patient")
    if patient is None:
        raise Refusal("patient is not a reference to a Patient")
    mobile = _mobile(person.telecom, ctx)
    if mobile is None:
        out.notes.append(f"{source_id}: no mobile number; not a contact (we reach people by text)")
        return
    name = _name(person.name)
    if name is None:
        raise Refusal("no name")
    try:
        phone = values.phone_e164(mobile, country=ctx.country)
    except BadValue as exc:
        raise Refusal(f"telecom: {exc}") from None
    first, last = name
    out.records.append(ContactRecord(origin, source_id, first, last, phone, consent=None))
    out.records.append(LinkRecord(origin, source_id, patient, "caregiver"))


def _practitioner(out: Converted, origin: Origin, practitioner: Practitioner) -> None:
    source_id = f"Practitioner/{practitioner.id}"
    emails = tuple(
        str(point.value).strip()
        for point in practitioner.telecom or []
        if point.system == "email" and point.value
    )
    if not emails:
        out.notes.append(f"{source_id}: no e-mail; not matched to our staff")
        return
    out.records.append(StaffRecord(origin, source_id, emails))


def _appointment(
    out: Converted,
    origin: Origin,
    appointment: Appointment,
    mapping: Mapping,
    resolve: Resolver,
    ours: frozenset[str],
) -> None:
    source_id = f"Appointment/{appointment.id}"
    said = str(appointment.status)
    if said in NOT_BOOKINGS:
        out.notes.append(f"{source_id}: {said}, not a booking yet; not imported")
        return
    status = APPOINTMENT_STATUSES.get(said)
    if status is None:
        raise Refusal(f"unknown status {said!r}")
    actors = [p.actor for p in appointment.participant or [] if p.status != "declined"]
    patient = next((ref for a in actors if (ref := resolve(a, "Patient"))), None)
    if patient is None:
        raise Refusal("no Patient among its participants")
    practitioner = next((ref for a in actors if (ref := resolve(a, "Practitioner"))), None)
    if practitioner is None:
        raise Refusal("no Practitioner among its participants (PractitionerRole is not read)")
    if appointment.start is None:
        raise Refusal("no start")
    starts_at = _utc(appointment.start)
    if appointment.end is not None and _utc(appointment.end) <= starts_at:
        raise Refusal("its end is not after its start")
    out.records.append(
        AppointmentRecord(
            origin=origin,
            source_id=source_id,
            patient_source_id=patient,
            type_code=_appointment_type(appointment, mapping, ours),
            provider=_looked_up(mapping.providers, [practitioner]) or practitioner,
            starts_at=starts_at,
            status=status,
        )
    )


def _appointment_type(appointment: Appointment, mapping: Mapping, ours: frozenset[str]) -> str:
    """Our type for the first appointmentType or serviceType coding that maps to one."""
    concepts = [appointment.appointmentType, *(appointment.serviceType or [])]
    said: list[str] = []
    for concept in concepts:
        for keys in _coding_keys(concept):
            mapped = _looked_up(mapping.appointment_types, keys) or keys[-1]
            if mapped in ours:
                return mapped
            said.append(keys[0])
    shown = ", ".join(said) if said else "none"
    raise Refusal(
        f"no appointment type of ours in appointmentType or serviceType (codes: {shown}); "
        "map them under appointment_types: in the mapping file"
    )


def _observation(
    out: Converted,
    origin: Origin,
    observation: Observation,
    mapping: Mapping,
    ctx: Context,
    resolve: Resolver,
) -> None:
    source_id = f"Observation/{observation.id}"
    if observation.status not in RESULT_STATUSES:
        out.notes.append(f"{source_id}: status {observation.status}; not imported")
        return
    table = {**DEFAULT_LAB_TESTS, **mapping.lab_tests}
    keys = _coding_keys(observation.code)
    test = next((found for k in keys if (found := _looked_up(table, k))), None)
    if test is None:
        shown = ", ".join(k[0] for k in keys) or "none"
        out.notes.append(f"{source_id}: no lab test of ours (codes: {shown}); not imported")
        return
    patient = resolve(observation.subject, "Patient")
    if patient is None:
        raise Refusal("its subject is not a Patient")
    collected_at = _effective(observation, ctx)
    if collected_at > ctx.now:
        raise Refusal(f"taken {collected_at.isoformat()}, which is in the future")
    out.records.append(LabResultRecord(origin, source_id, patient, test, collected_at))


# --- elements ------------------------------------------------------------------------------


def _name(names: Sequence[HumanName] | None) -> tuple[str, str] | None:
    """(first, last) of the name to use: official first, then usual."""
    ranked = sorted(names or [], key=lambda n: NAME_USES.index(n.use) if n.use in NAME_USES else 9)
    for name in ranked:
        given = " ".join(str(g) for g in name.given or []).strip()
        family = str(name.family or "").strip()
        if not (given or family) and name.text:
            given, _, family = str(name.text).strip().rpartition(" ")
            given, family = (given, family) if given else (family, "")
        if given or family:
            return _limited(given, "first_name"), _limited(family, "last_name")
    return None


def _mobile(points: Sequence[ContactPoint] | None, ctx: Context) -> str | None:
    """The best-ranked mobile number in use: system sms, or phone with use mobile."""
    today = ctx.now.astimezone(ctx.zone).date().isoformat()
    mobiles = [
        point
        for point in points or []
        if point.value
        and (point.system == "sms" or (point.system == "phone" and point.use == "mobile"))
        and not (point.period and point.period.end and str(point.period.end)[:10] < today)
    ]
    mobiles.sort(key=lambda point: point.rank if point.rank is not None else 1_000_000)
    return str(mobiles[0].value) if mobiles else None


def _birth_date(born: Any, ctx: Context) -> date | None:
    """A full birth date; a year or a year and month alone is not kept."""
    if not isinstance(born, date):
        return None
    if born > ctx.now.astimezone(ctx.zone).date():
        raise Refusal(f"birthDate {born.isoformat()} is in the future")
    return born


def _effective(observation: Observation, ctx: Context) -> datetime:
    said: Any = observation.effectiveDateTime or observation.effectiveInstant
    if said is None and observation.effectivePeriod is not None:
        said = observation.effectivePeriod.start
    if isinstance(said, datetime):
        return (
            said.astimezone(UTC)
            if said.tzinfo
            else values.local_to_utc(said.date(), said.time(), ctx.zone)
        )
    if isinstance(said, date):  # a day without a time: noon, practice time, like a CSV's
        return values.local_to_utc(said, LAB_TIME_UNKNOWN, ctx.zone)
    raise Refusal("no effective date and time (effectiveDateTime, effectivePeriod.start)")


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:  # FHIR instants carry a zone; the library guarantees it
        raise Refusal(f"{when.isoformat()} has no time zone")
    return when.astimezone(UTC)


def _coding_keys(concept: CodeableConcept | None) -> list[tuple[str, str]]:
    """For each coding: ("system|code", "code"), the keys a map is searched by."""
    keys = []
    for coding in (concept.coding or []) if concept is not None else []:
        if coding.code:
            code = str(coding.code)
            keys.append((f"{coding.system}|{code}" if coding.system else code, code))
    return keys


def _looked_up(table: dict[str, str], keys: Sequence[str]) -> str | None:
    for key in keys:
        found = table.get(key.casefold()) or table.get(key)
        if found is not None:
            return found
    return None


def _limited(text: str, field_name: str) -> str:
    limit = MAX_LENGTH[field_name]
    if len(text) > limit:
        raise Refusal(f"{field_name.replace('_', ' ')} is longer than {limit} characters")
    return text
