"""The outbox on a migrated database, sending through our Twilio gateway to a fake Twilio."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog, Contact, OutboxMessage, Practice
from assistant.messaging.outbox import (
    LEASE,
    MAX_ATTEMPTS,
    DryRunGateway,
    deliver_pending,
    enqueue_sms,
)
from assistant.messaging.sms_text import count_segments
from tests.assistant.messaging.fake_twilio import (
    FakeTwilio,
    ProcessKilled,
    accepted_then,
    error,
    twilio_gateway,
)
from tests.conftest import add_practice

NOW = datetime(2026, 11, 30, 18, tzinfo=UTC)  # Monday noon in Chicago, the test practices' zone
CHICAGO = ZoneInfo("America/Chicago")
OWNER = "+13125550177"


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def add_contact(session: Session, practice: Practice, *, phone: str, consent: str) -> Contact:
    contact = Contact(
        practice_id=practice.id, phone=phone, first_name="Ana", last_name="Diaz", consent=consent
    )
    session.add(contact)
    session.flush()
    return contact


def rows(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_dry_run_marks_pending_messages_once(session: Session) -> None:
    practice = add_practice(session, kind="human")
    session.add_all(
        [
            OutboxMessage(practice_id=practice.id, to_number="+13125550177", body="page 1"),
            OutboxMessage(practice_id=practice.id, to_number="+13125550178", body="page 2"),
        ]
    )
    session.flush()

    assert deliver_pending(session, gateway=DryRunGateway(), now=NOW) == 2
    assert deliver_pending(session, gateway=DryRunGateway(), now=NOW) == 0
    assert [(r.status, r.attempts, r.sent_at) for r in rows(session)] == [("dry_run", 1, NOW)] * 2


# Queueing


def test_a_long_reply_is_queued_as_several_messages_in_reading_order(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    reply = " ".join(
        f"Step {n}: give the tablet with food and write down the time you gave it."
        for n in range(1, 16)
    )

    queued = enqueue_sms(
        session,
        practice=practice,
        to_number=OWNER,
        body=reply,
        kind="reply",
        now=NOW,
        template_id="vet.faq.tablets",
    )

    assert [r.id for r in queued] == sorted(r.id for r in queued)
    assert " ".join(r.body for r in queued) == reply
    assert all(count_segments(r.body).segments <= 3 for r in queued)
    assert len(queued) == 3
    assert {(r.kind, r.template_id, r.status, r.next_attempt_at) for r in queued} == {
        ("reply", "vet.faq.tablets", "pending", None)
    }


def test_an_unknown_kind_or_an_empty_body_is_refused(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")

    with pytest.raises(ValueError, match="kind"):
        enqueue_sms(session, practice=practice, to_number=OWNER, body="Hi", kind="spam", now=NOW)
    with pytest.raises(ValueError, match="body"):
        enqueue_sms(session, practice=practice, to_number=OWNER, body=" \n", kind="reply", now=NOW)
    assert rows(session) == []


@pytest.mark.parametrize(
    ("kind", "queued_at", "held_until"),
    [
        ("proactive", chicago(2026, 11, 30, 21, 30), datetime(2026, 12, 1, 14, tzinfo=UTC)),
        ("proactive", chicago(2026, 11, 30, 20, 0), datetime(2026, 12, 1, 14, tzinfo=UTC)),
        ("proactive", chicago(2026, 11, 30, 6, 15), datetime(2026, 11, 30, 14, tzinfo=UTC)),
        ("proactive", chicago(2026, 11, 30, 8, 0), None),
        ("proactive", chicago(2026, 11, 30, 19, 59), None),
        # The night the clocks go back (08:00 CST is 14:00 UTC, a day after 08:00 CDT was 13:00)
        ("proactive", chicago(2026, 10, 31, 21, 30), datetime(2026, 11, 1, 14, tzinfo=UTC)),
        # and the night they go forward (08:00 CDT is 13:00 UTC)
        ("proactive", chicago(2026, 3, 7, 21, 30), datetime(2026, 3, 8, 13, tzinfo=UTC)),
        ("reply", chicago(2026, 11, 30, 21, 30), None),
        ("page", chicago(2026, 11, 30, 3, 0), None),
        ("consent", chicago(2026, 11, 30, 23, 0), None),
    ],
)
def test_only_proactive_messages_wait_for_the_end_of_quiet_hours(
    session: Session, kind: str, queued_at: datetime, held_until: datetime | None
) -> None:
    practice = add_practice(session, kind="veterinary")

    [row] = enqueue_sms(
        session, practice=practice, to_number=OWNER, body="Hello.", kind=kind, now=queued_at
    )

    assert row.next_attempt_at == held_until


def test_a_reminder_written_at_night_goes_out_at_eight_and_a_reply_at_once(
    session: Session,
) -> None:
    practice = add_practice(session, kind="veterinary")
    night = chicago(2026, 11, 30, 21, 30)
    enqueue_sms(
        session, practice=practice, to_number=OWNER, body="Reminder.", kind="proactive", now=night
    )
    enqueue_sms(session, practice=practice, to_number=OWNER, body="Reply.", kind="reply", now=night)
    twilio = FakeTwilio(now=night)
    gateway = twilio_gateway(twilio)

    deliver_pending(session, gateway=gateway, now=night)
    deliver_pending(session, gateway=gateway, now=chicago(2026, 12, 1, 7, 59))
    assert twilio.sent_bodies == ["Reply."]

    deliver_pending(session, gateway=gateway, now=chicago(2026, 12, 1, 8, 0))
    assert twilio.sent_bodies == ["Reply.", "Reminder."]


def test_a_reminder_due_while_the_api_was_down_waits_for_morning(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    enqueue_sms(
        session,
        practice=practice,
        to_number=OWNER,
        body="Reminder.",
        kind="proactive",
        now=chicago(2026, 11, 30, 19, 0),
    )
    twilio = FakeTwilio(now=NOW)

    deliver_pending(session, gateway=twilio_gateway(twilio), now=chicago(2026, 11, 30, 22, 0))

    [row] = rows(session)
    assert twilio.creates == []
    assert (row.status, row.attempts, row.next_attempt_at) == (
        "pending",
        0,
        chicago(2026, 12, 1, 8, 0),
    )


def test_a_reminder_retry_that_falls_at_night_waits_for_morning(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    evening = chicago(2026, 11, 30, 19, 59, 55)
    enqueue_sms(
        session, practice=practice, to_number=OWNER, body="Reminder.", kind="proactive", now=evening
    )
    twilio = FakeTwilio(now=evening, answers=[error(503, 20503, "Service unavailable")])

    deliver_pending(session, gateway=twilio_gateway(twilio), now=evening)

    [row] = rows(session)
    assert (row.status, row.next_attempt_at) == ("pending", chicago(2026, 12, 1, 8, 0))


# Consent


def test_nothing_goes_to_an_opted_out_number_but_the_opt_out_confirmation(
    session: Session,
) -> None:
    practice = add_practice(session, kind="veterinary")
    other_practice = add_practice(session, kind="human")
    add_contact(session, practice, phone=OWNER, consent="opted_out")
    add_contact(session, other_practice, phone="+13125550188", consent="opted_out")
    for kind in ("reply", "proactive", "page", "consent"):
        enqueue_sms(session, practice=practice, to_number=OWNER, body=kind, kind=kind, now=NOW)
    # Opting out of one practice says nothing about another one.
    enqueue_sms(
        session, practice=practice, to_number="+13125550188", body="other", kind="reply", now=NOW
    )
    twilio = FakeTwilio(now=NOW)

    assert deliver_pending(session, gateway=twilio_gateway(twilio), now=NOW) == 5

    assert twilio.sent_bodies == ["consent", "other"]
    assert [(r.body, r.status) for r in rows(session)] == [
        ("reply", "suppressed"),
        ("proactive", "suppressed"),
        ("page", "suppressed"),
        ("consent", "queued"),
        ("other", "queued"),
    ]


def test_unsubscribed_at_twilio_fails_the_message_and_opts_the_contact_out(
    session: Session,
) -> None:
    practice = add_practice(session, kind="veterinary")
    contact = add_contact(session, practice, phone=OWNER, consent="opted_in")
    enqueue_sms(session, practice=practice, to_number=OWNER, body="Hello.", kind="reply", now=NOW)
    twilio = FakeTwilio(
        now=NOW, answers=[error(400, 21610, "Attempt to send to unsubscribed recipient")]
    )
    gateway = twilio_gateway(twilio)

    deliver_pending(session, gateway=gateway, now=NOW)
    enqueue_sms(
        session, practice=practice, to_number=OWNER, body="Reminder.", kind="proactive", now=NOW
    )
    deliver_pending(session, gateway=gateway, now=NOW + timedelta(hours=2))

    first, second = rows(session)
    assert (first.status, first.error_code, first.next_attempt_at) == ("failed", "21610", None)
    assert (contact.consent, contact.consent_changed_at) == ("opted_out", NOW)
    assert second.status == "suppressed"
    assert len(twilio.creates) == 1
    [audit] = session.scalars(select(AuditLog).where(AuditLog.action == "consent.opt_out"))
    assert audit.entity_id == str(contact.id)


def test_unsubscribed_number_without_a_contact_gets_one_that_is_opted_out(
    session: Session,
) -> None:
    practice = add_practice(session, kind="veterinary")
    enqueue_sms(session, practice=practice, to_number=OWNER, body="Hello.", kind="reply", now=NOW)
    twilio = FakeTwilio(now=NOW, answers=[error(400, 21610, "unsubscribed recipient")])

    deliver_pending(session, gateway=twilio_gateway(twilio), now=NOW)

    [contact] = session.scalars(select(Contact))
    assert (contact.practice_id, contact.phone, contact.consent) == (
        practice.id,
        OWNER,
        "opted_out",
    )


# Errors


def test_transient_errors_are_retried_with_growing_delays_until_sent(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    enqueue_sms(session, practice=practice, to_number=OWNER, body="Hello.", kind="reply", now=NOW)
    twilio = FakeTwilio(
        now=NOW,
        answers=[
            error(500, 20500, "Internal Server Error"),
            error(429, 20429, "Too Many Requests"),
            requests.ConnectTimeout("connect timed out"),
        ],
    )
    gateway = twilio_gateway(twilio)
    [row] = rows(session)

    delays = []
    at = NOW
    for _ in range(3):
        deliver_pending(session, gateway=gateway, now=at)
        assert row.status == "pending"
        assert (
            deliver_pending(
                session, gateway=gateway, now=row.next_attempt_at - timedelta(seconds=1)
            )
            == 0
        )
        delays.append(row.next_attempt_at - at)
        at = row.next_attempt_at
    deliver_pending(session, gateway=gateway, now=at)

    assert delays == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert len(twilio.creates) == 4
    assert (row.status, row.attempts, row.sent_at, row.error_code) == ("queued", 4, at, None)
    assert row.provider_sid == twilio.messages[0]["sid"]


def test_after_the_last_attempt_a_message_is_marked_failed(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    enqueue_sms(session, practice=practice, to_number=OWNER, body="Hello.", kind="reply", now=NOW)
    twilio = FakeTwilio(now=NOW, answers=[error(503, 20503, "unavailable")] * 20)
    gateway = twilio_gateway(twilio)
    [row] = rows(session)

    at = NOW
    while row.status == "pending" and deliver_pending(session, gateway=gateway, now=at):
        at = row.next_attempt_at or at

    assert len(twilio.creates) == MAX_ATTEMPTS
    assert (row.status, row.error_code, row.next_attempt_at) == ("failed", "20503", None)
    assert timedelta(hours=1) < at - NOW < timedelta(hours=2)  # staff learn it the same hour
    assert deliver_pending(session, gateway=gateway, now=at + timedelta(days=1)) == 0


@pytest.mark.parametrize("code", [21211, 21614])
def test_an_invalid_or_landline_number_fails_without_retry(session: Session, code: int) -> None:
    practice = add_practice(session, kind="veterinary")
    enqueue_sms(session, practice=practice, to_number=OWNER, body="Hello.", kind="reply", now=NOW)
    twilio = FakeTwilio(now=NOW, answers=[error(400, code, "The 'To' number is not valid")])
    gateway = twilio_gateway(twilio)

    deliver_pending(session, gateway=gateway, now=NOW)
    deliver_pending(session, gateway=gateway, now=NOW + timedelta(days=1))

    [row] = rows(session)
    assert (row.status, row.error_code, row.attempts) == ("failed", str(code), 1)
    assert "not valid" in (row.error_message or "")
    assert len(twilio.creates) == 1


# Crashes and several senders (SQLite and PostgreSQL)


def _queue_one(engine: Engine, body: str = "Max's visit is at 9:00.") -> None:
    with make_session_factory(engine)() as session:
        practice = add_practice(session, kind="veterinary")
        enqueue_sms(session, practice=practice, to_number=OWNER, body=body, kind="reply", now=NOW)
        session.commit()


def _deliver(engine: Engine, twilio: FakeTwilio, at: datetime) -> int:
    """One run of the sender, as a fresh process would do it."""
    with make_session_factory(engine)() as session:
        return deliver_pending(session, gateway=twilio_gateway(twilio), now=at)


def _rows(engine: Engine) -> list[OutboxMessage]:
    with make_session_factory(engine)() as session:
        return rows(session)


def test_a_crash_between_claim_and_send_sends_exactly_once_after_the_lease(
    engine: Engine,
) -> None:
    _queue_one(engine)
    twilio = FakeTwilio(now=NOW, answers=[ProcessKilled()])

    with pytest.raises(ProcessKilled):
        _deliver(engine, twilio, NOW)
    assert twilio.creates == []
    assert [(r.status, r.claimed_at) for r in _rows(engine)] == [("sending", NOW)]

    # After the restart: the row's lease has to run out first.
    assert _deliver(engine, twilio, NOW + LEASE - timedelta(seconds=1)) == 0
    assert _deliver(engine, twilio, NOW + LEASE) == 1
    assert _deliver(engine, twilio, NOW + timedelta(hours=1)) == 0

    assert twilio.sent_bodies == ["Max's visit is at 9:00."]
    [row] = _rows(engine)
    assert (row.status, row.provider_sid) == ("queued", twilio.messages[0]["sid"])


def test_a_crash_after_twilio_took_the_message_does_not_send_it_again(engine: Engine) -> None:
    _queue_one(engine)
    twilio = FakeTwilio(now=NOW, answers=[accepted_then(ProcessKilled())])

    with pytest.raises(ProcessKilled):
        _deliver(engine, twilio, NOW)
    assert _deliver(engine, twilio, NOW + LEASE) == 1

    assert len(twilio.creates) == 1
    [row] = _rows(engine)
    assert (row.status, row.provider_sid) == ("queued", twilio.messages[0]["sid"])


def test_a_send_that_timed_out_is_looked_up_then_sent_only_if_twilio_lacks_it(
    session: Session,
) -> None:
    practice = add_practice(session, kind="veterinary")
    for body in ("Took it.", "Lost it."):
        enqueue_sms(session, practice=practice, to_number=OWNER, body=body, kind="reply", now=NOW)
    twilio = FakeTwilio(
        now=NOW,
        answers=[
            accepted_then(requests.ReadTimeout("read timed out")),
            requests.ConnectionError("connection reset by peer"),
        ],
    )
    gateway = twilio_gateway(twilio)

    deliver_pending(session, gateway=gateway, now=NOW)
    assert [r.status for r in rows(session)] == ["sending", "sending"]
    deliver_pending(session, gateway=gateway, now=NOW + timedelta(minutes=5))

    assert twilio.sent_bodies == ["Took it.", "Lost it.", "Lost it."]
    took, lost = rows(session)
    assert took.provider_sid == twilio.messages[1]["sid"]  # adopted, not sent again
    assert lost.provider_sid == twilio.messages[0]["sid"]
    assert {took.status, lost.status} == {"queued"}


def test_an_identical_earlier_message_is_not_mistaken_for_a_lost_one(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    for _ in range(2):
        enqueue_sms(
            session, practice=practice, to_number=OWNER, body="Same.", kind="reply", now=NOW
        )
    # The first is taken by Twilio; the process dies before the second leaves.
    twilio = FakeTwilio(now=NOW, answers=[FakeTwilio.accept, ProcessKilled()])

    with pytest.raises(ProcessKilled):
        deliver_pending(session, gateway=twilio_gateway(twilio), now=NOW)
    session.rollback()
    deliver_pending(session, gateway=twilio_gateway(twilio), now=NOW + LEASE)

    assert twilio.sent_bodies == ["Same.", "Same."]
    assert len({r.provider_sid for r in rows(session)}) == 2


def test_a_message_with_a_twilio_sid_is_never_sent_again(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        practice = add_practice(session, kind="veterinary")
        long_ago = NOW - timedelta(hours=1)
        session.add_all(
            [
                OutboxMessage(
                    practice_id=practice.id,
                    to_number=OWNER,
                    body=f"{status} with a SID",
                    status=status,
                    provider_sid=f"SM{n:032d}",
                    claimed_at=long_ago,
                    attempts=1,
                )
                for n, status in enumerate(("sending", "queued", "sent", "delivered"))
            ]
        )
        session.commit()
    twilio = FakeTwilio(now=NOW)

    assert _deliver(engine, twilio, NOW) == 0
    assert twilio.requests == []


def test_several_senders_at_once_send_every_message_once(engine: Engine) -> None:
    bodies = [f"Message {n}." for n in range(30)]
    with make_session_factory(engine)() as session:
        practice = add_practice(session, kind="veterinary")
        for n, body in enumerate(bodies):
            enqueue_sms(
                session,
                practice=practice,
                to_number=f"+1312555{n:04d}",
                body=body,
                kind="reply",
                now=NOW,
            )
        session.commit()
    twilio = FakeTwilio(now=NOW)

    def sender() -> None:
        with make_session_factory(engine)() as session:
            gateway = twilio_gateway(twilio)
            while deliver_pending(session, gateway=gateway, now=NOW, limit=4):
                pass

    with ThreadPoolExecutor(max_workers=3) as pool:
        for future in [pool.submit(sender) for _ in range(3)]:
            future.result()

    assert sorted(twilio.sent_bodies) == sorted(bodies)
    assert {r.status for r in _rows(engine)} == {"queued"}


@pytest.mark.parametrize(
    ("queued_at", "held_until"),
    [
        (chicago(2026, 11, 30, 8, 30), chicago(2026, 11, 30, 9, 0)),
        (chicago(2026, 11, 30, 12, 0), None),
        (chicago(2026, 11, 30, 17, 30), chicago(2026, 12, 1, 9, 0)),
    ],
)
def test_a_practice_can_set_its_own_sending_hours(
    session: Session, queued_at: datetime, held_until: datetime | None
) -> None:
    practice = add_practice(session, kind="human")
    practice.sms_sending_hours = ["09:00", "17:00"]

    [row] = enqueue_sms(
        session, practice=practice, to_number=OWNER, body="Hi.", kind="proactive", now=queued_at
    )

    assert row.next_attempt_at == held_until
