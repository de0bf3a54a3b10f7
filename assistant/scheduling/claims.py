"""The time a live appointment holds, as rows the database keeps unique per clinician."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, AppointmentTimeClaim

CELL = timedelta(minutes=5)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def cells(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The 5-minute cells (UTC, on a fixed grid) that [starts_at, ends_at) touches.

    Two intervals that overlap share at least one cell; rounding outwards can only make a
    booking hold a little more time, never less.
    """
    start = _EPOCH + ((starts_at - _EPOCH) // CELL) * CELL
    out = []
    while start < ends_at:
        out.append(start)
        start += CELL
    return out


def claim_time(session: Session, appointment: Appointment) -> None:
    """Write the appointment's cells; raises IntegrityError (on flush) when one is taken."""
    session.add_all(
        AppointmentTimeClaim(
            clinician_id=appointment.clinician_id, starts_at=cell, appointment_id=appointment.id
        )
        for cell in cells(appointment.starts_at, appointment.ends_at)
    )
    session.flush()


def release_time(session: Session, appointment: Appointment) -> None:
    session.execute(
        delete(AppointmentTimeClaim).where(AppointmentTimeClaim.appointment_id == appointment.id)
    )
