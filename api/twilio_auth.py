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
    """The webhook's form fields; 403 when the signature is missing, forged or altered."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    valid = twilio_signature_valid(
        auth_token=state.settings.twilio_auth_token or DRY_RUN_AUTH_TOKEN,
        public_base_url=state.settings.public_base_url,
        path_and_query=path,
        params=form,
        signature=x_twilio_signature,
    )
    if not valid:
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return form


TwilioForm = Annotated[dict[str, str], Depends(signed_twilio_form)]
