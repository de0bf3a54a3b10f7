"""Where a practice's records come from: how far an incremental FHIR import has read."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.base import Base, UTCDateTime, utcnow


class FhirSyncState(Base):
    """One practice's FHIR server: per resource type, the `meta.lastUpdated` up to which
    every resource has been imported (the next run asks only for later ones)."""

    __tablename__ = "fhir_sync_state"
    __table_args__ = (UniqueConstraint("practice_id", "base_url", "resource_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    base_url: Mapped[str] = mapped_column(String(500))
    resource_type: Mapped[str] = mapped_column(String(40))
    # The server's own clock: its `meta.lastUpdated`, not ours, so the clocks need not agree.
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
