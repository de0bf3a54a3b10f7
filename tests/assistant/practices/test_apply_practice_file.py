"""Applying a practice file (issue 19): from an empty database, again without change, a
changed file listed before it is written, and no booked visit left without its shift."""

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    AppointmentType,
    AuditLog,
    ClinicianShift,
    OnCallShift,
    Patient,
    Practice,
    StaffUser,
    SupportResource,
)
from assistant.escalation.paging import on_call_at
from assistant.practices.apply import ApplyRefused, apply_practice_file
from assistant.practices.schedules import HORIZON_DAYS, extend_schedules
from assistant.practices.setup_file import PracticeFile, parse_practice_file
from assistant.settings import ROOT

VET_FILE = ROOT / "examples" / "cedar-vet-oncology.yml"
HUMAN_FILE = ROOT / "examples" / "harbor-surgical-oncology.yml"
# A Wednesday, 10:00 in Chicago.
NOW = datetime(2026, 12, 9, 16, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


def _spec(path: Path = VET_FILE, **replace: str) -> PracticeFile:
    text = path.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return parse_practice_file(text)


def _line_with(text: str, path: Path = VET_FILE) -> str:
    (line,) = [x for x in path.read_text().splitlines(keepends=True) if text in x]
    return line


def _apply(db: Session, spec: PracticeFile, now: datetime = NOW) -> list[str]:
    changes = apply_practice_file(db, spec, now=now, actor="test").changes
    db.commit()
    return changes


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_an_empty_database_gets_the_whole_practice(db: Session) -> None:
    changes = _apply(db, _spec())
    assert changes[0] == "practice cedar-vet-oncology: created"
    practice = db.scalars(select(Practice)).one()
    assert (practice.name, practice.kind, practice.timezone) == (
        "Cedar Veterinary Oncology",
        "veterinary",
        "America/Chicago",
    )
    assert practice.business_hours["sat"] == [["08:00", "12:00"]]
    staff = db.scalars(select(StaffUser)).all()
    assert len(staff) == 5 and all(s.password_hash is None for s in staff)  # invited later
    assert _count(db, AppointmentType) == 6
    assert _count(db, SupportResource) == 4
    # Dr Hart works Monday to Friday 08:00-17:00, Chicago time, every week of the horizon.
    hart = db.scalars(select(StaffUser).where(StaffUser.name == "Evelyn Hart")).one()
    hart_shifts = db.scalars(select(ClinicianShift).where(ClinicianShift.staff_id == hart.id)).all()
    local = [(s.starts_at.astimezone(CHICAGO), s.ends_at.astimezone(CHICAGO)) for s in hart_shifts]
    assert {(a.strftime("%a %H:%M"), b.strftime("%H:%M")) for a, b in local} == {
        (f"{day} 08:00", "17:00") for day in ("Mon", "Tue", "Wed", "Thu", "Fri")
    }
    assert min(a for a, _ in local).date() == NOW.astimezone(CHICAGO).date()
    assert max(a for a, _ in local).date() <= (NOW + timedelta(days=HORIZON_DAYS)).date()
    # Someone is on call at every moment of the horizon, a backup behind them.
    for hours in range(0, (HORIZON_DAYS - 1) * 24, 7):
        turn = on_call_at(db, practice, NOW + timedelta(hours=hours))
        assert turn is not None and turn.backup_staff_id not in (None, turn.staff_id)
    audit = db.scalars(select(AuditLog).where(AuditLog.action == "practice.applied")).one()
    assert audit.actor == "test" and audit.practice_id == practice.id


def test_applying_the_same_file_again_changes_nothing(db: Session) -> None:
    _apply(db, _spec())
    before = {m: _count(db, m) for m in (StaffUser, ClinicianShift, OnCallShift, AppointmentType)}
    shift_ids = set(db.scalars(select(ClinicianShift.id)))
    assert _apply(db, _spec()) == []
    assert _apply(db, _spec(), now=NOW + timedelta(hours=3)) == []
    assert {m: _count(db, m) for m in before} == before
    assert set(db.scalars(select(ClinicianShift.id))) == shift_ids
    assert _count(db, AuditLog) == 1  # only the first apply changed anything


def test_a_changed_file_lists_each_difference(db: Session) -> None:
    _apply(db, _spec())
    changes = _apply(
        db,
        _spec(
            **{
                "name: Cedar Veterinary Oncology": "name: Cedar Animal Cancer Center",
                "duration_minutes: 60, clinician_roles: [oncologist], needs_labs: true": (
                    "duration_minutes: 75, clinician_roles: [oncologist], needs_labs: true"
                ),
                'days: [sat], hours: ["08:00", "12:00"]': 'days: [sat], hours: ["09:00", "12:00"]',
                "role: billing": "role: admin",
            }
        ),
    )
    assert "name: 'Cedar Veterinary Oncology' -> 'Cedar Animal Cancer Center'" in changes
    assert "appointment type chemo_treatment duration_minutes: 60 -> 75" in changes
    assert "staff renee.dubois@cedar-vet.example.org role: 'billing' -> 'admin'" in changes
    assert "weekly shift pattern: changed" in changes
    # Four or five Saturdays in the next 30 days: each one's shift replaced by the later one.
    (shift_line,) = [c for c in changes if c.startswith("shifts in the next")]
    _, added, removed = (int(w) for w in shift_line.replace(",", "").split() if w.isdigit())
    assert added == removed and added in (4, 5)
    saturdays = db.scalars(
        select(ClinicianShift.starts_at).join(StaffUser).where(StaffUser.name == "Casey Morgan")
    ).all()
    assert {
        s.astimezone(CHICAGO).strftime("%a %H:%M")
        for s in saturdays
        if s.astimezone(CHICAGO).weekday() == 5
    } == {"Sat 09:00"}


def test_a_dry_run_is_the_same_list_and_writes_nothing(db: Session) -> None:
    _apply(db, _spec())
    changed = _spec(
        **{'days: [sat], hours: ["08:00", "12:00"]': 'days: [sat], hours: ["08:00", "11:00"]'}
    )
    listed = apply_practice_file(db, changed, now=NOW, actor="test").changes
    db.rollback()
    assert "weekly shift pattern: changed" in listed
    assert _apply(db, changed) == listed


def _book(db: Session, *, staff_name: str, local_day_offset: int, at: str) -> Appointment:
    practice = db.scalars(select(Practice)).one()
    staff = db.scalars(select(StaffUser).where(StaffUser.name == staff_name)).one()
    kind = db.scalars(select(AppointmentType).where(AppointmentType.code == "cbc_recheck")).one()
    patient = Patient(practice_id=practice.id, kind="animal", name="Biscuit", status="active")
    db.add(patient)
    db.flush()
    day = NOW.astimezone(CHICAGO).date() + timedelta(days=local_day_offset)
    starts = datetime.combine(day, datetime.strptime(at, "%H:%M").time(), CHICAGO)
    visit = Appointment(
        practice_id=practice.id,
        patient_id=patient.id,
        appointment_type_id=kind.id,
        clinician_id=staff.id,
        starts_at=starts.astimezone(UTC),
        ends_at=(starts + timedelta(minutes=20)).astimezone(UTC),
        status="booked",
    )
    db.add(visit)
    db.commit()
    return visit


def test_removing_a_shift_with_a_booked_visit_is_refused_naming_the_visit(db: Session) -> None:
    _apply(db, _spec())
    # Saturday 12 Dec 2026, 10:00, with Casey Morgan: her Saturday shift holds it.
    visit = _book(db, staff_name="Casey Morgan", local_day_offset=3, at="10:00")
    without_saturdays = _spec(**{_line_with("days: [sat]"): ""})
    with pytest.raises(ApplyRefused) as refused:
        apply_practice_file(db, without_saturdays, now=NOW, actor="test")
    db.rollback()
    assert refused.value.reasons == [
        "shifts: this change removes the shift of a booked visit: Biscuit, cbc_recheck, "
        f"Sat 12 Dec 2026 10:00 with casey.morgan@cedar-vet.example.org (visit {visit.id})"
    ]
    # Nothing was written: the Saturday shifts are all still there.
    assert _apply(db, _spec()) == []
    # A shorter Saturday that still holds the visit is fine.
    assert "weekly shift pattern: changed" in _apply(
        db,
        _spec(
            **{'days: [sat], hours: ["08:00", "12:00"]': 'days: [sat], hours: ["09:00", "11:00"]'}
        ),
    )


def test_an_appointment_type_in_use_cannot_be_dropped(db: Session) -> None:
    _apply(db, _spec())
    _book(db, staff_name="Jordan Reyes", local_day_offset=1, at="09:00")
    line = _line_with("code: cbc_recheck")
    with pytest.raises(
        ApplyRefused,
        match=r"cbc_recheck is not in the file but visits use it: Biscuit, .* \(booked, visit \d+",
    ):
        apply_practice_file(db, _spec(**{line: ""}), now=NOW, actor="test")
    db.rollback()
    unused = _line_with("code: radiation_session")
    assert _apply(db, _spec(**{unused: ""})) == ["appointment type radiation_session: removed"]


def test_shifts_for_someone_not_on_the_staff_are_refused(db: Session) -> None:
    spec = _spec(
        **{
            "staff: casey.morgan@cedar-vet.example.org, days: [sat]": (
                "staff: casey.morgen@cedar-vet.example.org, days: [sat]"
            )
        }
    )
    with pytest.raises(
        ApplyRefused, match="casey.morgen@cedar-vet.example.org is not on this practice's staff"
    ):
        apply_practice_file(db, spec, now=NOW, actor="test")
    db.rollback()
    assert _count(db, Practice) == 0


def test_two_practices_cannot_share_an_sms_number(db: Session) -> None:
    _apply(db, _spec())
    other = _spec(HUMAN_FILE, **{'sms_number: "+16175550101"': 'sms_number: "+13125550101"'})
    with pytest.raises(
        ApplyRefused, match=r"\+13125550101 is already the number of practice cedar-vet-oncology"
    ):
        apply_practice_file(db, other, now=NOW, actor="test")


def test_the_rota_keeps_its_order_when_applied_again_days_later(db: Session) -> None:
    _apply(db, _spec(HUMAN_FILE))
    practice = db.scalars(select(Practice)).one()
    later = NOW + timedelta(days=3, hours=5)
    who = on_call_at(db, practice, later)
    assert who is not None
    first_choice = who.staff_id
    # Three days on, the horizon has moved: only days are added, nobody is moved.
    changes = _apply(db, _spec(HUMAN_FILE), now=NOW + timedelta(days=3))
    assert [c.split(":")[0] for c in changes] == [
        "shifts in the next 30 days",
        "on-call turns in the next 30 days",
    ]
    assert all(c.endswith(" 0 removed") for c in changes)
    again = on_call_at(db, practice, later)
    assert again is not None and again.staff_id == first_choice


def test_the_api_job_dates_the_pattern_ahead_as_days_pass(db: Session) -> None:
    _apply(db, _spec())
    last = db.scalar(select(func.max(ClinicianShift.starts_at)))
    assert last is not None
    assert extend_schedules(db, NOW) == {}  # nothing missing yet
    ten_days_on = NOW + timedelta(days=10)
    added = extend_schedules(db, ten_days_on)
    db.commit()
    assert added["cedar-vet-oncology"] > 0
    newest = db.scalar(select(func.max(ClinicianShift.starts_at)))
    assert newest is not None and newest > last + timedelta(days=7)
    practice = db.scalars(select(Practice)).one()
    assert on_call_at(db, practice, ten_days_on + timedelta(days=HORIZON_DAYS - 2)) is not None
    assert extend_schedules(db, ten_days_on) == {}  # applied twice, added once


def test_the_command_applies_checks_and_dry_runs(tmp_path: Path) -> None:
    database = tmp_path / "new.db"
    env = {"DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant", "practice", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    dry = run("apply", str(HUMAN_FILE), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run:" in dry.stdout and "practice harbor-surgical-oncology: created" in dry.stdout
    applied = run("apply", str(HUMAN_FILE))
    assert applied.returncode == 0 and "applied" in applied.stdout, applied.stderr
    again = run("apply", str(HUMAN_FILE))
    assert "already matches" in again.stdout
    bad = tmp_path / "bad.yml"
    bad.write_text(HUMAN_FILE.read_text().replace("kind: human", "kind: hospital"))
    checked = run("check", str(bad))
    assert checked.returncode == 2
    assert "line 7: kind: Input should be 'veterinary' or 'human'" in checked.stderr


def test_the_people_the_file_lists_are_invited_to_set_a_password(db: Session) -> None:
    from assistant.errors import Conflict
    from assistant.staff import accounts

    _apply(db, _spec())
    practice = db.scalars(select(Practice)).one()

    def invite(email: str, role: str) -> accounts.IssuedLink:
        return accounts.invite(
            db,
            practice=practice,
            email=email,
            name="ignored: the file names them",
            role=role,
            phone="",
            actor="cli",
            base_url="http://localhost:8000",
            now=NOW,
        )

    link = invite("Pat.Sullivan@cedar-vet.example.org", "admin")
    assert link.purpose == "invite" and link.staff.name == "Pat Sullivan"
    assert "/account/setup/" in link.url
    with pytest.raises(Conflict, match="is a nurse in the practice file"):
        invite("jordan.reyes@cedar-vet.example.org", "admin")
