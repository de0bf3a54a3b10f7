"""Inbound SMS: stored first, answered in the background, one sender's messages in order.

The webhook only stores the message (its MessageSid is unique, so a Twilio retry is stored
once) and answers Twilio at once. Workers then take the oldest unanswered message of each
sender, so different senders are answered at the same time and one sender's in the order
they were sent. When Rasa is down a message waits and is tried again; an emergency or
urgent message is answered from the triage rules at once, even behind a waiting one.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from assistant.channels.mms import record_pictures
from assistant.conversation.routes import Route
from assistant.conversation.turn import TurnHandler, TurnResult
from assistant.db.models import Conversation, InboxMessage, Message, Practice
from assistant.db.models.escalation import Priority
from assistant.dialogue.rasa_client import DialogueUnavailable
from assistant.escalation.queue import open_escalation
from assistant.messaging.consent import (
    ROUTE_FOR,
    TEMPLATE_FOR,
    apply_keyword,
    is_opted_out,
    keyword_of,
)
from assistant.messaging.delivery import send_to_client
from assistant.safety.triage import Triage

logger = logging.getLogger(__name__)

# Waits between tries while Rasa is down; after the last one the client gets the
# technical-problem template and a nurse gets the case, so nobody waits for ever.
RETRY_DELAYS = (
    timedelta(seconds=15),
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
)
# A message claimed this long ago by a worker that never finished (a crash) is taken again.
PROCESSING_LEASE = timedelta(minutes=2)
UNFINISHED = ("received", "processing", "retry")


def store_inbound(
    session: Session, *, practice: Practice, form: dict[str, str], now: datetime
) -> tuple[InboxMessage, bool]:
    """Store a Twilio webhook's message; a retry of the same MessageSid returns the first row."""
    media = [
        form[f"MediaUrl{i}"]
        for i in range(int(form.get("NumMedia") or 0))
        if form.get(f"MediaUrl{i}")
    ]
    row = InboxMessage(
        practice_id=practice.id,
        provider="twilio",
        provider_message_id=form["MessageSid"],
        from_number=form.get("From", ""),
        to_number=form.get("To", ""),
        body=form.get("Body", ""),
        media_urls=media,
        received_at=now,
    )
    session.add(row)
    try:
        session.flush()
        record_pictures(session, row)
        session.commit()
        return row, True
    except IntegrityError:
        session.rollback()
        existing = session.scalars(
            select(InboxMessage).where(
                InboxMessage.provider == "twilio",
                InboxMessage.provider_message_id == form["MessageSid"],
            )
        ).one()
        return existing, False


class InboxProcessor:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        turns: TurnHandler,
        triage: Triage,
        workers: int = 4,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._turns = turns
        self._triage = triage
        self._workers = workers
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inbox")

    def kick(self) -> None:
        """Start answering waiting messages in the background; returns at once."""
        for _ in range(self._workers):
            self._executor.submit(self._drain_logged)

    def drain(self) -> int:
        """Answer every message that can be answered now; returns how many were handled."""
        handled = 0
        while (row_id := self._claim_next()) is not None:
            self._process(row_id)
            handled += 1
        return handled

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _drain_logged(self) -> None:
        try:
            self.drain()
        except Exception:  # noqa: BLE001 - a worker must log, not die silently
            logger.exception("inbox worker failed; the sweep will try again")

    def _claim_next(self) -> int | None:
        now = self._clock()
        earlier = aliased(InboxMessage)
        with self._sessions() as session:
            candidates = session.scalars(
                select(InboxMessage)
                .where(
                    or_(
                        InboxMessage.status == "received",
                        and_(InboxMessage.status == "retry", InboxMessage.next_attempt_at <= now),
                        and_(
                            InboxMessage.status == "processing",
                            InboxMessage.processing_started_at <= now - PROCESSING_LEASE,
                        ),
                    )
                )
                .order_by(InboxMessage.id)
                .limit(50)
            ).all()
            for row in candidates:
                blockers = set(
                    session.scalars(
                        select(earlier.status).where(
                            earlier.practice_id == row.practice_id,
                            earlier.from_number == row.from_number,
                            earlier.id < row.id,
                            earlier.status.in_(UNFINISHED),
                        )
                    )
                )
                # Order is kept for conversation; only a red flag may pass a message that
                # waits for Rasa, and nothing passes one that is being answered.
                if blockers and (blockers != {"retry"} or not self._is_red_flag(session, row)):
                    continue
                claimed = session.execute(
                    update(InboxMessage)
                    .where(
                        InboxMessage.id == row.id,
                        InboxMessage.status == row.status,
                        _same_start(row),
                    )
                    .values(status="processing", processing_started_at=now)
                    .execution_options(synchronize_session=False)
                )
                session.commit()
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    return row.id
        return None

    def _is_red_flag(self, session: Session, row: InboxMessage) -> bool:
        practice = session.get_one(Practice, row.practice_id)
        return self._triage.assess(row.body, practice.kind).priority is not None

    def _process(self, row_id: int) -> None:
        now = self._clock()
        with self._sessions() as session:
            row = session.get_one(InboxMessage, row_id)
            practice = session.get_one(Practice, row.practice_id)
            may_wait = row.attempts < len(RETRY_DELAYS)
            try:
                result, kind = self._answer(session, practice, row, now, may_wait)
            except DialogueUnavailable:
                session.rollback()
                row = session.get_one(InboxMessage, row_id)
                row.status = "retry"
                row.next_attempt_at = now + RETRY_DELAYS[row.attempts]
                row.attempts += 1
                session.commit()
                logger.warning(
                    "Rasa unavailable; message %s waits until %s", row_id, row.next_attempt_at
                )
                return
            conversation = session.get_one(Conversation, result.conversation_id)
            for reply in result.replies:
                send_to_client(
                    session,
                    conversation=conversation,
                    body=reply.text,
                    kind=kind,
                    now=now,
                    template_id=reply.template_id,
                )
            row.status = "processed"
            row.processed_at = now
            session.commit()

    def _answer(
        self,
        session: Session,
        practice: Practice,
        row: InboxMessage,
        now: datetime,
        may_wait: bool,
    ) -> tuple[TurnResult, str]:
        body = row.body.strip()
        inbound = self._stored_message(session, practice, row, now)
        opted_out = is_opted_out(session, practice, row.from_number)
        keyword = keyword_of(body, opted_out=opted_out) if body and not row.media_urls else None
        if keyword is not None:
            # The consent changes here, and the keyword gets its consent template.
            apply_keyword(
                session, practice=practice, phone=row.from_number, keyword=keyword, now=now
            )
            return self._turns.reply_with_template(
                session,
                practice=practice,
                inbound=inbound,
                key=TEMPLATE_FOR[keyword],
                route=ROUTE_FOR[keyword],
                now=now,
            ), "consent"
        if not body and row.media_urls:
            # Nobody here reads pictures automatically: a person looks at it.
            return self._turns.reply_with_template(
                session,
                practice=practice,
                inbound=inbound,
                key="media.received",
                route=Route.CLINICAL,
                now=now,
                case_category="picture",
            ), "reply"
        if not body:
            return self._turns.reply_with_template(
                session,
                practice=practice,
                inbound=inbound,
                key="fallback.rephrase",
                route=Route.FALLBACK,
                now=now,
            ), "reply"
        result = self._turns.answer(
            session, practice=practice, inbound=inbound, now=now, defer_dialogue_failure=may_wait
        )
        if result.stops_texts:
            # An opt-out in the client's own words ("take me off this list"), also when the
            # same message asked a nurse something or the safety net read a crisis in it.
            apply_keyword(
                session, practice=practice, phone=row.from_number, keyword="opt_out", now=now
            )
            # Its confirmation is the one text an opted-out number still gets.
            return result, "consent"
        if row.media_urls and result.escalation is None:
            conversation = session.get_one(Conversation, inbound.conversation_id)
            open_escalation(
                session,
                conversation=conversation,
                priority=Priority.ROUTINE,
                category="picture",
                now=now,
            )
            session.commit()
        return result, "reply"

    def _stored_message(
        self, session: Session, practice: Practice, row: InboxMessage, now: datetime
    ) -> Message:
        """The conversation message for this SMS: stored by an earlier try (Rasa down, or a
        crash) or stored now, and linked to the inbox row either way."""
        if row.message_id is not None:
            return session.get_one(Message, row.message_id)
        message = self._turns.receive(
            session,
            practice=practice,
            channel="sms",
            sender_key=row.from_number,
            text=_text_for(row),
            now=now,
        )
        row.message_id = message.id
        session.commit()
        return message


def _text_for(row: InboxMessage) -> str:
    """The words alone: they are what triage and the dialogue read. The pictures stay with
    the inbox row (`assistant/channels/mms.py`), and the case page shows them to staff."""
    return row.body.strip()


def _same_start(row: InboxMessage) -> Any:
    """Only one of two workers retaking the same stale row wins it."""
    if row.processing_started_at is None:
        return InboxMessage.processing_started_at.is_(None)
    return InboxMessage.processing_started_at == row.processing_started_at
