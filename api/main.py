"""Build the FastAPI app: `uvicorn api.main:create_app --factory`."""

import logging

from fastapi import FastAPI

from api.routes import chat, health, internal, pages, practices
from api.state import AppState
from assistant.conversation.turn import TurnHandler
from assistant.db.engine import make_engine, make_session_factory
from assistant.dialogue.rasa_client import RasaClient
from assistant.settings import Settings, get_settings
from assistant.templates import TemplateRegistry


def create_app(settings: Settings | None = None, *, rasa: RasaClient | None = None) -> FastAPI:
    """The api, wired to the database, templates and Rasa named by `settings`."""
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO)
    registry = TemplateRegistry.load(settings.templates_dir)
    registry.check_required()
    engine = make_engine(settings.database_url)
    rasa = rasa or RasaClient(settings.rasa_url, timeout=settings.rasa_timeout)

    app = FastAPI(title="Oncology practice assistant", version="0.1.0")
    app.state.assistant = AppState(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        registry=registry,
        rasa=rasa,
        turns=TurnHandler(registry=registry, dialogue=rasa),
    )
    for router in (health.router, practices.router, chat.router, internal.router, pages.router):
        app.include_router(router)
    return app
