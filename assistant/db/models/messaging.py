"""Inbox (every inbound provider message, stored first), the pictures clients send with them,
and outbox (every message to send)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.base import UUID_STR, Base, UTCDateTime, utcnow


class InboxMessage(Base):
    __tablename__ = "inbox_message"
    # A provider retry of the same message is stored once.
    __table_args__ = (UniqueConstraint("provider", "provider_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))  # twilio
    provider_message_id: Mapped[str] = mapped_column(String(64))
    from_number: Mapped[str] = mapped_column(String(20))
    to_number: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    media_urls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="received")  # received|processed
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The conversation message this SMS became, once stored (so a retry does not store it twice).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    # Processing survives restarts: a failed attempt is retried later, a stale start is retaken.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processing_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)



# pending: to fetch from the provider (at next_attempt_at, when set); stored: kept here;
# refused: not kept (not a picture, or too large); failed: the provider would not give it.
PICTURE_STATUSES = ("pending", "stored", "refused", "failed")


class Picture(Base):
    """A picture a client sent by MMS, fetched once from the provider (which then deletes its
    copy) and kept here for the practice's staff to see."""

    __tablename__ = "picture"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    inbox_message_id: Mapped[int] = mapped_column(ForeignKey("inbox_message.id"), index=True)
    provider_url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    problem: Mapped[str | None] = mapped_column(Text)  # why it was refused or failed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the provider's copy was deleted; None while it still holds one.
    provider_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

# staff: a message a nurse or other staff member typed to the client (never held by quiet hours).
OUTBOX_KINDS = ("reply", "proactive", "page", "consent", "staff")
# pending: waiting (for next_attempt_at, when set)
# sending: claimed by a sender at claimed_at; without provider_sid, Twilio may or may not have it
# queued | sent | delivered | undelivered | failed: as Twilio reports it (failed: also ours)
# suppressed: not sent, the number opted out; dry_run: logged instead of sent (no credentials)
# withdrawn: not sent, no longer true (a reminder for a pet that has since died)
OUTBOX_STATUSES = (
    "pending",
    "sending",
    "queued",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "suppressed",
    "dry_run",
    "withdrawn",
)


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(UUID_STR, ForeignKey("conversation.id"))
    to_number: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    template_id: Mapped[str | None] = mapped_column(String(120))
    # One of OUTBOX_KINDS: only "proactive" waits for quiet hours to end; only "consent"
    # (the confirmation of an opt-out) goes to an opted-out number.
    kind: Mapped[str] = mapped_column(String(16), default="reply", server_default="reply")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # Twilio's message SID: once set, the row is never sent again.
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(16))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The proactive message this row carries, so it can be withdrawn before it goes.
    outreach_id: Mapped[int | None] = mapped_column(ForeignKey("outreach.id"), index=True)
    # The conversation message this row carries (a staff reply), so its case shows whether
    # it reached the client.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), index=True)
    # When the nurse queue was told that this staff reply failed, so it is told once.
    failure_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
