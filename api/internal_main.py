"""The action server's listener: `uvicorn api.internal_main:create_internal_app --factory`,
bound to 127.0.0.1 (Procfile). Its endpoints open cases and read and book visits for a
conversation, so they are neither on the public listener nor in its API description; the
shared token guards them here as well (issue 18)."""

import logging

from fastapi import FastAPI

from api.body_limit import BodyLimit
from api.refusals import refused
from api.routes import internal, internal_billing, internal_booking
from api.state import StoreState
from assistant.db.engine import make_engine, make_session_factory
from assistant.errors import Refused
from assistant.secure_defaults import refuse_to_run_open
from assistant.settings import Settings, get_settings

INTERNAL_ROUTE_MODULES = (internal, internal_booking, internal_billing)


def create_internal_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    refuse_to_run_open(settings)
    logging.basicConfig(level=logging.INFO)
    engine = make_engine(settings.database_url)
    app = FastAPI(
        title="Oncology practice assistant: action server endpoints",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.assistant = StoreState(
        settings=settings, engine=engine, sessions=make_session_factory(engine)
    )
    app.add_middleware(BodyLimit)
    app.add_exception_handler(Refused, refused)
    for module in INTERNAL_ROUTE_MODULES:
        app.include_router(module.router)
    app.add_api_route("/internal/health", _health, methods=["GET"])
    return app


def _health() -> dict[str, str]:
    """Up (the public /health reports it as `internal_api`); says nothing else."""
    return {"status": "ok"}
