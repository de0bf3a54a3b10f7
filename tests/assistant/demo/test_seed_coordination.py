"""The demo coordination records, and what the real rules and templates make of them: the
coordination page has something to show on the first `make run`."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.coordination.rules import ALL_RULES
from assistant.coordination.surgical_cases import missing_items
from assistant.db.engine import make_session_factory
from assistant.db.models import OutboxMessage, StaffAlert, SupportResource, SurgicalCase
from assistant.demo import load_demo_data
from assistant.outreach.caps import OutreachLimits
from assistant.outreach.scheduler import OutreachScheduler
from assistant.settings import ROOT
from assistant.templates import TemplateRegistry

TODAY = date(2026, 3, 2)  # a Monday
BOSTON = ZoneInfo("America/New_York")


@pytest.fixture
def demo(engine: Engine) -> Iterator[Session]:
    factory = make_session_factory(engine)
    with factory() as loader:
        assert load_demo_data(loader, today=TODAY) is True
        loader.commit()
    with factory() as s:
        yield s


def test_the_surgical_cases_miss_what_the_demo_says(demo: Session) -> None:
    now = datetime.combine(TODAY, time(12), tzinfo=BOSTON).astimezone(UTC)
    cases = {c.ref: c for c in demo.scalars(select(SurgicalCase))}

    missing = {
        ref: [i.code for i in missing_items(c, now=now, kind="test")] for ref, c in cases.items()
    }

    assert missing == {
        "CASE-1001": [],
        "CASE-1002": ["chest_xray"],
        "CASE-1003": ["labs", "cardiac_clearance"],
    }
    assert cases["CASE-1001"].status == "done"
    assert cases["CASE-1002"].authorization_status == "pending"
    assert demo.scalars(select(SupportResource.title)).all()[:1] == ["AVMA pet loss page"]


def test_the_first_run_on_the_demo_alerts_staff_about_pathology_and_authorization(
    demo: Session,
) -> None:
    scheduler = OutreachScheduler(
        registry=TemplateRegistry.load(ROOT / "templates"),
        rules=ALL_RULES,
        limits=OutreachLimits(),
        coordination_url="http://127.0.0.1:8000/coordination",
    )
    now = datetime.combine(TODAY, time(13), tzinfo=BOSTON).astimezone(UTC)

    scheduler.run(demo, now=now)

    rules = set(demo.scalars(select(StaffAlert.rule)))
    assert {"pathology_not_passed_on", "authorization_pending"} <= rules
    assert "postop_followup" not in rules  # Linda Chen's post-op visit is booked
    pages = demo.scalars(select(OutboxMessage).where(OutboxMessage.kind == "page")).all()
    assert pages and all("/coordination" in p.body for p in pages)
