"""Appointment types, clinician shifts, booked appointments, the time they hold, protocol series."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.base import Base, UTCDateTime, utcnow

APPOINTMENT_STATUSES = ("booked", "cancelled", "completed", "rescheduled")


class AppointmentType(Base):
    __tablename__ = "appointment_type"
    __table_args__ = (UniqueConstraint("practice_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    clinician_roles: Mapped[list[Any]] = mapped_column(JSON)  # roles that can do it
    # A blood count (CBC) must be on file before it: a chemotherapy dose.
    needs_labs: Mapped[bool] = mapped_column(Boolean, default=False)


class ClinicianShift(Base):
    """A block of time a clinician is available for appointments."""

    __tablename__ = "clinician_shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        # A clinician cannot hold two live bookings starting at the same time.
        Index(
            "uq_appointment_clinician_start_live",
            "clinician_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        UniqueConstraint("practice_id", "source_id", name="uq_appointment_practice_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    appointment_type_id: Mapped[int] = mapped_column(ForeignKey("appointment_type.id"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="booked")  # APPOINTMENT_STATUSES
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A retried request (SMS redelivery, double tap) finds the booking it already made.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    protocol_series_id: Mapped[int | None] = mapped_column(ForeignKey("protocol_series.id"))
    protocol_step: Mapped[int | None] = mapped_column(Integer)  # the protocol week
    drug: Mapped[str | None] = mapped_column(String(80))
    # Set when staff mark the visit complete; the treatment summary follows.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Its identifier in the practice's own record system (CSV export, FHIR) when imported:
    # importing the record again updates this row instead of adding another.
    source_id: Mapped[str | None] = mapped_column(String(120))


class AppointmentTimeClaim(Base):
    """One 5-minute cell of a clinician's time held by a live appointment.

    The primary key makes overlapping bookings of one clinician impossible in the database,
    whatever the code racing to book them does; cancelling or moving a booking deletes its cells.
    """

    __tablename__ = "appointment_time_claim"

    clinician_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), index=True)


class ProtocolSeries(Base):
    """A treatment protocol (for example CHOP-19) scheduled for one patient."""

    __tablename__ = "protocol_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    protocol_code: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
