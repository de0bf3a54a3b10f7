"""The billing endpoints the action server calls: the need read from the words, and amounts
and claim statuses only for a verified contact."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.billing import records
from assistant.billing.requests import dollars
from assistant.db.models import Patient

# The booking endpoint tests' demo api and helpers (a conversation, verified or not).
from tests.api.test_internal_booking import AUTH, VET, conversation, db, demo, url, verified

__all__ = ["db", "demo"]  # fixtures, used by name


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("whats my balance for ginger", "balance"),
        ("did my payment from friday go through", "balance"),
        ("can you send me an itemized receipt", "itemized"),
        ("has trupanion paid the claim yet", "insurance"),
        ("my insurer needs his records", "records"),
        ("why was i charged twice", "other"),
        ("id like monthly payments on my balance", "other"),
    ],
)
def test_the_need_is_read_from_the_words(
    demo: TestClient, db: Session, text: str, need: str
) -> None:
    conversation_id = conversation(db, VET, None)

    response = demo.post(url(conversation_id, "billing/need"), json={"text": text}, headers=AUTH)

    assert response.json() == {"need": need}


@pytest.mark.parametrize("phone", [None, "+13125550120"])  # web chat; Maria, not verified yet
def test_no_amount_for_an_unknown_or_unverified_contact(
    demo: TestClient, db: Session, phone: str | None
) -> None:
    conversation_id = conversation(db, VET, phone)

    for need in ("balance", "itemized", "insurance"):
        response = demo.post(
            url(conversation_id, "billing/answer"), json={"need": need}, headers=AUTH
        )
        assert response.status_code == 403
        assert "$" not in response.text


def test_a_verified_owner_gets_the_balance_invoice_and_claims(
    demo: TestClient, db: Session
) -> None:
    maria = verified(demo, db, VET, "+13125550120", "biscuit alvarez")
    pets = db.scalars(select(Patient.id).where(Patient.name.in_(["Biscuit", "Pepper"]))).all()

    balance = demo.post(url(maria, "billing/answer"), json={"need": "balance"}, headers=AUTH)
    invoice = demo.post(url(maria, "billing/answer"), json={"need": "itemized"}, headers=AUTH)
    claims = demo.post(url(maria, "billing/answer"), json={"need": "insurance"}, headers=AUTH)

    assert balance.json()["balance"] == dollars(records.balance_cents(db, patient_ids=pets))
    assert balance.json()["patient_name"] == "Biscuit and Pepper"
    assert "Vincristine" in invoice.json()["invoice_lines"]
    assert invoice.json()["invoice_number"]
    assert "Trupanion" in claims.json()["claims"]


def test_nothing_on_file_is_said_as_such(demo: TestClient, db: Session) -> None:
    robert = verified(demo, db, VET, "+17085550125", "duke kowalski")  # no bills in the demo

    answer = demo.post(url(robert, "billing/answer"), json={"need": "insurance"}, headers=AUTH)

    assert answer.json() == {"found": False}
