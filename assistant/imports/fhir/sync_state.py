"""How far a practice's incremental FHIR import has read: per server and resource type, the
server's `meta.lastUpdated` up to which everything was imported (table `fhir_sync_state`)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import FhirSyncState, Practice
from assistant.imports.fhir.entries import Entry


def high_water_marks(session: Session, practice: Practice, base_url: str) -> dict[str, datetime]:
    rows = session.scalars(
        select(FhirSyncState).where(
            FhirSyncState.practice_id == practice.id, FhirSyncState.base_url == base_url
        )
    )
    return {row.resource_type: row.last_updated for row in rows}


def next_mark(
    entries: Sequence[Entry], refused: set[str], previous: datetime | None
) -> datetime | None:
    """Where the next run starts for one resource type: past everything read this time, but
    not past a refused resource, so it is read (and reported) again until it is fixed."""
    stamped = [(e.last_updated, e) for e in entries if e.last_updated is not None]
    blocked = [when for when, e in stamped if e.origin.resource in refused]
    limit = min(blocked) if blocked else None
    marks = [when for when, _ in stamped if limit is None or when < limit]
    if previous is not None:
        marks.append(previous)
    return max(marks) if marks else None


def save_marks(
    session: Session,
    practice: Practice,
    base_url: str,
    marks: dict[str, datetime],
    *,
    now: datetime,
) -> None:
    stored = {
        row.resource_type: row
        for row in session.scalars(
            select(FhirSyncState).where(
                FhirSyncState.practice_id == practice.id, FhirSyncState.base_url == base_url
            )
        )
    }
    for resource_type, mark in marks.items():
        row = stored.get(resource_type)
        if row is None:
            session.add(
                FhirSyncState(
                    practice_id=practice.id,
                    base_url=base_url,
                    resource_type=resource_type,
                    last_updated=mark,
                    updated_at=now,
                )
            )
        elif row.last_updated != mark:
            row.last_updated = mark
            row.updated_at = now
    session.flush()
