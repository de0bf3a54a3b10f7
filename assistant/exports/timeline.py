"""One patient's resolved cases as rows in time order: what the CSV and the PDF both show."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from assistant.exports.case_records import CaseRecord

DIRECTION_WORDS = {"in": "from client", "out": "to client"}


@dataclass(frozen=True)
class TimelineRow:
    at: datetime  # in the practice's time
    case_id: int
    direction: str  # from client | to client
    who: str
    role: str  # client | assistant | the staff member's role
    text: str
    route: str
    priority: str
    resolved_by: str
    resolved_at: datetime | None
    resolution_note: str
    delivery: str


def timeline(records: Sequence[CaseRecord], timezone: str) -> list[TimelineRow]:
    zone = ZoneInfo(timezone)
    rows = []
    for record in records:
        case, by = record.case, record.resolved_by
        for m in record.messages:
            rows.append(
                (
                    (m.at, m.id, case.id),
                    TimelineRow(
                        at=m.at.astimezone(zone),
                        case_id=case.id,
                        direction=DIRECTION_WORDS.get(m.direction, m.direction),
                        who=m.author,
                        role=m.staff.role if m.staff is not None else m.author_kind,
                        text=m.text,
                        route=case.category,
                        priority=case.priority,
                        resolved_by=f"{by.name} ({by.role})" if by else "",
                        resolved_at=case.resolved_at.astimezone(zone) if case.resolved_at else None,
                        resolution_note=case.resolution_note or "",
                        delivery=m.delivery or "",
                    ),
                )
            )
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]
