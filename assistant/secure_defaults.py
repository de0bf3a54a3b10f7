"""Refuse to run open: outside local development the api does not start with a secret
anyone can read in this repository, a short one, or a public address without https."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from assistant.settings import (
    DEVELOPMENT_INTERNAL_API_TOKEN,
    DEVELOPMENT_SESSION_SECRET,
    Settings,
)

# 32 characters of `secrets.token_urlsafe` carry about 190 bits.
MIN_SECRET_LENGTH = 32
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class InsecureSettings(RuntimeError):
    """The settings would run the api open; the message lists every reason."""


def problems(settings: Settings) -> list[str]:
    """What makes these settings unsafe outside development (empty when they are safe)."""
    if settings.is_development:
        return []
    found = []
    for name, value, development_value in (
        ("SESSION_SECRET", settings.session_secret, DEVELOPMENT_SESSION_SECRET),
        ("INTERNAL_API_TOKEN", settings.internal_api_token, DEVELOPMENT_INTERNAL_API_TOKEN),
    ):
        if value == development_value:
            found.append(f"{name} is the development value written in the code")
        elif len(value) < MIN_SECRET_LENGTH:
            found.append(f"{name} is shorter than {MIN_SECRET_LENGTH} characters")
    if settings.session_secret == settings.internal_api_token:
        found.append("SESSION_SECRET and INTERNAL_API_TOKEN are the same value")
    address = urlsplit(settings.public_base_url)
    # Plain http only where nothing outside this machine can reach it (make run-prod).
    if address.scheme != "https" and address.hostname not in LOOPBACK_HOSTS:
        found.append(f"PUBLIC_BASE_URL {settings.public_base_url} is not https")
    return found


def refuse_to_run_open(settings: Settings) -> None:
    """Raise `InsecureSettings` naming every problem, so one restart fixes them all."""
    found = problems(settings)
    if found:
        raise InsecureSettings(
            "refusing to start outside ENVIRONMENT=development: "
            + "; ".join(found)
            + " (`python -m assistant generate-secrets FILE` writes strong secrets)"
        )


def write_secrets_file(path: Path) -> bool:
    """Write new random SESSION_SECRET, INTERNAL_API_TOKEN and RASA_TOKEN to `path`, readable
    only by its owner. Returns False, changing nothing, when the file already exists."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"SESSION_SECRET={secrets.token_urlsafe(48)}",
        f"INTERNAL_API_TOKEN={secrets.token_urlsafe(48)}",
        f"RASA_TOKEN={secrets.token_urlsafe(48)}",
    ]
    # Created owner-only from the first byte, not chmod-ed after.
    with open(path, "x", encoding="utf-8", opener=_owner_only) as handle:
        handle.write("\n".join(lines) + "\n")
    return True


def _owner_only(file: str, flags: int) -> int:
    return os.open(file, flags, 0o600)
