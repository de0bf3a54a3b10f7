"""Twilio request signatures, checked with the twilio library's own validator."""

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

# Signs and checks webhooks when no Twilio account is configured (local dry run).
DRY_RUN_AUTH_TOKEN = "dry-run-auth-token"


def twilio_signature_valid(
    *,
    auth_token: str,
    public_base_url: str,
    path_and_query: str,
    params: Mapping[str, str],
    signature: str | None,
) -> bool:
    """True when `signature` is what Twilio computes for this URL and form body.

    Twilio signs the address it called, so the check uses our public address
    (PUBLIC_BASE_URL), not the one the request arrived on behind a proxy.
    """
    if not signature:
        return False
    url = public_base_url.rstrip("/") + path_and_query
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))
