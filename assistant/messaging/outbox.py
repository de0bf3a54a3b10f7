"""The outbox: every SMS the practice sends is a row first, then a send that loses nothing.

`enqueue_sms` writes the rows (a long body becomes several messages; a proactive message
written during quiet hours waits for the morning). `deliver_pending` claims due rows, commits
the claim, sends each through a gateway and commits the outcome, so it can run in several
processes at once and be killed at any moment:

- a row claimed but never sent (a crash) is taken again once its lease has run out;
- a row that may have reached Twilio without us learning its SID is looked up at Twilio
  before it is sent again; a row with a SID is never sent again;
- transient failures are retried with exponential backoff, counted in the row itself, so
  the schedule survives restarts; permanent ones are recorded with Twilio's error code.

Without Twilio credentials the gateway is a dry run: each message is logged and marked
`dry_run`, so pages and replies can be seen locally without sending anything.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from time import monotonic
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import Contact, OutboxMessage, Practice
from assistant.db.models.messaging import OUTBOX_KINDS
from assistant.messaging.consent import contact_for
from assistant.messaging.sms_text import split_message

logger = logging.getLogger(__name__)

# A claimed row whose sender has not finished after this long is presumed dead and retaken.
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
# 30 s, 1 min, 2 min, ... 32 min: a little over an hour of retries before giving up.
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
# Proactive messages go out between these local times; replies and pages at any hour.
SENDING_HOURS_START = time(8)
SENDING_HOURS_END = time(20)
# Twilio: "the recipient has opted out" (they texted STOP to this number).
UNSUBSCRIBED_CODE = "21610"

# Twilio's message statuses, as we record them; "sending" is ours (claimed), so theirs is queued.
PROVIDER_STATUSES = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
# A status callback only moves a row forward: callbacks can arrive out of order.
_PROGRESS = {"queued": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3}

Outcome = Literal["transient", "unknown", "permanent"]


@dataclass(frozen=True)
class SendResult:
    """A message the provider accepted: the status to record and the provider's id for it."""

    status: str
    provider_sid: str | None = None


class SendError(Exception):
    """A message the gateway could not hand over.

    `outcome` says what is known: `transient` (it was not sent; try again later), `unknown`
    (it may have been sent: look it up before sending again) or `permanent` (never retry).
    """

    def __init__(self, detail: str, *, outcome: Outcome, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.outcome = outcome
        self.code = code


class Gateway(Protocol):
    def send(self, message: OutboxMessage, *, from_number: str) -> SendResult:
        """Hand one message to the provider; raises `SendError` when it could not."""
        ...

    def find_sent(self, message: OutboxMessage, *, from_number: str) -> list[SendResult]:
        """Messages the provider already has that could be this row (same recipient, sender
        and body, created since the row was): used after a send whose outcome is unknown."""
        ...


class DryRunGateway:
    """Logs each message instead of sending it: the local default, without Twilio."""

    def send(self, message: OutboxMessage, *, from_number: str) -> SendResult:
        # No message text in the log: it may hold health details (the outbox row keeps it).
        logger.info(
            "dry-run SMS %s from %s to %s (%d characters)",
            message.id,
            from_number,
            message.to_number,
            len(message.body),
        )
        # A local id in place of Twilio's, so a delivery report can be tried out locally
        # (`DRY` never begins a Twilio SID).
        return SendResult(status="dry_run", provider_sid=f"DRY{uuid.uuid4().hex}")

    def find_sent(self, message: OutboxMessage, *, from_number: str) -> list[SendResult]:
        return []


def enqueue_sms(
    session: Session,
    *,
    practice: Practice,
    to_number: str,
    body: str,
    kind: str,
    now: datetime,
    conversation_id: str | None = None,
    template_id: str | None = None,
    message_id: int | None = None,
) -> list[OutboxMessage]:
    """Queue `body` for `to_number` as one or more outbox rows, in reading order.

    A body longer than three SMS segments is split between sentences. A `proactive` message
    queued outside sending hours (8 am to 8 pm, practice time) waits until 8 am; replies,
    staff messages, pages and consent confirmations are never held. Rows are flushed, not
    committed.
    """
    if kind not in OUTBOX_KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}; expected one of {OUTBOX_KINDS}")
    parts = split_message(body)
    if not parts:
        raise ValueError("an SMS needs a body")
    hold_until = quiet_hours_end(practice, now) if kind == "proactive" else None
    rows = [
        OutboxMessage(
            practice_id=practice.id,
            conversation_id=conversation_id,
            to_number=to_number,
            body=part,
            template_id=template_id,
            message_id=message_id,
            kind=kind,
            status="pending",
            created_at=now,
            next_attempt_at=hold_until,
        )
        for part in parts
    ]
    session.add_all(rows)
    session.flush()
    return rows


def quiet_hours_end(practice: Practice, at: datetime) -> datetime | None:
    """When `at` falls in the practice's quiet hours, the moment proactive texts may go out
    again (8 am local unless the practice set other sending hours); else None.

    Computed on the local calendar, so it stays 8 am across daylight-saving changes.
    """
    start, end = sending_hours(practice)
    zone = ZoneInfo(practice.timezone)
    local = at.astimezone(zone)
    if start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(UTC)


def sending_hours(practice: Practice) -> tuple[time, time]:
    """The practice's own window for proactive texts, or 8 am to 8 pm."""
    window = practice.sms_sending_hours
    if not window:
        return SENDING_HOURS_START, SENDING_HOURS_END
    return time.fromisoformat(window[0]), time.fromisoformat(window[1])


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the `attempts`-th failed attempt (1-based), capped."""
    delay: timedelta = RETRY_BASE * 2 ** max(attempts - 1, 0)
    return min(delay, RETRY_CAP)


def deliver_pending(session: Session, *, gateway: Gateway, now: datetime, limit: int = 100) -> int:
    """Send up to `limit` due messages, oldest first; returns how many rows were handled.

    The claim is committed before anything is sent and each outcome right after its send,
    so a crash leaves at most the rows of this batch claimed; they are retaken after `LEASE`.
    """
    fresh, abandoned = _claim(session, now=now, limit=limit)
    if not fresh and not abandoned:
        session.commit()
        return 0
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(fresh + abandoned))
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    session.commit()  # the claim: other senders now leave these rows alone
    started = monotonic()
    for handled, message in enumerate(messages):
        if monotonic() - started > LEASE.total_seconds() / 2:
            # A slow provider: stop well before the lease runs out, or another sender would
            # retake rows this one is about to send. Abandoned rows stay claimed: they must
            # be looked up before they are sent, and will be once the lease is over.
            _release(session, [m.id for m in messages[handled:] if m.id in fresh], claimed_at=now)
            session.commit()
            return handled
        _deliver_one(session, message, gateway=gateway, now=now, abandoned=message.id in abandoned)
        session.commit()
    return len(messages)


def _claim(session: Session, *, now: datetime, limit: int) -> tuple[list[int], list[int]]:
    """Mark due rows `sending`; returns (waiting rows claimed, abandoned rows retaken).

    `FOR UPDATE SKIP LOCKED` keeps PostgreSQL senders apart; the conditions are repeated in
    the UPDATE so that on SQLite, which has no row locks, only one sender wins a row.
    """
    row = OutboxMessage
    due = or_(row.next_attempt_at.is_(None), row.next_attempt_at <= now)
    waiting = and_(row.status == "pending", due)
    abandoned = and_(
        row.status == "sending",
        row.provider_sid.is_(None),
        row.claimed_at <= now - LEASE,
        due,
    )
    candidates = session.scalars(
        select(row.id)
        .where(or_(waiting, abandoned))
        .order_by(row.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        return [], []
    claimed: list[list[int]] = []
    for condition in (waiting, abandoned):
        result = session.execute(
            update(row)
            .where(row.id.in_(candidates), condition)
            .values(status="sending", claimed_at=now, attempts=row.attempts + 1)
            .returning(row.id)
            .execution_options(synchronize_session=False)
        )
        claimed.append(list(result.scalars()))
    return claimed[0], claimed[1]


def _release(session: Session, ids: list[int], *, claimed_at: datetime) -> None:
    """Give back rows claimed but not attempted, unless another sender has them by now."""
    row = OutboxMessage
    session.execute(
        update(row)
        .where(
            row.id.in_(ids),
            row.status == "sending",
            row.claimed_at == claimed_at,
            row.provider_sid.is_(None),
        )
        .values(status="pending", claimed_at=None, attempts=row.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def _deliver_one(
    session: Session, message: OutboxMessage, *, gateway: Gateway, now: datetime, abandoned: bool
) -> None:
    practice = session.get_one(Practice, message.practice_id)
    if abandoned and _adopt_earlier_send(
        session, message, gateway=gateway, practice=practice, now=now
    ):
        return
    if message.kind != "consent" and _opted_out(session, practice.id, message.to_number):
        message.status = "suppressed"
        logger.info("outbox %s not sent: %s opted out", message.id, message.to_number)
        return
    if message.kind == "proactive":
        hold_until = quiet_hours_end(practice, now)
        if hold_until is not None:
            # Claimed late (the api was down, or a retry fell due at night): wait for morning.
            message.status, message.claimed_at = "pending", None
            message.next_attempt_at = hold_until
            message.attempts -= 1
            return
    if message.attempts > MAX_ATTEMPTS:  # taken again and again: a sender dies on this row
        _give_up(message, "claimed too many times without an outcome")
        return
    try:
        result = gateway.send(message, from_number=practice.sms_number)
    except SendError as error:
        _record_error(session, message, error, practice=practice, now=now)
    except Exception as exc:  # noqa: BLE001 - one bad row must not stop the batch
        logger.exception("outbox %s: unexpected error while sending", message.id)
        unexpected = SendError(f"{type(exc).__name__}: {exc}", outcome="unknown")
        _record_error(session, message, unexpected, practice=practice, now=now)
    else:
        _record_sent(message, result, now=now)


def _adopt_earlier_send(
    session: Session,
    message: OutboxMessage,
    *,
    gateway: Gateway,
    practice: Practice,
    now: datetime,
) -> bool:
    """For a row whose earlier send may have reached the provider: True when it did.

    The SID of an earlier send is adopted only when no other row has it already, so two
    identical messages to one person are not mistaken for one.
    """
    try:
        candidates = gateway.find_sent(message, from_number=practice.sms_number)
    except Exception as exc:  # noqa: BLE001 - whatever failed, we still do not know
        logger.warning("outbox %s: cannot look up an earlier send: %s", message.id, exc)
        if message.attempts >= MAX_ATTEMPTS:
            _give_up(message, f"cannot tell whether it was sent: {exc}")
        else:  # stays `sending`: looked up again once the lease and the delay are over
            message.next_attempt_at = now + retry_delay(message.attempts)
        return True
    sids = [c.provider_sid for c in candidates if c.provider_sid]
    known = set(
        session.scalars(
            select(OutboxMessage.provider_sid).where(OutboxMessage.provider_sid.in_(sids))
        )
    )
    for candidate in candidates:
        if candidate.provider_sid and candidate.provider_sid not in known:
            logger.info("outbox %s had been sent as %s", message.id, candidate.provider_sid)
            _record_sent(message, candidate, now=now)
            return True
    return False


def _record_sent(message: OutboxMessage, result: SendResult, *, now: datetime) -> None:
    message.status = result.status
    message.provider_sid = result.provider_sid
    message.sent_at = now
    message.next_attempt_at = None
    message.error_code = message.error_message = None


def _record_error(
    session: Session,
    message: OutboxMessage,
    error: SendError,
    *,
    practice: Practice,
    now: datetime,
) -> None:
    message.error_code = error.code
    message.error_message = error.detail[:500]
    if error.outcome == "permanent":
        message.status, message.next_attempt_at = "failed", None
        logger.warning("outbox %s failed: %s %s", message.id, error.code, error.detail)
        if error.code == UNSUBSCRIBED_CODE:
            record_opt_out(session, practice_id=practice.id, phone=message.to_number, now=now)
        return
    if message.attempts >= MAX_ATTEMPTS:
        _give_up(message, error.detail)
        return
    retry_at = now + retry_delay(message.attempts)
    if message.kind == "proactive":
        retry_at = quiet_hours_end(practice, retry_at) or retry_at
    message.next_attempt_at = retry_at
    if error.outcome == "transient":
        message.status, message.claimed_at = "pending", None
    # "unknown" stays `sending` without a SID: once its lease is over, it is looked up first.
    logger.warning(
        "outbox %s attempt %s: %s (%s); next at %s",
        message.id,
        message.attempts,
        error.detail,
        error.outcome,
        retry_at,
    )


def _give_up(message: OutboxMessage, reason: str) -> None:
    message.status = "failed"
    message.next_attempt_at = None
    message.error_message = f"gave up after {message.attempts} attempts: {reason}"[:500]
    logger.error("outbox %s: %s", message.id, message.error_message)


def _opted_out(session: Session, practice_id: int, phone: str) -> bool:
    consent = session.scalars(
        select(Contact.consent).where(Contact.practice_id == practice_id, Contact.phone == phone)
    ).first()
    return consent == "opted_out"


def record_opt_out(session: Session, *, practice_id: int, phone: str, now: datetime) -> None:
    """Twilio says this number unsubscribed (error 21610): record it like a STOP, so nothing
    more is sent to it until the person texts START."""
    practice = session.get_one(Practice, practice_id)
    contact = contact_for(session, practice, phone)
    if contact.consent == "opted_out":
        return
    contact.consent = "opted_out"
    contact.consent_changed_at = now
    record(
        session,
        practice_id=practice_id,
        actor="system",
        action="consent.opt_out",
        entity=contact,
        details={"source": "twilio", "error_code": UNSUBSCRIBED_CODE},
    )


def record_delivery_status(
    session: Session,
    *,
    provider_sid: str,
    status: str,
    error_code: str | None,
    now: datetime,
) -> OutboxMessage | None:
    """Apply a provider status callback to its row; None when no row has that SID.

    Statuses only move forward (queued, sent, then delivered, undelivered or failed), since
    callbacks may arrive out of order.
    """
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.provider_sid == provider_sid)
    ).first()
    if message is None:
        return None
    new_status = PROVIDER_STATUSES.get(status.lower())
    if new_status is None:
        logger.info("outbox %s: ignoring provider status %r", message.id, status)
        return message
    if _PROGRESS[new_status] <= _PROGRESS.get(message.status, 0):
        return message
    message.status = new_status
    if new_status == "delivered":
        message.delivered_at = now
    if error_code:
        message.error_code = error_code
    if new_status in ("undelivered", "failed"):
        logger.warning("outbox %s %s: error %s", message.id, new_status, error_code)
        if error_code == UNSUBSCRIBED_CODE:
            record_opt_out(
                session, practice_id=message.practice_id, phone=message.to_number, now=now
            )
    return message


def delivery_states(session: Session, message_ids: list[int]) -> dict[int, str]:
    """The delivery state of each conversation message sent by SMS (a staff reply), by
    message id: the least advanced of its rows (a long message is several SMS), a failure
    first. Messages with no outbox row are left out."""
    states: dict[int, list[str]] = {}
    rows = session.execute(
        select(OutboxMessage.message_id, OutboxMessage.status).where(
            OutboxMessage.message_id.in_(message_ids)
        )
    )
    for message_id, status in rows:
        if message_id is not None:
            states.setdefault(message_id, []).append(status)
    return {message_id: _least_advanced(found) for message_id, found in states.items()}


def _least_advanced(statuses: list[str]) -> str:
    for failure in ("failed", "undelivered", "suppressed"):
        if failure in statuses:
            return failure
    return min(statuses, key=lambda status: _PROGRESS.get(status, 0))
