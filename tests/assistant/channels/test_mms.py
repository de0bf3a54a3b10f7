"""Fetching MMS pictures from Twilio (faked at the HTTP boundary): retries, size and type
limits, credentials that never leave Twilio's API, and Twilio's copy deleted once."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session

from assistant.channels.mms import MAX_BYTES, RETRY_AFTER, PictureFetcher, record_pictures
from assistant.db.models import InboxMessage, Picture
from tests.conftest import add_practice

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)
MEDIA = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 64


def _picture(session: Session, url: str = MEDIA) -> Picture:
    practice = add_practice(session, kind="veterinary")
    row = InboxMessage(
        practice_id=practice.id,
        provider="twilio",
        provider_message_id="MM1",
        from_number="+13125550177",
        to_number=practice.sms_number,
        body="",
        media_urls=[url],
    )
    session.add(row)
    session.flush()
    [picture] = record_pictures(session, row)
    session.commit()
    return picture


def _fetcher(handler: httpx.MockTransport) -> PictureFetcher:
    return PictureFetcher(
        account_sid="AC1",
        auth_token="secret",
        allowed_url_prefixes=["https://api.twilio.com/"],
        transport=handler,
    )


def test_twilio_down_is_tried_again_later_then_fetched(session: Session) -> None:
    picture = _picture(session)
    answers = [
        httpx.Response(503),
        httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"}),
    ]
    fetcher = _fetcher(
        httpx.MockTransport(
            lambda request: answers.pop(0) if request.method == "GET" else httpx.Response(204)
        )
    )

    assert fetcher.run(session, now=NOW) == 1
    assert (picture.status, picture.next_attempt_at) == ("pending", NOW + RETRY_AFTER[0])
    assert fetcher.run(session, now=NOW) == 0  # not before its time

    fetcher.run(session, now=NOW + RETRY_AFTER[0])
    assert (picture.status, picture.data, picture.content_type) == ("stored", PNG, "image/png")
    assert picture.provider_deleted_at == NOW + RETRY_AFTER[0]


def test_a_picture_larger_than_mms_allows_is_refused_without_reading_it_all(
    session: Session,
) -> None:
    picture = _picture(session)
    read = []

    def huge(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)

        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(MAX_BYTES // 65536 + 10):
                read.append(1)
                yield b"\0" * 65536

        return httpx.Response(200, content=chunks(), headers={"Content-Type": "image/jpeg"})

    _fetcher(httpx.MockTransport(huge)).run(session, now=NOW)

    assert (picture.status, picture.data) == ("refused", None)
    assert "larger than 5 MB" in (picture.problem or "")
    assert len(read) <= MAX_BYTES // 65536 + 1


def test_the_credentials_stay_with_twilio_when_it_redirects_to_its_storage(
    session: Session,
) -> None:
    picture = _picture(session)
    seen: list[httpx.Request] = []

    def twilio(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.url.host == "api.twilio.com":
            return httpx.Response(302, headers={"Location": "https://media.storage.example/p1"})
        return httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})

    _fetcher(httpx.MockTransport(twilio)).run(session, now=NOW)

    assert picture.status == "stored"
    [first, storage, delete] = seen
    assert "authorization" in first.headers
    assert storage.url.host == "media.storage.example"
    assert "authorization" not in storage.headers
    assert (delete.method, str(delete.url)) == ("DELETE", MEDIA)


def test_a_failed_deletion_is_tried_again(session: Session) -> None:
    picture = _picture(session)
    deletes = [httpx.Response(500), httpx.Response(204)]

    def twilio(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return deletes.pop(0)
        return httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})

    fetcher = _fetcher(httpx.MockTransport(twilio))
    fetcher.run(session, now=NOW)
    assert (picture.status, picture.provider_deleted_at) == ("stored", None)

    later = NOW + timedelta(minutes=5)
    fetcher.run(session, now=later)
    assert picture.provider_deleted_at == later
    assert deletes == []


def test_a_file_labelled_as_a_picture_that_is_not_one_is_refused(session: Session) -> None:
    picture = _picture(session)
    page = b"<html><script>alert(1)</script></html>"

    def twilio(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, content=page, headers={"Content-Type": "image/jpeg"})

    _fetcher(httpx.MockTransport(twilio)).run(session, now=NOW)

    assert (picture.status, picture.data) == ("refused", None)
    assert "its bytes are not image/jpeg" in (picture.problem or "")
