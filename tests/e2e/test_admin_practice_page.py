"""The practice settings page in a real browser (issue 19): an admin reads the practice as its
file, checks a change (listed, nothing written), applies it, and a mistake shows its line."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_dashboard import sign_in
from tests.support import processes

pytestmark = pytest.mark.e2e
ADMIN = "pat.sullivan@cedar-vet.example.org"


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("settings")
    with processes.running_api(
        workdir, RASA_URL="http://127.0.0.1:9", SLA_CHECK_SECONDS="0"
    ) as url:
        yield url


def test_an_admin_checks_and_applies_a_change_to_the_practice(
    api_url: str, browser: Browser
) -> None:
    page = browser.new_page()
    sign_in(page, api_url, ADMIN)
    page.click("text=Settings")
    expect(page.locator("#file")).to_have_value(re.compile("slug: cedar-vet-oncology"))
    text = page.locator("#file").input_value()

    page.fill(
        "#file",
        text.replace("name: Cedar Veterinary Oncology", "name: Cedar Animal Cancer Center", 1),
    )
    page.click("#check")
    result = page.locator("#result")
    expect(result).to_contain_text("Applying would make 1 change(s)")
    expect(result).to_contain_text("'Cedar Veterinary Oncology' -> 'Cedar Animal Cancer Center'")
    page.click("#apply")
    expect(result).to_contain_text("Applied 1 change(s)")
    expect(page.locator("#file")).to_have_value(re.compile("name: Cedar Animal Cancer Center"))

    broken = (
        page.locator("#file")
        .input_value()
        .replace("timezone: America/Chicago", "timezone: Chicago")
    )
    page.fill("#file", broken)
    page.click("#apply")
    line = next(i for i, x in enumerate(broken.splitlines(), 1) if x.startswith("timezone:"))
    expect(result).to_contain_text("1 problem(s) in the file; nothing applied")
    expect(result).to_contain_text(f"line {line}: timezone: 'Chicago' is not a time zone name")
