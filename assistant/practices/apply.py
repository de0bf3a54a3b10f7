"""Apply a practice file to the database (`python -m assistant practice apply`).

The file is the truth for what it names: the practice's details, its staff list (never
passwords), appointment types, the weekly shift pattern, the on-call rota and support
resources. A section left out of the file is left as it is. Applying the same file twice
changes nothing; every change is listed (`--dry-run` lists them and writes nothing), and a
change that would strand a booked visit (its clinician's shift removed, its appointment
type deleted) is refused, naming the visits.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assistant import audit
from assistant.db.models import (
    Appointment,
    AppointmentType,
    ClinicianShift,
    OnCallShift,
    Patient,
    Practice,
    StaffUser,
    SupportResource,
)
from assistant.practices import schedules
from assistant.practices.setup_file import PracticeFile
from assistant.yaml_files import read_yaml

DEFAULT_SUPPORT_RESOURCES = (
    Path(__file__).resolve().parent.parent / "demo" / "support_resources.yml"
)
DETAIL_FIELDS = (
    "name",
    "kind",
    "timezone",
    "business_hours",
    "phone",
    "sms_number",
    "emergency_contact_name",
    "emergency_contact_number",
    "sms_sending_hours",
    "retention_days",
)


@dataclass
class ApplyReport:
    practice: Practice
    changes: list[str] = field(default_factory=list)
    created: bool = False


class ApplyRefused(Exception):
    """The file is valid but applying it would break something; nothing was written."""

    def __init__(self, reasons: list[str]):
        super().__init__("\n".join(reasons))
        self.reasons = reasons


def apply_practice_file(
    session: Session, spec: PracticeFile, *, now: datetime, actor: str
) -> ApplyReport:
    """Bring the database in line with `spec`. The caller commits, or rolls back for a dry
    run; on `ApplyRefused` the caller must roll back."""
    practice = session.scalars(select(Practice).where(Practice.slug == spec.slug)).first()
    refusals: list[str] = []
    report = ApplyReport(practice=practice or Practice(slug=spec.slug))
    report.created = practice is None
    practice = report.practice
    with session.no_autoflush:  # a new practice is added once its details are set
        _details(session, practice, spec, report, refusals)
    _raise_if(refusals)
    if report.created:
        session.add(practice)
        report.changes.append(f"practice {spec.slug}: created")
    session.flush()
    _staff(session, practice, spec, report, refusals)
    if spec.appointment_types is not None:
        _appointment_types(session, practice, spec, report, refusals)
    session.flush()
    staff_ids = schedules.staff_ids_by_email(session, practice)
    if spec.shifts is not None:
        _shifts(session, practice, spec, staff_ids, report, refusals, now)
    if spec.on_call is not None:
        _on_call(session, practice, spec, staff_ids, report, refusals, now)
    if spec.support_resources is not None:
        _support_resources(session, practice, spec, report)
    _raise_if(refusals)
    session.flush()
    if report.changes:
        audit.record(
            session,
            practice_id=practice.id,
            actor=actor,
            action="practice.applied",
            entity=practice,
            details={"changes": report.changes[:200]},
        )
    return report


def _raise_if(refusals: list[str]) -> None:
    if refusals:
        raise ApplyRefused(refusals)


def _details(
    session: Session,
    practice: Practice,
    spec: PracticeFile,
    report: ApplyReport,
    refusals: list[str],
) -> None:
    other = session.scalars(
        select(Practice.slug).where(
            Practice.sms_number == spec.sms_number, Practice.slug != spec.slug
        )
    ).first()
    if other:
        refusals.append(f"sms_number: {spec.sms_number} is already the number of practice {other}")
    if not report.created and practice.kind != spec.kind:
        patients = session.scalar(
            select(func.count()).select_from(Patient).where(Patient.practice_id == practice.id)
        )
        if patients:
            refusals.append(
                f"kind: cannot change {practice.kind} to {spec.kind}: the practice has {patients} "
                "patients"
            )
    for name in DETAIL_FIELDS:
        wanted = getattr(spec, name)
        if getattr(practice, name, None) != wanted:
            if not report.created:
                report.changes.append(f"{name}: {getattr(practice, name)!r} -> {wanted!r}")
            setattr(practice, name, wanted)


def _staff(
    session: Session,
    practice: Practice,
    spec: PracticeFile,
    report: ApplyReport,
    refusals: list[str],
) -> None:
    for person in spec.staff:
        row = session.scalars(
            select(StaffUser).where(func.lower(StaffUser.email) == person.email)
        ).first()
        if row is not None and row.practice_id != practice.id:
            refusals.append(f"staff {person.email}: works at another practice on this server")
            continue
        if row is None:
            session.add(
                StaffUser(
                    practice_id=practice.id,
                    name=person.name,
                    email=person.email,
                    role=person.role,
                    phone=person.phone,
                    password_hash=None,  # set by the person through an invitation link
                    active=True,
                )
            )
            report.changes.append(f"staff {person.email}: added as {person.role} (invite them)")
            continue
        for name in ("name", "role", "phone"):
            wanted = getattr(person, name)
            if getattr(row, name) != wanted:
                report.changes.append(
                    f"staff {person.email} {name}: {getattr(row, name)!r} -> {wanted!r}"
                )
                setattr(row, name, wanted)


def _appointment_types(
    session: Session,
    practice: Practice,
    spec: PracticeFile,
    report: ApplyReport,
    refusals: list[str],
) -> None:
    have = {
        t.code: t
        for t in session.scalars(
            select(AppointmentType).where(AppointmentType.practice_id == practice.id)
        )
    }
    for kind in spec.appointment_types or []:
        wanted = kind.model_dump()
        row = have.pop(kind.code, None)
        if row is None:
            session.add(AppointmentType(practice_id=practice.id, **wanted))
            report.changes.append(f"appointment type {kind.code}: added")
            continue
        for name, value in wanted.items():
            if getattr(row, name) != value:
                report.changes.append(
                    f"appointment type {kind.code} {name}: {getattr(row, name)!r} -> {value!r}"
                )
                setattr(row, name, value)
    zone = ZoneInfo(practice.timezone)
    for code, row in have.items():  # in the database, not in the file
        visits = session.execute(
            select(Appointment, Patient.name)
            .join(Patient, Patient.id == Appointment.patient_id)
            .where(Appointment.appointment_type_id == row.id)
            .order_by(Appointment.starts_at.desc())
        ).all()
        if not visits:
            session.delete(row)
            report.changes.append(f"appointment type {code}: removed")
            continue
        named = "; ".join(
            f"{patient}, {visit.starts_at.astimezone(zone):%a %d %b %Y %H:%M} ({visit.status}, "
            f"visit {visit.id})"
            for visit, patient in visits[:5]
        )
        more = f" and {len(visits) - 5} more" if len(visits) > 5 else ""
        refusals.append(
            f"appointment_types: {code} is not in the file but visits use it: {named}{more}; "
            "keep it in the file"
        )


def _all_on_staff(
    section: str, emails: Iterable[str], staff_ids: dict[str, int], refusals: list[str]
) -> bool:
    """False, with a refusal naming each, when a section names someone not on the staff."""
    unknown = sorted(set(emails) - staff_ids.keys())
    refusals.extend(
        f"{section}: {email} is not on this practice's staff (add them under staff)"
        for email in unknown
    )
    return not unknown


def _shifts(
    session: Session,
    practice: Practice,
    spec: PracticeFile,
    staff_ids: dict[str, int],
    report: ApplyReport,
    refusals: list[str],
    now: datetime,
) -> None:
    if not _all_on_staff("shifts", (s.staff for s in spec.shifts or []), staff_ids, refusals):
        return
    pattern = [s.model_dump() for s in spec.shifts or []]
    zone = ZoneInfo(practice.timezone)
    have = schedules.existing_shifts(session, practice, now)
    days = _days_to_plan(practice, now, (b.starts_at for b in have))
    wanted = {
        b for b in schedules.planned_shifts(pattern, staff_ids, zone, days) if b.ends_at > now
    }
    # A shift already under way stays as it is: someone may be seeing patients in it.
    removed = {b: i for b, i in have.items() if b not in wanted and b.starts_at >= now}
    added = wanted - have.keys()
    stranded = _visits_outside(session, practice, now, set(have) - set(removed) | added, removed)
    if stranded:
        refusals.extend(
            f"shifts: this change removes the shift of a booked visit: {visit}"
            for visit in stranded
        )
        return
    if practice.weekly_shifts != pattern:
        practice.weekly_shifts = pattern
        report.changes.append(
            "weekly shift pattern: changed" if have else "weekly shift pattern: set"
        )
    if removed:
        session.execute(delete(ClinicianShift).where(ClinicianShift.id.in_(removed.values())))
    session.add_all(schedules.shift_row(b) for b in added)
    if added or removed:
        report.changes.append(
            f"shifts in the next {schedules.HORIZON_DAYS} days: {len(added)} added, "
            f"{len(removed)} removed"
        )


def _days_to_plan(practice: Practice, now: datetime, dated: Iterable[datetime]) -> list[date]:
    """The coming 30 days, and any later day already dated (the api dated it in another time
    of day, or a longer horizon did): a day the pattern covers is compared, not dropped."""
    zone = ZoneInfo(practice.timezone)
    days = set(schedules.coming_days(practice, now))
    days.update(at.astimezone(zone).date() for at in dated)
    return sorted(days)


def _visits_outside(
    session: Session,
    practice: Practice,
    now: datetime,
    blocks: set[schedules.ShiftBlock],
    removed: dict[schedules.ShiftBlock, int],
) -> list[str]:
    """Booked visits in a removed shift that no remaining shift covers, described."""
    if not removed:
        return []
    visits = session.execute(
        select(Appointment, Patient.name, AppointmentType.code, StaffUser.email)
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(AppointmentType, AppointmentType.id == Appointment.appointment_type_id)
        .join(StaffUser, StaffUser.id == Appointment.clinician_id)
        .where(
            Appointment.practice_id == practice.id,
            Appointment.status == "booked",
            Appointment.starts_at >= now,
        )
        .order_by(Appointment.starts_at)
    ).all()
    zone = ZoneInfo(practice.timezone)
    out = []
    for visit, patient, code, email in visits:

        def covers(b: schedules.ShiftBlock, v: Appointment = visit) -> bool:
            return (
                b.staff_id == v.clinician_id
                and b.starts_at <= v.starts_at
                and v.ends_at <= b.ends_at
            )

        if any(covers(b) for b in removed) and not any(covers(b) for b in blocks):
            when = visit.starts_at.astimezone(zone).strftime("%a %d %b %Y %H:%M")
            out.append(f"{patient}, {code}, {when} with {email} (visit {visit.id})")
    return out


def _on_call(
    session: Session,
    practice: Practice,
    spec: PracticeFile,
    staff_ids: dict[str, int],
    report: ApplyReport,
    refusals: list[str],
    now: datetime,
) -> None:
    rota_spec = spec.on_call
    assert rota_spec is not None
    named = [t.staff for t in rota_spec.rotation] + [
        t.backup for t in rota_spec.rotation if t.backup
    ]
    if not _all_on_staff("on_call", named, staff_ids, refusals):
        return
    zone = ZoneInfo(practice.timezone)
    stored = practice.on_call_rota or {}
    # Counted from the day the rota was first applied unless the file says which day.
    starts_on = rota_spec.starts_on or (
        date.fromisoformat(stored["starts_on"]) if stored else now.astimezone(zone).date()
    )
    rota = {**rota_spec.model_dump(mode="json"), "starts_on": starts_on.isoformat()}
    have = schedules.existing_on_call(session, practice, now)
    days = _days_to_plan(practice, now, (b.starts_at for b in have))
    wanted = {t for t in schedules.planned_on_call(rota, staff_ids, zone, days) if t.ends_at > now}
    # The turn under way keeps its person until the handover: they know they are on call.
    running = {(b.starts_at, b.ends_at) for b in have if b.starts_at < now}
    removed = [i for b, i in have.items() if b not in wanted and b.starts_at >= now]
    added = [t for t in wanted - have.keys() if (t.starts_at, t.ends_at) not in running]
    if practice.on_call_rota != rota:
        practice.on_call_rota = rota
        report.changes.append("on-call rota: changed" if stored else "on-call rota: set")
    if removed:
        session.execute(delete(OnCallShift).where(OnCallShift.id.in_(removed)))
    session.add_all(schedules.on_call_row(practice, t) for t in added)
    if added or removed:
        report.changes.append(
            f"on-call turns in the next {schedules.HORIZON_DAYS} days: {len(added)} added, "
            f"{len(removed)} removed"
        )


def _support_resources(
    session: Session, practice: Practice, spec: PracticeFile, report: ApplyReport
) -> None:
    wanted: list[dict[str, Any]] = (
        read_yaml(DEFAULT_SUPPORT_RESOURCES)
        if spec.support_resources == "default"
        else [r.model_dump() for r in spec.support_resources or []]
    )
    have = {
        r.title: r
        for r in session.scalars(
            select(SupportResource).where(SupportResource.practice_id == practice.id)
        )
    }
    for position, resource in enumerate(wanted):
        row = have.pop(resource["title"], None)
        values = {**resource, "position": position, "active": True}
        if row is None:
            session.add(SupportResource(practice_id=practice.id, **values))
            report.changes.append(f"support resource {resource['title']!r}: added")
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            report.changes.append(f"support resource {resource['title']!r}: changed")
    for title, row in have.items():
        if row.active:
            row.active = False  # kept for the texts that named it, no longer offered
            report.changes.append(f"support resource {title!r}: withdrawn")
