"""Staff sign in and out: the password, then (for those who turned it on) a code from their
authenticator app; failures lock an account for a while, and each step is audited."""

import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.auth import end_all_sessions, start_session
from api.deps import SessionDep, StateDep
from api.rate_limits import TOO_MANY_SIGN_INS, client_address
from api.routes.pages import pages
from assistant.audit import record
from assistant.db.models import StaffUser
from assistant.staff import two_factor
from assistant.staff.auth import authenticate, staff_by_email

router = APIRouter(include_in_schema=False)


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
    if staff is not None and staff.totp_secret:
        # The password was right; the code from their app comes next.
        request.session.clear()
        request.session.update(
            pending_staff_id=staff.id,
            pending_version=staff.session_version,
            pending_until=time.time() + two_factor.PENDING_SECONDS,
        )
        return RedirectResponse("/login/code", status_code=303)
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


@router.get("/login/code", response_class=HTMLResponse)
def code_page(request: Request, session: SessionDep) -> Response:
    if _pending(request, session) is None:
        return RedirectResponse("/login", status_code=303)
    return pages.TemplateResponse(request, "login_code.html", {"error": None})


@router.post("/login/code", response_class=HTMLResponse)
def sign_in_with_code(
    request: Request, session: SessionDep, state: StateDep, code: Annotated[str, Form()]
) -> Response:
    """The second step: a code from the authenticator app, within five minutes of the
    password. Wrong codes count as failed sign-ins."""
    staff = _pending(request, session)
    if staff is None:
        return RedirectResponse("/login", status_code=303)
    limits, email_key, address = state.limits, staff.email.lower(), client_address(request)
    if not limits.allows(limits.sign_in_email, email_key):
        return pages.TemplateResponse(
            request, "login_code.html", {"error": TOO_MANY_SIGN_INS}, status_code=429
        )
    right = two_factor.check_code(staff, code, now=datetime.now(UTC))
    _audit_sign_in(session, email_key, address, staff if right else None, step="code")
    if not right:
        limits.count(limits.sign_in_email, email_key)
        limits.count(limits.sign_in_address, address)
        error = "That code is not right, or was already used. Try the next one from your app."
        return pages.TemplateResponse(request, "login_code.html", {"error": error}, status_code=401)
    start_session(request, staff)
    return RedirectResponse("/billing" if staff.role == "billing" else "/nurse", status_code=303)


def _pending(request: Request, session: Session) -> StaffUser | None:
    """Who gave the right password in this browser within five minutes, still as they were."""
    staff_id, until = request.session.get("pending_staff_id"), request.session.get("pending_until")
    if not isinstance(staff_id, int) or not isinstance(until, float) or until < time.time():
        return None
    staff = session.get(StaffUser, staff_id)
    if staff is None or not staff.active or not staff.totp_secret:
        return None
    if request.session.get("pending_version") != staff.session_version:
        return None
    return staff


def _audit_sign_in(
    session: Session,
    email: str,
    address: str,
    staff: StaffUser | None,
    *,
    step: str = "password",
) -> None:
    """Every sign-in and every failure, with the address it came from and the step (password
    or code), never what was typed."""
    known = staff or staff_by_email(session, email)
    record(
        session,
        practice_id=known.practice_id if known else None,
        actor=f"staff:{staff.id}" if staff else "anonymous",
        action="staff.signed_in" if staff else "staff.sign_in_failed",
        entity=known if known else _NoAccount(),
        details={"email": email, "address": address, "step": step},
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
