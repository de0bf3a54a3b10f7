"""Load the fictional practices into an empty database: each practice's setup through its
practice file in `examples/` (the same path a real practice takes), then its records from
`data.yml`."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.coordination import surgical_cases
from assistant.db.models import (
    Claim,
    ClinicianShift,
    InsurancePolicy,
    Invoice,
    InvoiceLine,
    Patient,
    Payment,
    Practice,
    PreAuthorization,
    StaffUser,
)
from assistant.imports import upsert
from assistant.imports import visits as visits_upsert
from assistant.imports.records import (
    AppointmentRecord,
    ContactRecord,
    LabResultRecord,
    LinkRecord,
    Origin,
    PatientRecord,
)
from assistant.practices.apply import apply_practice_file
from assistant.practices.schedules import local_instant
from assistant.practices.setup_file import read_practice_file
from assistant.settings import ROOT
from assistant.staff.auth import hash_password
from assistant.yaml_files import read_yaml

DATA_FILE = Path(__file__).with_name("data.yml")
EXAMPLES_DIR = ROOT / "examples"
# Every demo staff account signs in with this password (the accounts and people are fictional).
DEMO_STAFF_PASSWORD = "demo-password"

# (local date, starts_at UTC, ends_at UTC)
ShiftSlot = tuple[date, datetime, datetime]
ACTOR = "demo"
# Every demo record's source id starts with it, as a real import's would with the source's ids.
DEMO_SOURCE_PREFIX = "demo-"
DEMO_ORIGIN = Origin(file="assistant/demo/data.yml", line=0)


def load_demo_data(session: Session, *, today: date) -> bool:
    """Insert the demo practices unless any practice exists; True when rows were added.

    Shifts and on-call turns run for 30 days from `today` (the practice file's horizon),
    appointments fall in the 2 weeks after it. The caller commits.
    """
    if session.scalar(select(Practice.id).limit(1)) is not None:
        return False
    data = read_yaml(DATA_FILE)
    for spec in data["practices"]:
        _load_practice(session, spec, today)
    session.flush()
    return True


def _load_practice(session: Session, spec: dict[str, Any], today: date) -> None:
    setup = read_practice_file(EXAMPLES_DIR / f"{spec['slug']}.yml")
    if setup.kind != spec["kind"]:
        raise ValueError(f"{spec['slug']}: data.yml says {spec['kind']}, its file {setup.kind}")
    zone = ZoneInfo(setup.timezone)
    # As if loaded at the first moment of `today`, so its shifts are all still to come.
    start_of_day = datetime.combine(today, time(0), tzinfo=zone).astimezone(UTC)
    practice = apply_practice_file(session, setup, now=start_of_day, actor=ACTOR).practice

    # One shared, published password for the fictional demo staff (README); hashed once.
    password_hash = hash_password(DEMO_STAFF_PASSWORD)
    staff = {
        ref: session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        for ref, email in spec["staff"].items()
    }
    for person in staff.values():
        person.password_hash = password_hash

    # The records come in as a practice system's export would, through the import's own
    # upserts (assistant/imports), each with a "demo-" source id. "unknown" consent is what an
    # export that does not say gives: nothing proactive until the client opts in.
    def imported(apply: Any, records: list[Any]) -> None:
        for rec in records:
            apply(session, practice, rec, now=start_of_day, actor=ACTOR)

    imported(
        upsert.apply_contact,
        [
            ContactRecord(
                origin=DEMO_ORIGIN,
                source_id=f"{DEMO_SOURCE_PREFIX}{c['ref']}",
                first_name=c["first_name"],
                last_name=c["last_name"],
                phone=c["phone"],
                consent=None if c["consent"] == "unknown" else c["consent"],
            )
            for c in spec["contacts"]
        ],
    )
    imported(
        upsert.apply_patient,
        [
            PatientRecord(
                origin=DEMO_ORIGIN,
                source_id=_patient_id(p["name"]),
                name=p["name"],
                species=p.get("species"),
                breed=p.get("breed"),
                date_of_birth=p["date_of_birth"],  # YAML reads 2017-05-14 as a date
                diagnosis=p["diagnosis"],
                clinician=staff[p["clinician"]].email,
            )
            for p in spec["patients"]
        ],
    )
    imported(
        upsert.apply_link,
        [
            LinkRecord(
                origin=DEMO_ORIGIN,
                client_source_id=f"{DEMO_SOURCE_PREFIX}{ref}",
                patient_source_id=_patient_id(p["name"]),
                relationship=kind,
            )
            for p in spec["patients"]
            for ref, kind in p["contacts"].items()
        ],
    )

    slots: dict[str, list[ShiftSlot]] = {
        ref: [
            (shift.starts_at.astimezone(zone).date(), shift.starts_at, shift.ends_at)
            for shift in session.scalars(
                select(ClinicianShift).where(ClinicianShift.staff_id == person.id)
            )
        ]
        for ref, person in staff.items()
    }
    visits = []
    for number, a in enumerate(spec["appointments"], 1):
        # Only shifts after today, so no demo booking is already in the past when loaded.
        upcoming = sorted(s for s in slots[a["clinician"]] if s[0] > today)
        day, _, _ = upcoming[a["shift"]]
        visits.append(
            AppointmentRecord(
                origin=DEMO_ORIGIN,
                source_id=f"{DEMO_SOURCE_PREFIX}visit-{number}",
                patient_source_id=_patient_id(a["patient"]),
                type_code=a["type"],
                provider=staff[a["clinician"]].email,
                starts_at=local_instant(day, a["at"], zone),
                status="booked",
            )
        )
    # Booked like any visit: the clinician's shift and role, the time held once.
    imported(visits_upsert.apply_appointment, visits)
    noon = local_instant(today, "12:00", zone)
    imported(
        upsert.apply_lab_result,
        [
            LabResultRecord(
                origin=DEMO_ORIGIN,
                source_id=f"{DEMO_SOURCE_PREFIX}lab-{number}",
                patient_source_id=_patient_id(lab["patient"]),
                test_code=lab["test"],
                collected_at=noon - timedelta(days=lab["days_ago"]),
            )
            for number, lab in enumerate(spec.get("coordination", {}).get("labs", []), 1)
        ],
    )
    session.flush()
    patients = {
        p.name: p
        for p in session.scalars(select(Patient).where(Patient.practice_id == practice.id))
    }

    if "billing" in spec:
        _load_billing(session, spec["billing"], practice, patients, today, zone)
    if "coordination" in spec:
        _load_coordination(session, spec["coordination"], practice, patients, staff, today, zone)


def _load_billing(
    session: Session,
    spec: dict[str, Any],
    practice: Practice,
    patients: dict[str, Patient],
    today: date,
    zone: ZoneInfo,
) -> None:
    """Invoices, policies, pre-authorizations and claims; dates are days before `today`."""

    def days_ago(days: int | None) -> datetime | None:
        return None if days is None else local_instant(today - timedelta(days=days), "12:00", zone)

    def ago(days: int) -> datetime:
        return local_instant(today - timedelta(days=days), "12:00", zone)

    for i in spec.get("invoices", []):
        issued_at = ago(i["issued_days_ago"])
        invoice = Invoice(
            practice_id=practice.id,
            patient_id=patients[i["patient"]].id,
            number=i["number"],
            issued_at=issued_at,
            due_at=issued_at + timedelta(days=i["due_days"]),
            status=i["status"],
        )
        for line in i["lines"]:
            quantity = Decimal(str(line["quantity"]))  # via str: 0.68 stays 0.68, not a float
            amount = (quantity * line["unit_price_cents"]).quantize(Decimal(1), ROUND_HALF_UP)
            invoice.lines.append(
                InvoiceLine(
                    description=line["description"],
                    component=line.get("component"),
                    drug=line.get("drug"),
                    dose=line.get("dose"),
                    quantity=quantity,
                    unit_price_cents=line["unit_price_cents"],
                    amount_cents=int(amount),
                )
            )
        for pay in i.get("payments", []):
            invoice.payments.append(
                Payment(
                    amount_cents=pay["amount_cents"],
                    paid_at=ago(pay["days_ago"]),
                    method=pay["method"],
                    reference=pay.get("reference"),
                )
            )
        session.add(invoice)

    policies = {
        p["ref"]: InsurancePolicy(
            patient_id=patients[p["patient"]].id,
            payer_name=p["payer_name"],
            member_id=str(p["member_id"]),
            kind=p["kind"],
        )
        for p in spec.get("policies", [])
    }
    session.add_all(policies.values())
    session.flush()

    for a in spec.get("preauthorizations", []):
        policy = policies[a["policy"]]
        session.add(
            PreAuthorization(
                policy_id=policy.id,
                patient_id=policy.patient_id,
                service=a["service"],
                status=a["status"],
                requested_at=ago(a["requested_days_ago"]),
                decided_at=days_ago(a.get("decided_days_ago")),
                reference=a.get("reference"),
                last_update_at=ago(a["updated_days_ago"]),
            )
        )

    for c in spec.get("claims", []):
        session.add(
            Claim(
                practice_id=practice.id,
                patient_id=patients[c["patient"]].id,
                policy_id=policies[c["policy"]].id,
                surgical_case_ref=c.get("case"),
                component=c.get("component"),
                claim_type=c["type"],
                status=c["status"],
                submitted_at=days_ago(c.get("submitted_days_ago")),
                last_update_at=ago(c["updated_days_ago"]),
                amount_cents=c["amount_cents"],
                procedure_codes=[_procedure(code) for code in c.get("procedures", [])],
                diagnosis_codes=[str(d) for d in c.get("diagnoses", [])],
            )
        )
    session.flush()


def _load_coordination(
    session: Session,
    spec: dict[str, Any],
    practice: Practice,
    patients: dict[str, Patient],
    staff: dict[str, StaffUser],
    today: date,
    zone: ZoneInfo,
) -> None:
    """Lab results, grief-support resources and surgical cases, built through the same
    functions staff use (so the checklists follow `case_rules.yml`)."""
    noon = local_instant(today, "12:00", zone)
    for c in spec.get("cases", []):
        surgery_at = local_instant(today + timedelta(days=c["surgery_in_days"]), "07:30", zone)
        # Opened a month before the surgery, as a real case would have been.
        case = surgical_cases.open_case(
            session,
            practice=practice,
            patient=patients[c["patient"]],
            ref=c["ref"],
            procedure=c["procedure"],
            surgery_at=surgery_at,
            surgeon_id=staff[c["surgeon"]].id,
            payer_name=c["payer"],
            tests=c["tests"],
            sentinel_node_mapping=c.get("sentinel_node_mapping", False),
            now=surgery_at - timedelta(days=30),
        )
        for code, days in c.get("tests_done_days_ago", {}).items():
            done_at = noon - timedelta(days=days)
            surgical_cases.mark_item_done(
                session, case=case, code=code, done_at=done_at, staff_id=None
            )
        for code in c.get("tasks_done", []) + c.get("documents_done", []):
            surgical_cases.mark_item_done(
                session, case=case, code=code, done_at=noon, staff_id=None
            )
        authorization = c.get("authorization")
        if authorization:
            asked = noon - timedelta(days=authorization["days_ago"])
            surgical_cases.set_authorization(session, case=case, status="pending", now=asked)
            if authorization["status"] != "pending":
                surgical_cases.set_authorization(
                    session, case=case, status=authorization["status"], now=asked
                )
        if surgery_at < noon:
            surgical_cases.mark_surgery_done(
                session, case=case, now=surgery_at + timedelta(hours=4)
            )
        if "pathology_received_days_ago" in c:
            received = noon - timedelta(days=c["pathology_received_days_ago"])
            surgical_cases.record_pathology(session, case=case, received_at=received)
    session.flush()


def _patient_id(name: str) -> str:
    return DEMO_SOURCE_PREFIX + "-".join(name.lower().split())


def _procedure(written: str) -> dict[str, Any]:
    """A code written with its modifiers, `38525-LT-51`, as the claim stores it."""
    code, *modifiers = str(written).split("-")
    return {"code": code, "modifiers": modifiers}
