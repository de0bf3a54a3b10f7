"""Reading one export file (stdlib csv) into records, with the mapping's column names.

A file whose header lacks a required column is refused as a whole (FileRefused names the
column); a row that cannot be read becomes a Problem with its line, and the others are read.
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from fnmatch import fnmatch
from typing import cast
from zoneinfo import ZoneInfo

from assistant.errors import Invalid
from assistant.imports import values
from assistant.imports.mapping import REQUIRED_FIELDS, Mapping
from assistant.imports.records import (
    KINDS,
    AppointmentRecord,
    Consent,
    ContactRecord,
    LabResultRecord,
    LinkRecord,
    Origin,
    PatientRecord,
    Record,
    VisitStatus,
)
from assistant.imports.report import Problem
from assistant.imports.values import BadValue

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# The longest value each field's column holds (assistant/db/models).
MAX_LENGTH = {
    "source_id": 120,
    "client_id": 120,
    "patient_id": 120,
    "owner_id": 120,
    "first_name": 100,
    "last_name": 100,
    "name": 200,
    "species": 40,
    "breed": 80,
    "diagnosis": 200,
    "test": 40,
}
# A lab result without a time of day was taken at noon, practice time.
LAB_TIME_UNKNOWN = time(12)


class FileRefused(Invalid):
    """A file that cannot be read at all: wrong kind, encoding, size or a missing column."""


@dataclass(frozen=True)
class Context:
    """What reading a row needs to know about the practice."""

    zone: ZoneInfo
    country: str
    now: datetime


@dataclass
class FileContents:
    kind: str
    records: list[Record] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (kind, problem)


def kind_of(name: str, mapping: Mapping) -> str | None:
    """The kind of export a file holds, from its name (`clients.csv`, `appointments-dec.csv`
    or the mapping's `files:` patterns)."""
    lowered = name.lower()
    for kind in KINDS:
        if any(fnmatch(lowered, pattern.lower()) for pattern in mapping.files[kind]):
            return kind
    return None


def read_export(
    data: bytes, *, name: str, kind: str, mapping: Mapping, context: Context
) -> FileContents:
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(f"{name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode(mapping.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FileRefused(
            f"{name}: not {mapping.encoding} text ({exc}); save it as UTF-8 or set "
            "encoding: in the mapping file"
        ) from exc
    rows = _rows(text, name)
    header = next(rows, None)
    if header is None:
        raise FileRefused(f"{name}: the file is empty (expected a header line)")
    positions = _column_positions(header[1], name=name, kind=kind, mapping=mapping)
    contents = FileContents(kind)
    parse = _PARSERS[kind]
    for count, (line, cells) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise FileRefused(f"{name}: more than {MAX_ROWS} rows; split the export")
        if not any(cell.strip() for cell in cells):
            continue
        row = {ours: cells[i].strip() if i < len(cells) else "" for ours, i in positions.items()}
        origin = Origin(name, line)
        try:
            _check_lengths(row, mapping, kind)
            contents.records.extend(parse(row, origin, mapping, context))
        except BadValue as exc:
            contents.problems.append((kind, Problem(name, line, str(exc))))
    return contents


def _rows(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    last = 0
    try:
        for cells in reader:
            yield last + 1, cells
            last = reader.line_num
    except csv.Error as exc:
        raise FileRefused(f"{name} line {last + 1}: not readable as CSV ({exc})") from exc


def _column_positions(
    header: list[str], *, name: str, kind: str, mapping: Mapping
) -> dict[str, int]:
    found = {title.strip().casefold(): i for i, title in enumerate(header)}
    positions = {}
    for ours, theirs in mapping.columns[kind].items():
        if theirs.casefold() in found:
            positions[ours] = found[theirs.casefold()]
        elif ours in REQUIRED_FIELDS[kind]:
            raise FileRefused(
                f"{name}: missing required column {theirs!r} ({kind}: {ours}); "
                "rename it in the file or map it under columns: in the mapping file"
            )
    return positions


def _check_lengths(row: dict[str, str], mapping: Mapping, kind: str) -> None:
    for ours, value in row.items():
        limit = MAX_LENGTH.get(ours)
        if limit is not None and len(value) > limit:
            column = mapping.column(kind, ours)
            raise BadValue(f"{column} is longer than {limit} characters")


def _required(row: dict[str, str], ours: str, mapping: Mapping, kind: str) -> str:
    value = row.get(ours, "")
    if not value:
        raise BadValue(f"no {mapping.column(kind, ours)}")
    return value


def _optional(row: dict[str, str], ours: str) -> str | None:
    return row.get(ours) or None


def _looked_up(table: dict[str, str], value: str) -> str | None:
    return table.get(value.casefold())


def _client(row: dict[str, str], origin: Origin, mapping: Mapping, ctx: Context) -> list[Record]:
    opt_in = _optional(row, "sms_opt_in")
    consent: Consent | None = None
    if opt_in is not None:
        consent = "opted_in" if values.yes_or_no(opt_in) else "opted_out"
    phone = _required(row, "phone", mapping, "clients")
    return [
        ContactRecord(
            origin=origin,
            source_id=_required(row, "source_id", mapping, "clients"),
            first_name=_required(row, "first_name", mapping, "clients"),
            last_name=_required(row, "last_name", mapping, "clients"),
            phone=values.phone_e164(phone, country=ctx.country),
            consent=consent,
        )
    ]


def _patient(row: dict[str, str], origin: Origin, mapping: Mapping, ctx: Context) -> list[Record]:
    source_id = _required(row, "source_id", mapping, "patients")
    born = _optional(row, "date_of_birth")
    date_of_birth = values.calendar_date(born, mapping.date_formats) if born else None
    if date_of_birth is not None and date_of_birth > ctx.now.astimezone(ctx.zone).date():
        raise BadValue(f"birth date {born!r} is in the future")
    records: list[Record] = [
        PatientRecord(
            origin=origin,
            source_id=source_id,
            name=_required(row, "name", mapping, "patients"),
            species=_optional(row, "species"),
            breed=_optional(row, "breed"),
            date_of_birth=date_of_birth,
            diagnosis=_optional(row, "diagnosis"),
        )
    ]
    owner = _optional(row, "owner_id")
    if owner is not None:  # a patient report that names its owner links them too
        records.append(LinkRecord(origin, owner, source_id, "owner"))
    return records


def _link(row: dict[str, str], origin: Origin, mapping: Mapping, ctx: Context) -> list[Record]:
    said = _optional(row, "relationship") or "owner"
    relationship = _looked_up(mapping.relationships, said)
    if relationship is None:
        raise BadValue(
            f"unknown relationship {said!r} (map it under relationships: in the mapping file)"
        )
    return [
        LinkRecord(
            origin=origin,
            client_source_id=_required(row, "client_id", mapping, "links"),
            patient_source_id=_required(row, "patient_id", mapping, "links"),
            relationship=relationship,
        )
    ]


def _appointment(
    row: dict[str, str], origin: Origin, mapping: Mapping, ctx: Context
) -> list[Record]:
    said_status = _optional(row, "status") or "booked"
    status = _looked_up(mapping.statuses, said_status)
    if status not in ("booked", "cancelled", "completed"):
        raise BadValue(
            f"unknown appointment status {said_status!r} "
            "(map it under statuses: in the mapping file)"
        )
    day = values.calendar_date(
        _required(row, "date", mapping, "appointments"), mapping.date_formats
    )
    at = values.clock_time(_required(row, "time", mapping, "appointments"), mapping.time_formats)
    kind = _required(row, "type", mapping, "appointments")
    provider = _required(row, "provider", mapping, "appointments")
    return [
        AppointmentRecord(
            origin=origin,
            source_id=_required(row, "source_id", mapping, "appointments"),
            patient_source_id=_required(row, "patient_id", mapping, "appointments"),
            type_code=_looked_up(mapping.appointment_types, kind) or kind,
            provider=_looked_up(mapping.providers, provider) or provider,
            starts_at=values.local_to_utc(day, at, ctx.zone),
            status=cast(VisitStatus, status),
        )
    ]


def _lab(row: dict[str, str], origin: Origin, mapping: Mapping, ctx: Context) -> list[Record]:
    day = values.calendar_date(_required(row, "date", mapping, "labs"), mapping.date_formats)
    said_time = _optional(row, "time")
    at = values.clock_time(said_time, mapping.time_formats) if said_time else LAB_TIME_UNKNOWN
    collected_at = values.local_to_utc(day, at, ctx.zone)
    if collected_at > ctx.now:
        raise BadValue(f"collected {day.isoformat()} {at:%H:%M}, which is in the future")
    test = _required(row, "test", mapping, "labs")
    return [
        LabResultRecord(
            origin=origin,
            source_id=_required(row, "source_id", mapping, "labs"),
            patient_source_id=_required(row, "patient_id", mapping, "labs"),
            test_code=_looked_up(mapping.lab_tests, test) or _code(test),
            collected_at=collected_at,
        )
    ]


def _code(name: str) -> str:
    """`Bile Acids` -> `bile_acids`: an unmapped test keeps its own name as its code."""
    return "_".join("".join(c if c.isalnum() else " " for c in name.lower()).split())[:40]


_PARSERS: dict[str, Callable[[dict[str, str], Origin, Mapping, Context], list[Record]]] = {
    "clients": _client,
    "patients": _patient,
    "links": _link,
    "appointments": _appointment,
    "labs": _lab,
}
