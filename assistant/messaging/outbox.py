"""Deliver pending outbox rows through a gateway.

Without Twilio credentials the gateway is a dry run: each message is logged and marked
`dry_run`, so pages and staff replies can be seen locally without sending anything.
"""

import logging
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import OutboxMessage

logger = logging.getLogger(__name__)


class Gateway(Protocol):
    """Sends one SMS; returns the final status to record (and raises on failure)."""

    def send(self, message: OutboxMessage) -> str: ...


class DryRunGateway:
    def send(self, message: OutboxMessage) -> str:
        logger.info("dry-run SMS to %s: %s", message.to_number, message.body)
        return "dry_run"


def deliver_pending(session: Session, *, gateway: Gateway, now: datetime, limit: int = 100) -> int:
    """Send up to `limit` pending messages, oldest first; returns how many went out.

    Rows are locked while sending so several api processes never send one row twice.
    """
    pending = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for message in pending:
        message.attempts += 1
        message.status = gateway.send(message)
        message.sent_at = now
    return len(pending)
