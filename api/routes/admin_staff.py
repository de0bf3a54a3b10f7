"""Admin API and page for the practice's staff accounts (issue 19): invite a person, send a
reset link, disable or enable an account. The work and its audit are in
assistant/staff/accounts.py; links come back once, for the admin to pass on."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.auth import StaffManager, StaffManagerPage
from api.deps import SessionDep, StateDep
from api.routes.pages import pages
from assistant.db.models import Practice, StaffUser
from assistant.errors import Conflict
from assistant.staff import accounts

router = APIRouter(tags=["admin"])
API = "/api/v1/admin/staff"


class StaffOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    active: bool
    password_set: bool
    two_step: bool


class InviteIn(BaseModel):
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)  # one of STAFF_ROLES, checked by accounts.invite
    phone: str = Field(default="", max_length=32)


class LinkOut(BaseModel):
    staff: StaffOut
    purpose: str
    link: str
    expires_at: datetime


@router.get("/admin/staff", response_class=HTMLResponse, include_in_schema=False)
def staff_page(request: Request, admin: StaffManagerPage, session: SessionDep) -> Response:
    practice = session.get_one(Practice, admin.practice_id)
    return pages.TemplateResponse(
        request, "admin_staff.html", {"staff": admin, "practice": practice}
    )


@router.get(API, response_model=list[StaffOut])
def list_staff(admin: StaffManager, session: SessionDep) -> list[StaffOut]:
    people = session.scalars(
        select(StaffUser).where(StaffUser.practice_id == admin.practice_id).order_by(StaffUser.name)
    )
    return [_out(person) for person in people]


@router.post(API, response_model=LinkOut, status_code=201)
def invite(body: InviteIn, admin: StaffManager, session: SessionDep, state: StateDep) -> LinkOut:
    link = accounts.invite(
        session,
        practice=session.get_one(Practice, admin.practice_id),
        email=body.email,
        name=body.name,
        role=body.role,
        phone=body.phone,
        actor=f"staff:{admin.id}",
        base_url=state.settings.public_base_url,
        now=datetime.now(UTC),
    )
    session.commit()
    return _link_out(link)


@router.post(f"{API}/{{staff_id}}/reset", response_model=LinkOut)
def send_reset(staff_id: int, admin: StaffManager, session: SessionDep, state: StateDep) -> LinkOut:
    link = accounts.reset_link(
        session,
        staff=accounts.staff_in_practice(session, admin.practice_id, staff_id),
        actor=f"staff:{admin.id}",
        base_url=state.settings.public_base_url,
        now=datetime.now(UTC),
    )
    session.commit()
    return _link_out(link)


@router.post(f"{API}/{{staff_id}}/disable", response_model=StaffOut)
def disable(staff_id: int, admin: StaffManager, session: SessionDep) -> StaffOut:
    staff = accounts.staff_in_practice(session, admin.practice_id, staff_id)
    if staff.id == admin.id:
        raise Conflict("you cannot disable your own account; ask another admin")
    accounts.disable(session, staff=staff, actor=f"staff:{admin.id}", now=datetime.now(UTC))
    session.commit()
    return _out(staff)


@router.post(f"{API}/{{staff_id}}/enable", response_model=StaffOut)
def enable(staff_id: int, admin: StaffManager, session: SessionDep) -> StaffOut:
    staff = accounts.staff_in_practice(session, admin.practice_id, staff_id)
    accounts.enable(session, staff=staff, actor=f"staff:{admin.id}")
    session.commit()
    return _out(staff)


def _out(staff: StaffUser) -> StaffOut:
    return StaffOut(
        id=staff.id,
        email=staff.email,
        name=staff.name,
        role=staff.role,
        active=staff.active,
        password_set=staff.password_hash is not None,
        two_step=staff.totp_secret is not None,
    )


def _link_out(link: accounts.IssuedLink) -> LinkOut:
    return LinkOut(
        staff=_out(link.staff), purpose=link.purpose, link=link.url, expires_at=link.expires_at
    )
