"""A case in the nurse queue."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.base import UUID_STR, Base, UTCDateTime, utcnow



class Priority(StrEnum):
    """How soon a person must act on a case."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"


class CaseStatus(StrEnum):
    """open: nobody has it yet; claimed: a person holds it; resolved: closed with a note."""

    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


PRIORITIES = tuple(Priority)  # most severe first
STATUSES = tuple(CaseStatus)


class Escalation(Base):
    __tablename__ = "escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    # The inbound message that opened the case.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    priority: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    # The client's own words; never generated text.
    summary: Mapped[str] = mapped_column(Text)
    red_flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_role: Mapped[str | None] = mapped_column(String(16))
    # The patient's own oncologist or surgeon, preferred for treatment questions.
    assigned_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # Paging: an emergency or urgent case pages the on-call clinician until acknowledged.
    page_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_paged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a staff reply on this case did not reach the client (Twilio said failed or
    # undelivered); cleared by the next reply or by resolving the case.
    reply_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
