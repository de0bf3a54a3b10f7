"""Invoices, payments, insurance policies, pre-authorizations and insurance claims.

Money is integer cents everywhere; no float ever holds an amount.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.db.base import Base, UTCDateTime, utcnow

INVOICE_STATUSES = ("open", "paid", "void")
# Who bills a part of a surgery: each sends its own claim and its own bill.
SURGICAL_COMPONENTS = ("surgeon", "facility", "anesthesia", "pathology", "assistant")
PAYMENT_METHODS = ("card", "check", "cash", "insurance", "financing")
POLICY_KINDS = ("pet", "health")
PREAUTHORIZATION_STATUSES = ("requested", "pending", "approved", "denied")
CLAIM_TYPES = ("professional", "facility", "pet")
CLAIM_STATUSES = ("draft", "submitted", "pending", "approved", "denied", "paid")


class Invoice(Base):
    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("practice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))  # printed on the bill the client holds
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(8), default="open")  # INVOICE_STATUSES

    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.id"
    )
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="invoice", order_by="Payment.paid_at"
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    component: Mapped[str | None] = mapped_column(String(16))  # SURGICAL_COMPONENTS, surgery only
    drug: Mapped[str | None] = mapped_column(String(80))
    dose: Mapped[str | None] = mapped_column(String(40))  # as prescribed, e.g. "0.7 mg/m2"
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Payment(Base):
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(16))  # PAYMENT_METHODS
    reference: Mapped[str | None] = mapped_column(String(80))

    invoice: Mapped[Invoice] = relationship(back_populates="payments")


class InsurancePolicy(Base):
    """A patient's pet-insurance or health-insurance policy."""

    __tablename__ = "insurance_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    payer_name: Mapped[str] = mapped_column(String(120))
    member_id: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(8))  # POLICY_KINDS


class PreAuthorization(Base):
    """A payer's approval asked for before a service (surgery, chemotherapy, radiation)."""

    __tablename__ = "pre_authorization"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    service: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))  # PREAUTHORIZATION_STATUSES
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reference: Mapped[str | None] = mapped_column(String(80))
    last_update_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Claim(Base):
    """One claim sent to a payer; the claims of one surgery share a `surgical_case_ref`."""

    __tablename__ = "claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"), index=True)
    surgical_case_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    component: Mapped[str | None] = mapped_column(String(16))  # SURGICAL_COMPONENTS, human only
    claim_type: Mapped[str] = mapped_column(String(16))  # CLAIM_TYPES
    status: Mapped[str] = mapped_column(String(12), default="draft")  # CLAIM_STATUSES
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_update_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    amount_cents: Mapped[int] = mapped_column(Integer)
    # [{"code": "19301", "modifiers": ["LT"]}, ...] in the order billed (primary first).
    procedure_codes: Mapped[list[Any]] = mapped_column(JSON)
    # ICD-10-CM codes, primary first: ["C50.412"].
    diagnosis_codes: Mapped[list[Any]] = mapped_column(JSON)
