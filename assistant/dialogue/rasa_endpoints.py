"""The environment `endpoints.prod.yml` reads, derived from the app's settings.

Rasa expands `${NAME}` in its endpoints file but cannot read a Redis URL, so the lock store's
host, port and database are taken apart from `REDIS_URL` here: one setting for both sides.
"""

from urllib.parse import unquote, urlsplit

from assistant.settings import Settings


class RasaEndpointsError(ValueError):
    """A setting the production endpoints file needs is missing or unusable."""


def rasa_environment(settings: Settings) -> dict[str, str]:
    """Variables for the Rasa processes of the production profile (`endpoints.prod.yml`)."""
    if not settings.rasa_tracker_url:
        raise RasaEndpointsError(
            "set RASA_TRACKER_URL (e.g. postgresql://postgres@127.0.0.1:5432/rasa_tracker)"
        )
    if not settings.redis_url:
        raise RasaEndpointsError("set REDIS_URL (e.g. redis://127.0.0.1:6379/1)")
    redis = urlsplit(settings.redis_url)
    if redis.scheme != "redis":
        # Rasa's RedisLockStore takes TLS as a boolean the endpoints file can only give as text.
        raise RasaEndpointsError(f"REDIS_URL must be redis://..., not {redis.scheme}://")
    database = redis.path.strip("/") or "0"
    if not database.isdigit():
        raise RasaEndpointsError(f"REDIS_URL names database {database!r}; use a number")
    return {
        # No usage reports or exception reports to Rasa's makers from a production Rasa.
        "RASA_TELEMETRY_ENABLED": "false",
        "ACTIONS_URL": settings.actions_url.rstrip("/"),
        "ACTION_SERVER_TOKEN": settings.action_server_token,
        "RASA_TRACKER_URL": settings.rasa_tracker_url,
        "RASA_LOCK_HOST": redis.hostname or "127.0.0.1",
        "RASA_LOCK_PORT": str(redis.port or 6379),
        "RASA_LOCK_DB": database,
        "RASA_LOCK_USERNAME": unquote(redis.username or ""),
        "RASA_LOCK_PASSWORD": unquote(redis.password or ""),
    }
