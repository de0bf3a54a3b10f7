"""What a client's billing message asks for, and the answer from the records.

The need is read from the words (the NLU has one billing intent): a complaint or dispute and
anything else a person must look at goes to the billing queue; balance, an itemized invoice and
insurance status are answered from the records, to a verified contact only.
"""

import re
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.billing import records
from assistant.db.models import InsurancePolicy, Invoice, InvoiceLine, Patient

Need = Literal["balance", "itemized", "insurance", "records", "other"]

# First match wins: a dispute about a balance is a dispute, not a balance question.
NEED_PATTERNS: tuple[tuple[Need, str], ...] = (
    (
        "other",
        r"\b(?:why|wrong|mistake|error|twice|double|dispute|overcharg\w*|denied|out of network|"
        r"never (?:went|had|got)|estimate\w*|how much (?:is|will|would|does)|cost\w*|price|"
        r"payment plans?|monthly|installments?|pay (?:it )?off)\b",
    ),
    (
        "records",
        r"\b(?:records?|chart|medical notes|claim forms?|fill out|documents?|paperwork)\b",
    ),
    ("itemized", r"\b(?:itemi[sz]ed|receipts?|copy of (?:my |the |his |her )?(?:bill|invoice))\b"),
    (
        "balance",
        r"\b(?:balance|owe|owing|outstanding|payment\w*\b[^.?!]{0,30}\b(?:go through|went through|"
        r"processed|applied|received)|did you get my payment|deposit)\b",
    ),
    (
        "insurance",
        r"\b(?:claims?|prior auth\w*|pre ?-?auth\w*|authori[sz]ation|eob|trupanion|nationwide|"
        r"embrace|healthy paws|pets best|insurance (?:paid|approved|pay))\b",
    ),
)
_COMPILED = tuple((need, re.compile(pattern, re.IGNORECASE)) for need, pattern in NEED_PATTERNS)


def need_of(text: str) -> Need:
    for need, pattern in _COMPILED:
        if pattern.search(text):
            return need
    return "other"


def dollars(cents: int) -> str:
    """12345 -> '$123.45'."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def answer(
    session: Session, *, need: Need, patients: list[Patient], timezone: ZoneInfo
) -> dict[str, str | bool]:
    """The template values that answer `need` for these (verified) patients; `found` is False
    when the records hold nothing to answer with (then a person looks into it)."""
    if not patients:
        return {"found": False}
    ids = [p.id for p in patients]
    names = _listing([p.name for p in patients])
    if need == "balance":
        if not session.scalar(select(func.count()).where(Invoice.patient_id.in_(ids))):
            return {"found": False}
        payment = records.last_payment(session, patient_ids=ids)
        return {
            "found": True,
            "patient_name": names,
            "balance": dollars(records.balance_cents(session, patient_ids=ids)),
            "last_payment": (
                f"{dollars(payment.amount_cents)} on {_day(payment.paid_at, timezone)}"
                if payment
                else "none on file"
            ),
        }
    if need == "itemized":
        invoice = records.itemized(session, patient_ids=ids)
        if invoice is None:
            return {"found": False}
        owner = next(p.name for p in patients if p.id == invoice.patient_id)
        return {
            "found": True,
            "patient_name": owner,
            "invoice_number": invoice.number,
            "invoice_lines": "; ".join(_line(line) for line in invoice.lines),
            "total": dollars(invoice.total_cents),
            "paid": dollars(invoice.paid_cents),
            "balance": dollars(invoice.balance_cents),
        }
    statuses = [
        f"{_payer(session, claim.policy_id)} {claim.component + ' ' if claim.component else ''}"
        f"claim: {claim.status} {_day(claim.last_update_at, timezone)}"
        for claim in records.claims(session, patient_ids=ids)
    ] + [
        f"pre-authorization for {auth.service}: {auth.status} {_day(auth.last_update_at, timezone)}"
        for auth in records.preauthorizations(session, patient_ids=ids)
    ]
    if not statuses:
        return {"found": False}
    return {"found": True, "patient_name": names, "claims": "; ".join(statuses)}


def _line(line: InvoiceLine) -> str:
    dose = f" {line.dose}" if line.dose else ""
    quantity = f" x{line.quantity.normalize():f}" if line.quantity != 1 else ""
    return f"{line.description}{dose}{quantity} {dollars(line.amount_cents)}"


def _payer(session: Session, policy_id: int) -> str:
    return session.get_one(InsurancePolicy, policy_id).payer_name


def _day(moment: datetime, timezone: ZoneInfo) -> str:
    local = moment.astimezone(timezone)
    return f"{local:%b} {local.day}"


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
