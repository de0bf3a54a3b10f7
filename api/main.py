"""Build the FastAPI app: `uvicorn api.main:create_app --factory`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime

import httpx
from anyio import to_thread
from apscheduler.schedulers.background import BackgroundScheduler
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from api.auth import SignInRequired
from api.body_limit import BodyLimit
from api.origin_check import OriginCheck
from api.rate_limits import RateLimits
from api.refusals import refused
from api.routes import (
    account,
    admin_audit,
    admin_imports,
    admin_practice,
    admin_staff,
    admin_templates,
    api_docs,
    billing,
    chat,
    coordination,
    exports,
    front_desk,
    health,
    nurse,
    pages,
    practices,
    protocols,
    sign_in,
    staff_pages,
    support_resources,
    twilio,
    twilio_status,
)
from api.security_headers import SecurityHeaders
from api.state import AppState
from assistant.channels.mms import PictureFetcher
from assistant.channels.sms import InboxProcessor
from assistant.conversation.turn import TurnHandler
from assistant.coordination.rules import ALL_RULES
from assistant.db.engine import make_engine, make_session_factory
from assistant.dialogue.rasa_client import RasaClient
from assistant.errors import Refused
from assistant.escalation.sla import repage_overdue
from assistant.escalation.undelivered import notice_failed_replies
from assistant.messaging.outbox import deliver_pending
from assistant.messaging.twilio_gateway import make_gateway
from assistant.outreach.caps import OutreachLimits
from assistant.outreach.scheduler import OutreachScheduler
from assistant.practices.schedules import extend_schedules
from assistant.retention import apply_retention_periods, tracker_engine
from assistant.safety import language
from assistant.safety.triage import Triage
from assistant.secure_defaults import refuse_to_run_open
from assistant.settings import Settings, get_settings
from assistant.templates import TemplateRegistry

REQUEST_THREADS = 200
logger = logging.getLogger(__name__)
# Every router of the public listener (tests/api/test_permissions.py walks their routes); the
# action server's endpoints are on a listener of their own (api/internal_main.py).
ROUTE_MODULES = (
    api_docs,
    health,
    practices,
    chat,
    billing,
    pages,
    nurse,
    sign_in,
    account,
    staff_pages,
    twilio,
    twilio_status,
    admin_templates,
    admin_staff,
    admin_audit,
    admin_imports,
    admin_practice,
    protocols,
    coordination,
    support_resources,
    front_desk,
    exports,
)


def create_app(
    settings: Settings | None = None,
    *,
    rasa: RasaClient | None = None,
    triage: Triage | None = None,
    twilio_media_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """The api, wired to the database, templates and Rasa named by `settings`.

    Tests may pass their own Rasa client and Twilio media transport (HTTP boundaries) and an
    already loaded triage.
    """
    settings = settings or get_settings()
    refuse_to_run_open(settings)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per run otherwise
    registry = TemplateRegistry.load(settings.templates_dir)
    registry.check_required()
    engine = make_engine(settings.database_url)
    rasa = rasa or RasaClient(
        settings.rasa_url, timeout=settings.rasa_timeout, token=settings.rasa_token
    )
    triage = triage or Triage.load()
    language.load()
    sessions = make_session_factory(engine)
    turns = TurnHandler(
        registry=registry, dialogue=rasa, triage=triage, case_url_base=settings.public_base_url
    )
    # The API description is served to signed-in admins only (api/routes/api_docs.py).
    app = FastAPI(
        title="Oncology practice assistant",
        version="0.1.0",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.assistant = AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        registry=registry,
        rasa=rasa,
        turns=turns,
        inbox=InboxProcessor(sessions=sessions, turns=turns, triage=triage),
        sms_gateway=make_gateway(settings),
        outreach=OutreachScheduler(
            registry=registry,
            rules=ALL_RULES,
            limits=OutreachLimits(
                per_day=settings.outreach_daily_cap, per_week=settings.outreach_weekly_cap
            ),
            coordination_url=f"{settings.public_base_url.rstrip('/')}/coordination",
        ),
        limits=RateLimits(settings),
        pictures=PictureFetcher(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            allowed_url_prefixes=settings.twilio_media_url_prefixes,
            transport=twilio_media_transport,
        ),
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie="staff_session",
        same_site="strict",
        https_only=settings.public_base_url.startswith("https://"),
        max_age=12 * 3600,  # one shift
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(OriginCheck, public_base_url=settings.public_base_url)
    # The records import takes uploads: the one path with a larger limit of its own.
    app.add_middleware(BodyLimit, larger={admin_imports.API: admin_imports.UPLOAD_LIMIT})
    app.add_exception_handler(SignInRequired, _redirect_to_sign_in)
    app.add_exception_handler(Refused, refused)
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the api is up: deliver the outbox, page again for overdue cases, put a case with
    an undelivered staff reply back in the queue, fetch the pictures clients sent, answer SMS
    that wait (for Rasa, or after a crash), send what coordination rules say is due, and remove
    what is older than each practice's retention period, and date each practice's weekly shifts
    and on-call rota a few weeks ahead."""
    state: AppState = app.state.assistant
    # Sync endpoints run in this thread pool. A web-chat turn waits in it for Rasa, whose
    # actions call back into the api's internal endpoints, which need threads of their own:
    # room for them even when every conversation is mid-turn.
    to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    scheduler = BackgroundScheduler(timezone="UTC")
    jobs = (
        (_deliver_outbox, state.settings.outbox_poll_seconds),
        (_repage_overdue, state.settings.sla_check_seconds),
        (_notice_failed_replies, state.settings.sla_check_seconds),
        (_fetch_pictures, state.settings.picture_fetch_seconds),
        # Picks up SMS waiting for Rasa, and any a crash left half answered.
        (_sweep_inbox, state.settings.inbox_sweep_seconds),
        # Reminders, lab checks, checkpoints: each sent once, whichever process runs it.
        (_run_outreach, state.settings.outreach_poll_seconds),
        # Each practice's retention period; deleting what is already gone is harmless.
        (_apply_retention, state.settings.retention_check_seconds),
        # An approval written by another api worker, or words edited on disk.
        (_reload_changed_templates, state.settings.template_check_seconds),
        # Each practice file's weekly shifts and on-call rota, dated a few weeks ahead.
        (_extend_schedules, state.settings.schedule_extend_seconds),
    )
    for job, seconds in jobs:
        if seconds > 0:
            scheduler.add_job(
                job, "interval", seconds=seconds, args=[state], max_instances=1, coalesce=True
            )
    if scheduler.get_jobs():
        scheduler.start()
    yield
    if scheduler.running:
        scheduler.shutdown(wait=False)
    state.inbox.shutdown()


def _repage_overdue(state: AppState) -> None:
    with state.sessions() as session:
        repage_overdue(session, now=datetime.now(UTC), case_url_base=state.settings.public_base_url)
        session.commit()


def _notice_failed_replies(state: AppState) -> None:
    with state.sessions() as session:
        notice_failed_replies(session, now=datetime.now(UTC))
        session.commit()


def _fetch_pictures(state: AppState) -> None:
    with state.sessions() as session:
        state.pictures.run(session, now=datetime.now(UTC))


def _run_outreach(state: AppState) -> None:
    with state.sessions() as session:
        state.outreach.run(session, now=datetime.now(UTC))


def _apply_retention(state: AppState) -> None:
    tracker_url = state.settings.rasa_tracker_url
    tracker = tracker_engine(tracker_url) if tracker_url else None
    try:
        with state.sessions() as session:
            reports = apply_retention_periods(session, now=datetime.now(UTC), tracker=tracker)
            session.commit()
    finally:
        if tracker is not None:
            tracker.dispose()
    for slug, report in reports.items():
        if any(asdict(report).values()):
            logger.info("retention removed for %s: %s", slug, asdict(report))


def _extend_schedules(state: AppState) -> None:
    with state.sessions() as session:
        added = extend_schedules(session, datetime.now(UTC))
        session.commit()
    for slug, count in added.items():
        logger.info("shifts and on-call turns added for %s: %d", slug, count)


def _reload_changed_templates(state: AppState) -> None:
    if state.registry.reload_if_changed():
        logger.info("templates changed on disk: read again")


def _sweep_inbox(state: AppState) -> None:
    state.inbox.kick()


def _deliver_outbox(state: AppState) -> None:
    with state.sessions() as session:
        deliver_pending(session, gateway=state.sms_gateway, now=datetime.now(UTC))


async def _redirect_to_sign_in(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/login", status_code=303)
