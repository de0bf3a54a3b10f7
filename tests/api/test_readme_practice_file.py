"""The README's "Setting up your practice" and docs/practice-file.md, followed from the command
line to where a user looks: the real `python -m assistant practice ...` and `staff ...` run in a
subprocess on an empty SQLite file, then the api, the chat page, the staff pages and the dated
rows in the database are read.

Written from the documentation only: each test is one promise the docs make."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from assistant.db.engine import make_engine, make_session_factory
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
from assistant.safety.triage import Triage
from tests.api.conftest import demo_app

ROOT = Path(__file__).resolve().parents[2]
CEDAR_FILE = ROOT / "examples" / "cedar-vet-oncology.yml"
HARBOR_FILE = ROOT / "examples" / "harbor-surgical-oncology.yml"
CEDAR = "cedar-vet-oncology"
HARBOR = "harbor-surgical-oncology"
CEDAR_TEXT = CEDAR_FILE.read_text()
HARBOR_TEXT = HARBOR_FILE.read_text()
EVELYN = "evelyn.hart@cedar-vet.example.org"
PAT = "pat.sullivan@cedar-vet.example.org"
PASSWORD = "copper kettle winter orchard"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- the command line, on a database of the test's own ---------------------------------------


@dataclass
class Database:
    path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An empty database: the file does not exist yet."""
    return Database(tmp_path / "practice.db")


def run(db: Database, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ARGS` as a user runs it, with DATABASE_URL pointing at `db`."""
    env = {**os.environ, "DATABASE_URL": db.url}
    env.pop("PUBLIC_BASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "assistant", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def apply(db: Database, file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = run(db, "practice", "apply", file, *extra)
    return result


def apply_ok(db: Database, file: Path) -> str:
    result = apply(db, file)
    assert result.returncode == 0, output(result)
    return output(result)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def edited(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced: a test's edit must hit exactly once."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the one line of `text` that contains `needle`."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table but the migrations' own, to show that nothing was written."""
    if not db.path.exists():
        return {}
    with sqlite3.connect(db.path) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name != "alembic_version" and not name.startswith("sqlite_")
        ]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}


def rows_written(db: Database) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot(db).items() if rows}


def session_for(db: Database):  # type: ignore[no-untyped-def]
    return make_session_factory(make_engine(db.url))()


def app_for(db: Database, triage: Triage, **settings: Any) -> FastAPI:
    """The api as the suite builds it, on `db`, loading no demo data and running no job."""
    values: dict[str, Any] = {
        "load_demo_data": False,
        "schedule_extend_seconds": 0,
        "retention_check_seconds": 0,
        "picture_fetch_seconds": 0,
        **settings,
    }
    return demo_app(make_engine(db.url), triage, **values)


def local(moment: datetime, zone: str) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def shifts_by_email(db: Database, slug: str) -> list[tuple[str, datetime, datetime]]:
    with session_for(db) as session:
        rows = session.execute(
            select(StaffUser.email, ClinicianShift.starts_at, ClinicianShift.ends_at)
            .join(StaffUser, StaffUser.id == ClinicianShift.staff_id)
            .join(Practice, Practice.id == StaffUser.practice_id)
            .where(Practice.slug == slug)
        ).all()
    return [(email, starts, ends) for email, starts, ends in rows]


def on_call_turns(db: Database, slug: str) -> list[tuple[str, str | None, datetime, datetime]]:
    with session_for(db) as session:
        practice = session.scalars(select(Practice).where(Practice.slug == slug)).one()
        emails = {i: e for i, e in session.execute(select(StaffUser.id, StaffUser.email))}
        turns = session.scalars(
            select(OnCallShift)
            .where(OnCallShift.practice_id == practice.id)
            .order_by(OnCallShift.starts_at)
        ).all()
        return [
            (
                emails[t.staff_id],
                emails.get(t.backup_staff_id) if t.backup_staff_id else None,
                t.starts_at,
                t.ends_at,
            )
            for t in turns
        ]


# --- 1. practice check: every mistake, with its line and key, exit 2, nothing written ----------


def test_check_reports_every_mistake_with_its_line_and_key_and_writes_nothing(
    db: Database, tmp_path: Path
) -> None:
    text = CEDAR_TEXT
    mistakes = [
        # (old, new, the marker to find the line by, the key's path as the report names it)
        ("timezone: America/Chicago", "timezone: America/Chicgo", "Chicgo", "timezone"),
        ("retention_days: 1095", "retention_dayz: 1095", "retention_dayz", "retention_dayz"),
        (
            'role: nurse, phone: "+13125550111"',
            'role: nurse, phone: "+13125550111", password: hunter2hunter2',
            "hunter2hunter2",
            "staff[1].password",
        ),
        (
            'role: nurse, phone: "+13125550112"',
            'role: vet-nurse, phone: "+13125550112"',
            "vet-nurse",
            "staff[2].role",
        ),
        (
            "duration_minutes: 20, clinician_roles: [nurse]",
            "duration_minutes: 7, clinician_roles: [nurse]",
            "duration_minutes: 7,",
            "appointment_types[1].duration_minutes",
        ),
        (
            'days: [sat], hours: ["08:00", "12:00"]',
            'days: [sat], hours: ["12:00", "08:00"]',
            '"12:00", "08:00"',
            "shifts[3].hours",
        ),
    ]
    for old, new, _, _ in mistakes:
        text = edited(text, old, new)
    bad = write(tmp_path, "my-practice.yml", text)

    checked = run(db, "practice", "check", bad)

    report = output(checked)
    assert checked.returncode == 2, report
    assert f"{len(mistakes)} problem(s)" in report, report
    assert "nothing applied" in report, report
    reported = [line.strip() for line in report.splitlines()]
    for _, _, marker, key in mistakes:
        expected = f"line {line_of(text, marker)}: {key}"
        assert any(line.startswith(expected) for line in reported), (expected, report)
    assert rows_written(db) == {}

    # `apply` on the same file refuses the same way and creates no practice.
    applied = apply(db, bad)
    assert applied.returncode == 2, output(applied)
    assert "nothing applied" in output(applied)
    assert rows_written(db) == {}


def test_check_of_a_good_file_passes_and_writes_nothing(db: Database) -> None:
    checked = run(db, "practice", "check", CEDAR_FILE)

    assert checked.returncode == 0, output(checked)
    assert rows_written(db) == {}


def test_check_on_an_applied_practice_writes_nothing(db: Database, tmp_path: Path) -> None:
    apply_ok(db, CEDAR_FILE)
    before = snapshot(db)
    renamed = write(
        tmp_path,
        "renamed.yml",
        edited(CEDAR_TEXT, "name: Cedar Veterinary Oncology", "name: Cedar Vet Oncology"),
    )

    checked = run(db, "practice", "check", renamed)

    assert checked.returncode == 0, output(checked)
    assert snapshot(db) == before


# --- 2. apply --dry-run: lists the changes, writes nothing --------------------------------------


def test_dry_run_on_an_empty_database_lists_the_changes_and_writes_nothing(db: Database) -> None:
    dry = apply(db, CEDAR_FILE, "--dry-run")

    said = output(dry)
    assert dry.returncode == 0, said
    assert CEDAR in said
    for email in (EVELYN, PAT, "renee.dubois@cedar-vet.example.org"):
        assert email in said  # each staff member added is listed
    for code in ("chemo_treatment", "cbc_recheck", "nurse_followup_call"):
        assert code in said  # each appointment type added is listed
    assert rows_written(db) == {}, "a dry run wrote rows"


def test_dry_run_of_a_changed_file_leaves_the_practice_as_it_was(
    db: Database, tmp_path: Path, triage: Triage
) -> None:
    apply_ok(db, CEDAR_FILE)
    before = snapshot(db)
    renamed = write(
        tmp_path,
        "renamed.yml",
        edited(CEDAR_TEXT, "name: Cedar Veterinary Oncology", "name: Cedar Vet Oncology"),
    )

    dry = apply(db, renamed, "--dry-run")

    assert dry.returncode == 0, output(dry)
    assert "name: 'Cedar Veterinary Oncology' -> 'Cedar Vet Oncology'" in output(dry)
    assert snapshot(db) == before
    with TestClient(app_for(db, triage)) as browser:
        names = {p["slug"]: p["name"] for p in browser.get("/api/v1/practices").json()}
    assert names == {CEDAR: "Cedar Veterinary Oncology"}


# --- 3. apply of an example creates the practice, seen in the api and on the chat page --------


def test_applying_both_examples_creates_practices_users_can_reach(
    db: Database, triage: Triage
) -> None:
    apply_ok(db, CEDAR_FILE)
    apply_ok(db, HARBOR_FILE)

    with TestClient(app_for(db, triage)) as browser:
        listed = browser.get("/api/v1/practices")
        assert listed.status_code == 200, listed.text
        by_slug = {p["slug"]: p for p in listed.json()}
        assert by_slug[CEDAR]["name"] == "Cedar Veterinary Oncology"
        assert by_slug[HARBOR]["name"] == "Harbor Surgical Oncology"
        for slug, name in (
            (CEDAR, "Cedar Veterinary Oncology"),
            (HARBOR, "Harbor Surgical Oncology"),
        ):
            page = browser.get(f"/chat/{slug}")
            assert page.status_code == 200 and name in page.text
        assert browser.get("/chat/my-practice").status_code == 404


# --- 4. the same file again changes nothing, and says so --------------------------------------


def test_applying_the_same_file_again_changes_nothing_and_says_so(db: Database) -> None:
    apply_ok(db, CEDAR_FILE)
    before = snapshot(db)

    again = apply(db, CEDAR_FILE)

    said = output(again)
    assert again.returncode == 0, said
    assert re.search(r"nothing to change|no changes?\b|0 change", said), said
    assert snapshot(db) == before
    dry = apply(db, CEDAR_FILE, "--dry-run")
    assert re.search(r"nothing to change|no changes?\b|0 change", output(dry)), output(dry)


# --- 5. a changed file lists each difference before writing ------------------------------------


def test_a_changed_file_lists_each_difference_then_writes_it(
    db: Database, tmp_path: Path, triage: Triage
) -> None:
    apply_ok(db, CEDAR_FILE)
    text = edited(CEDAR_TEXT, "name: Cedar Veterinary Oncology", "name: Cedar Vet Oncology")
    text = edited(
        text,
        "duration_minutes: 20, clinician_roles: [nurse]",
        "duration_minutes: 25, clinician_roles: [nurse]",
    )
    text = edited(
        text,
        "  - {code: nurse_followup_call,",
        "  - {code: hospice_visit, name: Hospice visit, duration_minutes: 40,"
        " clinician_roles: [nurse], needs_labs: false}\n  - {code: nurse_followup_call,",
    )
    text = edited(
        text,
        'days: [sat], hours: ["08:00", "12:00"]',
        'days: [sat], hours: ["09:00", "12:00"]',
    )
    changed = write(tmp_path, "changed.yml", text)

    dry = output(apply(db, changed, "--dry-run"))
    result = apply(db, changed)

    said = output(result)
    assert result.returncode == 0, said
    for listing in (dry, said):
        lines = listing.splitlines()
        assert "name: 'Cedar Veterinary Oncology' -> 'Cedar Vet Oncology'" in listing, listing
        assert any("cbc_recheck" in x and "20" in x and "25" in x for x in lines), listing
        assert any("hospice_visit" in x and "added" in x for x in lines), listing
        # The shift pattern changed: the dated Saturdays go and come back at 09:00.
        assert re.search(r"shifts[^\n]*\b[1-9]\d* added[^\n]*\b[1-9]\d* removed", listing), listing
    # Listed before writing: the differences come before the line that says it was applied.
    summary = next(n for n, x in enumerate(said.splitlines()) if "applied" in x)
    listed = next(n for n, x in enumerate(said.splitlines()) if "Cedar Vet Oncology" in x)
    assert listed < summary

    with session_for(db) as session:
        durations = {
            code: minutes
            for code, minutes in session.execute(
                select(AppointmentType.code, AppointmentType.duration_minutes)
            )
        }
    assert durations["cbc_recheck"] == 25 and durations["hospice_visit"] == 40
    with TestClient(app_for(db, triage)) as browser:
        assert [p["name"] for p in browser.get("/api/v1/practices").json()] == [
            "Cedar Vet Oncology"
        ]
        assert "Cedar Vet Oncology" in browser.get(f"/chat/{CEDAR}").text
    zone = "America/Chicago"
    saturdays = [
        (s, e) for email, s, e in shifts_by_email(db, CEDAR) if local(s, zone).weekday() == 5
    ]
    assert saturdays and all(local(s, zone).strftime("%H:%M") == "09:00" for s, _ in saturdays)


def test_every_applied_change_is_audited_with_its_list(db: Database, tmp_path: Path) -> None:
    apply_ok(db, CEDAR_FILE)
    apply_ok(
        db,
        write(
            tmp_path,
            "renamed.yml",
            edited(CEDAR_TEXT, "name: Cedar Veterinary Oncology", "name: Cedar Vet Oncology"),
        ),
    )
    apply_ok(db, CEDAR_FILE.parent / "cedar-vet-oncology.yml")  # and back

    with session_for(db) as session:
        applied = session.scalars(
            select(AuditLog).where(AuditLog.action == "practice.applied").order_by(AuditLog.id)
        ).all()
    assert len(applied) == 3
    assert "Cedar Vet Oncology" in json.dumps(applied[1].details)


# --- 6. shifts and on-call turns dated about 30 days ahead, in the practice's time zone ----------


def test_weekly_shifts_are_dated_thirty_days_ahead_in_the_practice_time_zone(
    db: Database,
) -> None:
    said = apply_ok(db, CEDAR_FILE)

    zone = "America/Chicago"
    pattern = yaml.safe_load(CEDAR_TEXT)["shifts"]
    rows = shifts_by_email(db, CEDAR)
    actual = {(email, local(s, zone), local(e, zone)) for email, s, e in rows}
    today = datetime.now(ZoneInfo(zone)).date()
    for ahead in range(1, 29):  # the coming four weeks, whatever day this runs
        day = today + timedelta(days=ahead)
        expected = {
            (
                shift["staff"],
                datetime.combine(day, datetime.strptime(shift["hours"][0], "%H:%M").time()),
                datetime.combine(day, datetime.strptime(shift["hours"][1], "%H:%M").time()),
            )
            for shift in pattern
            if DAYS[day.weekday()] in shift["days"]
        }
        on_day = {row for row in actual if row[1].date() == day}
        assert on_day == expected, day
    last = max(s for _, s, _ in actual).date()
    assert last <= today + timedelta(days=31), last
    # What the command said it added is what was written.
    added = re.search(r"^\s*shifts[^\n]*?(\d+) added", said, re.MULTILINE)
    assert added, said
    assert int(added.group(1)) == len(rows)


def test_the_on_call_rota_is_dated_a_month_ahead_and_someone_is_on_call_now(
    db: Database,
) -> None:
    said = apply_ok(db, HARBOR_FILE)

    zone = "America/New_York"
    rota = yaml.safe_load(HARBOR_TEXT)["on_call"]
    order = [(turn["staff"], turn["backup"]) for turn in rota["rotation"]]
    turns = on_call_turns(db, HARBOR)
    now = datetime.now(UTC)

    under_way = [t for t in turns if t[2] <= now < t[3]]
    assert len(under_way) == 1, "nobody, or more than one person, is on call now"
    assert (under_way[0][0], under_way[0][1]) in order
    assert all(local(s, zone).strftime("%H:%M") == rota["handover"] for _, _, s, _ in turns)
    for earlier, later in zip(turns, turns[1:], strict=False):
        assert earlier[3] == later[2], "a gap or an overlap between turns"
        # Turns in the order given, day by day.
        position = order.index((earlier[0], earlier[1]))
        assert (later[0], later[1]) == order[(position + 1) % len(order)]
    # The day the rota is first applied, the first person in the rota takes the turn.
    today = datetime.now(ZoneInfo(zone)).date()
    first = [t for t in turns if local(t[2], zone).date() == today]
    assert first and (first[0][0], first[0][1]) == order[0]
    covered_until = local(turns[-1][3], zone).date()
    assert today + timedelta(days=29) <= covered_until <= today + timedelta(days=32)
    added = re.search(r"on-call turns[^\n]*?(\d+) added", said)
    assert added, said
    assert int(added.group(1)) == len(turns)


def test_the_api_keeps_the_shifts_and_turns_dated_thirty_days_ahead(
    db: Database, triage: Triage
) -> None:
    apply_ok(db, CEDAR_FILE)
    shifts_before = sorted(shifts_by_email(db, CEDAR))
    turns_before = on_call_turns(db, CEDAR)
    # As if two weeks had passed since the file was applied: the far end of the window is undated.
    horizon = datetime.now(UTC) + timedelta(days=16)
    with session_for(db) as session:
        session.execute(delete(ClinicianShift).where(ClinicianShift.starts_at > horizon))
        session.execute(delete(OnCallShift).where(OnCallShift.starts_at > horizon))
        session.commit()
    assert len(shifts_by_email(db, CEDAR)) < len(shifts_before)

    with TestClient(app_for(db, triage, schedule_extend_seconds=1)):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(shifts_by_email(db, CEDAR)) >= len(shifts_before) and len(
                on_call_turns(db, CEDAR)
            ) >= len(turns_before):
                break
            time.sleep(0.5)

    assert sorted(shifts_by_email(db, CEDAR)) == shifts_before
    assert on_call_turns(db, CEDAR) == turns_before


def test_the_on_call_turn_under_way_keeps_its_person_until_the_handover(
    db: Database, tmp_path: Path
) -> None:
    apply_ok(db, HARBOR_FILE)
    now = datetime.now(UTC)
    current = next(t for t in on_call_turns(db, HARBOR) if t[2] <= now < t[3])
    # From now on Carlos, who had no turn, takes every turn: the turn under way stays with the
    # person who has it until the handover.
    rota = HARBOR_TEXT[HARBOR_TEXT.index("on_call:") :]
    swapped = HARBOR_TEXT.replace(
        rota,
        'on_call:\n  handover: "07:00"\n  rotation:\n'
        "    - {staff: carlos.medina@harbor-surgical.example.org,"
        " backup: beth.ramsey@harbor-surgical.example.org}\n",
    )

    result = apply(db, write(tmp_path, "rota.yml", swapped))

    assert result.returncode == 0, output(result)
    after = on_call_turns(db, HARBOR)
    still = [t for t in after if t[2] <= now < t[3]]
    assert len(still) == 1
    assert still[0][0] == current[0] and still[0][3] == current[3]
    later = [t for t in after if t[2] >= current[3]]
    assert later and all(t[0] == "carlos.medina@harbor-surgical.example.org" for t in later)
    assert current[0] != "carlos.medina@harbor-surgical.example.org"


# --- 7. a change that would strand a booked visit is refused, naming it, writing nothing --------


VISIT_ID = 4817


def book_friday_chemo(db: Database) -> tuple[datetime, str]:
    """A booked chemotherapy visit with Dr Hart at 10:00 on a Friday one to two weeks away,
    inside her Friday shift. Returns its local start and the patient's name."""
    zone = ZoneInfo("America/Chicago")
    today = datetime.now(zone).date()
    friday = today + timedelta(days=7 + (4 - today.weekday()) % 7)
    starts_local = datetime.combine(friday, datetime.strptime("10:00", "%H:%M").time(), zone)
    with session_for(db) as session:
        practice = session.scalars(select(Practice).where(Practice.slug == CEDAR)).one()
        hart = session.scalars(select(StaffUser).where(StaffUser.email == EVELYN)).one()
        chemo = session.scalars(
            select(AppointmentType).where(
                AppointmentType.practice_id == practice.id,
                AppointmentType.code == "chemo_treatment",
            )
        ).one()
        patient = Patient(practice_id=practice.id, kind="animal", name="Biscuit", species="dog")
        session.add(patient)
        session.flush()
        session.add(
            Appointment(
                id=VISIT_ID,
                practice_id=practice.id,
                patient_id=patient.id,
                appointment_type_id=chemo.id,
                clinician_id=hart.id,
                starts_at=starts_local.astimezone(UTC),
                ends_at=(starts_local + timedelta(minutes=60)).astimezone(UTC),
                status="booked",
            )
        )
        session.commit()
    return starts_local, "Biscuit"


def test_a_change_leaving_a_booked_visit_outside_its_clinicians_shifts_is_refused(
    db: Database, tmp_path: Path
) -> None:
    apply_ok(db, CEDAR_FILE)
    starts_local, patient = book_friday_chemo(db)
    before = snapshot(db)
    no_fridays = edited(
        CEDAR_TEXT,
        f'{{staff: {EVELYN}, days: [mon, tue, wed, thu, fri], hours: ["08:00", "17:00"]}}',
        f'{{staff: {EVELYN}, days: [mon, tue, wed, thu], hours: ["08:00", "17:00"]}}',
    )

    for extra in ((), ("--dry-run",)):
        refused = apply(db, write(tmp_path, "no-fridays.yml", no_fridays), *extra)

        said = output(refused)
        assert refused.returncode == 2, said
        assert patient in said, said
        assert "chemo_treatment" in said or "Chemotherapy treatment" in said, said
        assert "10:00" in said, said  # the visit's local time, not 16:00 UTC
        assert "Evelyn Hart" in said or EVELYN in said, said
        assert str(VISIT_ID) in said, said
        assert snapshot(db) == before
    assert starts_local.weekday() == 4


def test_dropping_an_appointment_type_in_use_is_refused_naming_the_visits(
    db: Database, tmp_path: Path
) -> None:
    apply_ok(db, CEDAR_FILE)
    _, patient = book_friday_chemo(db)
    before = snapshot(db)
    dropped = "\n".join(
        line for line in CEDAR_TEXT.splitlines() if "code: chemo_treatment" not in line
    )

    refused = apply(db, write(tmp_path, "dropped.yml", dropped))

    said = output(refused)
    assert refused.returncode == 2, said
    assert "chemo_treatment" in said, said
    assert patient in said and str(VISIT_ID) in said, said
    assert snapshot(db) == before


def test_changing_the_kind_of_a_practice_with_patients_is_refused(
    db: Database, tmp_path: Path
) -> None:
    apply_ok(db, CEDAR_FILE)
    book_friday_chemo(db)
    before = snapshot(db)

    refused = apply(
        db, write(tmp_path, "kind.yml", edited(CEDAR_TEXT, "kind: veterinary", "kind: human"))
    )

    assert refused.returncode == 2, output(refused)
    assert "kind" in output(refused)
    assert snapshot(db) == before


# --- 8. the first admin: a one-time link from `staff invite`, then sign-in to the staff pages ---


def test_the_first_admin_listed_in_the_file_gets_a_link_signs_in_and_reaches_staff_pages(
    db: Database, triage: Triage
) -> None:
    apply_ok(db, CEDAR_FILE)
    listed = run(db, "staff", "list", "--practice", CEDAR)
    assert listed.returncode == 0 and PAT in listed.stdout, output(listed)

    invited = run(
        db, "staff", "invite", PAT, "--role", "admin", "--name", "Pat Sullivan", "--practice", CEDAR
    )

    assert invited.returncode == 0, output(invited)
    links = re.findall(r"https?://\S+", invited.stdout)
    assert len(links) == 1, invited.stdout
    path = urlsplit(links[0]).path
    app = app_for(db, triage)
    with TestClient(app) as browser:
        refused = browser.post("/login", data={"email": PAT, "password": PASSWORD})
        assert browser.get("/api/v1/admin/staff").status_code == 401, refused.text
        assert browser.get(path).status_code == 200
        assert browser.post(path, data={"new": PASSWORD, "confirm": PASSWORD}).status_code == 200
        # The link is one-time.
        again = browser.post(path, data={"new": "another long passphrase", "confirm": "x" * 20})
        assert again.status_code == 410
    with TestClient(app) as admin:
        signed = admin.post(
            "/login", data={"email": PAT, "password": PASSWORD}, follow_redirects=False
        )
        assert signed.status_code in (302, 303), signed.text
        assert admin.get("/nurse", follow_redirects=False).status_code == 200
        assert admin.get("/admin/staff", follow_redirects=False).status_code == 200
        staff = admin.get("/api/v1/admin/staff")
        assert staff.status_code == 200
        emails = {person["email"] for person in staff.json()}
        assert emails == {member["email"] for member in yaml.safe_load(CEDAR_TEXT)["staff"]}
    listed = run(db, "staff", "list", "--practice", CEDAR)
    assert any(PAT in line and "password set" in line for line in listed.stdout.splitlines())


def test_the_file_gives_nobody_a_password(db: Database, triage: Triage) -> None:
    apply_ok(db, CEDAR_FILE)

    with session_for(db) as session:
        hashes = session.scalars(select(StaffUser.password_hash)).all()
    assert len(hashes) == 5 and all(h is None for h in hashes)
    with TestClient(app_for(db, triage)) as browser:
        browser.post("/login", data={"email": PAT, "password": "demo-password"})
        assert browser.get("/api/v1/admin/staff").status_code == 401


# --- 9. the rest of "Setting up your practice" and docs/practice-file.md ----------------------


def test_practice_schema_prints_the_documented_schema(db: Database) -> None:
    printed = run(db, "practice", "schema")

    assert printed.returncode == 0, output(printed)
    documented = json.loads((ROOT / "docs" / "practice-file.schema.json").read_text())
    assert json.loads(printed.stdout) == documented


def test_the_examples_pass_the_documented_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "practice-file.schema.json").read_text())
    for text in (CEDAR_TEXT, HARBOR_TEXT):
        jsonschema.validate(yaml.safe_load(text), schema)


DETAILS_ONLY = "\n".join(
    line
    for line in CEDAR_TEXT.split("\n# Accounts get no password here")[0].splitlines()
    if line.strip()
)


def test_a_file_with_only_the_details_is_a_first_step_and_leaves_sections_alone(
    db: Database, tmp_path: Path, triage: Triage
) -> None:
    details = write(tmp_path, "details.yml", DETAILS_ONLY + "\n")

    apply_ok(db, details)

    with TestClient(app_for(db, triage)) as browser:
        assert [p["slug"] for p in browser.get("/api/v1/practices").json()] == [CEDAR]
    apply_ok(db, CEDAR_FILE)
    with_everything = snapshot(db)
    again = apply(db, details)
    assert again.returncode == 0, output(again)
    assert re.search(r"nothing to change|no changes?\b|0 change", output(again)), output(again)
    with session_for(db) as session:
        assert len(session.scalars(select(AppointmentType)).all()) == 6
        assert len(session.scalars(select(SupportResource)).all()) >= 1
    for table in ("appointment_type", "clinician_shift", "on_call_shift", "support_resource"):
        assert snapshot(db)[table] == with_everything[table], table


def test_the_slug_identifies_the_practice_a_renamed_file_updates_it(
    db: Database, tmp_path: Path
) -> None:
    apply_ok(db, CEDAR_FILE)
    with session_for(db) as session:
        first_id = session.scalars(select(Practice.id)).one()

    apply_ok(
        db,
        write(
            tmp_path,
            "renamed.yml",
            edited(CEDAR_TEXT, "name: Cedar Veterinary Oncology", "name: Cedar Vet Oncology"),
        ),
    )

    with session_for(db) as session:
        practices = session.execute(select(Practice.id, Practice.name)).all()
    assert [tuple(p) for p in practices] == [(first_id, "Cedar Vet Oncology")]


def test_people_not_in_the_file_are_left_as_they_are(db: Database) -> None:
    apply_ok(db, CEDAR_FILE)
    invited = run(
        db,
        "staff",
        "invite",
        "sam.ortiz@cedar-vet.example.org",
        "--role",
        "nurse",
        "--name",
        "Sam Ortiz",
        "--practice",
        CEDAR,
    )
    assert invited.returncode == 0, output(invited)

    again = apply(db, CEDAR_FILE)

    assert again.returncode == 0, output(again)
    listed = run(db, "staff", "list", "--practice", CEDAR).stdout
    sam = [line for line in listed.splitlines() if "sam.ortiz@cedar-vet.example.org" in line]
    assert len(sam) == 1 and "active" in sam[0] and "disabled" not in sam[0], listed


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        # The SMS number Cedar already has.
        (('sms_number: "+16175550101"', 'sms_number: "+13125550101"'), "+13125550101"),
        # A staff e-mail that works at Cedar.
        (
            (
                "  - {name: Gloria Fenn, email: gloria.fenn@harbor-surgical.example.org,",
                f"  - {{name: Pat Sullivan, email: {PAT},",
            ),
            PAT,
        ),
        # Someone in the shifts who is not on the staff.
        (
            (
                "  - {staff: laura.kim@harbor-surgical.example.org, days: [tue, thu]",
                "  - {staff: nobody@harbor-surgical.example.org, days: [tue, thu]",
            ),
            "nobody@harbor-surgical.example.org",
        ),
        # Someone on call who is not on the staff.
        (
            (
                "    - {staff: laura.kim@harbor-surgical.example.org, backup: nathaniel",
                "    - {staff: ghost@harbor-surgical.example.org, backup: nathaniel",
            ),
            "ghost@harbor-surgical.example.org",
        ),
    ],
    ids=["sms-number-of-another-practice", "staff-of-another-practice", "shift", "on-call"],
)
def test_refusals_name_the_problem_and_write_nothing(
    db: Database, tmp_path: Path, edit: tuple[str, str], named: str
) -> None:
    apply_ok(db, CEDAR_FILE)
    before = snapshot(db)

    refused = apply(db, write(tmp_path, "harbor.yml", edited(HARBOR_TEXT, *edit)))

    assert refused.returncode == 2, output(refused)
    assert named in output(refused), output(refused)
    assert snapshot(db) == before


def test_a_shift_pattern_keeps_its_local_hours_across_a_clock_change(db: Database) -> None:
    """08:00 stays 08:00 across a daylight-saving change: every dated shift of both examples
    starts and ends at the pattern's local hours, whatever the UTC offset that day."""
    apply_ok(db, CEDAR_FILE)
    apply_ok(db, HARBOR_FILE)

    for slug, text, zone in (
        (CEDAR, CEDAR_TEXT, "America/Chicago"),
        (HARBOR, HARBOR_TEXT, "America/New_York"),
    ):
        hours = {
            (shift["staff"], day, tuple(shift["hours"]))
            for shift in yaml.safe_load(text)["shifts"]
            for day in shift["days"]
        }
        for email, starts, ends in shifts_by_email(db, slug):
            s, e = local(starts, zone), local(ends, zone)
            assert s.date() == e.date()
            key = (email, DAYS[s.weekday()], (s.strftime("%H:%M"), e.strftime("%H:%M")))
            assert key in hours, key
