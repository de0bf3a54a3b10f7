"""Append-only record of who changed or read what."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.base import Base, UTCDateTime, utcnow


class AuditLog(Base):
    __tablename__ = "audit_log"
    # A read is recorded once per person and thing in a window (assistant/audit.py): that
    # look-up runs on every poll of a case page, so it must not scan the whole log.
    __table_args__ = (Index("ix_audit_log_actor_created_at", "actor", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    actor: Mapped[str] = mapped_column(String(120))  # "staff:12", "system", "bot"
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
