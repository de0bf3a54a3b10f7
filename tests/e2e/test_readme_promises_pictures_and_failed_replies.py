"""README promises about pictures clients send by MMS and about staff replies Twilio could not
deliver, followed through the real stack (rasa, actions, api) to where people see them: the
outbox (what a texting client gets), the nurse queue and case page apis (what the nurse's
pages read), the picture at the address the case gives, and Twilio's side of the line (a local
server playing Twilio's media api, `twilio_media` in conftest.py).

Written from the README, the end-to-end harness and the api's own answers, not from the code.
"""

import sqlite3
import struct
import time
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from tests.e2e.conftest import (
    PUBLIC_BASE_URL,
    SLA_CHECK_SECONDS,
    Stack,
    TwilioMedia,
    case_detail,
    handed_to_twilio,
    post_status_callback,
    signed_in,
    sms_number,
    wait,
)

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
VET = "cedar-vet-oncology"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"  # the README's demo veterinary nurse
HUMAN_NURSE = "beth.ramsey@harbor-surgical.example.org"  # and its demo surgical nurse
VET_BILLING = "renee.dubois@cedar-vet.example.org"  # the README's demo billing staff
# The README's default for pictures, which the shared stack keeps; its deadline check runs
# every SLA_CHECK_SECONDS (5, not the default 30, to save time).
PICTURE_FETCH_SECONDS = 5
# Slack for a loaded two-core machine on top of the README's periods.
SLACK_SECONDS = 15
# Numbers no other end-to-end test texts from (fictional, 555-01XX).
PICTURE_ONLY_OWNER = "+12245550151"
PICTURE_AND_WORDS_OWNER = "+12245550152"
WORDS_ONLY_OWNER = "+12245550153"
UNDELIVERED_OWNER = "+12245550154"
FAILED_OWNER = "+12245550155"
ELSEWHERE_OWNER = "+12245550156"
SEVERITY = {"emergency": 0, "urgent": 1, "routine": 2}


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def nurse(stack: Stack) -> Iterator[httpx.Client]:
    """An http client signed in as the veterinary nurse."""
    with signed_in(stack, VET_NURSE) as client:
        assert client.get("/api/v1/nurse/queue").status_code == 200
        yield client


def picture(kind: str) -> tuple[bytes, str]:
    """A small picture nobody else has (a fresh token inside it), and its content type."""
    token = uuid.uuid4().hex.encode()
    if kind == "png":

        def chunk(name: bytes, data: bytes) -> bytes:
            return (
                struct.pack(">I", len(data))
                + name
                + data
                + struct.pack(">I", zlib.crc32(name + data))
            )

        header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1 x 1, 8-bit RGB
        body = (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"tEXt", b"Comment\x00" + token)
            + chunk(b"IDAT", zlib.compress(b"\x00\xc0\x30\x30"))
            + chunk(b"IEND", b"")
        )
        return body, "image/png"
    # A JPEG: start of image, a JFIF header, a comment with the token, end of image.
    jfif = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    comment = b"\xff\xfe" + struct.pack(">H", len(token) + 2) + token
    return b"\xff\xd8" + jfif + comment + b"\xff\xd9", "image/jpeg"


def twilio_picture(media: TwilioMedia, kind: str) -> tuple[str, bytes, str]:
    """A picture kept on the fake Twilio media api at a Twilio-shaped address: (MediaUrl,
    bytes, content type)."""
    body, content_type = picture(kind)
    path = (
        f"2010-04-01/Accounts/ACe2e{uuid.uuid4().hex[:29]}/Messages/MM{uuid.uuid4().hex}"
        f"/Media/ME{uuid.uuid4().hex}"
    )
    return media.add(path, body, content_type), body, content_type


def mms(
    stack: Stack,
    *,
    sender: str,
    to: str,
    body: str,
    media: list[tuple[str, str]],
    posts: int = 1,
) -> list[dict[str, Any]]:
    """One MMS through the signed webhook, as Twilio posts it (`media`: (MediaUrl, content
    type) of each picture), `posts` times (Twilio's retries); returns the outbox rows of the
    replies to it once the inbox has answered it."""
    params = {
        "MessageSid": f"MMe2e{uuid.uuid4().hex[:24]}",
        "AccountSid": "ACe2e00000000000000000000000000000",
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": str(len(media)),
        "ApiVersion": "2010-04-01",
    }
    for n, (url, content_type) in enumerate(media):
        params[f"MediaUrl{n}"] = url
        params[f"MediaContentType{n}"] = content_type
    signature = RequestValidator(DRY_RUN_AUTH_TOKEN).compute_signature(
        f"{PUBLIC_BASE_URL}/twilio/sms", params
    )
    last = max((row["id"] for row in outbox_rows(stack)), default=0)
    for _ in range(posts):
        response = httpx.post(
            f"{stack.api}/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 200, response.text

    def answered() -> bool:
        with sqlite3.connect(stack.workdir / "assistant.db") as db:
            row = db.execute(
                "SELECT status FROM inbox_message WHERE provider_message_id = ?",
                (params["MessageSid"],),
            ).fetchone()
        return bool(row) and row[0] == "processed"

    wait(answered, what=f"the inbox answers the MMS {body!r}", timeout=60)
    return [
        row
        for row in outbox_rows(stack)
        if row["id"] > last and row["to_number"] == sender and row["kind"] == "reply"
    ]


def outbox_rows(stack: Stack) -> list[dict[str, Any]]:
    """Every outbox row, oldest first, as {column: value} (read-only SQL)."""
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM outbox_message ORDER BY id")]


def queue(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.get("/api/v1/nurse/queue")
    assert response.status_code == 200, response.text
    return list(response.json())


def case_with_message(
    nurse: httpx.Client, text: str, *, with_picture: bool = False
) -> dict[str, Any]:
    """The open case in the nurse's queue whose conversation holds the client's `text` (sent
    with a picture, with `with_picture`: the shared stack's other tests send the same words)."""
    found: list[dict[str, Any]] = []

    def matches(message: dict[str, Any]) -> bool:
        return (
            message["direction"] == "in"
            and message["body"] == text
            and (bool(message.get("pictures")) or not with_picture)
        )

    def opened() -> bool:
        for summary in queue(nurse):
            case = case_detail(nurse, summary["id"])
            if any(matches(m) for m in case["messages"]):
                found.append(case)
                return True
        return False

    wait(opened, what=f"a case in the nurse queue with the message {text!r}")
    return found[0]


def client_messages(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in case["messages"] if m["direction"] == "in"]


def assert_picture_shown(
    nurse: httpx.Client, case_id: int, message_body: str, body: bytes, content_type: str
) -> str:
    """The case shows one picture on the client's message, and its address gives the exact
    bytes the client sent; returns that address."""
    case = case_detail(nurse, case_id)
    [message] = [m for m in client_messages(case) if m["body"] == message_body]
    [shown] = message["pictures"]
    assert shown["url"], shown
    got = nurse.get(shown["url"])
    assert got.status_code == 200, (got.status_code, got.text[:200])
    assert got.headers["content-type"].split(";")[0] == content_type, got.headers
    assert got.content == body
    return str(shown["url"])


def wait_for_picture(
    nurse: httpx.Client, case_id: int, message_body: str, body: bytes, content_type: str
) -> float:
    """Seconds until the case shows the client's picture, its exact bytes at its address."""

    def shown() -> bool:
        try:
            assert_picture_shown(nurse, case_id, message_body, body, content_type)
        except (AssertionError, ValueError):
            return False
        return True

    return wait(
        shown,
        what="the case shows the client's picture, byte for byte",
        timeout=PICTURE_FETCH_SECONDS + SLACK_SECONDS,
    )


# --- 1. a picture without words --------------------------------------------------------------


def test_a_picture_without_words_is_answered_opens_a_case_and_reaches_only_the_practices_nurses(
    rasa_up: Stack, nurse: httpx.Client, twilio_media: TwilioMedia
) -> None:
    stack = rasa_up
    url, body, content_type = twilio_picture(twilio_media, "png")
    before = {summary["id"] for summary in queue(nurse)}

    # Twilio posts it twice (a retry of the same MessageSid).
    replies = mms(
        stack,
        sender=PICTURE_ONLY_OWNER,
        to=sms_number(stack, VET),
        body="",
        media=[(url, content_type)],
        posts=2,
    )
    sent_at = time.monotonic()

    # The client gets an answer, once: an approved template, handed to Twilio for their number.
    assert replies, "a picture without words got no answer"
    assert all(row["template_id"] for row in replies), replies
    assert len({row["body"] for row in replies}) == len(replies), replies
    wait(
        lambda: all(
            handed_to_twilio(row)
            for row in outbox_rows(stack)
            if row["id"] in {r["id"] for r in replies}
        ),
        what="the answer to the picture handed to Twilio",
    )

    # A routine case opens in the practice's nurse queue, for this client's message.
    found: list[dict[str, Any]] = []

    def opened() -> bool:
        for summary in queue(nurse):
            if summary["id"] in before:
                continue
            case = case_detail(nurse, summary["id"])
            answers = {m["body"] for m in case["messages"] if m["direction"] == "out"}
            if client_messages(case) and {r["body"] for r in replies} <= answers:
                found.append(summary)
        return bool(found)

    wait(opened, what="a new case in the nurse queue for the picture")
    [summary] = found
    assert summary["priority"] == "routine", summary
    case_id = summary["id"]
    # The message is stored once, with its one picture, though Twilio posted it twice.
    [message] = client_messages(case_detail(nurse, case_id))
    assert message["body"] == "", message  # the message had no words
    assert len(message["pictures"]) == 1, message

    # Within PICTURE_FETCH_SECONDS the nurse sees the picture: the exact bytes, at the address
    # the case gives.
    took = wait_for_picture(nurse, case_id, "", body, content_type)
    assert time.monotonic() - sent_at <= PICTURE_FETCH_SECONDS + SLACK_SECONDS, took

    # Twilio's copy was fetched, then deleted; the practice's copy outlives it.
    wait(
        lambda: "DELETE" in twilio_media.seen(url),
        what="a DELETE of Twilio's copy of the picture",
        timeout=PICTURE_FETCH_SECONDS + SLACK_SECONDS,
    )
    seen = twilio_media.seen(url)
    assert seen.count("GET") == 1 and seen.index("GET") < seen.index("DELETE"), seen
    assert url not in [twilio_media.base + p.lstrip("/") for p in twilio_media.pictures]
    address = assert_picture_shown(nurse, case_id, "", body, content_type)

    # Staff of the other practice cannot get it (404), billing staff of this one get 403,
    # and nobody signed out gets it at all.
    with signed_in(stack, HUMAN_NURSE) as other_practice:
        refused = other_practice.get(address)
        assert refused.status_code == 404, (refused.status_code, refused.text[:200])
        assert refused.content != body
        other_case = other_practice.get(f"/api/v1/nurse/cases/{case_id}")
        assert other_case.status_code == 404, other_case.text
    with signed_in(stack, VET_BILLING) as billing:
        refused = billing.get(address)
        assert refused.status_code == 403, (refused.status_code, refused.text[:200])
        assert refused.content != body
    anonymous = httpx.get(f"{stack.api}{address}" if address.startswith("/") else address)
    assert anonymous.status_code in (401, 403), anonymous.status_code
    assert anonymous.content != body


# --- 2. a picture with words ---------------------------------------------------------------


def test_with_a_picture_only_the_words_are_answered_and_shown_and_the_picture_is_on_the_case(
    rasa_up: Stack, nurse: httpx.Client, twilio_media: TwilioMedia
) -> None:
    stack = rasa_up
    practice_number = sms_number(stack, VET)
    words = "what time do you open on saturday"
    url, body, content_type = twilio_picture(twilio_media, "jpeg")

    # The same words without a picture, for what the words alone get.
    words_only = stack.text(words, sender=WORDS_ONLY_OWNER, to=practice_number)
    replies = mms(
        stack,
        sender=PICTURE_AND_WORDS_OWNER,
        to=practice_number,
        body=words,
        media=[(url, content_type)],
    )

    # The words are answered as the words alone are (an approved FAQ answer here), and the
    # picture's address is in no reply.
    assert words_only, "the words alone got no answer"
    answered = [(row["template_id"], row["body"]) for row in replies]
    assert [a for a in answered if a in words_only] == words_only, (answered, words_only)
    assert not [text for _, text in answered if twilio_media.base in text or url in text]

    # A case opens (the words opened none), showing the client's words, and only them.
    case = case_with_message(nurse, words, with_picture=True)
    [message] = client_messages(case)
    assert message["body"] == words, message
    for shown in case["messages"]:
        assert url not in shown["body"] and "MediaUrl" not in shown["body"], shown
        assert twilio_media.base not in shown["body"], shown
        assert "2010-04-01/Accounts" not in shown["body"], shown

    # The picture is on the case, the exact bytes at the address the case gives.
    wait_for_picture(nurse, case["id"], words, body, content_type)
    wait(
        lambda: "DELETE" in twilio_media.seen(url),
        what="a DELETE of Twilio's copy of the picture",
        timeout=PICTURE_FETCH_SECONDS + SLACK_SECONDS,
    )


# --- TWILIO_MEDIA_URL_PREFIXES -------------------------------------------------------------


def test_a_picture_anywhere_but_twilio_is_never_requested_and_the_case_says_why(
    rasa_up: Stack, nurse: httpx.Client
) -> None:
    stack = rasa_up
    elsewhere = TwilioMedia()  # a media server the stack was not told about
    try:
        url, _, content_type = twilio_picture(elsewhere, "png")
        words = "here is a photo of the lump on her leg"

        mms(
            stack,
            sender=ELSEWHERE_OWNER,
            to=sms_number(stack, VET),
            body=words,
            media=[(url, content_type)],
        )
        case = case_with_message(nurse, words)
        problems: list[dict[str, Any]] = []

        def explained() -> bool:
            [message] = client_messages(case_detail(nurse, case["id"]))
            problems[:] = [p for p in message["pictures"] if p.get("problem")]
            return bool(problems)

        wait(
            explained,
            what="the case says why the picture was not kept",
            timeout=PICTURE_FETCH_SECONDS + SLACK_SECONDS,
        )
        time.sleep(PICTURE_FETCH_SECONDS)  # one more round of the fetch job
        [shown] = problems
        assert not shown.get("url"), shown  # nothing kept to show
        assert elsewhere.seen(url) == [], elsewhere.requests
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()


# --- 3. a staff reply Twilio could not deliver ---------------------------------------------


def reply_and_wait_for_twilio(
    stack: Stack, nurse: httpx.Client, case_id: int, *, words: str, to: str
) -> dict[str, Any]:
    """The nurse replies on the case; returns the reply's outbox row once it is handed to
    Twilio (word for word, to the client's number)."""
    replied = nurse.post(f"/api/v1/nurse/cases/{case_id}/reply", json={"text": words})
    assert replied.status_code == 200, replied.text
    rows: list[dict[str, Any]] = []

    def handed() -> bool:
        rows[:] = [r for r in outbox_rows(stack) if r["to_number"] == to and r["body"] == words]
        return len(rows) == 1 and handed_to_twilio(rows[0])

    wait(handed, what=f"the nurse's reply {words!r} handed to Twilio")
    return rows[0]


def queue_entry(nurse: httpx.Client, case_id: int) -> dict[str, Any] | None:
    return next((s for s in queue(nurse) if s["id"] == case_id), None)


def assert_on_top_of_its_priority_marked(nurse: httpx.Client, case_id: int, author: str) -> None:
    """The queue shows the case marked as a failed reply, before every other case of its
    priority (emergencies first), claimed by the reply's author; the case page shows it too."""
    entries = queue(nurse)
    [entry] = [s for s in entries if s["id"] == case_id]
    assert entry["reply_failed"] is True, entry
    same_priority = [s["id"] for s in entries if s["priority"] == entry["priority"]]
    assert same_priority[0] == case_id, (case_id, entries)
    severities = [SEVERITY[s["priority"]] for s in entries]
    assert severities == sorted(severities), entries  # emergencies first, still
    assert entry["status"] == "claimed" and entry["claimed_by"] == author, entry
    detail = case_detail(nurse, case_id)
    assert detail["reply_failed"] is True, detail
    assert detail["status"] == "claimed" and detail["claimed_by"] == author, detail


@pytest.mark.parametrize(
    ("status", "sender", "concern", "cleared_by"),
    [
        (
            "undelivered",
            UNDELIVERED_OWNER,
            "my cat pepper has been sneezing a lot since her chemo, should i be worried",
            "a new reply",
        ),
        (
            "failed",
            FAILED_OWNER,
            "my dog moose's incision is red and oozing pus since this morning",
            "resolving",
        ),
    ],
)
def test_a_reply_twilio_could_not_deliver_puts_the_case_back_on_top_marked_until_answered(
    rasa_up: Stack, nurse: httpx.Client, status: str, sender: str, concern: str, cleared_by: str
) -> None:
    stack = rasa_up
    practice_number = sms_number(stack, VET)
    words = f"Hi, this is Jordan. Please call us about that today ({status})."
    again = f"Hi, this is Jordan again. Please call us when you can ({status})."

    assert stack.text(concern, sender=sender, to=practice_number), "the concern got no answer"
    case = case_with_message(nurse, concern)
    case_id = case["id"]
    claimed = nurse.post(f"/api/v1/nurse/cases/{case_id}/claim")
    assert claimed.status_code == 200, claimed.text
    author = claimed.json()["claimed_by"]
    assert author, claimed.json()
    row = reply_and_wait_for_twilio(stack, nurse, case_id, words=words, to=sender)
    assert not case_detail(nurse, case_id)["reply_failed"]

    # The nurse resolves the case: it leaves the queue.
    resolved = nurse.post(
        f"/api/v1/nurse/cases/{case_id}/resolve", json={"note": "Replied by text."}
    )
    assert resolved.status_code == 200, resolved.text
    assert queue_entry(nurse, case_id) is None

    # Twilio reports the reply not delivered.
    post_status_callback(
        stack,
        sid=row["provider_sid"],
        status=status,
        to=sender,
        sender=practice_number,
        error_code="30003",  # Twilio's "unreachable destination handset"
    )

    # Within SLA_CHECK_SECONDS the case is back, on top of its priority, marked.
    def back_marked() -> bool:
        entry = queue_entry(nurse, case_id)
        return entry is not None and entry["reply_failed"] is True

    wait(
        back_marked,
        what=f"the case back in the queue marked after a {status!r} report",
        timeout=SLA_CHECK_SECONDS + SLACK_SECONDS,
    )
    assert_on_top_of_its_priority_marked(nurse, case_id, author)
    # The case page shows the reply's delivery state from Twilio's report.
    [reply] = [m for m in case_detail(nurse, case_id)["messages"] if m["body"] == words]
    assert reply["delivery_status"] == status, reply

    if cleared_by == "a new reply":
        # A new reply clears the mark, on the queue and on the case page; the case stays
        # with the nurse who holds it.
        reply_and_wait_for_twilio(stack, nurse, case_id, words=again, to=sender)
        entry = queue_entry(nurse, case_id)
        assert entry is not None and entry["reply_failed"] is False, entry
        assert case_detail(nurse, case_id)["reply_failed"] is False
        time.sleep(SLA_CHECK_SECONDS + 2)  # and the next deadline check does not mark it again
        entry = queue_entry(nurse, case_id)
        assert entry is not None and entry["reply_failed"] is False, entry
        assert case_detail(nurse, case_id)["reply_failed"] is False
        resolved = nurse.post(f"/api/v1/nurse/cases/{case_id}/resolve", json={"note": "Done."})
        assert resolved.status_code == 200, resolved.text
        assert queue_entry(nurse, case_id) is None
    else:
        # Resolving clears it: the case leaves the queue, and the next deadline check does
        # not bring it back.
        resolved = nurse.post(
            f"/api/v1/nurse/cases/{case_id}/resolve", json={"note": "Called the client."}
        )
        assert resolved.status_code == 200, resolved.text
        assert queue_entry(nurse, case_id) is None
        assert case_detail(nurse, case_id)["reply_failed"] is False
        time.sleep(SLA_CHECK_SECONDS + 2)
        assert queue_entry(nurse, case_id) is None
        assert case_detail(nurse, case_id)["reply_failed"] is False


def test_the_queue_and_the_case_page_carry_the_readmes_failed_reply_warning(
    stack: Stack, nurse: httpx.Client
) -> None:
    """The pages the nurse opens are served with the README's warning for a case whose reply
    failed ("Reply not delivered: call the client", "the same warning on the case page"), which
    they show from the `reply_failed` the apis above return. (Without a browser on this machine
    the test reads the served pages; the dashboard tests render them in Chromium.)"""
    warning = "Reply not delivered: call the client"
    turn = stack.send(VET, "his incision is red and oozing pus", sender="e2e-failed-reply-page")
    assert turn["escalation"], turn
    case_id = turn["escalation"]["id"]

    queue_page = nurse.get("/nurse")
    case_page = nurse.get(f"/nurse/cases/{case_id}")

    assert queue_page.status_code == 200 and case_page.status_code == 200
    assert "reply_failed" in queue_page.text and "reply_failed" in case_page.text
    assert warning in queue_page.text, "the queue page has no failed-reply warning"
    assert warning in case_page.text, "the case page's failed-reply warning is not the queue's"
