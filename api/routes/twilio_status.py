"""`POST /twilio/status`: Twilio's signed reports on messages we sent (sent, delivered, failed)."""

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Response

from api.deps import SessionDep
from api.twilio_auth import TwilioForm
from assistant.messaging.outbox import record_delivery_status

logger = logging.getLogger(__name__)

router = APIRouter(tags=["twilio"])


@router.post("/twilio/status", status_code=204, response_class=Response)
def message_status(form: TwilioForm, session: SessionDep) -> Response:
    """Record the status on the outbox row with this MessageSid.

    Answers 204 even for a SID we do not know: any error answer would make Twilio retry it.
    """
    sid = form.get("MessageSid", "")
    status = form.get("MessageStatus", "")
    message = record_delivery_status(
        session,
        provider_sid=sid,
        status=status,
        error_code=form.get("ErrorCode") or None,
        now=datetime.now(UTC),
    )
    if message is None:
        logger.warning("status callback for unknown message %r (%s): ignored", sid, status)
    session.commit()
    return Response(status_code=204)
