"""`GET /health`: each component's state, for `make run` and monitoring."""

import httpx
from fastapi import APIRouter, Response
from sqlalchemy import text

from api.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(state: StateDep, response: Response) -> dict[str, object]:
    components = {
        "database": _check_database(state),
        "rasa": _check_rasa(state),
        "actions": _check_actions(state),
        "templates": "ok",  # the registry is checked at start-up; the app would not run otherwise
    }
    healthy = all(value == "ok" for value in components.values())
    response.status_code = 200 if healthy else 503
    return {"status": "ok" if healthy else "degraded", "components": components}


def _check_database(state: StateDep) -> str:
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_rasa(state: StateDep) -> str:
    try:
        status = state.rasa.status()
    except httpx.HTTPError as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return "ok" if status.get("model_file") else "no model loaded"


def _check_actions(state: StateDep) -> str:
    try:
        response = httpx.get(f"{state.settings.actions_url}/health", timeout=3)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return "ok"
