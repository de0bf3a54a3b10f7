"""What a client may ask about their bill and their insurance, read from the billing records.

Every query takes the patients the asking contact may speak for (`patient_ids`), so a caller that
checked the contact's identity cannot read another family's records by mistake.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Claim, Invoice, InvoiceLine, Payment, PreAuthorization
from assistant.db.models.billing import CLAIM_STATUSES

# A claim the payer has not answered for this long needs a person to call the payer.
STALE_CLAIM_STATUSES = ("submitted", "pending")


@dataclass(frozen=True)
class ItemizedInvoice:
    patient_id: int
    number: str
    issued_at: datetime
    due_at: datetime
    lines: list[InvoiceLine]
    total_cents: int
    paid_cents: int

    @property
    def balance_cents(self) -> int:
        return self.total_cents - self.paid_cents


def balance_cents(session: Session, *, patient_ids: Collection[int]) -> int:
    """What is still owed on the open invoices of these patients: their lines minus payments."""
    open_invoices = select(Invoice.id).where(
        Invoice.patient_id.in_(patient_ids), Invoice.status == "open"
    )
    billed = session.scalar(
        select(func.coalesce(func.sum(InvoiceLine.amount_cents), 0)).where(
            InvoiceLine.invoice_id.in_(open_invoices)
        )
    )
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.invoice_id.in_(open_invoices)
        )
    )
    return int(billed or 0) - int(paid or 0)


def last_payment(session: Session, *, patient_ids: Collection[int]) -> Payment | None:
    """The most recent payment on any invoice of these patients, or None."""
    return session.scalars(
        select(Payment)
        .join(Invoice, Payment.invoice_id == Invoice.id)
        .where(Invoice.patient_id.in_(patient_ids))
        .order_by(Payment.paid_at.desc(), Payment.id.desc())
        .limit(1)
    ).first()


def itemized(session: Session, *, patient_ids: Collection[int]) -> ItemizedInvoice | None:
    """The most recently issued open invoice of these patients, line by line; None if none."""
    invoice = session.scalars(
        select(Invoice)
        .where(Invoice.patient_id.in_(patient_ids), Invoice.status == "open")
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
        .limit(1)
    ).first()
    if invoice is None:
        return None
    return ItemizedInvoice(
        patient_id=invoice.patient_id,
        number=invoice.number,
        issued_at=invoice.issued_at,
        due_at=invoice.due_at,
        lines=list(invoice.lines),
        total_cents=sum(line.amount_cents for line in invoice.lines),
        paid_cents=sum(p.amount_cents for p in invoice.payments),
    )


def preauthorizations(session: Session, *, patient_ids: Collection[int]) -> list[PreAuthorization]:
    """The pre-authorizations of these patients, the most recently updated first."""
    return list(
        session.scalars(
            select(PreAuthorization)
            .where(PreAuthorization.patient_id.in_(patient_ids))
            .order_by(PreAuthorization.last_update_at.desc(), PreAuthorization.id.desc())
        )
    )


def claims(session: Session, *, patient_ids: Collection[int]) -> list[Claim]:
    """The claims of these patients with their current status, the most recently updated first."""
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.patient_id.in_(patient_ids))
            .order_by(Claim.last_update_at.desc(), Claim.id.desc())
        )
    )


def stale_claims(
    session: Session, *, practice_id: int, now: datetime, days: int = 14
) -> list[Claim]:
    """Submitted or pending claims of the practice the payer has not updated for `days` days."""
    return list(
        session.scalars(
            select(Claim)
            .where(
                Claim.practice_id == practice_id,
                Claim.status.in_(STALE_CLAIM_STATUSES),
                Claim.last_update_at < now - timedelta(days=days),
            )
            .order_by(Claim.last_update_at, Claim.id)
        )
    )


def set_claim_status(session: Session, *, claim: Claim, status: str, now: datetime) -> Claim:
    """Record the payer's new status for `claim`; raises ValueError for an unknown status.

    The first move out of draft also stamps `submitted_at`. The caller commits.
    """
    if status not in CLAIM_STATUSES:
        raise ValueError(f"unknown claim status {status!r}; expected one of {CLAIM_STATUSES}")
    if status != "draft" and claim.submitted_at is None:
        claim.submitted_at = now
    claim.status = status
    claim.last_update_at = now
    session.flush()
    return claim
