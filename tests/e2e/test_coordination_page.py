"""The coordination page in a real browser (Debian's Chromium, driven by Playwright), on an api
process over a demo database: a visit with its missing blood count, and an alert resolved.

The rows the page shows are written by the test itself, so it does not depend on what the
demo data holds for coordination.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.models import (
    Appointment,
    AppointmentType,
    Patient,
    Practice,
    StaffAlert,
    StaffUser,
)
from tests.e2e.test_dashboard import SCREENSHOTS, sign_in
from tests.support import processes

pytestmark = pytest.mark.e2e
VET_NURSE = "jordan.reyes@cedar-vet.example.org"
ALERT_TEXT = "No CBC on file for Pickle's chemotherapy."


@dataclass
class Api:
    url: str
    database: Path


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    workdir = tmp_path_factory.mktemp("coordination")
    database = workdir / "assistant.db"
    # No background jobs: the page shows only the rows this test writes.
    env = processes.app_environment(
        database,
        RASA_URL="http://127.0.0.1:9",
        SLA_CHECK_SECONDS="0",
        OUTREACH_POLL_SECONDS="0",
    )
    processes.prepare_database(env)
    port = processes.free_port()
    command = processes.api_command(port)
    process = processes.start("api", command, env, workdir)
    url = f"http://127.0.0.1:{port}"
    try:
        processes.wait_for(f"{url}/api/v1/practices", {"api": process}, workdir, timeout=120)
        yield Api(url=url, database=database)
    finally:
        processes.stop(process)


def seed_pickle(database: Path) -> None:
    """A dog with chemotherapy in two days, no blood count on file, and the alert about it."""
    engine = make_engine(f"sqlite:///{database}")
    try:
        with make_session_factory(engine)() as session:
            practice = session.scalars(
                select(Practice).where(Practice.slug == "cedar-vet-oncology")
            ).one()
            chemo = session.scalars(
                select(AppointmentType).where(
                    AppointmentType.practice_id == practice.id,
                    AppointmentType.code == "chemo_treatment",
                )
            ).one()
            oncologist = session.scalars(
                select(StaffUser).where(
                    StaffUser.practice_id == practice.id, StaffUser.role == "oncologist"
                )
            ).first()
            assert oncologist is not None
            pickle = Patient(practice_id=practice.id, kind="animal", name="Pickle", species="dog")
            session.add(pickle)
            session.flush()
            # An odd minute: no demo booking of the oncologist starts then.
            starts_at = (datetime.now(UTC) + timedelta(days=2)).replace(
                minute=7, second=0, microsecond=0
            )
            visit = Appointment(
                practice_id=practice.id,
                patient_id=pickle.id,
                appointment_type_id=chemo.id,
                clinician_id=oncologist.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                status="booked",
            )
            session.add(visit)
            session.flush()
            session.add(
                StaffAlert(
                    key=f"e2e-labs-missing-appt-{visit.id}",
                    practice_id=practice.id,
                    rule="labs_missing",
                    patient_id=pickle.id,
                    appointment_id=visit.id,
                    text=ALERT_TEXT,
                )
            )
            session.commit()
    finally:
        engine.dispose()


def test_a_nurse_sees_what_is_missing_and_resolves_an_alert(api: Api, browser: Browser) -> None:
    seed_pickle(api.database)
    page = browser.new_page()

    sign_in(page, api.url, VET_NURSE)
    page.click("text=Coordination")  # the link in the nurse queue's header
    expect(page).to_have_url(f"{api.url}/coordination")
    pickle = page.locator("section.patient", has_text="Pickle")
    expect(pickle).to_have_count(1)
    expect(pickle.locator(".missing")).to_contain_text("CBC before Chemotherapy treatment")
    expect(pickle.locator("table")).to_contain_text("CBC missing")
    alert = pickle.locator(".alert", has_text=ALERT_TEXT)
    expect(alert).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "coordination.png"), full_page=True)

    alert.locator("button.resolve").click()

    # The page reloads from the api: the alert is gone, the visit and its gap are still there.
    expect(page.locator(".alert", has_text=ALERT_TEXT)).to_have_count(0)
    expect(page.locator("section.patient", has_text="Pickle").locator(".missing")).to_contain_text(
        "CBC before Chemotherapy treatment"
    )
    page.reload()
    expect(page.locator("#status")).to_contain_text("patient(s)")
    expect(page.locator(".alert", has_text=ALERT_TEXT)).to_have_count(0)
