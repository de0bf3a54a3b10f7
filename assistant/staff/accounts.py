"""Staff accounts (issue 19): an admin invites a person, who sets their own password through a
one-time link; an admin sends a reset link or disables an account. Links expire, work once,
and a newer link voids the older ones; only each token's SHA-256 is stored. Every change is
audited. The first admin of a new practice is invited from the command line the same way
(`python -m assistant staff invite`)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant import audit
from assistant.db.models import Practice, StaffLink, StaffUser
from assistant.db.models.practice import STAFF_ROLES
from assistant.errors import Conflict, Invalid, NotFound
from assistant.phone_numbers import NotAPhoneNumber, to_e164
from assistant.staff import passwords
from assistant.staff.auth import hash_password, staff_by_email

VALID_FOR = {"invite": timedelta(hours=72), "reset": timedelta(hours=1)}
LINK_PATH = "/account/setup/"


@dataclass(frozen=True)
class IssuedLink:
    staff: StaffUser
    purpose: str
    url: str
    expires_at: datetime


def invite(
    session: Session,
    *,
    practice: Practice,
    email: str,
    name: str,
    role: str,
    phone: str,
    actor: str,
    base_url: str,
    now: datetime,
) -> IssuedLink:
    """A new account with no password yet, and the link that sets one. The caller commits."""
    email, name = email.strip(), " ".join(name.split())
    if role not in STAFF_ROLES:
        raise Invalid(f"role must be one of {', '.join(STAFF_ROLES)}")
    if email.count("@") != 1 or " " in email or len(email) > 254 or email.startswith("@"):
        raise Invalid("that is not an e-mail address")
    if not name or len(name) > 200:
        raise Invalid("give the person's name (at most 200 characters)")
    existing = staff_by_email(session, email)
    if existing is not None:
        return _invite_listed(session, existing, practice, role, actor, base_url, now)
    staff = StaffUser(
        practice_id=practice.id,
        name=name,
        email=email,
        role=role,
        phone=_e164(phone),
        password_hash=None,
        active=True,
    )
    session.add(staff)
    session.flush()
    link = _issue(session, staff, "invite", actor=actor, base_url=base_url, now=now)
    _audit(session, staff, actor, "staff.invited", {"role": role})
    return link


def _invite_listed(
    session: Session,
    staff: StaffUser,
    practice: Practice,
    role: str,
    actor: str,
    base_url: str,
    now: datetime,
) -> IssuedLink:
    """Someone the practice file listed (no password yet) gets their invitation; anyone
    else with an account is sent a reset link instead."""
    if staff.practice_id != practice.id or staff.password_hash is not None or not staff.active:
        raise Conflict("an account with this e-mail exists; send it a reset link instead")
    if staff.role != role:
        raise Conflict(f"this person is a {staff.role} in the practice file; change it there")
    link = _issue(session, staff, "invite", actor=actor, base_url=base_url, now=now)
    _audit(session, staff, actor, "staff.invited", {"role": role})
    return link


def reset_link(
    session: Session, *, staff: StaffUser, actor: str, base_url: str, now: datetime
) -> IssuedLink:
    """A link that sets a new password; older links of this person stop working."""
    if not staff.active:
        raise Conflict("this account is disabled; enable it first")
    link = _issue(session, staff, "reset", actor=actor, base_url=base_url, now=now)
    _audit(session, staff, actor, "staff.reset_link_sent")
    return link


def disable(session: Session, *, staff: StaffUser, actor: str, now: datetime) -> None:
    """No sign-in, no session and no link works for this person any more."""
    staff.active = False
    staff.session_version += 1  # every cookie issued so far stops working
    _void_links(session, staff, now)
    _audit(session, staff, actor, "staff.disabled")


def enable(session: Session, *, staff: StaffUser, actor: str) -> None:
    staff.active = True
    _audit(session, staff, actor, "staff.enabled")


def usable_link(session: Session, token: str, now: datetime) -> StaffLink | None:
    """The link this token opens, when it is unused, unexpired and its account active."""
    link = session.scalars(
        select(StaffLink).where(StaffLink.token_sha256 == _digest(token))
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    staff = session.get(StaffUser, link.staff_id)
    return link if staff is not None and staff.active else None


def set_password(
    session: Session, *, link: StaffLink, new: str, confirm: str, now: datetime
) -> list[str]:
    """Set the password the link is for; returns why not (empty when it is set). Uses the
    link up, voids the person's other links and ends their sessions. The caller commits."""
    staff = session.get_one(StaffUser, link.staff_id)
    if new != confirm:
        return ["The two passwords are not the same."]
    problems = passwords.policy_problems(new, email=staff.email, name=staff.name)
    if problems:
        return problems
    staff.password_hash = hash_password(new)
    staff.session_version += 1
    _void_links(session, staff, now)
    _audit(session, staff, f"staff:{staff.id}", "staff.password_set", {"by": link.purpose})
    return []


def staff_in_practice(session: Session, practice_id: int, staff_id: int) -> StaffUser:
    staff = session.get(StaffUser, staff_id)
    if staff is None or staff.practice_id != practice_id:
        raise NotFound("no such person in your practice")
    return staff


def _issue(
    session: Session, staff: StaffUser, purpose: str, *, actor: str, base_url: str, now: datetime
) -> IssuedLink:
    _void_links(session, staff, now)
    token = secrets.token_urlsafe(32)
    expires_at = now + VALID_FOR[purpose]
    session.add(
        StaffLink(
            staff_id=staff.id,
            purpose=purpose,
            token_sha256=_digest(token),
            created_by=actor,
            created_at=now,
            expires_at=expires_at,
        )
    )
    url = f"{base_url.rstrip('/')}{LINK_PATH}{token}"
    return IssuedLink(staff=staff, purpose=purpose, url=url, expires_at=expires_at)


def _void_links(session: Session, staff: StaffUser, now: datetime) -> None:
    session.execute(
        update(StaffLink)
        .where(StaffLink.staff_id == staff.id, StaffLink.used_at.is_(None))
        .values(used_at=now)
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _e164(phone: str) -> str:
    """'' (no phone: never paged), else the number in E.164 (+13125550111)."""
    if not phone.strip():
        return ""
    try:
        return to_e164(phone)
    except NotAPhoneNumber as exc:
        raise Invalid(str(exc)) from exc


def _audit(
    session: Session,
    staff: StaffUser,
    actor: str,
    action: str,
    details: dict[str, str] | None = None,
) -> None:
    audit.record(
        session,
        practice_id=staff.practice_id,
        actor=actor,
        action=action,
        entity=staff,
        details={"email": staff.email, **(details or {})},
    )
