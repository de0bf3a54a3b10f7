"""Typed dependencies for the routers."""

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.state import AppState, StoreState
from assistant.db.models import Conversation, Practice


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.assistant
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_store(request: Request) -> StoreState:
    """Settings and database, on either listener (api/internal_main.py has no more)."""
    store: StoreState = request.app.state.assistant
    return store


StoreDep = Annotated[StoreState, Depends(get_store)]


def get_session(state: StoreDep) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_practice(practice: str, session: SessionDep) -> Practice:
    found = session.scalars(select(Practice).where(Practice.slug == practice)).first()
    if found is None:
        raise HTTPException(status_code=404, detail=f"no practice {practice!r}")
    return found


PracticeDep = Annotated[Practice, Depends(get_practice)]


def conversation_or_404(session: Session, conversation_id: str) -> Conversation:
    """The conversation an internal call names (the Rasa sender id), or 404."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status_code=404, detail="unknown conversation")
    return conversation


def require_internal_token(
    state: StoreDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """The action server's shared secret, sent as `Authorization: Bearer <token>`."""
    expected = f"Bearer {state.settings.internal_api_token}"
    if authorization is None or not hmac.compare_digest(authorization, expected):
        raise HTTPException(status_code=401, detail="internal token missing or wrong")
