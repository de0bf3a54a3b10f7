"""Write the append-only audit log."""

from typing import Any

from sqlalchemy.orm import Session

from assistant.db.models import AuditLog


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
