"""Password hashing (argon2) and sign-in for staff."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import StaffUser

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def staff_by_email(session: Session, email: str) -> StaffUser | None:
    """The account with this e-mail, whatever its letter case and surrounding spaces."""
    return session.scalars(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    ).first()


def authenticate(session: Session, *, email: str, password: str) -> StaffUser | None:
    """The active staff member with this e-mail and password, or None.

    A wrong e-mail costs the same hashing work as a wrong password, so response time
    does not reveal which accounts exist.
    """
    staff = staff_by_email(session, email)
    stored = staff.password_hash if staff and staff.active else None
    return staff if _verified(stored, password) else None


def password_matches(staff: StaffUser, password: str) -> bool:
    """Whether `password` is this account's, as a sign-in would check it."""
    return _verified(staff.password_hash, password)


def _verified(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash; with none stored, the same hashing work
    is done against a dummy hash and the answer is no."""
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(stored)


_DUMMY_HASH = _hasher.hash("not a real password")
