"""The records import page in a real browser (Debian's Chromium, driven by Playwright), on an
api process over a demo database: an admin finds it from the queue, checks the sample export
with a dry run, imports it, and sees a bad row's line and reason. No Rasa is needed."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from assistant.settings import ROOT
from tests.e2e.test_dashboard import SCREENSHOTS, sign_in
from tests.support import processes

pytestmark = pytest.mark.e2e
VET_ADMIN = "pat.sullivan@cedar-vet.example.org"
SAMPLE = ROOT / "examples" / "records" / "cedar-vet"
SAMPLE_FILES = [
    SAMPLE / name
    for name in ("clients.csv", "patients.csv", "links.csv", "appointments.csv", "labs.csv")
]
# What the sample holds (tests/assistant/imports/test_sample.py).
EXPECTED = {"clients": 20, "patients": 22, "links": 23, "appointments": 8, "labs": 4}


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("imports")
    with processes.running_api(
        workdir, RASA_URL="http://127.0.0.1:9", SLA_CHECK_SECONDS="0", OUTREACH_POLL_SECONDS="0"
    ) as url:
        yield url


def count(kind: str, outcome: str) -> str:
    return f"#counts tr[data-kind={kind}] td[data-outcome={outcome}]"


def run(page: Page, files: list[Path], *, mapping: Path | None, dry_run: bool) -> None:
    page.set_input_files("#files", files)
    page.set_input_files("#mapping", [mapping] if mapping else [])
    page.check("#mode-check" if dry_run else "#mode-import")
    page.click("#run")


def test_an_admin_checks_imports_and_sees_a_bad_row(
    api_url: str, browser: Browser, tmp_path: Path
) -> None:
    page = browser.new_page()
    sign_in(page, api_url, VET_ADMIN)
    page.click("text=Import records")  # the link in the queue page's header
    expect(page).to_have_url(f"{api_url}/admin/imports")

    run(page, SAMPLE_FILES, mapping=SAMPLE / "mapping.yml", dry_run=True)

    expect(page.locator("#outcome")).to_contain_text("Dry run: nothing was written")
    for kind, n in EXPECTED.items():
        expect(page.locator(count(kind, "created"))).to_have_text(str(n))
    expect(page.locator("#no-refusals")).to_be_visible()

    run(page, SAMPLE_FILES, mapping=SAMPLE / "mapping.yml", dry_run=False)

    expect(page.locator("#outcome")).to_contain_text("Imported from clients.csv")
    for kind, n in EXPECTED.items():
        expect(page.locator(count(kind, "created"))).to_have_text(str(n))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-imports.png"), full_page=True)

    # Everything is there now: the same files again change nothing.
    run(page, SAMPLE_FILES, mapping=SAMPLE / "mapping.yml", dry_run=True)
    expect(page.locator(count("links", "unchanged"))).to_have_text("23")
    expect(page.locator(count("clients", "created"))).to_have_text("0")

    bad = tmp_path / "clients-new.csv"
    bad.write_text(
        "Client ID,First Name,Last Name,Mobile Phone,SMS Opt In\n"
        "C-5001,Ada,Byrne,(224) 555-0190,Y\n"
        "C-5002,Bo,Cole,not a number,Y\n"
    )
    run(page, [bad], mapping=None, dry_run=False)

    refused = page.locator("#refused tr")
    expect(refused).to_have_count(1)
    expect(refused.nth(0)).to_have_text(
        "clients-new.csv3bad phone number 'not a number': not a valid number in US"
    )
    expect(page.locator(count("clients", "created"))).to_have_text("1")
    expect(page.locator(count("clients", "refused"))).to_have_text("1")
    expect(page.locator("#outcome")).to_contain_text("1 row(s) refused and left out")
    page.screenshot(path=str(SCREENSHOTS / "admin-imports-refused.png"), full_page=True)


def test_a_too_large_upload_is_refused_with_words_on_the_page(
    api_url: str, browser: Browser, tmp_path: Path
) -> None:
    page = browser.new_page()
    sign_in(page, api_url, VET_ADMIN)
    page.goto(f"{api_url}/admin/imports")
    big = tmp_path / "clients.csv"
    row = "C-1,Ada,Byrne,(224) 555-0190,Y\n"
    big.write_text("Client ID,First Name,Last Name,Mobile Phone,SMS Opt In\n" + row * 400_000)

    run(page, [big], mapping=None, dry_run=False)

    expect(page.locator("#message")).to_contain_text("the upload is larger than 10 MB in all")
    expect(page.locator("#report")).to_be_hidden()
