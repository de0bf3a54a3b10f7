"""Proactive coordination: lab results, surgical cases and their checklists, the outreach
ledger (every proactive message, once), staff alerts and the practice's support resources."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.db.base import Base, UTCDateTime, utcnow

SURGICAL_CASE_STATUSES = ("scheduled", "done", "cancelled")
ADJUVANT_KINDS = ("medical", "radiation")
# test: a pre-op test, valid within `window_days` of surgery; task: staff work that makes the
# case ready; document: what the payer needs for the authorization.
CHECKLIST_KINDS = ("test", "task", "document")
# queued: in the outbox; expired: its moment passed before it could go (caps, quiet hours);
# withdrawn: taken back before it went (the pet died, the patient left active care).
OUTREACH_STATUSES = ("queued", "expired", "withdrawn")


class LabResult(Base):
    """A result on file: a CBC before a chemotherapy dose, a pre-op EKG."""

    __tablename__ = "lab_result"
    __table_args__ = (
        UniqueConstraint("practice_id", "source_id", name="uq_lab_result_practice_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    test_code: Mapped[str] = mapped_column(String(40))  # cbc, chemistry, ekg, ...
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Its identifier in the practice's own record system (CSV export, FHIR) when imported:
    # importing the record again updates this row instead of adding another.
    source_id: Mapped[str | None] = mapped_column(String(120))


class SurgicalCase(Base):
    """One planned operation and what must happen around it."""

    __tablename__ = "surgical_case"
    __table_args__ = (UniqueConstraint("practice_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    ref: Mapped[str] = mapped_column(String(40))  # CASE-1001, shared with the case's claims
    procedure: Mapped[str] = mapped_column(String(200))
    surgeon_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    surgery_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payer_name: Mapped[str | None] = mapped_column(String(120))
    # Sentinel node mapping needs nuclear medicine on the day.
    sentinel_node_mapping: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Authorization: not_requested | pending | approved | denied
    authorization_status: Mapped[str] = mapped_column(String(16), default="not_requested")
    authorization_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorization_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pathology_expected_on: Mapped[date | None] = mapped_column(Date)
    pathology_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pathology_passed_on_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adjuvant_therapy: Mapped[str | None] = mapped_column(String(12))  # ADJUVANT_KINDS
    adjuvant_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list["CaseChecklistItem"]] = relationship(
        back_populates="case", order_by="CaseChecklistItem.id"
    )


class CaseChecklistItem(Base):
    __tablename__ = "case_checklist_item"
    __table_args__ = (UniqueConstraint("case_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("surgical_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # CHECKLIST_KINDS
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    # Tests only: a result older than this many days before surgery no longer counts.
    window_days: Mapped[int | None] = mapped_column(Integer)
    # When the test was done, the task finished, the document received.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    case: Mapped[SurgicalCase] = relationship(back_populates="items")


class Outreach(Base):
    """One proactive message (to a client) or alert (to staff), recorded under a key that is
    unique forever: the scheduler can run again, restart or run twice and never repeat it."""

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    surgical_case_id: Mapped[int | None] = mapped_column(ForeignKey("surgical_case.id"))
    template_id: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12), default="queued")  # OUTREACH_STATUSES
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffAlert(Base):
    """Something staff must act on, shown on the coordination page until resolved."""

    __tablename__ = "staff_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    surgical_case_id: Mapped[int | None] = mapped_column(ForeignKey("surgical_case.id"))
    text: Mapped[str] = mapped_column(Text)
    # Who was texted about it (staff ids); the page shows it to everyone at the practice.
    notified_staff_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class SupportResource(Base):
    """A pet-loss or end-of-life resource the practice chose to share (editable by admins)."""

    __tablename__ = "support_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    detail: Mapped[str] = mapped_column(String(200))  # a web address or a phone number
    # The stages it is sent at: palliative, euthanasia_scheduled, deceased.
    stages: Mapped[list[Any]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
