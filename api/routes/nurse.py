"""Nurse queue API: the cases of the signed-in person's practice, and what they do with them."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.auth import (
    CaseReassigner,
    CaseViewer,
    CaseWorker,
    ClinicalCaseViewer,
    StaffListViewer,
)
from api.deps import SessionDep
from assistant.audit import record_read
from assistant.channels import mms
from assistant.db.models import (
    Contact,
    Conversation,
    Escalation,
    Message,
    Picture,
    Practice,
    StaffUser,
)
from assistant.db.models.escalation import CaseStatus
from assistant.escalation import casework
from assistant.exports.case_records import patient_of_case
from assistant.messaging import outbox
from assistant.staff import permissions

router = APIRouter(prefix="/api/v1/nurse", tags=["nurse"])


class CaseSummary(BaseModel):
    id: int
    priority: str
    category: str
    status: str
    summary: str
    due_at: datetime
    created_at: datetime
    overdue: bool
    claimed_by: str | None
    assigned_role: str | None
    assigned_to: str | None
    red_flags: list[dict[str, Any]]
    # A staff reply on this case did not reach the client: call them, or reply again.
    reply_failed: bool


class PictureOut(BaseModel):
    id: int
    # pending (being fetched from Twilio), stored, refused or failed (see `problem`)
    status: str
    content_type: str | None
    problem: str | None
    url: str | None  # where a signed-in colleague sees it, once stored


class MessageOut(BaseModel):
    id: int
    direction: str
    body: str
    template_id: str | None
    author: str | None
    created_at: datetime
    # For a message texted to the client: pending, sending, queued, sent, delivered,
    # undelivered, failed, suppressed or dry_run (Twilio's delivery reports); else None.
    delivery_status: str | None = None
    # Pictures the client sent with this message (MMS).
    pictures: list[PictureOut] = []


class CaseDetail(CaseSummary):
    channel: str
    contact_name: str | None
    # The patient the case is about, when it can be told (the contact's only patient, or the
    # one their messages name); its record downloads from /api/v1/exports/patients/{id}/...
    patient_id: int | None
    patient_name: str | None
    resolution_note: str | None
    messages: list[MessageOut]


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=1600)


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class ReassignIn(BaseModel):
    staff_id: int


class Colleague(BaseModel):
    id: int
    name: str
    role: str


@router.get("/queue", response_model=list[CaseSummary])
def list_queue(staff: ClinicalCaseViewer, session: SessionDep) -> list[CaseSummary]:
    now = datetime.now(UTC)
    practice = session.get_one(Practice, staff.practice_id)
    record_read(session, staff=staff, action="queue.viewed", entity=practice, now=now)
    return [
        case_summary(session, e, now)
        for e in casework.queue(session, practice_id=staff.practice_id)
    ]


@router.get("/staff", response_model=list[Colleague])
def colleagues(staff: StaffListViewer, session: SessionDep) -> list[Colleague]:
    people = session.scalars(
        select(StaffUser)
        .where(StaffUser.practice_id == staff.practice_id, StaffUser.active.is_(True))
        .order_by(StaffUser.name)
    )
    return [Colleague(id=p.id, name=p.name, role=p.role) for p in people]


@router.get("/pictures/{picture_id}", response_class=Response)
def show_picture(picture_id: int, staff: ClinicalCaseViewer, session: SessionDep) -> Response:
    """A picture a client sent, for signed-in staff who may see clinical cases of its practice
    (another practice's picture answers like a missing one)."""
    picture = session.get(Picture, picture_id)
    if picture is None or picture.practice_id != staff.practice_id:
        raise HTTPException(status_code=404, detail="no such picture")
    if picture.status != "stored" or picture.data is None or picture.content_type is None:
        raise HTTPException(status_code=404, detail="this picture is not kept here")
    record_read(
        session, staff=staff, action="picture.viewed", entity=picture, now=datetime.now(UTC)
    )
    return Response(
        content=picture.data,
        media_type=picture.content_type,
        headers={"Content-Disposition": f'inline; filename="picture-{picture.id}"'},
    )


@router.get("/cases/{case_id}", response_model=CaseDetail)
def show_case(case_id: int, staff: CaseViewer, session: SessionDep) -> CaseDetail:
    escalation = _visible_case(session, staff, case_id)
    record_read(
        session, staff=staff, action="case.viewed", entity=escalation, now=datetime.now(UTC)
    )
    return _detail(session, escalation)


@router.post("/cases/{case_id}/claim", response_model=CaseDetail)
def claim_case(case_id: int, staff: CaseWorker, session: SessionDep) -> CaseDetail:
    escalation = _answerable_case(session, staff, case_id)
    casework.claim(session, escalation=escalation, staff=staff, now=datetime.now(UTC))
    session.commit()
    return _detail(session, escalation)


@router.post("/cases/{case_id}/reply", response_model=CaseDetail)
def reply_to_client(
    case_id: int, body: ReplyIn, staff: CaseWorker, session: SessionDep
) -> CaseDetail:
    escalation = _answerable_case(session, staff, case_id)
    casework.reply(
        session, escalation=escalation, staff=staff, text=body.text, now=datetime.now(UTC)
    )
    session.commit()
    return _detail(session, escalation)


@router.post("/cases/{case_id}/resolve", response_model=CaseDetail)
def resolve_case(
    case_id: int, body: ResolveIn, staff: CaseWorker, session: SessionDep
) -> CaseDetail:
    escalation = _answerable_case(session, staff, case_id)
    casework.resolve(
        session, escalation=escalation, staff=staff, note=body.note, now=datetime.now(UTC)
    )
    session.commit()
    return _detail(session, escalation)


@router.post("/cases/{case_id}/reassign", response_model=CaseDetail)
def reassign_case(
    case_id: int, body: ReassignIn, staff: CaseReassigner, session: SessionDep
) -> CaseDetail:
    escalation = _visible_case(session, staff, case_id)
    to = session.get(StaffUser, body.staff_id)
    if to is None or to.practice_id != staff.practice_id:
        raise HTTPException(status_code=404, detail="no such colleague")
    if not permissions.allowed(to.role, permissions.to_answer(_is_billing(escalation))):
        # Handing an emergency to someone who cannot answer it would stop the paging and
        # leave the client with nobody.
        raise HTTPException(status_code=409, detail=f"{to.name} cannot answer this case")
    casework.reassign(session, escalation=escalation, staff=staff, to=to, now=datetime.now(UTC))
    session.commit()
    return _detail(session, escalation)


def _case(session: SessionDep, staff: StaffUser, case_id: int) -> Escalation:
    # Another practice's case answers exactly like a missing one.
    escalation = casework.get_case(session, practice_id=staff.practice_id, escalation_id=case_id)
    if escalation is None:
        raise HTTPException(status_code=404, detail="no such case")
    return escalation


def _is_billing(escalation: Escalation) -> bool:
    return escalation.assigned_role == casework.BILLING_ROLE


def _visible_case(session: SessionDep, staff: StaffUser, case_id: int) -> Escalation:
    """A case this person may see: billing cases for billing staff and admins, the others
    (clinical details) for nurses, clinicians and admins."""
    return _case_allowed(session, staff, case_id, permissions.to_view)


def _answerable_case(session: SessionDep, staff: StaffUser, case_id: int) -> Escalation:
    """A case this person may claim, answer and close: billing staff (and admins) the
    billing queue's cases, nurses and clinicians every other case."""
    return _case_allowed(session, staff, case_id, permissions.to_answer)


def _case_allowed(
    session: SessionDep,
    staff: StaffUser,
    case_id: int,
    needs: Callable[[bool], permissions.Permission],
) -> Escalation:
    escalation = _case(session, staff, case_id)
    needed = needs(_is_billing(escalation))
    if not permissions.allowed(staff.role, needed):
        raise HTTPException(status_code=403, detail=f"your role may not {needed.value}")
    return escalation


def case_summary(session: SessionDep, e: Escalation, now: datetime) -> CaseSummary:
    claimer = session.get(StaffUser, e.claimed_by_id) if e.claimed_by_id else None
    assignee = session.get(StaffUser, e.assigned_staff_id) if e.assigned_staff_id else None
    return CaseSummary(
        id=e.id,
        priority=e.priority,
        category=e.category,
        status=e.status,
        summary=e.summary,
        due_at=e.due_at,
        created_at=e.created_at,
        overdue=e.status == CaseStatus.OPEN and e.due_at < now,
        claimed_by=claimer.name if claimer else None,
        assigned_role=e.assigned_role,
        assigned_to=assignee.name if assignee else None,
        red_flags=e.red_flags,
        reply_failed=e.reply_failed_at is not None,
    )


def _picture_out(picture: Picture) -> PictureOut:
    return PictureOut(
        id=picture.id,
        status=picture.status,
        content_type=picture.content_type,
        problem=picture.problem,
        url=f"/api/v1/nurse/pictures/{picture.id}" if picture.status == "stored" else None,
    )


def _detail(session: SessionDep, e: Escalation) -> CaseDetail:
    conversation = session.get_one(Conversation, e.conversation_id)
    contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
    messages = list(
        session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
        )
    )
    delivery = outbox.delivery_states(session, [m.id for m in messages if m.direction == "out"])
    pictures = mms.pictures_of_messages(session, [m.id for m in messages if m.direction == "in"])
    authors = {
        s.id: s.name
        for s in session.scalars(select(StaffUser).where(StaffUser.practice_id == e.practice_id))
    }
    patient = patient_of_case(session, e)
    return CaseDetail(
        **case_summary(session, e, datetime.now(UTC)).model_dump(),
        channel=conversation.channel,
        contact_name=f"{contact.first_name} {contact.last_name}" if contact else None,
        patient_id=patient.id if patient else None,
        patient_name=patient.name if patient else None,
        resolution_note=e.resolution_note,
        messages=[
            MessageOut(
                id=m.id,
                direction=m.direction,
                body=m.body,
                template_id=m.template_id,
                author=authors.get(m.author_staff_id) if m.author_staff_id else None,
                created_at=m.created_at,
                delivery_status=delivery.get(m.id),
                pictures=[_picture_out(p) for p in pictures.get(m.id, [])],
            )
            for m in messages
        ],
    )
