"""Records out (issue 19), through the api on the demo practices: resolved cases as FHIR
Communications, a patient's messages as CSV and PDF, bookings by text as FHIR Appointments or
CSV; who may take each, for which practice, and the audit rows every export leaves."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdf
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    AuditLog,
    Contact,
    ContactPatient,
    Conversation,
    Escalation,
    Message,
    Patient,
    Practice,
    StaffUser,
)
from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.escalation import casework
from assistant.escalation.queue import open_escalation
from assistant.safety.triage import Triage
from tests.api.conftest import INTERNAL_TOKEN, demo_app, internal_client
from tests.conftest import add_practice, with_demo_data

HUMAN = "harbor-surgical-oncology"
VET = "cedar-vet-oncology"
HUMAN_NURSE = "beth.ramsey@harbor-surgical.example.org"
HUMAN_ADMIN = "dana.whitaker@harbor-surgical.example.org"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"
VET_ONCOLOGIST = "evelyn.hart@cedar-vet.example.org"
VET_BILLING = "renee.dubois@cedar-vet.example.org"
CLIENT_WORDS = 'My drain output is "pinkish", about 30 ml, is that ok? Dr. O\'Connor said to text.'
BOT_WORDS = "Thank you. A nurse will read this and answer you soon."
NURSE_WORDS = "Thanks Inés, that is expected; call us if it turns red, or for a fever over 38°C."
AUTH = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


@pytest.fixture
def engine_with_demo(sqlite_engine: Engine) -> Engine:
    # Today's demo: bookings by text need clinician shifts ahead of now.
    with_demo_data(sqlite_engine, today=datetime.now(UTC).date())
    return sqlite_engine


@pytest.fixture
def app(engine_with_demo: Engine, triage: Triage) -> FastAPI:
    return demo_app(engine_with_demo, triage)


@pytest.fixture
def db(engine_with_demo: Engine) -> Iterator[Session]:
    with make_session_factory(engine_with_demo)() as session:
        yield session


def signed_in(app: FastAPI, email: str) -> TestClient:
    client = TestClient(app)
    response = client.post(
        "/login", data={"email": email, "password": DEMO_STAFF_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


def practice(db: Session, slug: str) -> Practice:
    return db.scalars(select(Practice).where(Practice.slug == slug)).one()


def contact(db: Session, phone: str) -> Contact:
    return db.scalars(select(Contact).where(Contact.phone == phone)).one()


def patient_named(db: Session, name: str) -> Patient:
    return db.scalars(select(Patient).where(Patient.name == name)).one()


def add_ines(db: Session) -> Patient:
    """A patient of the surgical practice who texts for herself, with accented names."""
    harbor = practice(db, HUMAN)
    ines = Contact(
        practice_id=harbor.id,
        phone="+16175550188",
        first_name="Inés",
        last_name="Ramírez",
        consent="opted_in",
    )
    patient = Patient(
        practice_id=harbor.id, kind="human", name="Inés Ramírez", date_of_birth=date(1970, 5, 2)
    )
    db.add_all([ines, patient])
    db.flush()
    db.add(ContactPatient(contact_id=ines.id, patient_id=patient.id, relationship_kind="self"))
    db.commit()
    return patient


def texted_case(db: Session, phone: str, words: str, *, at: datetime) -> int:
    """What the SMS path stores for a clinical question: the client's message, the case it
    opens, and the assistant's approved answer."""
    sender = contact(db, phone)
    conversation = db.scalars(
        select(Conversation).where(Conversation.sender_key == phone)
    ).first() or Conversation(
        practice_id=sender.practice_id, channel="sms", sender_key=phone, contact_id=sender.id
    )
    db.add(conversation)
    db.flush()
    db.add(Message(conversation_id=conversation.id, direction="in", body=words, created_at=at))
    db.flush()
    case = open_escalation(
        db, conversation=conversation, priority="urgent", category="clinical", now=at
    )
    db.add(
        Message(
            conversation_id=conversation.id,
            direction="out",
            body=BOT_WORDS,
            template_id="clinical.nurse_will_answer",
            template_version=1,
            created_at=at + timedelta(seconds=2),
        )
    )
    db.commit()
    return case.id


def work_case(nurse: TestClient, case_id: int, reply: str, note: str) -> dict[str, Any]:
    url = f"/api/v1/nurse/cases/{case_id}"
    assert nurse.post(f"{url}/claim").status_code == 200
    assert nurse.post(f"{url}/reply", json={"text": reply}).status_code == 200
    resolved = nurse.post(f"{url}/resolve", json={"note": note})
    assert resolved.status_code == 200, resolved.text
    detail: dict[str, Any] = resolved.json()
    return detail


def messages_of(db: Session, case_id: int) -> list[Message]:
    db.expire_all()
    case = db.get_one(Escalation, case_id)
    return list(
        db.scalars(
            select(Message)
            .where(Message.conversation_id == case.conversation_id)
            .order_by(Message.id)
        )
    )


def around_today(slug: str) -> dict[str, str]:
    zone = ZoneInfo("America/New_York" if slug == HUMAN else "America/Chicago")
    today = datetime.now(zone).date()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}


@pytest.fixture
def ines_case(app: FastAPI, db: Session) -> tuple[Patient, int]:
    """Inés's resolved case: her question, the assistant's answer, Beth Ramsey's reply."""
    patient = add_ines(db)
    case_id = texted_case(
        db, "+16175550188", CLIENT_WORDS, at=datetime.now(UTC) - timedelta(hours=2)
    )
    with signed_in(app, HUMAN_NURSE) as nurse:
        work_case(nurse, case_id, NURSE_WORDS, "Drain output normal; told to call if red.")
    return patient, case_id


def test_a_resolved_case_is_a_communication_the_fhir_library_validates(
    app: FastAPI, db: Session, ines_case: tuple[Patient, int]
) -> None:
    patient, case_id = ines_case
    with signed_in(app, HUMAN_NURSE) as nurse:
        response = nurse.get(f"/api/v1/exports/cases/{case_id}/communication")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    assert "attachment" in response.headers["content-disposition"]
    sent = Communication.model_validate_json(response.content)
    messages = messages_of(db, case_id)
    assert sent.status == "completed"
    assert sent.subject is not None and sent.subject.type == "Patient"
    assert sent.subject.display == "Inés Ramírez"
    assert sent.subject.identifier is not None
    assert sent.subject.identifier.value == str(patient.id)
    assert sent.sender is not None and sent.sender.type == "Patient"  # she texts for herself
    assert [r.display for r in sent.recipient or []] == ["Beth Ramsey (nurse)"]
    assert [r.type for r in sent.recipient or []] == ["Practitioner"]
    assert [p.contentString for p in sent.payload or []] == [CLIENT_WORDS, BOT_WORDS, NURSE_WORDS]
    times = [
        next(e.valueDateTime for e in p.extension or [] if e.url.endswith("message-time"))
        for p in sent.payload or []
    ]
    assert times == [m.created_at for m in messages]
    assert (sent.sent, sent.received) == (messages[0].created_at, messages[-1].created_at)
    assert sent.priority == "urgent"
    assert [c.coding[0].code for c in sent.category or [] if c.coding] == ["clinical"]
    assert [i.value for i in sent.identifier or []] == [str(case_id)]
    note = (sent.note or [])[0]
    assert "Drain output normal" in note.text
    assert note.authorReference is not None
    assert note.authorReference.display == "Beth Ramsey (nurse)"


def test_the_practice_bundle_holds_its_own_resolved_cases_only(
    app: FastAPI, db: Session, ines_case: tuple[Patient, int]
) -> None:
    _, ines_case_id = ines_case
    earlier = datetime.now(UTC) - timedelta(hours=1)
    # Tanya Brooks-Ellis texts as Raymond Brooks's caregiver; Linda Chen's case stays open.
    tanya_case = texted_case(db, "+17815550122", "Raymond's incision is warm", at=earlier)
    open_case = texted_case(db, "+16175550120", "Is swelling normal?", at=earlier)
    with signed_in(app, HUMAN_NURSE) as nurse:
        work_case(nurse, tanya_case, "Please send a photo.", "Photo reviewed.")
    other_case = resolved_case_of_another_practice(db)

    with signed_in(app, HUMAN_ADMIN) as admin:
        response = admin.get("/api/v1/exports/communications", params=around_today(HUMAN))
    with signed_in(app, HUMAN_NURSE) as nurse:
        refused = nurse.get("/api/v1/exports/communications", params=around_today(HUMAN))

    assert response.status_code == 200, response.text
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "collection"
    exported = {entry.resource.id: entry.resource for entry in bundle.entry or []}
    assert set(exported) == {f"case-{ines_case_id}", f"case-{tanya_case}"}
    assert f"case-{open_case}" not in exported and f"case-{other_case}" not in exported
    tanya = exported[f"case-{tanya_case}"]
    assert (tanya.subject.display, tanya.sender.type) == ("Raymond Brooks", "RelatedPerson")
    assert refused.status_code == 403
    actions = audit_rows(db, "patient.record_exported")
    assert {(row.entity_id, row.details["export"]) for row in actions} == {
        (str(patient_named(db, "Inés Ramírez").id), "practice communications fhir"),
        (str(patient_named(db, "Raymond Brooks").id), "practice communications fhir"),
    }
    assert len(audit_rows(db, "practice.records_exported")) == 1


def resolved_case_of_another_practice(db: Session) -> int:
    """A resolved case of a second surgical practice, worked the way the nurse routes do."""
    other = add_practice(db, kind="human", slug="other-surgical")
    nurse = StaffUser(
        practice_id=other.id,
        name="Other Nurse",
        email="n@other.example.org",
        role="nurse",
        phone="+16175550177",
    )
    client = Contact(
        practice_id=other.id,
        phone="+16175550166",
        first_name="Ann",
        last_name="Lee",
        consent="opted_in",
    )
    patient = Patient(practice_id=other.id, kind="human", name="Ann Lee")
    db.add_all([nurse, client, patient])
    db.flush()
    db.add(ContactPatient(contact_id=client.id, patient_id=patient.id, relationship_kind="self"))
    db.commit()
    case_id = texted_case(db, "+16175550166", "Is my wound ok?", at=datetime.now(UTC))
    case = db.get_one(Escalation, case_id)
    casework.resolve(db, escalation=case, staff=nurse, note="Called her.", now=datetime.now(UTC))
    db.commit()
    return case_id


def audit_rows(db: Session, action: str) -> list[AuditLog]:
    db.expire_all()
    return list(db.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_an_open_case_is_not_exported(app: FastAPI, db: Session) -> None:
    open_case = texted_case(
        db, "+16175550120", "Is swelling normal?", at=datetime.now(UTC) - timedelta(minutes=5)
    )
    linda = patient_named(db, "Linda Chen")

    with signed_in(app, HUMAN_NURSE) as nurse:
        single = nurse.get(f"/api/v1/exports/cases/{open_case}/communication")
        listing = nurse.get(f"/api/v1/exports/patients/{linda.id}/messages.csv")

    assert single.status_code == 409 and "not resolved" in single.json()["detail"]
    assert listing.status_code == 200
    assert "Is swelling normal?" not in listing.content.decode("utf-8-sig")


def read_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for spreadsheets
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_patient_csv_has_one_row_per_message_and_keeps_the_words(
    app: FastAPI, db: Session, ines_case: tuple[Patient, int]
) -> None:
    patient, case_id = ines_case
    with signed_in(app, HUMAN_NURSE) as nurse:
        response = nurse.get(f"/api/v1/exports/patients/{patient.id}/messages.csv")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = read_csv(response.content)
    assert [r["text"] for r in rows] == [CLIENT_WORDS, BOT_WORDS, NURSE_WORDS]
    assert [r["who"] for r in rows] == ["Inés Ramírez", "assistant", "Beth Ramsey"]
    assert [r["direction"] for r in rows] == ["from client", "to client", "to client"]
    assert [r["role"] for r in rows] == ["client", "assistant", "nurse"]
    assert {r["patient"] for r in rows} == {"Inés Ramírez"}
    assert {(r["case"], r["case_route"], r["case_priority"]) for r in rows} == {
        (str(case_id), "clinical", "urgent")
    }
    assert {r["resolved_by"] for r in rows} == {"Beth Ramsey (nurse)"}
    whens = [datetime.fromisoformat(r["when"]) for r in rows]
    assert whens == sorted(whens) and whens[0].utcoffset() is not None


def test_a_vet_patients_pdf_is_a_real_pdf_with_the_messages(app: FastAPI, db: Session) -> None:
    # Liam O'Connor owns Rocco; Maria Alvarez owns Biscuit and Pepper and names Biscuit.
    at = datetime.now(UTC) - timedelta(hours=3)
    rocco_case = texted_case(db, "+13125550127", "Rocco's gums look pale, is that ok?", at=at)
    biscuit_case = texted_case(db, "+13125550120", "Biscuit skipped breakfast", at=at)
    with signed_in(app, VET_NURSE) as nurse:
        work_case(nurse, rocco_case, "Please bring Rocco in today, Mr. O'Connor.", "Seen today.")
        work_case(nurse, biscuit_case, "Offer a small meal.", "Ate later.")
        rocco = patient_named(db, "Rocco")
        pdf = nurse.get(f"/api/v1/exports/patients/{rocco.id}/messages.pdf")
        pepper = nurse.get(
            f"/api/v1/exports/patients/{patient_named(db, 'Pepper').id}/messages.csv"
        )
        biscuit = nurse.get(
            f"/api/v1/exports/patients/{patient_named(db, 'Biscuit').id}/messages.csv"
        )
        fhir = nurse.get(f"/api/v1/exports/cases/{rocco_case}/communication")

    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in (
        "Cedar Veterinary Oncology",
        "Rocco",
        "Rocco's gums look pale, is that ok?",
        "Please bring Rocco in today, Mr. O'Connor.",
        "Liam O'Connor",
        "Jordan Reyes (nurse)",
        "Seen today.",
    ):
        assert expected in text, expected
    assert "Biscuit skipped breakfast" not in text
    # The owner of two pets named one: the case is in that pet's record only.
    assert [r["text"] for r in read_csv(biscuit.content)][0] == "Biscuit skipped breakfast"
    assert read_csv(pepper.content) == []
    # FHIR Communications are for human practices.
    assert fhir.status_code == 409


def test_names_with_accents_print_in_the_pdf(
    app: FastAPI, db: Session, ines_case: tuple[Patient, int]
) -> None:
    patient, _ = ines_case
    with signed_in(app, HUMAN_ADMIN) as admin:  # admins may export a patient's record too
        pdf = admin.get(f"/api/v1/exports/patients/{patient.id}/messages.pdf")

    assert pdf.status_code == 200
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert "Inés Ramírez" in text and "38°C" in text and '"pinkish"' in text


def test_staff_export_only_their_own_practices_patients_and_only_when_their_role_may(
    app: FastAPI, db: Session, ines_case: tuple[Patient, int]
) -> None:
    ines, case_id = ines_case
    rocco = patient_named(db, "Rocco")
    with signed_in(app, VET_NURSE) as other_practice:
        assert (
            other_practice.get(f"/api/v1/exports/patients/{ines.id}/messages.csv").status_code
            == 404
        )
        assert (
            other_practice.get(f"/api/v1/exports/patients/{ines.id}/messages.pdf").status_code
            == 404
        )
        assert (
            other_practice.get(f"/api/v1/exports/cases/{case_id}/communication").status_code == 404
        )
    for email in (VET_BILLING, VET_ONCOLOGIST):
        with signed_in(app, email) as not_allowed:
            refused = not_allowed.get(f"/api/v1/exports/patients/{rocco.id}/messages.csv")
            assert refused.status_code == 403, email
            assert "may not export" in refused.json()["detail"]
    with TestClient(app) as anonymous:
        assert anonymous.get(f"/api/v1/exports/patients/{rocco.id}/messages.csv").status_code == 401
    assert audit_rows(db, "patient.record_exported") == []


def test_every_export_is_audited_as_a_read_of_the_patients_record(
    app: FastAPI, db: Session, ines_case: tuple[Patient, int]
) -> None:
    patient, case_id = ines_case
    with signed_in(app, HUMAN_NURSE) as nurse:
        nurse.get(f"/api/v1/exports/patients/{patient.id}/messages.csv")
        nurse.get(f"/api/v1/exports/patients/{patient.id}/messages.csv")
        nurse.get(f"/api/v1/exports/cases/{case_id}/communication")
    beth = db.scalars(select(StaffUser).where(StaffUser.email == HUMAN_NURSE)).one()

    rows = audit_rows(db, "patient.record_exported")

    # Each export is a copy leaving the assistant: one row each, not one per 15 minutes.
    assert [(r.actor, r.entity_type, r.entity_id, r.details["export"]) for r in rows] == [
        (f"staff:{beth.id}", "patient", str(patient.id), "patient messages csv"),
        (f"staff:{beth.id}", "patient", str(patient.id), "patient messages csv"),
        (f"staff:{beth.id}", "patient", str(patient.id), "case communication fhir"),
    ]
    assert rows[0].details["cases"] == [case_id]
    assert {r.practice_id for r in rows} == {patient.practice_id}


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"from": "2026-01-01", "to": "2026-07-01"}, "too long"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "before it starts"),
        ({"from": "yesterday", "to": "2026-03-01"}, "date"),
    ],
)
def test_a_period_too_long_backwards_or_unreadable_is_refused_with_a_reason(
    app: FastAPI, params: dict[str, str], problem: str
) -> None:
    with signed_in(app, HUMAN_ADMIN) as admin:
        response = admin.get("/api/v1/exports/communications", params=params)

    assert response.status_code == 422
    assert problem in str(response.json()["detail"])


def book_by_text(
    internal: TestClient,
    conversation_id: str,
    type_code: str,
    choice: str,
    key: str,
    move_visit_id: int | None = None,
) -> dict[str, Any]:
    base = f"/internal/v1/conversations/{conversation_id}"
    offered = internal.post(
        f"{base}/booking/offers", json={"type_code": type_code, "when": "next week"}, headers=AUTH
    ).json()
    assert offered["outcome"] == "offers", offered
    patients = internal.get(f"{base}/booking", headers=AUTH).json()["patients"]
    booked = internal.post(
        f"{base}/booking/time",
        json={
            "type_code": type_code,
            "patient_id": patients[0][0],
            "offers": offered["offers"],
            "text": choice,
            "when": "next week",
            "idempotency_key": key,
            "move_visit_id": move_visit_id,
        },
        headers=AUTH,
    ).json()
    assert booked["outcome"] == "booked", booked
    visit: dict[str, Any] = booked["visit"]
    return visit


def verified_conversation(internal: TestClient, db: Session, phone: str, answer: str) -> str:
    sender = contact(db, phone)
    conversation = Conversation(
        practice_id=sender.practice_id, channel="sms", sender_key=phone, contact_id=sender.id
    )
    db.add(conversation)
    db.commit()
    checked = internal.post(
        f"/internal/v1/conversations/{conversation.id}/identity",
        json={"answer": answer},
        headers=AUTH,
    )
    assert checked.json() == {"identity": "verified"}
    return conversation.id


def test_bookings_by_text_are_appointments_for_a_human_practice(
    app: FastAPI, db: Session, engine_with_demo: Engine
) -> None:
    internal = next(internal_client(engine_with_demo))
    linda = verified_conversation(internal, db, "+16175550120", "03/11/1968")
    kept = book_by_text(internal, linda, "wound_check", "1", "linda:1")
    dropped = book_by_text(internal, linda, "wound_check", "2", "linda:2")
    cancelled = internal.post(
        f"/internal/v1/conversations/{linda}/visits/{dropped['id']}/cancel", headers=AUTH
    )
    assert cancelled.status_code == 200
    moved = book_by_text(internal, linda, "wound_check", "3", "linda:3", move_visit_id=kept["id"])

    with signed_in(app, HUMAN_NURSE) as nurse:
        response = nurse.get(
            "/api/v1/exports/text-bookings", params={**around_today(HUMAN), "format": "fhir"}
        )

    assert response.status_code == 200, response.text
    bundle = Bundle.model_validate_json(response.content)
    visits = {entry.resource.id: entry.resource for entry in bundle.entry or []}
    assert set(visits) == {f"appointment-{v['id']}" for v in (kept, dropped, moved)}
    assert [visits[f"appointment-{v['id']}"].status for v in (kept, dropped, moved)] == [
        "cancelled",  # moved: its replacement is booked
        "cancelled",
        "booked",
    ]
    db.expire_all()
    for visit in (kept, dropped, moved):
        resource = visits[f"appointment-{visit['id']}"]
        stored = db.get_one(Appointment, visit["id"])
        assert resource.start == stored.starts_at and resource.end == stored.ends_at
        actors = [p.actor for p in resource.participant]
        assert actors[0].type == "Patient" and actors[0].display == "Linda Chen"
        assert "by text by Linda Chen" in resource.comment
    assert visits[f"appointment-{dropped['id']}"].cancelationReason.text == "cancelled by text"
    assert visits[f"appointment-{kept['id']}"].cancelationReason.text == "moved by text"
    assert f"replaces appointment {kept['id']}" in visits[f"appointment-{moved['id']}"].comment
    exported = audit_rows(db, "patient.record_exported")
    assert [r.entity_id for r in exported] == [str(patient_named(db, "Linda Chen").id)]


def test_bookings_by_text_are_a_csv_list_for_a_veterinary_practice(
    app: FastAPI, db: Session, engine_with_demo: Engine
) -> None:
    internal = next(internal_client(engine_with_demo))
    maria = verified_conversation(internal, db, "+13125550120", "Biscuit Alvarez")
    visit = book_by_text(internal, maria, "cbc_recheck", "1", "maria:1")

    with signed_in(app, VET_NURSE) as nurse:
        listing = nurse.get("/api/v1/exports/text-bookings", params=around_today(VET))
        fhir = nurse.get(
            "/api/v1/exports/text-bookings", params={**around_today(VET), "format": "fhir"}
        )

    assert listing.status_code == 200, listing.text
    rows = read_csv(listing.content)
    stored = db.get_one(Appointment, visit["id"])
    assert [
        (r["change"], r["appointment"], r["status_now"], r["patient"], r["by"]) for r in rows
    ] == [("booked", str(visit["id"]), "booked", "Biscuit", "Maria Alvarez")]
    assert datetime.fromisoformat(rows[0]["starts_at"]) == stored.starts_at
    assert rows[0]["visit_type"] == "CBC recheck (bloodwork)"
    assert fhir.status_code == 409  # FHIR Appointments: human practices


def test_the_case_page_links_the_patients_record_for_those_who_may_export(
    app: FastAPI, db: Session, ines_case: tuple[Patient, int]
) -> None:
    patient, case_id = ines_case
    with signed_in(app, HUMAN_NURSE) as nurse:
        detail = nurse.get(f"/api/v1/nurse/cases/{case_id}").json()
        page = nurse.get(f"/nurse/cases/{case_id}").text
    with signed_in(app, "nathaniel.osei@harbor-surgical.example.org") as surgeon:
        surgeons_page = surgeon.get(f"/nurse/cases/{case_id}").text

    assert (detail["patient_id"], detail["patient_name"]) == (patient.id, "Inés Ramírez")
    assert 'id="record"' in page and "const mayExport = true;" in page
    assert "const mayExport = false;" in surgeons_page


def test_the_command_line_writes_an_owner_only_file_and_never_overwrites(
    app: FastAPI,
    db: Session,
    ines_case: tuple[Patient, int],
    engine_with_demo: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from assistant.cli import main
    from assistant.settings import get_settings

    patient, _ = ines_case
    monkeypatch.setenv("DATABASE_URL", str(engine_with_demo.url))
    get_settings.cache_clear()
    target = tmp_path / "ines.csv"
    command = ["export", "patient", str(patient.id), "--format", "csv", "--out", str(target)]
    try:
        written = main([*command, "--by", HUMAN_NURSE])
        again = main([*command, "--by", HUMAN_NURSE])
        other_practice = main([*command[:-1], str(tmp_path / "other.csv"), "--by", VET_NURSE])
    finally:
        get_settings.cache_clear()

    errors = capsys.readouterr().err
    assert written == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert [r["text"] for r in read_csv(target.read_bytes())] == [
        CLIENT_WORDS,
        BOT_WORDS,
        NURSE_WORDS,
    ]
    assert again == 2 and "exists already" in errors
    assert other_practice == 2 and "no such patient" in errors
    assert not (tmp_path / "other.csv").exists()
    assert len(audit_rows(db, "patient.record_exported")) == 1
