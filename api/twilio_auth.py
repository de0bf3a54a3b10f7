"""A dependency for Twilio webhooks: the form body, only when Twilio really signed it."""

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from api.deps import StateDep
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN, twilio_signature_valid


async def signed_twilio_form(
    request: Request,
    state: StateDep,
    x_twilio_signature: Annotated[str | None, Header()] = None,
) -> dict[str, str]:
    """The webhook's form fields; 403 when the signature is missing, forged or altered.

    Without TWILIO_AUTH_TOKEN, only a developer's machine checks against the dry-run key
    (which is in this repository); elsewhere the webhooks are off (503).
    """
    auth_token = state.settings.twilio_auth_token
    if auth_token is None and not state.settings.is_development:
        raise HTTPException(
            status_code=503, detail="SMS webhooks are off: TWILIO_AUTH_TOKEN is not set"
        )
    # Refused before the body is read: an unsigned request costs no form parsing.
    if not x_twilio_signature:
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    form = {key: str(value) for key, value in (await request.form()).items()}
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    valid = twilio_signature_valid(
        auth_token=auth_token or DRY_RUN_AUTH_TOKEN,
        public_base_url=state.settings.public_base_url,
        path_and_query=path,
        params=form,
        signature=x_twilio_signature,
    )
    if not valid:
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return form


TwilioForm = Annotated[dict[str, str], Depends(signed_twilio_form)]
