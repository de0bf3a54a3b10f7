"""Billing staff API: the billing queue (disputes, records for insurers, questions the records
do not answer), claims with no payer update for a while, and claim status changes, which are
texted to whoever holds the bill when the client waits for that step (consent and quiet hours
apply)."""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select

from api.auth import BillingViewer, BillingWorker
from api.deps import SessionDep, StateDep
from api.routes.nurse import CaseSummary, case_summary
from assistant.audit import record, record_read
from assistant.billing import records
from assistant.billing.claim_check import check_surgical_case
from assistant.db.models import Claim, Contact, ContactPatient, Patient, Practice
from assistant.db.models.billing import CLAIM_STATUSES
from assistant.escalation import casework
from assistant.messaging.delivery import send_proactive
from assistant.practices.details import template_values

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])
CLAIM_UPDATE = "billing.claim_update"
# The steps a client waits for; a draft, or a payer's "pending", is the office's own business.
CLIENT_NEWS = ("submitted", "approved", "denied", "paid")
# Whose bill it is: the owner, or the patient; a caregiver is not told about insurance.
BILL_HOLDERS = ("owner", "self")


class ClaimOut(BaseModel):
    id: int
    patient: str
    surgical_case_ref: str | None
    component: str | None
    status: str
    last_update_at: datetime
    amount_cents: int


class FindingOut(BaseModel):
    rule_id: str
    claim_ids: list[int]
    message: str


class StatusIn(BaseModel):
    status: str


class StatusOut(BaseModel):
    claim: ClaimOut
    notified: int  # texts queued to the patient's contacts


@router.get("/queue", response_model=list[CaseSummary])
def billing_queue(staff: BillingViewer, session: SessionDep) -> list[CaseSummary]:
    now = datetime.now(UTC)
    practice = session.get_one(Practice, staff.practice_id)
    record_read(session, staff=staff, action="billing_queue.viewed", entity=practice, now=now)
    cases = casework.queue(session, practice_id=staff.practice_id, billing=True)
    return [case_summary(session, e, now) for e in cases]


@router.get("/claims/stale", response_model=list[ClaimOut])
def stale(staff: BillingViewer, session: SessionDep, days: int = 14) -> list[ClaimOut]:
    """Submitted or pending claims with no payer update for `days` days: call the payer."""
    now = datetime.now(UTC)
    practice = session.get_one(Practice, staff.practice_id)
    record_read(session, staff=staff, action="claims.viewed", entity=practice, now=now)
    found = records.stale_claims(session, practice_id=staff.practice_id, now=now, days=days)
    return [_claim_out(session, c) for c in found]


@router.get("/surgical-cases/{case_ref}/check", response_model=list[FindingOut])
def check_case(case_ref: str, staff: BillingViewer, session: SessionDep) -> list[FindingOut]:
    """The claim consistency check for one surgical case, before its claims go out: an empty
    list means the claims agree."""
    practice = session.get_one(Practice, staff.practice_id)
    record_read(
        session,
        staff=staff,
        action="claims.checked",
        entity=practice,
        now=datetime.now(UTC),
        details={"surgical_case": case_ref[:64]},
    )
    findings = check_surgical_case(
        session, practice_id=staff.practice_id, surgical_case_ref=case_ref
    )
    return [
        FindingOut(rule_id=f.rule_id, claim_ids=list(f.claim_ids), message=f.message)
        for f in findings
    ]


@router.post("/claims/{claim_id}/status", response_model=StatusOut)
def change_status(
    claim_id: int, body: StatusIn, staff: BillingWorker, session: SessionDep, state: StateDep
) -> StatusOut:
    claim = session.get(Claim, claim_id)
    if claim is None or claim.practice_id != staff.practice_id:
        raise HTTPException(status_code=404, detail="no such claim")
    if body.status not in CLAIM_STATUSES:
        raise HTTPException(status_code=422, detail=f"status must be one of {CLAIM_STATUSES}")
    now, before = datetime.now(UTC), claim.status
    records.set_claim_status(session, claim=claim, status=body.status, now=now)
    # Saying the same status again, or an internal step, texts nobody.
    news = claim.status != before and claim.status in CLIENT_NEWS
    notified = _tell_the_client(session, state, claim, now) if news else 0
    record(
        session,
        practice_id=claim.practice_id,
        actor=f"staff:{staff.id}",
        action="claim.status_changed",
        entity=claim,
        details={"from": before, "to": claim.status, "texted": notified},
    )
    session.commit()
    return StatusOut(claim=_claim_out(session, claim), notified=notified)


def _tell_the_client(session: SessionDep, state: StateDep, claim: Claim, now: datetime) -> int:
    """Text the claim's new status to whoever holds the bill (the owner, or the patient) and has
    not opted out; the outbox holds it until sending hours and drops it if the contact opts out
    meanwhile."""
    practice = session.get_one(Practice, claim.practice_id)
    patient = session.get_one(Patient, claim.patient_id)
    template = state.registry.resolve(CLAIM_UPDATE, practice.kind)
    if template is None:  # guarded by the template lint; never send unapproved words
        return 0
    text = template.render(
        template_values(practice) | {"patient_name": patient.name, "claim_status": claim.status}
    )
    contacts = session.scalars(
        select(Contact)
        .join(ContactPatient, ContactPatient.contact_id == Contact.id)
        .where(
            ContactPatient.patient_id == patient.id,
            ContactPatient.relationship_kind.in_(BILL_HOLDERS),
            Contact.consent != "opted_out",
        )
    ).all()
    for contact in contacts:
        send_proactive(
            session,
            practice=practice,
            phone=contact.phone,
            body=text,
            template_id=template.id,
            template_version=template.version,
            now=now,
        )
    return len(contacts)


def _claim_out(session: SessionDep, claim: Claim) -> ClaimOut:
    patient = session.get_one(Patient, claim.patient_id)
    return ClaimOut(
        id=claim.id,
        patient=patient.name,
        surgical_case_ref=claim.surgical_case_ref,
        component=claim.component,
        status=claim.status,
        last_update_at=claim.last_update_at,
        amount_cents=claim.amount_cents,
    )
