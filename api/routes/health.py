"""`GET /health`: each component's state, for `make run` and monitoring."""

import httpx
import redis
from fastapi import APIRouter, Response
from sqlalchemy import text

from api.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(state: StateDep, response: Response) -> dict[str, object]:
    rasa_processes = state.rasa.process_states()
    components = {
        "database": _check_database(state),
        "rasa": _summary(rasa_processes),
        "actions": _check_up(f"{state.settings.actions_url}/health"),
        # The action server's endpoints, on their own listener (api/internal_main.py).
        "internal_api": _check_up(f"{state.settings.internal_api_url}/internal/health"),
        "templates": "ok",  # the registry is checked at start-up; the app would not run otherwise
    }
    if state.settings.redis_url:
        # Rasa's lock store: without it every turn of several Rasa processes fails.
        components["redis"] = _check_redis(state.settings.redis_url)
    healthy = all(value == "ok" for value in components.values())
    response.status_code = 200 if healthy else 503
    body: dict[str, object] = {"status": "ok" if healthy else "degraded", "components": components}
    if len(rasa_processes) > 1:
        body["rasa_processes"] = rasa_processes
    return body


def _check_database(state: StateDep) -> str:
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _summary(rasa_processes: dict[str, str]) -> str:
    """`ok` when every Rasa process is; else what is wrong (with which one, when several)."""
    if len(rasa_processes) == 1:
        return next(iter(rasa_processes.values()))
    wrong = [f"{url} {state}" for url, state in rasa_processes.items() if state != "ok"]
    return "; ".join(wrong) if wrong else "ok"


def _check_redis(url: str) -> str:
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"unreachable: {exc.__class__.__name__}"
    finally:
        client.close()
    return "ok"


def _check_up(url: str) -> str:
    try:
        response = httpx.get(url, timeout=3)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return "ok"
