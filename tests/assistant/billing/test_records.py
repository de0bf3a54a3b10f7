"""Billing records as a client's question reads them: balance, last payment, itemized bill,
pre-authorizations, claims, stale claims and claim status changes."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.billing import records
from assistant.db.models import (
    Claim,
    InsurancePolicy,
    Invoice,
    InvoiceLine,
    Patient,
    Payment,
    Practice,
    PreAuthorization,
)
from tests.conftest import add_practice

NOW = datetime(2026, 12, 1, 17, tzinfo=UTC)


def _pet(session: Session, practice: Practice, name: str) -> Patient:
    pet = Patient(practice_id=practice.id, kind="animal", name=name, species="dog")
    session.add(pet)
    session.flush()
    return pet


def _invoice(
    session: Session,
    patient: Patient,
    number: str,
    *,
    days_ago: int,
    lines: list[tuple[str, str, int]],
    payments: Sequence[tuple[int, int]] = (),
    status: str = "open",
) -> Invoice:
    issued = NOW - timedelta(days=days_ago)
    invoice = Invoice(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        number=number,
        issued_at=issued,
        due_at=issued + timedelta(days=30),
        status=status,
    )
    for description, quantity, unit in lines:
        q = Decimal(quantity)
        invoice.lines.append(
            InvoiceLine(
                description=description,
                quantity=q,
                unit_price_cents=unit,
                amount_cents=int(q * unit),
            )
        )
    for amount, paid_days_ago in payments:
        invoice.payments.append(
            Payment(amount_cents=amount, paid_at=NOW - timedelta(days=paid_days_ago), method="card")
        )
    session.add(invoice)
    session.flush()
    return invoice


@pytest.fixture
def vet(session: Session) -> Practice:
    return add_practice(session, kind="veterinary")


def test_balance_is_open_invoices_minus_their_payments(engine: Engine) -> None:
    with Session(engine) as session:
        practice = add_practice(session, kind="veterinary")
        max_, bella, other = (_pet(session, practice, n) for n in ("Max", "Bella", "Other"))
        _invoice(
            session, max_, "A-1", days_ago=9, lines=[("Exam", "1", 9500)], payments=[(2000, 3)]
        )
        _invoice(
            session,
            bella,
            "A-2",
            days_ago=5,
            lines=[("Vincristine", "0.68", 9500), ("CBC", "2", 6800)],
        )
        # A paid and a void invoice owe nothing; another family's invoice is not theirs.
        _invoice(session, max_, "A-0", days_ago=40, lines=[("Consult", "1", 18500)], status="paid")
        _invoice(session, max_, "A-9", days_ago=8, lines=[("Typo", "1", 5000)], status="void")
        _invoice(session, other, "A-3", days_ago=2, lines=[("Exam", "1", 9500)])
        session.commit()

        assert records.balance_cents(session, patient_ids=[max_.id]) == 9500 - 2000
        assert records.balance_cents(session, patient_ids=[max_.id, bella.id]) == (
            7500 + 6460 + 13600
        )
        assert records.balance_cents(session, patient_ids=[]) == 0


def test_last_payment_is_the_newest_on_any_invoice_of_the_patients(
    session: Session, vet: Practice
) -> None:
    max_, bella = _pet(session, vet, "Max"), _pet(session, vet, "Bella")
    _invoice(session, max_, "A-1", days_ago=9, lines=[("Exam", "1", 9500)], payments=[(2000, 3)])
    _invoice(session, bella, "A-2", days_ago=9, lines=[("Exam", "1", 9500)], payments=[(1500, 1)])

    newest_of_max = records.last_payment(session, patient_ids=[max_.id])
    newest_of_both = records.last_payment(session, patient_ids=[max_.id, bella.id])

    assert newest_of_max is not None and newest_of_max.amount_cents == 2000
    assert newest_of_both is not None and newest_of_both.amount_cents == 1500
    assert records.last_payment(session, patient_ids=[_pet(session, vet, "New").id]) is None


def test_itemized_shows_the_newest_open_invoice_line_by_line(
    session: Session, vet: Practice
) -> None:
    max_ = _pet(session, vet, "Max")
    _invoice(session, max_, "A-1", days_ago=20, lines=[("Consult", "1", 18500)])
    _invoice(
        session,
        max_,
        "A-2",
        days_ago=5,
        lines=[("Recheck exam", "2", 9500), ("Doxorubicin IV", "29.1", 450)],
        payments=[(10000, 2)],
    )
    _invoice(session, max_, "A-3", days_ago=1, lines=[("Paid already", "1", 100)], status="paid")

    bill = records.itemized(session, patient_ids=[max_.id])

    assert bill is not None
    assert (bill.number, bill.patient_id) == ("A-2", max_.id)
    assert [(line.description, line.amount_cents) for line in bill.lines] == [
        ("Recheck exam", 19000),
        ("Doxorubicin IV", 13095),
    ]
    assert (bill.total_cents, bill.paid_cents, bill.balance_cents) == (32095, 10000, 22095)
    assert records.itemized(session, patient_ids=[_pet(session, vet, "New").id]) is None


def _policy(session: Session, patient: Patient, payer: str = "Trupanion") -> InsurancePolicy:
    policy = InsurancePolicy(patient_id=patient.id, payer_name=payer, member_id="M-1", kind="pet")
    session.add(policy)
    session.flush()
    return policy


def _claim(
    session: Session, patient: Patient, policy: InsurancePolicy, *, status: str, updated: int
) -> Claim:
    claim = Claim(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        policy_id=policy.id,
        claim_type="pet",
        status=status,
        submitted_at=None if status == "draft" else NOW - timedelta(days=updated + 1),
        last_update_at=NOW - timedelta(days=updated),
        amount_cents=50000,
        procedure_codes=[],
        diagnosis_codes=[],
    )
    session.add(claim)
    session.flush()
    return claim


def test_claims_and_preauthorizations_are_listed_newest_update_first(
    session: Session, vet: Practice
) -> None:
    max_, other = _pet(session, vet, "Max"), _pet(session, vet, "Other")
    policy = _policy(session, max_)
    older = _claim(session, max_, policy, status="paid", updated=20)
    newer = _claim(session, max_, policy, status="pending", updated=2)
    _claim(session, other, _policy(session, other), status="pending", updated=1)
    auth = PreAuthorization(
        policy_id=policy.id,
        patient_id=max_.id,
        service="CHOP-19",
        status="approved",
        requested_at=NOW - timedelta(days=10),
        decided_at=NOW - timedelta(days=8),
        last_update_at=NOW - timedelta(days=8),
    )
    session.add(auth)
    session.flush()

    assert records.claims(session, patient_ids=[max_.id]) == [newer, older]
    assert records.preauthorizations(session, patient_ids=[max_.id]) == [auth]
    assert records.preauthorizations(session, patient_ids=[other.id]) == []


def test_stale_claims_are_submitted_or_pending_and_unanswered_for_14_days(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        practice = add_practice(session, kind="veterinary")
        max_ = _pet(session, practice, "Max")
        policy = _policy(session, max_)
        stale_pending = _claim(session, max_, policy, status="pending", updated=30)
        stale_submitted = _claim(session, max_, policy, status="submitted", updated=15)
        _claim(session, max_, policy, status="pending", updated=13)  # still fresh
        _claim(session, max_, policy, status="denied", updated=40)  # answered
        _claim(session, max_, policy, status="draft", updated=40)  # never sent
        other = add_practice(session, kind="human")
        patient = Patient(practice_id=other.id, kind="human", name="Ann Lee")
        session.add(patient)
        session.flush()
        _claim(session, patient, _policy(session, patient, "Aetna"), status="pending", updated=30)
        session.commit()

        found = records.stale_claims(session, practice_id=practice.id, now=NOW)
        assert [c.id for c in found] == [stale_pending.id, stale_submitted.id]
        assert records.stale_claims(session, practice_id=practice.id, now=NOW, days=20) == [
            stale_pending
        ]


def test_set_claim_status_records_the_change_and_the_first_submission(
    session: Session, vet: Practice
) -> None:
    max_ = _pet(session, vet, "Max")
    claim = _claim(session, max_, _policy(session, max_), status="draft", updated=5)

    assert records.set_claim_status(session, claim=claim, status="submitted", now=NOW) is claim
    assert (claim.status, claim.submitted_at, claim.last_update_at) == ("submitted", NOW, NOW)

    later = NOW + timedelta(days=3)
    records.set_claim_status(session, claim=claim, status="approved", now=later)
    session.expire_all()
    stored = session.get_one(Claim, claim.id)
    assert (stored.status, stored.submitted_at, stored.last_update_at) == ("approved", NOW, later)


def test_set_claim_status_refuses_an_unknown_status(session: Session, vet: Practice) -> None:
    max_ = _pet(session, vet, "Max")
    claim = _claim(session, max_, _policy(session, max_), status="pending", updated=5)

    with pytest.raises(ValueError, match="unknown claim status 'lost'"):
        records.set_claim_status(session, claim=claim, status="lost", now=NOW)
    assert claim.status == "pending"


def test_an_invoice_number_is_unique_within_a_practice_only(engine: Engine) -> None:
    with Session(engine) as session:
        vet, human = add_practice(session, kind="veterinary"), add_practice(session, kind="human")
        pet = _pet(session, vet, "Max")
        person = Patient(practice_id=human.id, kind="human", name="Ann Lee")
        session.add(person)
        session.flush()
        _invoice(session, pet, "2026-001", days_ago=1, lines=[("Exam", "1", 9500)])
        _invoice(session, person, "2026-001", days_ago=1, lines=[("Visit", "1", 9500)])
        session.commit()

        with pytest.raises(IntegrityError):
            _invoice(session, pet, "2026-001", days_ago=0, lines=[("Exam", "1", 9500)])
