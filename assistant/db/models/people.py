"""Who texts the practice (contacts) and who is cared for (patients, human or animal)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.db.base import Base, UTCDateTime, utcnow

CONSENT_STATES = ("opted_in", "opted_out", "unknown")
PATIENT_KINDS = ("human", "animal")
# Staff set the last three at the end of a pet's life: reminders stop, grief support starts.
PATIENT_STATUSES = ("active", "palliative", "euthanasia_scheduled", "deceased")


class Contact(Base):
    """The person texting: a pet owner, a patient or a caregiver."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("practice_id", "phone"),
        UniqueConstraint("practice_id", "source_id", name="uq_contact_practice_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    consent: Mapped[str] = mapped_column(String(16), default="unknown")
    consent_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Its identifier in the practice's own record system (CSV export, FHIR) when imported:
    # importing the record again updates this row instead of adding another.
    source_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient_links: Mapped[list["ContactPatient"]] = relationship(back_populates="contact")


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("practice_id", "source_id", name="uq_patient_practice_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # one of PATIENT_KINDS
    name: Mapped[str] = mapped_column(String(200))
    species: Mapped[str | None] = mapped_column(String(40))  # animals only
    breed: Mapped[str | None] = mapped_column(String(80))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    diagnosis: Mapped[str | None] = mapped_column(String(200))
    primary_clinician_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    status: Mapped[str] = mapped_column(String(24), default="active")  # PATIENT_STATUSES
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Its identifier in the practice's own record system (CSV export, FHIR) when imported:
    # importing the record again updates this row instead of adding another.
    source_id: Mapped[str | None] = mapped_column(String(120))

    contact_links: Mapped[list["ContactPatient"]] = relationship(back_populates="patient")


class ContactPatient(Base):
    """Which contacts may speak for which patients (owner, self, caregiver)."""

    __tablename__ = "contact_patient"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)
    relationship_kind: Mapped[str] = mapped_column(String(16))  # owner | self | caregiver

    contact: Mapped[Contact] = relationship(back_populates="patient_links")
    patient: Mapped[Patient] = relationship(back_populates="contact_links")
