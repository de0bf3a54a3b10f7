"""The booking endpoints the action server calls: identity first, then offers, booking,
moving, cancelling and confirming; nothing about a visit for an unverified or unknown contact."""

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    AuditLog,
    ClinicianShift,
    Contact,
    Conversation,
    Patient,
    Practice,
    StaffUser,
)
from assistant.scheduling.protocols import schedule_series
from tests.api.conftest import INTERNAL_TOKEN, internal_client
from tests.conftest import with_demo_data

AUTH = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
VET = "cedar-vet-oncology"
HUMAN = "harbor-surgical-oncology"


@pytest.fixture
def demo(sqlite_engine: Engine) -> Iterator[TestClient]:
    """The action server's listener on the demo practices."""
    with_demo_data(sqlite_engine, today=datetime.now(UTC).date())
    yield from internal_client(sqlite_engine)


@pytest.fixture
def db(sqlite_engine: Engine) -> Iterator[Session]:
    with make_session_factory(sqlite_engine)() as session:
        yield session


def conversation(db: Session, practice: str, phone: str | None) -> str:
    """A conversation as the SMS inbox opens it: from a phone on file, or (None) from web chat."""
    found = db.scalars(select(Practice).where(Practice.slug == practice)).one()
    contact = db.scalars(select(Contact).where(Contact.phone == phone)).one() if phone else None
    row = Conversation(
        practice_id=found.id,
        channel="sms" if phone else "web",
        sender_key=phone or "browser-1",
        contact_id=contact.id if contact else None,
    )
    db.add(row)
    db.commit()
    return row.id


def url(conversation_id: str, path: str) -> str:
    return f"/internal/v1/conversations/{conversation_id}/{path}"


def verified(client: TestClient, db: Session, practice: str, phone: str, answer: str) -> str:
    conversation_id = conversation(db, practice, phone)
    response = client.post(url(conversation_id, "identity"), json={"answer": answer}, headers=AUTH)
    assert response.json() == {"identity": "verified"}
    return conversation_id


def test_an_unknown_number_gets_no_records_and_cannot_book(demo: TestClient, db: Session) -> None:
    conversation_id = conversation(db, VET, None)

    context = demo.get(url(conversation_id, "booking"), headers=AUTH).json()
    offers = demo.post(
        url(conversation_id, "booking/time"),
        json={
            "type_code": "recheck_exam",
            "text": "1",
            "idempotency_key": "k1",
            "offers": [{"starts_at": "2030-01-07T15:00:00Z", "clinician_id": 1, "label": "x"}],
        },
        headers=AUTH,
    )

    assert context["identity"] == "unknown"
    assert context["patients"] == [] and context["visits"] == []
    assert offers.status_code == 403
    assert (
        db.scalar(
            select(func.count()).select_from(Appointment).where(Appointment.idempotency_key == "k1")
        )
        == 0
    )


def test_a_known_number_sees_nothing_until_verified(demo: TestClient, db: Session) -> None:
    conversation_id = conversation(db, VET, "+13125550120")  # Maria Alvarez

    before = demo.get(url(conversation_id, "booking"), headers=AUTH).json()
    wrong = demo.post(
        url(conversation_id, "identity"), json={"answer": "biscuit smith"}, headers=AUTH
    )
    right = demo.post(
        url(conversation_id, "identity"), json={"answer": "Biscuit ALVAREZ"}, headers=AUTH
    )
    after = demo.get(url(conversation_id, "booking"), headers=AUTH).json()

    assert before["identity"] == "unverified" and before["visits"] == []
    assert wrong.json() == {"identity": "unverified"}
    assert right.json() == {"identity": "verified"}
    assert [name for _, name in after["patients"]] == ["Biscuit", "Pepper"]
    assert {v["patient_name"] for v in after["visits"]} == {"Biscuit", "Pepper"}


@pytest.mark.parametrize(
    "answer",
    [
        "biscuit alvarez pepper smith rex jones luna garcia",  # a list that happens to hold them
        "alvarez",
        "biscuit",
        "biscuits alvarezz",
    ],
)
def test_only_the_two_names_exactly_verify(demo: TestClient, db: Session, answer: str) -> None:
    conversation_id = conversation(db, VET, "+13125550120")

    status = demo.post(url(conversation_id, "identity"), json={"answer": answer}, headers=AUTH)

    assert status.json() == {"identity": "unverified"}


@pytest.mark.parametrize(
    "answer", ["Biscuit ALVAREZ", "its biscuit, last name Alvarez", "Alvarez and Pepper"]
)
def test_the_two_names_in_a_sentence_verify(demo: TestClient, db: Session, answer: str) -> None:
    conversation_id = conversation(db, VET, "+13125550120")

    status = demo.post(url(conversation_id, "identity"), json={"answer": answer}, headers=AUTH)

    assert status.json() == {"identity": "verified"}


def test_a_verification_lasts_30_days(demo: TestClient, db: Session) -> None:
    from datetime import UTC, datetime, timedelta

    from assistant.db.models import Conversation
    from assistant.identity.verification import identity_status

    conversation_id = verified(demo, db, VET, "+13125550120", "pepper alvarez")
    talk = db.get_one(Conversation, conversation_id)
    db.refresh(talk)
    assert talk.verified_at is not None
    day_29 = talk.verified_at + timedelta(days=29)
    day_31 = talk.verified_at + timedelta(days=31)

    assert identity_status(db, talk, now=day_29) == "verified"
    assert identity_status(db, talk, now=day_31) == "unverified"
    assert datetime.now(UTC) - talk.verified_at < timedelta(minutes=5)


def test_three_wrong_answers_lock_the_conversation(demo: TestClient, db: Session) -> None:
    conversation_id = conversation(db, VET, "+13125550120")
    for guess in ("rex alvarez", "biscuit jones", "pepper"):
        status = demo.post(url(conversation_id, "identity"), json={"answer": guess}, headers=AUTH)

    late_right = demo.post(
        url(conversation_id, "identity"), json={"answer": "pepper alvarez"}, headers=AUTH
    )

    assert status.json() == {"identity": "locked"}
    assert late_right.json() == {"identity": "locked"}
    assert demo.get(url(conversation_id, "booking"), headers=AUTH).json()["visits"] == []


@pytest.mark.parametrize("answer", ["03/11/1968", "3-11-68", "March 11, 1968", "dob 3/11/1968"])
def test_a_patient_is_verified_by_date_of_birth(demo: TestClient, db: Session, answer: str) -> None:
    verified(demo, db, HUMAN, "+16175550120", answer)  # Linda Chen, born 1968-03-11


def test_a_caregiver_is_verified_by_the_patients_date_of_birth(
    demo: TestClient, db: Session
) -> None:
    verified(demo, db, HUMAN, "+17815550122", "8/29/1954")  # Tanya for Raymond Brooks


def test_offer_book_and_retry_gives_one_visit(demo: TestClient, db: Session) -> None:
    conversation_id = verified(demo, db, VET, "+13125550120", "pepper alvarez")
    offered = demo.post(
        url(conversation_id, "booking/offers"),
        json={"type_code": "cbc_recheck", "when": "next week"},
        headers=AUTH,
    ).json()
    request = {
        "type_code": "cbc_recheck",
        "patient_id": next(
            pid
            for pid, name in demo.get(url(conversation_id, "booking"), headers=AUTH).json()[
                "patients"
            ]
            if name == "Pepper"
        ),
        "offers": offered["offers"],
        "text": "the 2nd one",
        "when": "next week",
        "idempotency_key": "conv-1:msg-7",
    }

    first = demo.post(url(conversation_id, "booking/time"), json=request, headers=AUTH).json()
    again = demo.post(url(conversation_id, "booking/time"), json=request, headers=AUTH).json()

    assert offered["outcome"] == "offers" and len(offered["offers"]) == 3
    assert first["outcome"] == "booked"
    assert first["visit"]["patient_name"] == "Pepper"
    assert first["visit"]["visit_type"] == "CBC recheck (bloodwork)"
    assert offered["offers"][1]["label"].startswith(first["visit"]["visit_time"])
    assert again["visit"]["id"] == first["visit"]["id"]
    assert (
        db.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.idempotency_key == "conv-1:msg-7")
        )
        == 1
    )
    assert audited(db, first["visit"]["id"]) == [("visit.booked_by_text", maria_actor(db))]


def audited(db: Session, appointment_id: int) -> list[tuple[str, str]]:
    """The audit rows of one visit: what was done and by whom (issue 18: bookings by text)."""
    db.expire_all()
    rows = db.scalars(
        select(AuditLog)
        .where(AuditLog.entity_type == "appointment", AuditLog.entity_id == str(appointment_id))
        .order_by(AuditLog.id)
    )
    return [(row.action, row.actor) for row in rows]


def maria_actor(db: Session) -> str:
    maria = db.scalars(select(Contact).where(Contact.phone == "+13125550120")).one()
    return f"contact:{maria.id}"


def test_who_loses_a_race_for_a_time_is_offered_other_times(demo: TestClient, db: Session) -> None:
    # Juniper's two owners asked at once, with no day named ("book a recheck for juniper"),
    # were offered the same times, and both picked the first.
    request = "i need to book a recheck for juniper"
    owners = [
        verified(demo, db, VET, phone, "juniper whitfield")
        for phone in ("+17735550121", "+17735550122")
    ]
    offered = demo.post(
        url(owners[0], "booking/offers"),
        json={"type_code": "recheck_exam", "when": request, "soonest_if_unread": True},
        headers=AUTH,
    ).json()
    juniper = demo.get(url(owners[0], "booking"), headers=AUTH).json()["patients"][0][0]

    def pick_first(conversation_id: str, key: str) -> dict[str, Any]:
        answer: dict[str, Any] = demo.post(
            url(conversation_id, "booking/time"),
            json={
                "type_code": "recheck_exam",
                "patient_id": juniper,
                "offers": offered["offers"],
                "text": "1",
                "when": request,
                "idempotency_key": key,
            },
            headers=AUTH,
        ).json()
        return answer

    won, lost = pick_first(owners[0], "race-1"), pick_first(owners[1], "race-2")

    assert won["outcome"] == "booked"
    assert lost["outcome"] == "taken"
    assert len(lost["offers"]) == 3
    assert offered["offers"][0]["label"] not in [o["label"] for o in lost["offers"]]


@pytest.mark.parametrize(
    ("when", "outcome"),
    [
        ("yesterday", "past"),
        ("sunday", "no_times"),
        ("after my daughters wedding", "not_understood"),
    ],
)
def test_times_that_cannot_be_offered_say_why(
    demo: TestClient, db: Session, when: str, outcome: str
) -> None:
    conversation_id = verified(demo, db, VET, "+13125550120", "pepper alvarez")

    answer = demo.post(
        url(conversation_id, "booking/offers"),
        json={"type_code": "recheck_exam", "when": when},
        headers=AUTH,
    ).json()

    assert answer == {"outcome": outcome, "offers": [], "visit": None}


def test_a_new_day_instead_of_a_number_gets_new_offers(demo: TestClient, db: Session) -> None:
    conversation_id = verified(demo, db, VET, "+13125550120", "pepper alvarez")

    answer = demo.post(
        url(conversation_id, "booking/time"),
        json={
            "type_code": "recheck_exam",
            "text": "anything friday after 3",
            "idempotency_key": "k-new-day",
            "offers": [],
        },
        headers=AUTH,
    ).json()

    assert answer["outcome"] == "offers"
    assert all(o["label"].startswith("Fri") for o in answer["offers"])


@pytest.mark.parametrize(
    ("what", "text", "expected"),
    [
        ("visit_type", "need bloodwork before chemo", None),  # two types named: ask
        ("visit_type", "can i book a cbc", "cbc_recheck"),
        ("visit_type", "a follow up call with the nurse", "nurse_followup_call"),
        ("visit_type", "recheck", "recheck_exam"),
        ("patient", "its for pepper", "Pepper"),
        ("patient", "2", "Pepper"),
        ("patient", "rex", None),
    ],
)
def test_pick_reads_the_clients_words(
    demo: TestClient, db: Session, what: str, text: str, expected: str | None
) -> None:
    conversation_id = verified(demo, db, VET, "+13125550120", "pepper alvarez")
    context = demo.get(url(conversation_id, "booking"), headers=AUTH).json()

    picked = demo.post(
        url(conversation_id, "booking/pick"), json={"text": text, "what": what}, headers=AUTH
    ).json()["picked"]

    if what == "patient" and picked is not None:
        picked = dict(map(tuple, context["patients"]))[picked]
    assert picked == expected


def test_cancel_and_confirm_only_own_visits(demo: TestClient, db: Session) -> None:
    maria = verified(demo, db, VET, "+13125550120", "pepper alvarez")
    keiko = verified(demo, db, VET, "+13125550124", "miso tanaka")
    visits = demo.get(url(maria, "booking"), headers=AUTH).json()["visits"]
    first, second = visits[0], visits[1]

    not_hers = demo.post(url(keiko, f"visits/{first['id']}/cancel"), headers=AUTH)
    confirmed = demo.post(url(maria, f"visits/{second['id']}/confirm"), headers=AUTH)
    cancelled = demo.post(url(maria, f"visits/{first['id']}/cancel"), headers=AUTH)
    left = demo.get(url(maria, "booking"), headers=AUTH).json()["visits"]

    assert not_hers.status_code == 403
    assert confirmed.status_code == 200 and confirmed.json()["id"] == second["id"]
    assert cancelled.status_code == 200
    assert first["id"] not in [v["id"] for v in left]
    assert db.get(Appointment, second["id"]).confirmed_at is not None  # type: ignore[union-attr]
    assert db.get(Appointment, first["id"]).status == "cancelled"  # type: ignore[union-attr]
    assert audited(db, first["id"]) == [("visit.cancelled_by_text", maria_actor(db))]
    assert audited(db, second["id"]) == [("visit.confirmed_by_text", maria_actor(db))]


WEDNESDAY_STAFF = ("evelyn.hart@cedar-vet.example.org", "jordan.reyes@cedar-vet.example.org")


def test_a_chemo_visit_cannot_be_moved_too_close_to_the_next_one(
    demo: TestClient, db: Session
) -> None:
    biscuit = db.scalars(select(Patient).where(Patient.name == "Biscuit")).one()
    zone = ZoneInfo("America/Chicago")
    # Two weeks ahead, on a Wednesday at 13:00, inside Dr. Hart's shifts and clear of the demo.
    today = datetime.now(zone).date()
    wednesday = today + timedelta(days=14 + (2 - today.weekday()) % 7)
    # The demo has a month of shifts; CHOP-19 runs 19 weeks: Wednesdays for the oncologist
    # and a nurse, for the whole series.
    for staff in db.scalars(select(StaffUser).where(StaffUser.email.in_(WEDNESDAY_STAFF))):
        for week in range(2, 21):
            day = wednesday + timedelta(weeks=week)
            db.add(
                ClinicianShift(
                    staff_id=staff.id,
                    starts_at=datetime.combine(day, time(8, 0), zone),
                    ends_at=datetime.combine(day, time(17, 0), zone),
                )
            )
    series = schedule_series(
        db,
        patient=biscuit,
        protocol_code="chop_19",
        first_visit=datetime.combine(wednesday, time(13, 0), zone),
        created_by_id=None,
        now=datetime.now(UTC),
    )
    db.commit()
    first, second = sorted(
        (
            a
            for a in db.scalars(
                select(Appointment).where(
                    Appointment.protocol_series_id == series.id, Appointment.drug.is_not(None)
                )
            )
        ),
        key=lambda a: a.starts_at,
    )[:2]
    maria = verified(demo, db, VET, "+13125550120", "biscuit alvarez")
    too_close = datetime.combine(wednesday + timedelta(days=2), time(13, 0), zone)

    answer = demo.post(
        url(maria, "booking/time"),
        json={
            "type_code": "chemo_treatment",
            "move_visit_id": second.id,
            "offers": [
                {
                    "starts_at": too_close.isoformat(),
                    "clinician_id": second.clinician_id,
                    "label": "x",
                }
            ],
            "text": "1",
            "idempotency_key": "move-too-close",
        },
        headers=AUTH,
    ).json()

    assert answer["outcome"] == "spacing"
    db.expire_all()
    assert db.get(Appointment, second.id).status == "booked"  # type: ignore[union-attr]
    assert first.status == "booked"


def answers(client: TestClient, conversation_id: str, question: str, text: str) -> bool:
    body = {"question": question, "text": text}
    response = client.post(url(conversation_id, "booking/answers"), json=body, headers=AUTH)
    assert response.status_code == 200
    return bool(response.json()["answers"])


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("visit_type", "Consultation"),
        ("visit_type", "the chemo treatment"),
        ("visit_type", "just the bloodwork pls"),
        ("patient", "Biscuit pls"),
        ("patient", "its for my dad Frank"),  # not on file: the form asks again, naming them
        ("visit_type", "consult with the surgeon"),
        ("visit", "the first one"),
        ("time", "sat?"),
        ("time", "next tue after 3"),
        ("identity", "Bear Johansson"),
        ("identity", "Mr Pickles Van Houten"),
        ("identity", "hi its peanut and my last name is Dubois"),
    ],
)
def test_a_bare_reply_answers_the_question_asked(
    demo: TestClient, db: Session, question: str, text: str
) -> None:
    """What the form asks before handing a reply the model read as an FAQ question or a
    symptom to that path instead ("Consultation" to "which kind of visit?")."""
    conversation_id = verified(demo, db, VET, "+13125550120", "pepper alvarez")
    assert answers(demo, conversation_id, question, text)


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("visit_type", "where do I park"),
        ("visit_type", "can someone call me"),  # names a nurse call, but says more
        ("visit_type", "she threw up after chemo"),  # a symptom keeps its path to a nurse
        ("visit_type", "is chemo going to make her hair fall out or change how she eats"),
        ("patient", "what are your hours"),
        ("visit", "can I bring the drain log"),
        ("time", "how much does it cost"),
        ("time", "tomorrow she is limping"),
        ("identity", "parking?"),
        ("identity", "stop"),
        ("identity", "he ate my pills"),
        ("identity", "when does the clinic open"),
    ],
)
def test_a_question_or_a_concern_is_not_an_answer(
    demo: TestClient, db: Session, question: str, text: str
) -> None:
    conversation_id = verified(demo, db, VET, "+13125550120", "pepper alvarez")
    assert not answers(demo, conversation_id, question, text)


def test_a_date_of_birth_answers_a_patients_identity_question(
    demo: TestClient, db: Session
) -> None:
    """People verify with a date of birth; checking one's shape counts no wrong answer."""
    conversation_id = conversation(db, HUMAN, "+16175550120")
    assert answers(demo, conversation_id, "identity", "3.11.68")
    assert answers(demo, conversation_id, "identity", "06.14.1947")  # the wrong date: still one
    assert not answers(demo, conversation_id, "identity", "Linda Chen")
    # A kind of visit this practice does not book is an answer: the form lists the kinds.
    assert answers(demo, conversation_id, "visit_type", "Consultation please")
    # None of those checks was a wrong answer: the right date still verifies.
    response = demo.post(url(conversation_id, "identity"), json={"answer": "3/11/68"}, headers=AUTH)
    assert response.json() == {"identity": "verified"}


def test_the_answer_check_needs_the_internal_token(demo: TestClient, db: Session) -> None:
    conversation_id = conversation(db, VET, "+13125550120")
    body = {"question": "time", "text": "sat"}
    response = demo.post(url(conversation_id, "booking/answers"), json=body)
    assert response.status_code == 401
