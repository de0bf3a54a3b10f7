"""Billing by text through the real stack: no amount before the contact is verified, answers
from the records after, and records requests and disputes in the billing queue."""

import sqlite3

import pytest

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
VET = "+13125550101"
HUMAN = "+16175550101"


def templates(replies: list[tuple[str, str]]) -> list[str]:
    return [template for template, _ in replies]


def billing_cases(stack: Stack, phone: str) -> list[tuple[str, str]]:
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        return db.execute(
            "SELECT e.category, e.assigned_role FROM escalation e"
            " JOIN conversation c ON c.id = e.conversation_id WHERE c.sender_key = ?",
            (phone,),
        ).fetchall()


def test_no_amount_before_the_owner_is_verified(stack: Stack) -> None:
    james = "+17735550121"  # Juniper's owner

    asked = stack.text("whats my balance", sender=james, to=VET)
    wrong = stack.text("rex smith", sender=james, to=VET)
    balance = stack.text("Juniper Whitfield", sender=james, to=VET)

    assert templates(asked) == ["vet.billing.ask_identity"]
    assert templates(wrong) == ["both.booking.identity_failed"]
    assert not any("$" in text for _, text in asked + wrong)
    assert templates(balance) == ["both.billing.balance"]
    assert "Juniper" in balance[0][1] and "$" in balance[0][1]


def test_an_unknown_number_gets_no_amount(stack: Stack) -> None:
    replies = stack.text("how much do i owe", sender="+13125550177", to=VET)

    assert templates(replies) == ["both.billing.unknown_number"]
    assert "$" not in replies[0][1]


def test_a_patient_hears_the_status_of_a_pre_authorization(stack: Stack) -> None:
    sofia = "+16175550123"  # a thyroidectomy pre-authorization pending

    stack.text("has my prior auth for surgery gone through yet", sender=sofia, to=HUMAN)
    status = stack.text("12/05/1981", sender=sofia, to=HUMAN)

    assert templates(status) == ["both.billing.insurance_status"]
    assert "pre-authorization" in status[0][1]


def test_records_for_an_insurer_and_a_dispute_go_to_the_billing_queue(stack: Stack) -> None:
    grace = "+16305550128"  # Olive's owner

    records = stack.text(
        "my pet insurance needs olive's records, can you send them", sender=grace, to=VET
    )
    dispute = stack.text("why was i charged twice for the same exam", sender=grace, to=VET)

    assert templates(records) == ["both.billing.records_requested"]
    assert templates(dispute) == ["both.billing.handoff"]
    assert billing_cases(stack, grace) == [("billing", "billing"), ("billing", "billing")]
