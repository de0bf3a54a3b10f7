"""Web chat's conversation token.

The server issues a random token when a chat starts; the page keeps it and sends it with every
message and every poll for staff replies. A chat is therefore never joined or read by guessing
a name. Only the token's hash is stored, so whoever reads the database cannot join a chat.
"""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Conversation, Practice

CHANNEL = "web"


def new_chat_token() -> str:
    return secrets.token_urlsafe(32)


def sender_key_for(chat_token: str) -> str:
    return "web-" + hashlib.sha256(chat_token.encode()).hexdigest()


def web_conversation(session: Session, practice: Practice, chat_token: str) -> Conversation | None:
    """The chat this token was issued for, or None when no chat has it."""
    return session.scalars(
        select(Conversation).where(
            Conversation.practice_id == practice.id,
            Conversation.channel == CHANNEL,
            Conversation.sender_key == sender_key_for(chat_token),
        )
    ).first()


def chat_message(text: str, chat_token: str | None = None) -> dict[str, str]:
    """The body a web-chat client posts: a chat's first message carries no token."""
    return {"text": text} if chat_token is None else {"chat_token": chat_token, "text": text}
