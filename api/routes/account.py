"""A staff member's own account: a new password, and the optional two-step sign-in. Each
change ends every other session of that person and is audited."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import PageStaff, end_all_sessions, start_session
from api.deps import SessionDep, StateDep
from api.rate_limits import TOO_MANY_SIGN_INS, client_address
from api.routes.pages import pages
from assistant.audit import record
from assistant.db.models import StaffUser
from assistant.staff import accounts, passwords, two_factor
from assistant.staff.auth import password_matches

router = APIRouter(include_in_schema=False)
# The page of a one-time link (an invitation or a reset) that sets a password.
SETUP_PAGE = "account_setup.html"


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, staff: PageStaff) -> Response:
    return _password_page(request, staff, problems=[], done=False)


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
            _audited(request, session, staff, "staff.password_change_failed")
        return _password_page(request, staff, problems=problems, status_code=422)
    _changed(request, session, staff, "staff.password_changed")
    return _password_page(request, staff, problems=[], done=True)


def _password_page(
    request: Request,
    staff: StaffUser | None,
    *,
    problems: list[str],
    done: bool = False,
    status_code: int = 200,
    page: str = "account_password.html",
) -> Response:
    """A form that sets a password (your own, or through a link: `account_setup.html`)."""
    return pages.TemplateResponse(
        request,
        page,
        {
            "staff": staff,
            "problems": problems,
            "done": done,
            "min_length": passwords.MIN_LENGTH,
            "max_length": passwords.MAX_LENGTH,
        },
        status_code=status_code,
    )


@router.get("/account/two-factor", response_class=HTMLResponse)
def two_factor_page(request: Request, staff: PageStaff) -> Response:
    return _two_factor_page(request, staff, problem=None)


@router.post("/account/two-factor", response_class=HTMLResponse)
def turn_on_two_factor(
    request: Request, staff: PageStaff, session: SessionDep, code: Annotated[str, Form()]
) -> Response:
    """Keep the secret this browser was shown once a code from the app proves the app has it."""
    secret = request.session.get("totp_pending")
    if staff.totp_secret or not isinstance(secret, str):
        return _two_factor_page(request, staff, problem="Start again from this page.", status=409)
    if not two_factor.turn_on(staff, secret, code, now=datetime.now(UTC)):
        problem = "That code is not right. Check the app shows this account, then try again."
        return _two_factor_page(request, staff, problem=problem, status=422)
    _changed(request, session, staff, "staff.two_factor_on")
    return _two_factor_page(request, staff, problem=None, done="on")


@router.post("/account/two-factor/off", response_class=HTMLResponse)
def turn_off_two_factor(
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    state: StateDep,
    password: Annotated[str, Form()],
    code: Annotated[str, Form()],
) -> Response:
    """Turning it off takes the password and a code: a borrowed unlocked screen is not enough.
    Wrong answers count as failed sign-ins."""
    limits, email_key = state.limits, staff.email.strip().lower()
    if not limits.allows(limits.sign_in_email, email_key):
        return _two_factor_page(request, staff, problem=TOO_MANY_SIGN_INS, status=429)
    right = password_matches(staff, password) and two_factor.check_code(
        staff, code, now=datetime.now(UTC)
    )
    if not right:
        limits.count(limits.sign_in_email, email_key)
        _audited(request, session, staff, "staff.two_factor_off_failed")
        problem = "The password or the code is not right."
        return _two_factor_page(request, staff, problem=problem, status=422)
    two_factor.turn_off(staff)
    _changed(request, session, staff, "staff.two_factor_off")
    return _two_factor_page(request, staff, problem=None, done="off")


def _changed(request: Request, session: SessionDep, staff: StaffUser, action: str) -> None:
    """Audit the change, end every other session of this person, keep this one."""
    end_all_sessions(staff)
    _audited(request, session, staff, action)
    start_session(request, staff)


def _audited(request: Request, session: SessionDep, staff: StaffUser, action: str) -> None:
    """One audit row for this person's account (a change, or a wrong password or code, which
    is audited as a failed sign-in is), with the address; committed."""
    record(
        session,
        practice_id=staff.practice_id,
        actor=f"staff:{staff.id}",
        action=action,
        entity=staff,
        details={"address": client_address(request)},
    )
    session.commit()


def _two_factor_page(
    request: Request,
    staff: StaffUser,
    *,
    problem: str | None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, object] = {"staff": staff, "problem": problem, "done": done}
    if not staff.totp_secret:
        # The same secret until it is confirmed, so a reload does not break a half-done scan.
        secret = request.session.get("totp_pending")
        if not isinstance(secret, str):
            secret = request.session["totp_pending"] = two_factor.new_secret()
        uri = two_factor.enrolment_uri(secret, staff.email)
        context |= {"secret": secret, "qr_svg": two_factor.qr_code_svg(uri)}
    return pages.TemplateResponse(request, "account_two_factor.html", context, status_code=status)


@router.get("/account/setup/{token}", response_class=HTMLResponse)
def setup_page(request: Request, token: str, session: SessionDep) -> Response:
    """An invitation's or a reset's one-time link: set a password (no sign-in needed)."""
    link = accounts.usable_link(session, token, datetime.now(UTC))
    if link is None:
        return _password_page(request, None, problems=[LINK_GONE], status_code=410, page=SETUP_PAGE)
    return _password_page(
        request, session.get_one(StaffUser, link.staff_id), problems=[], page=SETUP_PAGE
    )


@router.post("/account/setup/{token}", response_class=HTMLResponse)
def set_password_from_link(
    request: Request,
    token: str,
    session: SessionDep,
    new: Annotated[str, Form()],
    confirm: Annotated[str, Form()],
) -> Response:
    now = datetime.now(UTC)
    link = accounts.usable_link(session, token, now)
    if link is None:
        return _password_page(request, None, problems=[LINK_GONE], status_code=410, page=SETUP_PAGE)
    staff = session.get_one(StaffUser, link.staff_id)
    problems = accounts.set_password(session, link=link, new=new, confirm=confirm, now=now)
    if problems:
        return _password_page(request, staff, problems=problems, status_code=422, page=SETUP_PAGE)
    session.commit()
    request.session.clear()
    return _password_page(request, staff, problems=[], done=True, page=SETUP_PAGE)


LINK_GONE = (
    "This link has expired, was already used, or a newer one was sent. "
    "Ask an admin of your practice for a new link."
)
