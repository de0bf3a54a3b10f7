"""The nurse loop through the real stack, as the README promises it: a client texts (or web
chats) a clinical concern, a case opens in the nurse queue, a signed-in nurse of the practice
claims it and replies, and the reply reaches the client: as an SMS in the outbox, with its
delivery report shown to the nurse, or on the web chat; never to a number that opted out.

Written from the README and the api's own documentation (`/docs`), not from the code.
"""

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    DEMO_PASSWORD,
    Stack,
    post_status_callback,
    sms_number,
    wait,
)

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
VET = "cedar-vet-oncology"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"  # the README's demo veterinary nurse
# Numbers no other end-to-end test texts from (fictional, 555-01XX).
SMS_OWNER = "+13125550183"
OPTED_OUT_OWNER = "+13125550184"


@pytest.fixture
def nurse(stack: Stack) -> Iterator[httpx.Client]:
    """An http client signed in as the veterinary nurse, through the sign-in form."""
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        signed_in = client.post("/login", data={"email": VET_NURSE, "password": DEMO_PASSWORD})
        assert signed_in.status_code in (302, 303), signed_in.text
        assert signed_in.headers["location"].endswith("/nurse")
        assert client.get("/api/v1/nurse/queue").status_code == 200
        yield client


def case_with_message(nurse: httpx.Client, text: str) -> dict[str, Any]:
    """The open case in the nurse's queue whose conversation holds the client's `text`."""
    found: list[dict[str, Any]] = []

    def opened() -> bool:
        queue = nurse.get("/api/v1/nurse/queue")
        assert queue.status_code == 200, queue.text
        for summary in queue.json():
            case = nurse.get(f"/api/v1/nurse/cases/{summary['id']}").json()
            if any(m["body"] == text for m in case["messages"]):
                found.append(case)
                return True
        return False

    wait(opened, what=f"a case in the nurse queue with the message {text!r}")
    return found[0]


def claim_and_reply(nurse: httpx.Client, case_id: int, words: str) -> httpx.Response:
    claimed = nurse.post(f"/api/v1/nurse/cases/{case_id}/claim")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["claimed_by"], claimed.json()
    return nurse.post(f"/api/v1/nurse/cases/{case_id}/reply", json={"text": words})


def outbox_to(stack: Stack, number: str) -> list[dict[str, Any]]:
    """Every outbox row to `number`, oldest first, as {column: value} (read-only SQL)."""
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        db.row_factory = sqlite3.Row
        columns = {row["name"] for row in db.execute("PRAGMA table_info(outbox_message)")}
        assert {"id", "to_number", "body"} <= columns, columns
        rows = db.execute(
            "SELECT * FROM outbox_message WHERE to_number = ? ORDER BY id", (number,)
        ).fetchall()
        return [dict(row) for row in rows]


def sid_column(stack: Stack) -> str:
    """The outbox column holding Twilio's MessageSid, found from the table's columns."""
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(outbox_message)")]
    candidates = [c for c in columns if "sid" in c.lower() or c == "provider_message_id"]
    assert len(candidates) == 1, f"no single MessageSid column in outbox_message: {columns}"
    return candidates[0]


def test_a_nurse_reply_to_a_texted_concern_is_texted_back_and_its_delivery_shown(
    stack: Stack, nurse: httpx.Client
) -> None:
    practice_number = sms_number(stack, VET)
    concern = "my dog bramble has been vomiting all day since his chemo and won't drink"
    words = "Hi, this is Jordan. Please bring Bramble in at 3 pm today so we can check him."

    stack.text(concern, sender=SMS_OWNER, to=practice_number)
    case = case_with_message(nurse, concern)
    replied = claim_and_reply(nurse, case["id"], words)

    assert replied.status_code == 200, replied.text
    # The reply is queued to the client's number, word for word.
    sent = [row for row in outbox_to(stack, SMS_OWNER) if row["body"] == words]
    assert len(sent) == 1, [row["body"] for row in outbox_to(stack, SMS_OWNER)]

    # The dry-run outbox hands it to "Twilio", which gives it a MessageSid.
    column = sid_column(stack)
    row_id = sent[0]["id"]
    sids: list[str] = []

    def has_sid() -> bool:
        [row] = [r for r in outbox_to(stack, SMS_OWNER) if r["id"] == row_id]
        if row[column]:
            sids.append(row[column])
        return bool(sids)

    wait(has_sid, what=f"a MessageSid ({column}) on the nurse's outbox row")

    post_status_callback(
        stack, sid=sids[0], status="delivered", to=SMS_OWNER, sender=practice_number
    )

    def shown_delivered() -> bool:
        detail = nurse.get(f"/api/v1/nurse/cases/{case['id']}").json()
        [reply] = [m for m in detail["messages"] if m["body"] == words]
        return reply.get("delivery_status") == "delivered"

    wait(shown_delivered, what="the case shows the nurse's reply as delivered", timeout=15)


def test_a_nurse_reply_to_a_web_chat_concern_reaches_the_web_chat(
    stack: Stack, nurse: httpx.Client
) -> None:
    sender = "e2e-nurse-loop-web"
    concern = "my cat tofu has been vomiting since her chemo yesterday and won't eat"
    words = "Hi, this is Jordan. Please call us now so we can talk about Tofu's chemo."

    turn = stack.send(VET, concern, sender)
    assert turn["escalation"] is not None, turn
    case = case_with_message(nurse, concern)
    assert case["id"] == turn["escalation"]["id"]
    replied = claim_and_reply(nurse, case["id"], words)

    assert replied.status_code == 200, replied.text
    staff_replies = httpx.get(
        f"{stack.api}/api/v1/chat/{VET}/staff-replies",
        params={"chat_token": stack.chat_tokens[sender], "after": 0},
    )
    assert staff_replies.status_code == 200, staff_replies.text
    assert [m["text"] for m in staff_replies.json()] == [words]
    # A web chat client has no phone: the nurse's words go out by no text message.
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        texted = db.execute("SELECT count(*) FROM outbox_message WHERE body = ?", (words,))
        assert texted.fetchone() == (0,)


def test_a_nurse_cannot_text_a_client_who_opted_out(stack: Stack, nurse: httpx.Client) -> None:
    practice_number = sms_number(stack, VET)
    concern = "my dog waffles has had diarrhea for two days since his chemo"
    words = "Hi, this is Jordan. Please bring Waffles in this afternoon for a check."

    stack.text(concern, sender=OPTED_OUT_OWNER, to=practice_number)
    case = case_with_message(nurse, concern)
    stack.text("STOP", sender=OPTED_OUT_OWNER, to=practice_number)
    replied = claim_and_reply(nurse, case["id"], words)

    assert 400 <= replied.status_code < 500, (replied.status_code, replied.text)
    assert "opt" in replied.text.lower(), replied.text  # says why: the client opted out
    time.sleep(3)  # longer than the outbox's poll (OUTBOX_POLL_SECONDS, 2)
    bodies = [row["body"] for row in outbox_to(stack, OPTED_OUT_OWNER)]
    assert not [body for body in bodies if body and body in words], bodies
