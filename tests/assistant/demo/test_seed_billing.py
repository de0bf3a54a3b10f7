"""The demo billing records: bills, insurance, pre-authorizations and claims a demo can show."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.billing import records
from assistant.billing.claim_check import check_surgical_case
from assistant.db.engine import make_session_factory
from assistant.db.models import Claim, InsurancePolicy, Invoice, Patient, Practice
from assistant.demo import load_demo_data

TODAY = date(2026, 3, 2)


@pytest.fixture
def demo(engine: Engine) -> Iterator[Session]:
    """The demo data loaded and committed, read back by a fresh session (SQLite, PostgreSQL)."""
    factory = make_session_factory(engine)
    with factory() as loader:
        assert load_demo_data(loader, today=TODAY) is True
        loader.commit()
    with factory() as s:
        yield s


def _ids(session: Session, *names: str) -> list[int]:
    return list(session.scalars(select(Patient.id).where(Patient.name.in_(names))))


def _practice(session: Session, slug: str) -> Practice:
    return session.scalars(select(Practice).where(Practice.slug == slug)).one()


def test_vet_bills_itemize_chop_drugs_and_keep_the_partial_payment(demo: Session) -> None:
    biscuit = _ids(demo, "Biscuit")

    bill = records.itemized(demo, patient_ids=biscuit)

    assert bill is not None and bill.number == "CV-2026-0518"
    drugs = {line.drug: (line.dose, line.quantity, line.amount_cents) for line in bill.lines}
    assert drugs["vincristine"] == ("0.7 mg/m2", Decimal("0.680"), 6460)
    assert drugs["doxorubicin"] == ("30 mg/m2", Decimal("29.100"), 13095)
    assert {"CBC before chemotherapy", "Recheck exam before chemotherapy"} <= {
        line.description for line in bill.lines
    }
    assert (bill.total_cents, bill.paid_cents, bill.balance_cents) == (65155, 20000, 45155)
    # The paid work-up invoice owes nothing; Juniper's radiation is unpaid; Miso is paid up.
    assert records.balance_cents(demo, patient_ids=biscuit) == 45155
    assert records.balance_cents(demo, patient_ids=_ids(demo, "Juniper")) == 385000
    assert records.balance_cents(demo, patient_ids=_ids(demo, "Miso")) == 0
    payment = records.last_payment(demo, patient_ids=biscuit)
    assert payment is not None and (payment.amount_cents, payment.method) == (20000, "card")


def test_vet_insurance_has_an_approved_preauthorization_and_pet_claims(demo: Session) -> None:
    biscuit, miso = _ids(demo, "Biscuit"), _ids(demo, "Miso")

    [auth] = records.preauthorizations(demo, patient_ids=biscuit)
    assert (auth.status, auth.service) == ("approved", "CHOP-19 chemotherapy protocol")
    assert demo.get_one(InsurancePolicy, auth.policy_id).payer_name == "Trupanion"
    [pending] = records.claims(demo, patient_ids=biscuit)
    [paid] = records.claims(demo, patient_ids=miso)
    assert (pending.claim_type, pending.status, pending.amount_cents) == ("pet", "pending", 65155)
    assert demo.get_one(InsurancePolicy, paid.policy_id).payer_name == "Nationwide"
    assert paid.status == "paid"


def test_human_bill_has_one_line_per_surgical_component(demo: Session) -> None:
    chen = _ids(demo, "Linda Chen")

    bill = records.itemized(demo, patient_ids=chen)

    assert bill is not None and bill.number == "HSO-2026-1187"
    assert [line.component for line in bill.lines] == [
        "surgeon",
        "facility",
        "anesthesia",
        "pathology",
    ]
    assert records.balance_cents(demo, patient_ids=chen) == 132700 - 25000
    assert records.balance_cents(demo, patient_ids=_ids(demo, "Raymond Brooks")) == 4820


def test_breast_case_claims_agree_and_colectomy_claims_have_one_mistake_of_each_kind(
    demo: Session,
) -> None:
    human = _practice(demo, "harbor-surgical-oncology")
    case_1001 = demo.scalars(select(Claim).where(Claim.surgical_case_ref == "CASE-1001")).all()

    assert sorted(c.component or "" for c in case_1001) == [
        "anesthesia",
        "facility",
        "pathology",
        "surgeon",
    ]
    assert {c.diagnosis_codes[0] for c in case_1001} == {"C50.412"}
    assert check_surgical_case(demo, practice_id=human.id, surgical_case_ref="CASE-1001") == []

    findings = check_surgical_case(demo, practice_id=human.id, surgical_case_ref="CASE-1002")
    assert sorted(f.rule_id for f in findings) == [
        "distinct_needs_59",
        "facility_codes_match",
        "facility_has_primary_diagnosis",
        "secondary_needs_51",
    ]
    assert any("47100" in f.message for f in findings)
    assert any("C78.7" in f.message for f in findings)


def test_a_thyroidectomy_preauthorization_is_pending_and_one_claim_is_stale(
    demo: Session,
) -> None:
    [auth] = records.preauthorizations(demo, patient_ids=_ids(demo, "Sofia Marchetti"))
    assert auth.status == "pending" and "60240" in auth.service
    assert auth.decided_at is None

    human = _practice(demo, "harbor-surgical-oncology")
    vet = _practice(demo, "cedar-vet-oncology")
    load_time = datetime.combine(TODAY, time(17), tzinfo=ZoneInfo(human.timezone)).astimezone(UTC)
    [stale] = records.stale_claims(demo, practice_id=human.id, now=load_time)
    assert stale.surgical_case_ref == "CASE-0994"
    assert load_time - stale.last_update_at > timedelta(days=29)
    assert records.stale_claims(demo, practice_id=vet.id, now=load_time) == []


def test_invoice_numbers_are_unique_per_practice(demo: Session) -> None:
    numbers = [(i.practice_id, i.number) for i in demo.scalars(select(Invoice))]

    assert len(numbers) == len(set(numbers)) == 6
