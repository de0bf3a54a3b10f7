"""A conversation with one sender on one channel, and its messages."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from assistant.db.models.practice import Practice

from assistant.db.base import UUID_STR, Base, UTCDateTime, new_uuid, utcnow

CHANNELS = ("sms", "web")
# Message.route holds one of assistant.conversation.routes.ROUTES_BY_SEVERITY.


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("practice_id", "channel", "sender_key"),)

    # Also the Rasa sender id, so it must not reveal the phone number.
    id: Mapped[str] = mapped_column(UUID_STR, primary_key=True, default=new_uuid)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    sender_key: Mapped[str] = mapped_column(String(128))  # phone (sms) or browser session (web)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Identity check before records are shared: when it passed, and failed tries since.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verify_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    practice: Mapped["Practice"] = relationship()
    messages: Mapped[list["Message"]] = relationship(
        back_populates="conversation", order_by="Message.id"
    )


class Message(Base):
    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    body: Mapped[str] = mapped_column(Text)
    # Set on outbound bot messages: which approved template produced the words.
    template_id: Mapped[str | None] = mapped_column(String(120))
    template_version: Mapped[int | None] = mapped_column(Integer)
    # Set on inbound messages once the turn is decided.
    route: Mapped[str | None] = mapped_column(String(16))
    author_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
