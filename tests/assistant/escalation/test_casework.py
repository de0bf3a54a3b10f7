import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    AuditLog,
    Conversation,
    Escalation,
    Message,
    OnCallShift,
    OutboxMessage,
    StaffUser,
)
from assistant.escalation import casework
from assistant.escalation.queue import open_escalation
from assistant.escalation.sla import repage_overdue
from tests.conftest import add_practice

NOW = datetime(2026, 11, 30, 18, tzinfo=UTC)


def _case(
    session: Session,
    priority: str = "routine",
    text: str = "question",
    practice_id: int | None = None,
) -> Escalation:
    if practice_id is None:
        practice_id = add_practice(session, kind="human").id
    conversation = Conversation(practice_id=practice_id, channel="web", sender_key=text)
    session.add(conversation)
    session.flush()
    session.add(Message(conversation_id=conversation.id, direction="in", body=text))
    session.flush()
    return open_escalation(
        session, conversation=conversation, priority=priority, category="symptom", now=NOW
    )


def _staff(session: Session, practice_id: int, n: int, role: str = "nurse") -> StaffUser:
    staff = StaffUser(
        practice_id=practice_id,
        name=f"Nurse {n}",
        email=f"n{n}-{practice_id}@example.org",
        role=role,
        phone=f"+1312555017{n}",
    )
    session.add(staff)
    session.flush()
    return staff


def test_two_nurses_claiming_at_the_same_moment_exactly_one_wins(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as setup:
        case = _case(setup)
        nurses = [_staff(setup, case.practice_id, n) for n in (1, 2)]
        setup.commit()
        case_id, nurse_ids = case.id, [n.id for n in nurses]

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim_as(nurse_id: int) -> None:
        with sessions() as session:
            escalation = session.get_one(Escalation, case_id)
            nurse = session.get_one(StaffUser, nurse_id)
            barrier.wait()
            try:
                casework.claim(session, escalation=escalation, staff=nurse, now=NOW)
                session.commit()
                outcomes.append("won")
            except casework.AlreadyClaimed:
                outcomes.append("lost")

    threads = [threading.Thread(target=claim_as, args=(nurse_id,)) for nurse_id in nurse_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["lost", "won"]
    with sessions() as check:
        claimed = check.get_one(Escalation, case_id)
        assert claimed.claimed_by_id in nurse_ids
        audits = check.scalars(
            select(AuditLog).where(AuditLog.action == "escalation.claimed")
        ).all()
        assert len(audits) == 1


def test_queue_orders_by_priority_then_deadline(session: Session) -> None:
    routine = _case(session, "routine", "a")
    emergency = _case(session, "emergency", "b", practice_id=routine.practice_id)
    urgent = _case(session, "urgent", "c", practice_id=routine.practice_id)

    assert [c.id for c in casework.queue(session, practice_id=routine.practice_id)] == [
        emergency.id,
        urgent.id,
        routine.id,
    ]


def test_overdue_emergency_pages_again_then_the_backup(session: Session) -> None:
    case = _case(session, "emergency", "he collapsed")
    on_call = _staff(session, case.practice_id, 3, role="surgeon")
    backup = _staff(session, case.practice_id, 4, role="surgeon")
    session.add(
        OnCallShift(
            practice_id=case.practice_id,
            staff_id=on_call.id,
            backup_staff_id=backup.id,
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(hours=23),
        )
    )
    from assistant.escalation.paging import page_on_call

    page_on_call(session, escalation=case, now=NOW, case_url="https://x/nurse/cases/1")
    url = "https://x"

    assert repage_overdue(session, now=NOW + timedelta(minutes=4), case_url_base=url) == []
    assert repage_overdue(session, now=NOW + timedelta(minutes=6), case_url_base=url) == [case]
    assert repage_overdue(session, now=NOW + timedelta(minutes=8), case_url_base=url) == []
    assert repage_overdue(session, now=NOW + timedelta(minutes=12), case_url_base=url) == [case]

    pages = [p.to_number for p in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert pages == [on_call.phone, on_call.phone, on_call.phone, backup.phone]


def test_an_unacknowledged_case_stops_paging_after_six_pages(session: Session) -> None:
    case = _case(session, "emergency", "he collapsed")
    _staff(session, case.practice_id, 3, role="surgeon")
    from assistant.escalation.paging import page_on_call
    from assistant.escalation.sla import MAX_PAGES_PER_CASE

    page_on_call(session, escalation=case, now=NOW, case_url="https://x/nurse/cases/1")
    repaged = [
        repage_overdue(session, now=NOW + timedelta(minutes=6 * n), case_url_base="https://x")
        for n in range(1, 12)
    ]

    assert MAX_PAGES_PER_CASE == 6
    assert [len(r) for r in repaged] == [1] * 5 + [0] * 6
    assert case.page_count == 6


def test_acknowledged_case_is_not_paged_again(session: Session) -> None:
    case = _case(session, "urgent", "incision pus")
    nurse = _staff(session, case.practice_id, 5)
    casework.claim(session, escalation=case, staff=nurse, now=NOW)

    assert repage_overdue(session, now=NOW + timedelta(hours=3), case_url_base="https://x") == []


def _overdue_emergencies(sessions: sessionmaker[Session], count: int) -> list[int]:
    """`count` emergency cases paged once at NOW, nobody acknowledged, committed."""
    from assistant.escalation.paging import page_on_call

    with sessions() as setup:
        first = _case(setup, "emergency", "case 0")
        _staff(setup, first.practice_id, 6, role="surgeon")
        cases = [first] + [
            _case(setup, "emergency", f"case {n}", practice_id=first.practice_id)
            for n in range(1, count)
        ]
        for case in cases:
            page_on_call(setup, escalation=case, now=NOW, case_url="https://x")
        setup.commit()
        return [case.id for case in cases]


def _pages(sessions: sessionmaker[Session]) -> int:
    with sessions() as check:
        return len(check.scalars(select(OutboxMessage).where(OutboxMessage.kind == "page")).all())


def test_two_api_processes_checking_at_once_page_an_overdue_case_once(
    postgres_engine: Engine,
) -> None:
    sessions = make_session_factory(postgres_engine)
    case_ids = _overdue_emergencies(sessions, 5)
    before = _pages(sessions)
    later = NOW + timedelta(minutes=6)
    url = "https://x"

    with sessions() as first, sessions() as second:
        # The first process holds the overdue cases while it pages (not yet committed) ...
        assert {c.id for c in repage_overdue(first, now=later, case_url_base=url)} == set(case_ids)
        # ... the second, checking at that moment, skips them instead of paging again
        # (and fails rather than hang this one thread if it waited on the first's locks),
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        assert repage_overdue(second, now=later, case_url_base=url) == []
        second.commit()
        first.commit()
        # and once the first has committed, sees they were paged just now.
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        assert repage_overdue(second, now=later, case_url_base=url) == []
        second.commit()

    assert _pages(sessions) == before + len(case_ids)
    with sessions() as check:
        assert {check.get_one(Escalation, i).page_count for i in case_ids} == {2}


def test_racing_sla_checks_page_each_overdue_case_once(postgres_engine: Engine) -> None:
    sessions = make_session_factory(postgres_engine)
    case_ids = _overdue_emergencies(sessions, 8)
    before = _pages(sessions)
    start = threading.Barrier(4)
    paged: list[int] = []
    errors: list[BaseException] = []

    def api_process() -> None:
        try:
            with sessions() as session:
                start.wait()
                repaged = repage_overdue(
                    session, now=NOW + timedelta(minutes=6), case_url_base="https://x"
                )
                session.commit()
                paged.extend(case.id for case in repaged)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=api_process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(paged) == sorted(case_ids)  # every case paged, none twice
    assert _pages(sessions) == before + len(case_ids)
