"""Staff pages: sign in, the nurse queue and a case. They read and act through the nurse API."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import ClinicalCaseViewerPage, PageStaff, end_all_sessions, start_session
from api.deps import SessionDep, StateDep
from api.rate_limits import TOO_MANY_SIGN_INS, client_address
from api.routes.pages import pages
from assistant.audit import record, record_read
from assistant.db.models import OutboxMessage, Practice, StaffUser
from assistant.staff import passwords
from assistant.staff.auth import authenticate, staff_by_email

router = APIRouter(include_in_schema=False)
NURSE_QUEUE = {"queue_title": "nurse queue", "queue_api": "/api/v1/nurse/queue"}
BILLING_QUEUE = {"queue_title": "billing queue", "queue_api": "/api/v1/billing/queue"}


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return pages.TemplateResponse(request, "login.html", {"error": None, "email": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    state: StateDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    limits = state.limits
    email_key, address = email.strip().lower(), client_address(request)
    if not (
        limits.allows(limits.sign_in_email, email_key)
        and limits.allows(limits.sign_in_address, address)
    ):
        # Locked for a while after repeated failures, even with the right password.
        return pages.TemplateResponse(
            request,
            "login.html",
            {"error": TOO_MANY_SIGN_INS, "email": email},
            status_code=429,
            headers={"Retry-After": "900"},
        )
    staff = authenticate(session, email=email, password=password)
    _audit_sign_in(session, email_key, address, staff)
    if staff is None:
        limits.count(limits.sign_in_email, email_key)
        limits.count(limits.sign_in_address, address)
        return pages.TemplateResponse(
            request,
            "login.html",
            {"error": "That e-mail and password do not match an active account.", "email": email},
            status_code=401,
        )
    start_session(request, staff)
    start = "/billing" if staff.role == "billing" else "/nurse"
    return RedirectResponse(start, status_code=303)


def _audit_sign_in(session: Session, email: str, address: str, staff: StaffUser | None) -> None:
    """Every sign-in and every failure, with the address it came from (never the password)."""
    known = staff or staff_by_email(session, email)
    record(
        session,
        practice_id=known.practice_id if known else None,
        actor=f"staff:{staff.id}" if staff else "anonymous",
        action="staff.signed_in" if staff else "staff.sign_in_failed",
        entity=known if known else _NoAccount(),
        details={"email": email, "address": address},
    )
    session.commit()


class _NoAccount:
    """The audit row's subject when the e-mail belongs to nobody."""

    __tablename__ = "staff_user"
    id = ""


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    staff_id = request.session.get("staff_id")
    staff = session.get(StaffUser, staff_id) if isinstance(staff_id, int) else None
    if staff is not None:
        # The cookie could have been copied: sign-out ends every session of this person.
        end_all_sessions(staff)
        record(
            session,
            practice_id=staff.practice_id,
            actor=f"staff:{staff.id}",
            action="staff.signed_out",
            entity=staff,
        )
        session.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, staff: PageStaff) -> Response:
    return _password_page(request, staff, problems=[], changed=False)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    state: StateDep,
    current: Annotated[str, Form()],
    new: Annotated[str, Form()],
    confirm: Annotated[str, Form()],
) -> Response:
    """A new password ends every session of this person but the one that set it. A wrong
    current password counts as a failed sign-in, so the form cannot be used to guess one."""
    limits, email_key = state.limits, staff.email.strip().lower()
    if not limits.allows(limits.sign_in_email, email_key):
        return _password_page(request, staff, problems=[TOO_MANY_SIGN_INS], status_code=429)
    problems = passwords.change_password(staff, current=current, new=new, confirm=confirm)
    if problems:
        if problems[0] == passwords.WRONG_CURRENT:
            limits.count(limits.sign_in_email, email_key)
        return _password_page(request, staff, problems=problems, status_code=422)
    end_all_sessions(staff)
    record(
        session,
        practice_id=staff.practice_id,
        actor=f"staff:{staff.id}",
        action="staff.password_changed",
        entity=staff,
        details={"address": client_address(request)},
    )
    session.commit()
    start_session(request, staff)
    return _password_page(request, staff, problems=[], changed=True)


def _password_page(
    request: Request,
    staff: StaffUser,
    *,
    problems: list[str],
    changed: bool = False,
    status_code: int = 200,
) -> Response:
    return pages.TemplateResponse(
        request,
        "account_password.html",
        {
            "staff": staff,
            "problems": problems,
            "changed": changed,
            "min_length": passwords.MIN_LENGTH,
            "max_length": passwords.MAX_LENGTH,
        },
        status_code=status_code,
    )


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
    return pages.TemplateResponse(
        request, "nurse_case.html", {"staff": staff, "practice": practice, "case_id": case_id}
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
