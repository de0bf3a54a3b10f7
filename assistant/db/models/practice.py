"""A practice and the people who work there."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.db.base import Base, UTCDateTime, utcnow

PRACTICE_KINDS = ("veterinary", "human")
STAFF_ROLES = ("nurse", "oncologist", "surgeon", "admin", "billing")


class Practice(Base):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # one of PRACTICE_KINDS
    timezone: Mapped[str] = mapped_column(String(64))
    # {"mon": [["08:00", "17:00"]], ..., "sun": []} in the practice's timezone.
    business_hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    phone: Mapped[str] = mapped_column(String(20))
    sms_number: Mapped[str] = mapped_column(String(20), unique=True)
    emergency_contact_name: Mapped[str] = mapped_column(String(200))
    emergency_contact_number: Mapped[str] = mapped_column(String(20))
    # ["08:00", "20:00"]: when proactive texts (reminders) may go out, local time.
    # None means the default, 8 am to 8 pm. Replies to a client are never held.
    sms_sending_hours: Mapped[list[str] | None] = mapped_column(JSON)
    # Days after which what clients wrote and what was sent to them is removed
    # (assistant/retention.py, applied hourly by the api). None: kept until the practice sets
    # its period, since only it knows what its records law asks of it.
    retention_days: Mapped[int | None] = mapped_column(Integer)
    # The weekly pattern the practice file sets (assistant/practices/setup_file.py); the api
    # turns it into dated shifts a few weeks ahead, day after day.
    # [{"staff": email, "days": ["mon", ...], "hours": ["08:00", "17:00"]}, ...]
    weekly_shifts: Mapped[list[Any] | None] = mapped_column(JSON)
    # {"handover": "08:00", "rotation": [{"staff": email, "backup": email}, ...]}
    on_call_rota: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[list["StaffUser"]] = relationship(back_populates="practice")


class StaffUser(Base):
    __tablename__ = "staff_user"
    __table_args__ = (
        UniqueConstraint("practice_id", "source_id", name="uq_staff_user_practice_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # one of STAFF_ROLES
    phone: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Every sign-in cookie carries the version it was issued under; raising it (sign-out, a
    # new password, disabling the account) ends every session of this person at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Two-step sign-in (assistant/staff/two_factor.py): the authenticator's base32 secret when
    # turned on, and the last 30-second step whose code was used, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Its identifier in the practice's own record system (CSV export, FHIR) when imported:
    # importing the record again updates this row instead of adding another.
    source_id: Mapped[str | None] = mapped_column(String(120))

    practice: Mapped[Practice] = relationship(back_populates="staff")


class StaffLink(Base):
    """A one-time link that sets a staff member's password: an invitation or a reset. Only the
    token's SHA-256 is kept; the link itself goes to the person once (assistant/staff/accounts.py)."""

    __tablename__ = "staff_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # invite | reset
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(120))  # "staff:3", "cli"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when it was used, or when a newer link or a disabled account made it void.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

