"""Billing staff API: the billing queue apart from the nurse queue, claims with no payer update,
and a claim status change texted to the client."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.main import create_app
from assistant.db.engine import make_session_factory
from assistant.db.models import (
    AuditLog,
    Claim,
    Contact,
    ContactPatient,
    OutboxMessage,
    Patient,
    Practice,
)
from assistant.dialogue.rasa_client import RasaClient
from assistant.safety.triage import Triage
from assistant.settings import Settings
from tests.api.conftest import ScriptedRasa
from tests.api.test_nurse import signed_in
from tests.conftest import with_demo_data

VET_BILLING = "renee.dubois@cedar-vet.example.org"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"
HUMAN_BILLING = "gloria.fenn@harbor-surgical.example.org"
VET_PRACTICE = select(Practice.id).where(Practice.slug == "cedar-vet-oncology").scalar_subquery()
HUMAN_PRACTICE = (
    select(Practice.id).where(Practice.slug == "harbor-surgical-oncology").scalar_subquery()
)
BILLING_HANDOFF = [
    {"custom": {"template": "billing.handoff", "route": "billing", "case": "routine"}}
]


@pytest.fixture
def engine_with_demo(sqlite_engine: Engine) -> Engine:
    with_demo_data(sqlite_engine, today=datetime.now(UTC).date())
    return sqlite_engine


@pytest.fixture
def app(engine_with_demo: Engine, triage: Triage) -> FastAPI:
    scripted = ScriptedRasa()
    scripted.replies = lambda request: httpx.Response(200, json=BILLING_HANDOFF)
    settings = Settings(
        database_url=str(engine_with_demo.url), sla_check_seconds=0, outbox_poll_seconds=0
    )
    rasa = RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(scripted))
    return create_app(settings, rasa=rasa, triage=triage)


def test_a_billing_question_is_in_the_billing_queue_not_the_nurse_queue(app: FastAPI) -> None:
    with TestClient(app) as client:
        turn = client.post(
            "/api/v1/chat/cedar-vet-oncology/messages",
            json={"text": "why was i charged twice for the same exam"},
        ).json()
    case_id = turn["escalation"]["id"]

    billing = signed_in(app, VET_BILLING).get("/api/v1/billing/queue")
    nurse = signed_in(app, VET_NURSE)

    assert turn["route"] == "billing"
    assert [c["id"] for c in billing.json()] == [case_id]
    assert billing.json()[0]["assigned_role"] == "billing"
    assert case_id not in [c["id"] for c in nurse.get("/api/v1/nurse/queue").json()]
    assert nurse.get("/api/v1/billing/queue").status_code == 403


def test_a_claim_status_change_is_texted_to_each_owner_who_has_not_opted_out(
    app: FastAPI, engine_with_demo: Engine
) -> None:
    with make_session_factory(engine_with_demo)() as session:
        claim = (
            session.scalars(
                select(Claim)
                .join(Patient, Patient.id == Claim.patient_id)
                .where(Patient.name == "Juniper")
            ).first()
            or session.scalars(select(Claim).where(Claim.practice_id == 1)).first()
        )
        assert claim is not None
        patient = session.get_one(Patient, claim.patient_id)
        phones = set(
            session.scalars(
                select(Contact.phone)
                .join(ContactPatient, ContactPatient.contact_id == Contact.id)
                .where(
                    ContactPatient.patient_id == claim.patient_id,
                    ContactPatient.relationship_kind == "owner",
                    Contact.consent != "opted_out",
                )
            )
        )
    client = signed_in(app, VET_BILLING)

    changed = client.post(f"/api/v1/billing/claims/{claim.id}/status", json={"status": "approved"})
    wrong = client.post(f"/api/v1/billing/claims/{claim.id}/status", json={"status": "maybe"})
    by_nurse = signed_in(app, VET_NURSE).post(
        f"/api/v1/billing/claims/{claim.id}/status", json={"status": "paid"}
    )

    assert changed.status_code == 200 and changed.json()["claim"]["status"] == "approved"
    assert changed.json()["notified"] == len(phones) > 0
    assert wrong.status_code == 422 and by_nurse.status_code == 403
    with make_session_factory(engine_with_demo)() as session:
        texts = session.scalars(
            select(OutboxMessage).where(OutboxMessage.template_id == "both.billing.claim_update")
        ).all()
    assert {t.to_number for t in texts} == phones
    assert all(patient.name in t.body and "approved" in t.body for t in texts)
    assert all(t.kind == "proactive" for t in texts)


def test_only_news_the_client_waits_for_is_texted_and_only_to_whoever_holds_the_bill(
    app: FastAPI, engine_with_demo: Engine
) -> None:
    """Issue 18: a claim status change texted every contact, each time. Raymond Brooks's claim
    is a draft; he has a caregiver on file, who is not told about his insurance."""
    with make_session_factory(engine_with_demo)() as session:
        claim = session.scalars(
            select(Claim)
            .join(Patient, Patient.id == Claim.patient_id)
            .where(Patient.name == "Raymond Brooks")
        ).first()
        assert claim is not None and claim.status == "draft"
        links = session.execute(
            select(Contact.phone, ContactPatient.relationship_kind)
            .join(ContactPatient, ContactPatient.contact_id == Contact.id)
            .where(ContactPatient.patient_id == claim.patient_id)
        ).all()
    himself = {phone for phone, kind in links if kind == "self"}
    assert len(himself) == 1 and any(kind == "caregiver" for _, kind in links)
    client = signed_in(app, HUMAN_BILLING)
    url = f"/api/v1/billing/claims/{claim.id}/status"

    notified = [
        client.post(url, json={"status": status}).json()["notified"]
        for status in ("submitted", "submitted", "pending", "approved")
    ]

    # Submitted is news; the same again and the payer's "pending" are not; approved is.
    assert notified == [1, 0, 0, 1]
    with make_session_factory(engine_with_demo)() as session:
        texts = session.scalars(
            select(OutboxMessage).where(OutboxMessage.template_id == "both.billing.claim_update")
        ).all()
        audited = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "claim.status_changed", AuditLog.entity_id == str(claim.id)
            )
        ).all()
    assert [t.to_number for t in texts] == sorted(himself) * 2
    assert [(a.details["from"], a.details["to"]) for a in audited] == [
        ("draft", "submitted"),
        ("submitted", "submitted"),
        ("submitted", "pending"),
        ("pending", "approved"),
    ]
    assert all(a.actor.startswith("staff:") for a in audited)


def test_claims_with_no_payer_update_are_listed_for_follow_up(
    app: FastAPI, engine_with_demo: Engine
) -> None:
    now = datetime.now(UTC)
    with make_session_factory(engine_with_demo)() as session:
        expected = {
            c.id
            for c in session.scalars(select(Claim).where(Claim.practice_id == HUMAN_PRACTICE))
            if c.status in ("submitted", "pending") and c.last_update_at < now - timedelta(days=14)
        }

    stale = signed_in(app, HUMAN_BILLING).get("/api/v1/billing/claims/stale?days=14")

    assert stale.status_code == 200
    assert {c["id"] for c in stale.json()} == expected
    assert expected, "the demo data holds one stale claim"


def test_another_practices_claim_is_not_found(app: FastAPI, engine_with_demo: Engine) -> None:
    with make_session_factory(engine_with_demo)() as session:
        human_claim = session.scalars(
            select(Claim).where(Claim.practice_id == HUMAN_PRACTICE)
        ).first()
        assert human_claim is not None

    response = signed_in(app, VET_BILLING).post(
        f"/api/v1/billing/claims/{human_claim.id}/status", json={"status": "paid"}
    )

    assert response.status_code == 404


def test_the_claim_check_flags_every_seeded_mismatch_and_passes_the_clean_case(
    app: FastAPI,
) -> None:
    client = signed_in(app, HUMAN_BILLING)

    clean = client.get("/api/v1/billing/surgical-cases/CASE-1001/check")
    flawed = client.get("/api/v1/billing/surgical-cases/CASE-1002/check")

    assert clean.status_code == 200 and clean.json() == []
    assert sorted(f["rule_id"] for f in flawed.json()) == [
        "distinct_needs_59",
        "facility_codes_match",
        "facility_has_primary_diagnosis",
        "secondary_needs_51",
    ]


def test_billing_staff_answer_billing_cases_and_nurses_do_not(app: FastAPI) -> None:
    with TestClient(app) as client:
        turn = client.post(
            "/api/v1/chat/cedar-vet-oncology/messages",
            json={"text": "the estimate said 800 but i was charged 1100"},
        ).json()
    case_id = turn["escalation"]["id"]
    nurse = signed_in(app, VET_NURSE)
    billing = signed_in(app, VET_BILLING)

    refused = nurse.post(f"/api/v1/nurse/cases/{case_id}/claim")
    claimed = billing.post(f"/api/v1/nurse/cases/{case_id}/claim")
    replied = billing.post(
        f"/api/v1/nurse/cases/{case_id}/reply", json={"text": "We fixed the charge."}
    )
    page = billing.get("/billing")

    assert refused.status_code == 403
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    assert replied.status_code == 200
    assert page.status_code == 200 and "billing queue" in page.text
