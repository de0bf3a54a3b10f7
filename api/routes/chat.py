"""Web chat: one message in, the whole turn result out (docs/architecture.md, "Contracts")."""

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.deps import PracticeDep, SessionDep, StateDep
from api.rate_limits import TOO_MANY_NEW_CHATS, client_address
from assistant.channels.web_chat import (
    CHANNEL,
    new_chat_token,
    sender_key_for,
    web_conversation,
)
from assistant.db.models import Message, StaffUser

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])

# SMS allows about 1600 characters in one concatenated message; web chat keeps the same bound.
MAX_MESSAGE_LENGTH = 1600


UNKNOWN_CHAT = (
    "This chat is not known here: send the message without chat_token to start a new one."
)


class ChatMessageIn(BaseModel):
    # Refused rather than ignored: a caller still sending `sender` would otherwise start a
    # new chat with every message without noticing.
    model_config = ConfigDict(extra="forbid")

    # None starts a new chat. A token is 43 characters; the bounds only keep junk out.
    chat_token: str | None = Field(default=None, min_length=20, max_length=128)
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)


class ReplyOut(BaseModel):
    template_id: str
    template_version: int
    text: str


class EscalationOut(BaseModel):
    id: int
    priority: str
    due_at: datetime


class TurnOut(BaseModel):
    chat_token: str  # send it with the next message and when polling for staff replies
    conversation_id: str
    route: str
    replies: list[ReplyOut]
    escalation: EscalationOut | None


@router.post("/{practice}/messages", response_model=TurnOut)
def post_message(
    body: ChatMessageIn,
    practice: PracticeDep,
    session: SessionDep,
    state: StateDep,
    request: Request,
) -> TurnOut:
    # Anyone may chat without signing in: bounded per address and per conversation, so one
    # client cannot fill the queue or keep the pager busy.
    limits, address = state.limits, client_address(request)
    limits.hit(limits.chat_address, address)
    # A red flag in a new chat opens a case and pages; an address that has opened its share of
    # cases from new chats starts no more for a while (red flags in its open chats join their
    # cases, so nothing already started is cut off).
    if body.chat_token is None and not limits.allows(limits.web_cases_address, address):
        raise HTTPException(status_code=429, detail=TOO_MANY_NEW_CHATS)
    chat_token = body.chat_token or new_chat_token()
    if body.chat_token is not None and web_conversation(session, practice, chat_token) is None:
        raise HTTPException(status_code=404, detail=UNKNOWN_CHAT)
    sender_key = sender_key_for(chat_token)
    state.limits.hit(state.limits.chat_sender, f"{practice.slug}:{sender_key}")
    result = state.turns.handle(
        session,
        practice=practice,
        channel=CHANNEL,
        sender_key=sender_key,
        text=body.text,
        now=datetime.now(UTC),
    )
    if body.chat_token is None and result.escalation is not None:
        limits.count(limits.web_cases_address, address)
    return TurnOut.model_validate({"chat_token": chat_token, **asdict(result)})


class StaffMessageOut(BaseModel):
    id: int
    text: str
    author: str


@router.get("/{practice}/staff-replies", response_model=list[StaffMessageOut])
def staff_replies(
    practice: PracticeDep,
    session: SessionDep,
    state: StateDep,
    request: Request,
    chat_token: Annotated[str, Query(min_length=20, max_length=128)],
    after: int = 0,
) -> list[StaffMessageOut]:
    """Messages staff typed into this web conversation, for the chat page to poll."""
    state.limits.hit(state.limits.chat_address, client_address(request))
    conversation = web_conversation(session, practice, chat_token)
    if conversation is None:
        raise HTTPException(status_code=404, detail=UNKNOWN_CHAT)
    rows = session.execute(
        select(Message, StaffUser.name)
        .join(StaffUser, StaffUser.id == Message.author_staff_id)
        .where(Message.conversation_id == conversation.id, Message.id > after)
        .order_by(Message.id)
    )
    return [StaffMessageOut(id=m.id, text=m.body, author=name) for m, name in rows]
