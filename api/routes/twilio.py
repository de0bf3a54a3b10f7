"""Twilio's inbound SMS webhook: check the signature, store the message, answer at once."""

import re
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy import select

from api.deps import SessionDep, StateDep
from api.twilio_auth import TwilioForm
from assistant.channels.sms import store_inbound
from assistant.db.models import Practice

router = APIRouter(tags=["twilio"])

# Twilio sends at most 10 pictures with one message.
MEDIA_COUNT = re.compile(r"10|[0-9]")
# Nothing to say in the webhook's answer: replies go out through the outbox.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@router.post("/twilio/sms")
def inbound_sms(form: TwilioForm, session: SessionDep, state: StateDep) -> Response:
    if not form.get("MessageSid"):
        raise HTTPException(status_code=400, detail="MessageSid missing")
    if not MEDIA_COUNT.fullmatch(form.get("NumMedia") or "0"):
        raise HTTPException(status_code=400, detail="NumMedia must be a number from 0 to 10")
    practice = session.scalars(
        select(Practice).where(Practice.sms_number == form.get("To"))
    ).first()
    if practice is None:
        # Visible in Twilio's debugger: the number is not configured for any practice here.
        raise HTTPException(status_code=404, detail="no practice uses this number")
    # Twilio's addresses are shared by every sender: the limit is per sending number.
    state.limits.hit(state.limits.sms_number, f"{practice.slug}:{form.get('From', '')}")
    _, new = store_inbound(session, practice=practice, form=form, now=datetime.now(UTC))
    if new:
        state.inbox.kick()
    return Response(EMPTY_TWIML, media_type="application/xml")
