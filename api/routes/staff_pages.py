"""Staff pages: the nurse and billing queues, a case, the outbox and coordination. They read
and act through the staff API; signing in is api/routes/sign_in.py."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.auth import ClinicalCaseViewerPage, PageStaff
from api.deps import SessionDep
from api.routes.pages import pages
from assistant.audit import record_read
from assistant.db.models import OutboxMessage, Practice
from assistant.staff import permissions

router = APIRouter(include_in_schema=False)
NURSE_QUEUE = {"queue_title": "nurse queue", "queue_api": "/api/v1/nurse/queue"}
BILLING_QUEUE = {"queue_title": "billing queue", "queue_api": "/api/v1/billing/queue"}


@router.get("/nurse", response_class=HTMLResponse)
def queue_page(request: Request, staff: PageStaff, session: SessionDep) -> Response:
    practice = session.get_one(Practice, staff.practice_id)
    return pages.TemplateResponse(
        request, "nurse_queue.html", {"staff": staff, "practice": practice, **NURSE_QUEUE}
    )


@router.get("/billing", response_class=HTMLResponse)
def billing_queue_page(request: Request, staff: PageStaff, session: SessionDep) -> Response:
    """The billing queue: the nurse queue's page over the billing staff's cases."""
    practice = session.get_one(Practice, staff.practice_id)
    return pages.TemplateResponse(
        request, "nurse_queue.html", {"staff": staff, "practice": practice, **BILLING_QUEUE}
    )


@router.get("/nurse/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, staff: PageStaff, session: SessionDep) -> Response:
    practice = session.get_one(Practice, staff.practice_id)
    may_export = permissions.allowed(staff.role, permissions.Permission.EXPORT_PATIENT_RECORD)
    return pages.TemplateResponse(
        request,
        "nurse_case.html",
        {"staff": staff, "practice": practice, "case_id": case_id, "may_export": may_export},
    )


@router.get("/nurse/outbox", response_class=HTMLResponse)
def outbox_page(request: Request, staff: ClinicalCaseViewerPage, session: SessionDep) -> Response:
    """What the practice sent or will send by SMS; with no Twilio account, the dry-run log."""
    practice = session.get_one(Practice, staff.practice_id)
    record_read(
        session, staff=staff, action="outbox.viewed", entity=practice, now=datetime.now(UTC)
    )
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.practice_id == staff.practice_id)
        .order_by(OutboxMessage.id.desc())
        .limit(100)
    ).all()
    return pages.TemplateResponse(
        request, "nurse_outbox.html", {"staff": staff, "practice": practice, "messages": messages}
    )


@router.get("/coordination", response_class=HTMLResponse)
def coordination_page(request: Request, staff: PageStaff, session: SessionDep) -> Response:
    """Coming checkpoints per patient, what is missing for them, and open alerts to resolve."""
    practice = session.get_one(Practice, staff.practice_id)
    return pages.TemplateResponse(
        request, "coordination.html", {"staff": staff, "practice": practice}
    )
