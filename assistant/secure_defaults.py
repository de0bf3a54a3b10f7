"""Refuse to run open: outside local development the api does not start with a secret
anyone can read in this repository, a short one, or a public address without https."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from assistant.settings import (
    DEVELOPMENT_ACTION_SERVER_TOKEN,
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
    named = (
        ("SESSION_SECRET", settings.session_secret, DEVELOPMENT_SESSION_SECRET),
        ("INTERNAL_API_TOKEN", settings.internal_api_token, DEVELOPMENT_INTERNAL_API_TOKEN),
        ("ACTION_SERVER_TOKEN", settings.action_server_token, DEVELOPMENT_ACTION_SERVER_TOKEN),
    )
    for name, value, development_value in named:
        if value == development_value:
            found.append(f"{name} is the development value written in the code")
        elif len(value) < MIN_SECRET_LENGTH:
            found.append(f"{name} is shorter than {MIN_SECRET_LENGTH} characters")
    for first, (name, value, _) in enumerate(named):
        found += [
            f"{name} and {other} are the same value"
            for other, other_value, _ in named[first + 1 :]
            if value == other_value
        ]
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


SECRET_NAMES = ("SESSION_SECRET", "INTERNAL_API_TOKEN", "RASA_TOKEN", "ACTION_SERVER_TOKEN")


def write_secrets_file(path: Path) -> list[str]:
    """Give `path` (readable only by its owner) a new random value for each secret it does not
    have yet; returns the names added. A secret already there is never replaced, so a file
    from before a new secret existed gains only that one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.split("=", 1)[0].strip() for line in existing.splitlines()}
    missing = [name for name in SECRET_NAMES if name not in present]
    if not missing:
        return []
    lines = [f"{name}={secrets.token_urlsafe(48)}" for name in missing]
    # Created owner-only from the first byte, not chmod-ed after.
    with open(path, "a", encoding="utf-8", opener=_owner_only) as handle:
        handle.write(
            ("\n" if existing and not existing.endswith("\n") else "") + "\n".join(lines) + "\n"
        )
    return missing


def _owner_only(file: str, flags: int) -> int:
    return os.open(file, flags, 0o600)
