"""Web chat: one message in, the whole turn result out (DESIGN.md's turn result)."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import PracticeDep, SessionDep, StateDep
from api.rate_limits import client_address
from assistant.db.models import Conversation, Message, StaffUser

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])

# SMS allows about 1600 characters in one concatenated message; web chat keeps the same bound.
MAX_MESSAGE_LENGTH = 1600


class ChatMessageIn(BaseModel):
    sender: str = Field(min_length=1, max_length=128)
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
    state.limits.hit(state.limits.chat_address, client_address(request))
    state.limits.hit(state.limits.chat_sender, f"{practice.slug}:{body.sender}")
    result = state.turns.handle(
        session,
        practice=practice,
        channel="web",
        sender_key=body.sender,
        text=body.text,
        now=datetime.now(UTC),
    )
    return TurnOut.model_validate(result, from_attributes=True)


class StaffMessageOut(BaseModel):
    id: int
    text: str
    author: str


@router.get("/{practice}/staff-replies", response_model=list[StaffMessageOut])
def staff_replies(
    practice: PracticeDep, session: SessionDep, sender: str, after: int = 0
) -> list[StaffMessageOut]:
    """Messages staff typed into this web conversation, for the chat page to poll."""
    conversation = session.scalars(
        select(Conversation).where(
            Conversation.practice_id == practice.id,
            Conversation.channel == "web",
            Conversation.sender_key == sender,
        )
    ).first()
    if conversation is None:
        return []
    rows = session.execute(
        select(Message, StaffUser.name)
        .join(StaffUser, StaffUser.id == Message.author_staff_id)
        .where(Message.conversation_id == conversation.id, Message.id > after)
        .order_by(Message.id)
    )
    return [StaffMessageOut(id=m.id, text=m.body, author=name) for m, name in rows]
