"""One patient's resolved cases as CSV, one row per message, for the practice's chart."""

from collections.abc import Sequence

from assistant.db.models import Patient
from assistant.exports.csv_cells import csv_bytes, safe_cell
from assistant.exports.timeline import TimelineRow

COLUMNS = (
    "when",
    "patient",
    "case",
    "direction",
    "who",
    "role",
    "text",
    "case_route",
    "case_priority",
    "resolved_by",
    "resolved_at",
    "resolution_note",
    "delivery",
)


def patient_csv(patient: Patient, rows: Sequence[TimelineRow]) -> bytes:
    return csv_bytes(
        COLUMNS,
        (
            [
                row.at.isoformat(timespec="seconds"),
                safe_cell(patient.name),
                row.case_id,
                row.direction,
                safe_cell(row.who),
                row.role,
                safe_cell(row.text),
                row.route,
                row.priority,
                safe_cell(row.resolved_by),
                row.resolved_at.isoformat(timespec="seconds") if row.resolved_at else "",
                safe_cell(row.resolution_note),
                row.delivery,
            ]
            for row in rows
        ),
    )
