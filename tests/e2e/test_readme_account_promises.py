"""README promises about staff accounts, the audit of looks, and claim-status texts, followed
from outside to where a person sees them: a real api process on a fresh demo database, its
pages and JSON over HTTP, and a real browser (Debian's Chromium through Playwright) for the
two-step sign-in.

Each test uses demo accounts no other test here touches, so any one can run alone. The demo
e-mails not printed in the README follow its pattern (first.last@practice domain) for names
the case page's staff list (`/api/v1/nurse/staff`) shows.
"""

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from assistant.demo.seed import DEMO_STAFF_PASSWORD
from tests.support import processes

pytestmark = pytest.mark.e2e


CEDAR = "cedar-vet.example.org"
HARBOR = "harbor-surgical.example.org"
NEW_PASSWORD = "violet lantern harbor tide"


@dataclass
class Api:
    url: str
    database: Path


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The api alone (Rasa unreachable: nothing here needs the dialogue), with the outreach
    scheduler and deadline check off so that the only texts are the ones a test causes."""
    workdir = tmp_path_factory.mktemp("account_promises")
    with processes.running_api(
        workdir,
        RASA_URL="http://127.0.0.1:9",
        SLA_CHECK_SECONDS="0",
        OUTREACH_POLL_SECONDS="0",
    ) as url:
        yield Api(url=url, database=workdir / "assistant.db")


@pytest.fixture
def client(api: Api) -> Iterator[Callable[[], httpx.Client]]:
    """A factory of cookie jars: each is one browser-like session of its own (no Origin
    header, so the api's foreign-Origin check does not apply)."""
    made: list[httpx.Client] = []

    def new() -> httpx.Client:
        made.append(httpx.Client(base_url=api.url, timeout=30))
        return made[-1]

    yield new
    for c in made:
        c.close()


# --- helpers -------------------------------------------------------------------------------


def sign_in(session: httpx.Client, email: str, password: str = DEMO_STAFF_PASSWORD) -> str:
    """Post the sign-in form; returns where it sends the person ("" when it does not)."""
    response = session.post("/login", data={"email": email, "password": password})
    if response.status_code in (302, 303):
        return response.headers["location"].removeprefix(str(session.base_url).rstrip("/"))
    return ""


def signed_in(new: Callable[[], httpx.Client], email: str) -> httpx.Client:
    session = new()
    assert sign_in(session, email) in ("/nurse", "/billing"), f"{email} could not sign in"
    return session


def sees_the_queue(session: httpx.Client) -> bool:
    return session.get("/api/v1/nurse/queue").status_code == 200


def notices(html: str) -> list[str]:
    """What a page says back after a form post (its role=alert and role=status lines)."""
    return [
        " ".join(text.split())
        for text in re.findall(r'role="(?:alert|status)"[^>]*>(.*?)</', html, re.S)
    ]


def state_line(html: str) -> str:
    found = re.search(r'id="state">(.*?)</', html, re.S)
    return found.group(1).strip() if found else ""


def step_codes(totp: pyotp.TOTP) -> tuple[str, str, str]:
    """The app's previous, current and next code, taken at least 3 s before the step turns
    (so the three stay within the one step either side that any TOTP check allows)."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.1)
    now = time.time()
    return totp.at(now - 30), totp.at(now), totp.at(now + 30)


def wrong_code(totp: pyotp.TOTP) -> str:
    """Six digits that are none of the codes near now."""
    near = {totp.at(time.time() + 30 * k) for k in range(-3, 4)}
    return next(code for code in (f"{n:06d}" for n in range(10**6)) if code not in near)


def turn_on_two_step(session: httpx.Client, code: Callable[[pyotp.TOTP], str]) -> pyotp.TOTP:
    """The enrolment page, as an authenticator app reads it (the key under the QR code)."""
    page = session.get("/account/two-factor")
    secret = re.search(r'id="secret">\s*([A-Z2-7]+)\s*<', page.text)
    assert secret, page.text
    totp = pyotp.TOTP(secret.group(1))
    done = session.post("/account/two-factor", data={"code": code(totp)})
    assert done.status_code == 200, notices(done.text)
    assert state_line(done.text).startswith("On for"), done.text
    return totp


class _Table(HTMLParser):
    """The rows of a page's table, as dicts keyed by the column headings."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.rows: list[dict[str, str]] = []
        self._cells: list[str] | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cells is not None and self._text is not None:
            self._cells.append(" ".join("".join(self._text).split()))
            self._text = None
            if tag == "th":
                self.headings.append(self._cells[-1])
        elif tag == "tr" and self._cells is not None:
            if len(self._cells) == len(self.headings) and self._cells != self.headings:
                self.rows.append(dict(zip(self.headings, self._cells, strict=True)))
            self._cells = None


def outbox_page(session: httpx.Client) -> list[dict[str, str]]:
    """`/nurse/outbox`, the staff page listing texts out, row by row."""
    response = session.get("/nurse/outbox")
    assert response.status_code == 200, response.status_code
    table = _Table()
    table.feed(response.text)
    assert {"To", "Template", "Text"} <= set(table.headings), table.headings
    return table.rows


# The audit log. The README names no page or endpoint that shows it, so these read its
# storage: the `audit_log` table of the api's SQLite file, opened read-only. This is where the
# rows are kept, not a place a person using the product sees them.


def audit_rows(api: Api, after_id: int = 0) -> list[dict]:
    with closing(sqlite3.connect(f"file:{api.database}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT id, actor, action, entity_type, entity_id, details, created_at"
            " FROM audit_log WHERE id > ? ORDER BY id",
            (after_id,),
        ).fetchall()
    return [{**dict(row), "details": json.loads(row["details"] or "{}")} for row in rows]


def last_audit_id(api: Api) -> int:
    rows = audit_rows(api)
    return rows[-1]["id"] if rows else 0


def audited_actor(api: Api, email: str, after_id: int) -> str:
    """The actor the audit log records for `email`, from the row of its sign-in."""
    actors = {
        row["actor"]
        for row in audit_rows(api, after_id)
        if row["action"] == "staff.signed_in" and row["details"].get("email") == email
    }
    assert len(actors) == 1, f"sign-in of {email} audited as {actors}"
    return actors.pop()


def actions_of(api: Api, actor: str, after_id: int) -> list[str]:
    return [row["action"] for row in audit_rows(api, after_id) if row["actor"] == actor]


# --- /account/password -----------------------------------------------------------------------


def test_a_new_password_works_the_old_one_stops_and_other_sessions_are_signed_out(
    api: Api, client: Callable[[], httpx.Client]
) -> None:
    """README: "`/account/password` changes your own password ... Each of these signs you out
    everywhere else, and is audited"."""
    email = f"beth.ramsey@{HARBOR}"
    before = last_audit_id(api)
    here, elsewhere = signed_in(client, email), signed_in(client, email)
    assert sees_the_queue(here) and sees_the_queue(elsewhere)

    changed = here.post(
        "/account/password",
        data={"current": DEMO_STAFF_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert changed.status_code == 200, notices(changed.text)
    assert any("password is changed" in line for line in notices(changed.text))
    assert sees_the_queue(here), "the session that changed it stays signed in"
    assert not sees_the_queue(elsewhere), "the other session is still signed in"
    queue_page = elsewhere.get("/nurse")
    assert queue_page.status_code in (302, 303)
    assert queue_page.headers["location"].endswith("/login")
    assert sign_in(client(), email, DEMO_STAFF_PASSWORD) == "", "the old password still works"
    assert sign_in(client(), email, NEW_PASSWORD) == "/nurse"
    actor = audited_actor(api, email, before)
    assert "staff.password_changed" in actions_of(api, actor, before)


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        ("short-pw", "12 characters"),
        ("a9" * 64 + "b", "128 characters"),
        (f"jordan.reyes@{CEDAR}", "name or e-mail"),
        ("Jordan Reyes 2026", "name or e-mail"),
    ],
    ids=["too-short", "too-long", "e-mail", "name"],
)
def test_a_password_outside_the_rules_is_refused_with_the_reason_on_the_page(
    api: Api, client: Callable[[], httpx.Client], new: str, reason: str
) -> None:
    """README: "`/account/password` changes your own password (12 to 128 characters, not your
    name or e-mail)". Posted as a form without the browser's own `minlength` check, so the
    refusal is the api's."""
    email = f"jordan.reyes@{CEDAR}"
    session = signed_in(client, email)

    refused = session.post(
        "/account/password", data={"current": DEMO_STAFF_PASSWORD, "new": new, "confirm": new}
    )

    assert refused.status_code >= 400, refused.status_code
    assert any(reason in line for line in notices(refused.text)), notices(refused.text)
    assert sign_in(client(), email, DEMO_STAFF_PASSWORD) == "/nurse"


# --- /account/two-factor --------------------------------------------------------------------


def browser_sign_in(page: Page, api: Api, email: str) -> None:
    page.goto(f"{api.url}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_STAFF_PASSWORD)
    page.click("button[type=submit]")


def test_two_step_sign_in_in_a_browser_asks_for_the_code_after_the_password(
    api: Api, browser: Browser
) -> None:
    """README: "`/account/two-factor` turns on two-step sign-in: scan the QR code with any
    authenticator app for time-based codes, and from then on signing in asks for the app's
    six-digit code after the password ... Each of these signs you out everywhere else, and is
    audited"."""
    email = f"evelyn.hart@{CEDAR}"
    before = last_audit_id(api)
    elsewhere = browser.new_page()
    browser_sign_in(elsewhere, api, email)
    expect(elsewhere).to_have_url(f"{api.url}/nurse")

    page = browser.new_page()
    browser_sign_in(page, api, email)
    expect(page).to_have_url(f"{api.url}/nurse")
    page.click("text=Two-step sign-in")
    expect(page.locator("svg")).to_be_visible()  # the QR code
    totp = pyotp.TOTP(page.locator("#secret").inner_text().strip())
    page.fill("#code", step_codes(totp)[1])
    page.click("button[type=submit]")
    expect(page.locator("[role=status]")).to_contain_text("Two-step sign-in is on")
    expect(page.locator("#state")).to_have_text(f"On for {email}.")

    elsewhere.goto(f"{api.url}/nurse")
    expect(elsewhere).to_have_url(f"{api.url}/login")  # signed out everywhere else

    later = browser.new_page()
    browser_sign_in(later, api, email)
    expect(later).to_have_url(f"{api.url}/login/code")
    later.goto(f"{api.url}/nurse")  # the password alone does not reach the queue
    expect(later).to_have_url(f"{api.url}/login")
    browser_sign_in(later, api, email)
    expect(later).to_have_url(f"{api.url}/login/code")
    later.fill("#code", totp.at(time.time() + 30))
    later.click("button[type=submit]")
    expect(later).to_have_url(f"{api.url}/nurse")
    expect(later.locator("#status")).to_contain_text("open case(s)")

    actor = audited_actor(api, email, before)
    assert "staff.two_factor_on" in actions_of(api, actor, before)


def test_each_code_works_only_once(api: Api, client: Callable[[], httpx.Client]) -> None:
    """README: "from then on signing in asks for the app's six-digit code after the password
    (each code works once ...)"."""
    email = f"casey.morgan@{CEDAR}"
    totp = turn_on_two_step(signed_in(client, email), lambda totp: step_codes(totp)[0])
    code = step_codes(totp)[1]

    first = client()
    assert sign_in(first, email) == "/login/code"
    assert not sees_the_queue(first), "the password alone reached the queue"
    used = first.post("/login/code", data={"code": code})
    assert used.status_code == 303 and used.headers["location"].endswith("/nurse")
    assert sees_the_queue(first)

    second = client()
    assert sign_in(second, email) == "/login/code"
    again = second.post("/login/code", data={"code": code})

    assert again.status_code >= 400, (again.status_code, again.headers.get("location"))
    assert any("already used" in line for line in notices(again.text)), notices(again.text)
    assert not sees_the_queue(second)


def test_five_wrong_codes_lock_the_account(api: Api, client: Callable[[], httpx.Client]) -> None:
    """README: "five wrong codes lock the account like five wrong passwords"."""
    email = f"dana.whitaker@{HARBOR}"
    before = last_audit_id(api)
    totp = turn_on_two_step(signed_in(client, email), lambda totp: step_codes(totp)[0])

    waiting = client()  # a sign-in that got past the password before the lock
    for attempt in range(1, 6):
        if attempt == 5:
            assert sign_in(waiting, email) == "/login/code"
        session = client()
        assert sign_in(session, email) == "/login/code", f"locked before wrong code {attempt}"
        wrong = session.post("/login/code", data={"code": wrong_code(totp)})
        assert wrong.status_code >= 400, wrong.status_code
        assert not sees_the_queue(session)

    refused = client().post("/login", data={"email": email, "password": DEMO_STAFF_PASSWORD})
    assert refused.status_code == 429, (refused.status_code, refused.headers.get("location"))
    assert any("Too many failed sign-ins" in line for line in notices(refused.text))
    right_code = waiting.post("/login/code", data={"code": step_codes(totp)[2]})
    assert right_code.status_code == 429, right_code.status_code
    assert not sees_the_queue(waiting), "a right code got past the lock"
    failures = [
        row
        for row in audit_rows(api, before)
        if row["action"] == "staff.sign_in_failed" and row["details"].get("email") == email
    ]
    assert len(failures) >= 5, failures


def test_turning_two_step_off_takes_the_password_and_a_code(
    api: Api, client: Callable[[], httpx.Client]
) -> None:
    """README: "Turning it off takes the password and a code. Each of these signs you out
    everywhere else, and is audited"."""
    email = f"laura.kim@{HARBOR}"
    before = last_audit_id(api)
    here = signed_in(client, email)
    totp = turn_on_two_step(here, lambda totp: step_codes(totp)[0])
    _, current, following = step_codes(totp)
    elsewhere = client()
    assert sign_in(elsewhere, email) == "/login/code"
    elsewhere.post("/login/code", data={"code": current})
    assert sees_the_queue(elsewhere)

    for form in (
        {"password": DEMO_STAFF_PASSWORD},
        {"password": "not-the-password-at-all", "code": following},
        {"password": DEMO_STAFF_PASSWORD, "code": wrong_code(totp)},
    ):
        refused = here.post("/account/two-factor/off", data=form)
        assert refused.status_code >= 400, (form.keys(), refused.status_code)
        shown = here.get("/account/two-factor")
        assert state_line(shown.text) == f"On for {email}.", form.keys()

    off = here.post(
        "/account/two-factor/off", data={"password": DEMO_STAFF_PASSWORD, "code": following}
    )

    assert off.status_code == 200, notices(off.text)
    assert state_line(off.text) == f"Off for {email}."
    assert sees_the_queue(here)
    assert not sees_the_queue(elsewhere), "the other session is still signed in"
    assert sign_in(client(), email) == "/nurse", "the password alone does not sign in again"
    actor = audited_actor(api, email, before)
    assert "staff.two_factor_off" in actions_of(api, actor, before)


# --- the audit of looks ---------------------------------------------------------------------


def test_every_look_at_a_case_queue_coordination_view_and_outbox_is_audited_once(
    api: Api, client: Callable[[], httpx.Client]
) -> None:
    """README: "and is audited, as is every sign-in, failure, and every look at a case, a queue,
    the coordination view or the outbox (once per person and thing in 15 minutes)"."""
    opened = httpx.post(
        f"{api.url}/api/v1/chat/cedar-vet-oncology/messages",
        json={"text": "probably nothing but luna collapsed and her gums look white"},
        timeout=30,
    )
    assert opened.status_code == 200, opened.text
    case_id = opened.json()["escalation"]["id"]
    before = last_audit_id(api)
    nurse = signed_in(client, f"jordan.reyes@{CEDAR}")
    admin = signed_in(client, f"pat.sullivan@{CEDAR}")

    for _ in range(3):  # as the pages do when they poll
        assert nurse.get("/api/v1/nurse/queue").status_code == 200
        assert nurse.get(f"/api/v1/nurse/cases/{case_id}").status_code == 200
        assert nurse.get("/api/v1/coordination").status_code == 200
        assert nurse.get("/nurse/outbox").status_code == 200
        assert admin.get(f"/api/v1/nurse/cases/{case_id}").status_code == 200

    nurse_actor = audited_actor(api, f"jordan.reyes@{CEDAR}", before)
    admin_actor = audited_actor(api, f"pat.sullivan@{CEDAR}", before)
    looks = [row for row in audit_rows(api, before) if row["action"].endswith(".viewed")]
    assert sorted(row["action"] for row in looks if row["actor"] == nurse_actor) == [
        "case.viewed",
        "coordination.viewed",
        "outbox.viewed",
        "queue.viewed",
    ]
    case_looks = [row for row in looks if row["action"] == "case.viewed"]
    assert {(row["actor"], row["entity_id"]) for row in case_looks} == {
        (nurse_actor, str(case_id)),
        (admin_actor, str(case_id)),
    }
    assert len(case_looks) == 2


# --- claim status texts ---------------------------------------------------------------------

NEWS = ("submitted", "approved", "denied", "paid")


@pytest.mark.parametrize(
    ("billing", "viewer"),
    [
        (f"renee.dubois@{CEDAR}", f"pat.sullivan@{CEDAR}"),
        (f"gloria.fenn@{HARBOR}", f"carlos.medina@{HARBOR}"),
    ],
    ids=["veterinary-owner", "surgical-patient"],
)
def test_a_claim_status_is_texted_only_when_it_is_news_and_only_to_whoever_holds_the_bill(
    api: Api, client: Callable[[], httpx.Client], billing: str, viewer: str
) -> None:
    """README: "`POST /api/v1/billing/claims/{id}/status` (audited; when the status is news the
    client waits for (submitted, approved, denied, paid) and differs from the last one, texts it
    from an approved template to whoever holds the bill: the owner, or the patient, not a
    caregiver ...)"."""
    before = last_audit_id(api)
    staff = signed_in(client, billing)
    claims = staff.get("/api/v1/billing/claims/stale", params={"days": 0})
    assert claims.status_code == 200, claims.text
    claim = next(c for c in claims.json() if c["status"] == "pending")
    patient = claim["patient"]
    outbox = signed_in(client, viewer)
    assert not [row for row in outbox_page(outbox) if f"claim for {patient}" in row["Text"]]

    notified = {}
    for step, status in enumerate(
        ["pending", "submitted", "approved", "approved", "pending", "paid"]
    ):
        changed = staff.post(
            f"/api/v1/billing/claims/{claim['id']}/status", json={"status": status}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["claim"]["status"] == status
        notified[f"{step}:{status}"] = changed.json()["notified"]

    assert notified == {
        "0:pending": 0,  # unchanged, and not news
        "1:submitted": 1,
        "2:approved": 1,
        "3:approved": 0,  # news, but unchanged
        "4:pending": 0,  # changed, but not news
        "5:paid": 1,
    }, "each texted status goes to exactly one person, whoever holds the bill"
    # Outside the practice's sending hours the texts wait in the outbox ("pending"); the page
    # lists them either way, so this holds at any hour.
    texts = [row for row in outbox_page(outbox) if f"claim for {patient}" in row["Text"]]
    said = sorted(
        status for row in texts for status in NEWS + ("pending",) if f"now {status}" in row["Text"]
    )
    assert said == ["approved", "paid", "submitted"], [row["Text"] for row in texts]
    assert len({row["To"] for row in texts}) == 1, "texted to more than one number"
    assert all(row["Template"] and row["Kind"] != "page" for row in texts), texts
    changes = [row for row in audit_rows(api, before) if row["action"] == "claim.status_changed"]
    assert [row["entity_id"] for row in changes] == [str(claim["id"])] * 6
