"""The front desk page in a real browser (issue 19): a nurse finds a patient, books, moves and
cancels a visit, adds a new patient with a client, and a bad phone number is refused with its
reason on the page."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_dashboard import sign_in
from tests.support import processes

pytestmark = pytest.mark.e2e
NURSE = "jordan.reyes@cedar-vet.example.org"


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("front-desk")
    with processes.running_api(
        workdir, RASA_URL="http://127.0.0.1:9", SLA_CHECK_SECONDS="0"
    ) as url:
        yield url


def _next_weekday(weekday: int, at: str) -> str:
    """The datetime-local value of the next such weekday at least 2 days ahead, in Chicago."""
    day = datetime.now(ZoneInfo("America/Chicago")).date() + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return f"{day.isoformat()}T{at}"


def test_a_nurse_books_moves_and_cancels_a_visit_by_hand(api_url: str, browser: Browser) -> None:
    page = browser.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Cancel the visit?"
    sign_in(page, api_url, NURSE)
    page.click("text=Front desk")
    page.fill("#q", "312 555 0120")  # Maria Alvarez's number
    page.click("#search button")
    biscuit = page.locator("[data-patient='Biscuit']")
    expect(biscuit).to_be_visible()
    expect(page.locator("[data-patient='Pepper']")).to_be_visible()

    book = biscuit.locator("form.book")
    book.locator("select").first.select_option("recheck_exam")
    book.locator("input[type=datetime-local]").fill(_next_weekday(2, "16:00"))
    book.locator("button").click()
    expect(page.locator("#message")).to_contain_text("Booked Recheck exam")
    expect(page.locator("#message")).to_contain_text("16:00 with Evelyn Hart")
    row = biscuit.locator("tr[data-visit='recheck_exam']").filter(has_text="16:00")
    expect(row).to_have_count(1)

    row.locator("input[type=datetime-local]").fill(_next_weekday(3, "15:30"))
    row.locator("button:has-text('Move')").click()
    expect(page.locator("#message")).to_contain_text("Moved Recheck exam")
    moved = biscuit.locator("tr[data-visit='recheck_exam']").filter(has_text="15:30")
    expect(moved).to_have_count(1)
    moved.locator("button:has-text('Cancel visit')").click()
    expect(page.locator("#message")).to_contain_text("Cancelled Recheck exam")
    expect(biscuit.locator("tr[data-visit='recheck_exam']").filter(has_text="15:30")).to_have_count(
        0
    )


def test_a_nurse_adds_a_patient_and_a_bad_number_is_explained(
    api_url: str, browser: Browser
) -> None:
    page = browser.new_page()
    sign_in(page, api_url, NURSE)
    page.goto(f"{api_url}/front-desk")
    page.fill("#np-name", "Waffles")
    page.fill("#np-species", "dog")
    page.fill("#np-breed", "Beagle")
    page.fill("#np-first", "Noor")
    page.fill("#np-last", "Haddad")
    page.fill("#np-phone", "(312) 555-0177")
    page.click("#new-patient button")
    expect(page.locator("#message")).to_have_text("Added Waffles.")
    waffles = page.locator("[data-patient='Waffles']")
    client = waffles.locator("tr[data-contact='Noor Haddad']")
    expect(client).to_contain_text("not asked yet")  # consent: only the client's own text sets it

    client.locator("input[aria-label=mobile]").fill("555")
    client.locator("button:has-text('Save client')").click()
    expect(page.locator("#message")).to_contain_text("not a valid phone number")
    # Nothing was saved: found again, the client keeps the number.
    expect(page.locator("#q")).to_have_value("Waffles")
    page.click("#search button")
    expect(
        waffles.locator("tr[data-contact='Noor Haddad'] input[aria-label=mobile]")
    ).to_have_value("+13125550177")
