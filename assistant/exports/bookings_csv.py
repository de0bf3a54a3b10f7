"""Visits changed by text as a CSV list, one row per change, for staff to enter in the
practice's own schedule (a veterinary practice's, or any that takes no FHIR)."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from assistant.db.models import Practice
from assistant.exports.csv_cells import csv_bytes, safe_cell
from assistant.exports.text_bookings import TextBooking

COLUMNS = (
    "changed_at",
    "change",
    "appointment",
    "status_now",
    "patient",
    "patient_record",
    "visit_type",
    "starts_at",
    "ends_at",
    "clinician",
    "previous_appointment",
    "previous_starts_at",
    "by",
)


def bookings_csv(practice: Practice, changes: Sequence[TextBooking]) -> bytes:
    zone = ZoneInfo(practice.timezone)

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).isoformat(timespec="seconds")

    rows = []
    for c in changes:
        visit, previous = c.appointment, c.previous
        rows.append(
            [
                local(c.changed_at),
                c.change,
                visit.source_id or visit.id,
                visit.status,
                safe_cell(c.patient.name),
                c.patient.source_id or c.patient.id,
                safe_cell(c.visit_type.name),
                local(visit.starts_at),
                local(visit.ends_at),
                safe_cell(c.clinician.name),
                (previous.source_id or previous.id) if previous else "",
                local(previous.starts_at) if previous else "",
                safe_cell(c.by),
            ]
        )
    return csv_bytes(COLUMNS, rows)
