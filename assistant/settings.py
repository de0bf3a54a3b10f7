"""One settings object, read from the environment and an optional `.env` file."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# Values good enough on a developer's machine and nowhere else: outside
# ENVIRONMENT=development the api refuses to start with them (`assistant.secure_defaults`).
DEVELOPMENT_INTERNAL_API_TOKEN = "local-dev-internal-token"
# Also written in endpoints.yml and actions/serve.py, the other two sides of it.
DEVELOPMENT_ACTION_SERVER_TOKEN = "local-dev-action-token"
DEVELOPMENT_SESSION_SECRET = "local-dev-session-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # `development` only on a developer's machine (`make run` sets it): it accepts the
    # development secrets and dry-run-signed SMS webhooks. Anything else is production.
    environment: Literal["development", "production"] = "production"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'assistant.db'}"
    # Redis for Rasa's lock store when several Rasa processes share conversations
    # (`python -m assistant rasa-env` hands it to them); /health checks it when set.
    redis_url: str | None = None
    # One Rasa base URL, or several separated by commas: each conversation always goes to
    # the same one (`assistant.dialogue.rasa_client.parse_rasa_urls`).
    rasa_url: str = "http://127.0.0.1:5005"
    # Rasa's tracker store in production (SQLAlchemy 1.4 URL, e.g. postgresql://...); the
    # production endpoints file reads it through `python -m assistant rasa-env`.
    rasa_tracker_url: str | None = None
    # The token Rasa's HTTP API was started with (`--auth-token`, as Procfile.prod does): its
    # /conversations endpoints show what clients wrote. The webhook the api talks to needs none.
    rasa_token: str | None = None
    actions_url: str = "http://127.0.0.1:5055"
    # The api's listener for the action server only (api/internal_main.py, Procfile).
    internal_api_url: str = "http://127.0.0.1:8001"
    # Seconds the api waits for one Rasa turn before answering with the safe fallback.
    rasa_timeout: float = 20.0
    # Shared secret the action server sends to the api's internal endpoints.
    internal_api_token: str = DEVELOPMENT_INTERNAL_API_TOKEN
    # What Rasa sends the action server (actions/serve.py); `python -m assistant rasa-env`
    # hands it to Rasa in production. The api itself never uses it.
    action_server_token: str = DEVELOPMENT_ACTION_SERVER_TOKEN
    # Signs the staff sign-in cookie; a long random value in production.
    session_secret: str = DEVELOPMENT_SESSION_SECRET
    # Seconds between checks for unacknowledged emergency and urgent cases; 0 turns it off.
    sla_check_seconds: float = 30
    # Seconds between outbox deliveries (pages, staff replies); 0 turns it off.
    outbox_poll_seconds: float = 2
    # Seconds between sweeps of the SMS inbox (messages waiting for Rasa, crash leftovers).
    inbox_sweep_seconds: float = 5
    # Seconds between runs of the outreach scheduler (reminders, lab checks, alerts); 0: off.
    outreach_poll_seconds: float = 60
    # Proactive texts per contact (not replies): at most this many a day and in 7 days, as
    # the TCPA healthcare exemption asks.
    outreach_daily_cap: int = 1
    outreach_weekly_cap: int = 3
    # Request limits (`limits` notation: "20/minute", several separated by ";"). Counted in
    # RATE_LIMIT_URL's storage: REDIS_URL's Redis when set (shared by every api worker), else
    # this process's memory.
    rate_limit_url: str | None = None
    chat_rate_per_sender: str = "20/minute;200/day"
    chat_rate_per_address: str = "600/minute"
    # New web chats that opened a case (and so may have paged the on-call clinician), per
    # address: past it, that address starts no new chat for a while (its open chats go on).
    web_cases_per_address: str = "10/hour"
    sms_rate_per_number: str = "30/minute;500/day"
    # Failed sign-ins only: a right password is never slowed down.
    sign_in_failures_per_email: str = "5/15 minutes"
    sign_in_failures_per_address: str = "20/15 minutes"
    # Uploads to the records import (the admin page), dry runs included, per practice.
    record_imports_per_practice: str = "30/hour"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    # Seconds between fetches of the pictures clients sent by MMS; 0 turns it off.
    picture_fetch_seconds: float = 5
    # Seconds between applications of each practice's retention period (assistant/retention.py);
    # 0 turns it off.
    retention_check_seconds: float = 3600
    # Seconds between datings of each practice file's weekly shifts and on-call rota for the
    # coming weeks (assistant/practices/schedules.py); 0 turns it off.
    schedule_extend_seconds: float = 3600
    # Seconds between checks of templates/ for changes another worker or an editor made; 0 off.
    template_check_seconds: float = 5
    # Where a picture may be fetched from (with the account's credentials): Twilio's API
    # only, so a MediaUrl can never send the credentials, or a request, anywhere else.
    twilio_media_url_prefixes: list[str] = ["https://api.twilio.com/"]
    # The practice's FHIR R4 server for `python -m assistant import fhir --server`
    # (docs/records.md), e.g. https://ehr.example.org/fhir, and the bearer token it gave us.
    # The token is a secret: SecretStr keeps it out of reprs, and it is never logged.
    fhir_base_url: str | None = None
    fhir_token: SecretStr | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    api_port: int = 8000
    templates_dir: Path = ROOT / "templates"
    load_demo_data: bool = True

    @property
    def is_development(self) -> bool:
        return self.environment == "development"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` instead."""
    return Settings()
