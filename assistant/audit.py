"""Write the append-only audit log: every change, and every read of health details."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import AuditLog, StaffUser


def record(
    session: Session,
    *,
    practice_id: int | None,
    actor: str,
    action: str,
    entity: Any,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one audit row for `entity` (any model with an `id`) in the caller's transaction."""
    session.add(
        AuditLog(
            practice_id=practice_id,
            actor=actor,
            action=action,
            entity_type=type(entity).__tablename__,
            entity_id=str(entity.id),
            details=details or {},
        )
    )


# A case page polls every 5 seconds; one row per person and thing in this window says who
# looked at what, and when, without a row per poll.
READ_WINDOW = timedelta(minutes=15)


def record_read(
    session: Session,
    *,
    staff: StaffUser,
    action: str,
    entity: Any,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Record that `staff` saw `entity` (health details), once per `READ_WINDOW`; commits."""
    actor = f"staff:{staff.id}"
    seen = session.scalars(
        select(AuditLog.id)
        .where(
            AuditLog.actor == actor,
            AuditLog.created_at >= now - READ_WINDOW,
            AuditLog.action == action,
            AuditLog.entity_type == type(entity).__tablename__,
            AuditLog.entity_id == str(entity.id),
        )
        .limit(1)
    ).first()
    if seen is None:
        session.add(
            AuditLog(
                practice_id=staff.practice_id,
                actor=actor,
                action=action,
                entity_type=type(entity).__tablename__,
                entity_id=str(entity.id),
                details=details or {},
                created_at=now,
            )
        )
        session.commit()
