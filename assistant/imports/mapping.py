"""Which column of an export holds which field, and how its values read: the defaults follow
the common systems' reports, and a practice overrides any part with a small YAML file
(`examples/records/cedar-vet/mapping.yml`, `docs/records.md`)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import Invalid
from assistant.imports.records import KINDS

MAX_MAPPING_BYTES = 64 * 1024

# Our field -> the export's column header, per kind of file.
DEFAULT_COLUMNS: dict[str, dict[str, str]] = {
    "clients": {
        "source_id": "Client ID",
        "first_name": "First Name",
        "last_name": "Last Name",
        "phone": "Mobile Phone",
        "sms_opt_in": "SMS Opt In",
    },
    "patients": {
        "source_id": "Patient ID",
        "name": "Patient Name",
        "species": "Species",
        "breed": "Breed",
        "date_of_birth": "Birth Date",
        "diagnosis": "Diagnosis",
        "owner_id": "Client ID",
    },
    "links": {
        "client_id": "Client ID",
        "patient_id": "Patient ID",
        "relationship": "Relationship",
    },
    "appointments": {
        "source_id": "Appt ID",
        "patient_id": "Patient ID",
        "date": "Date",
        "time": "Time",
        "type": "Type",
        "provider": "Provider",
        "status": "Status",
    },
    "labs": {
        "source_id": "Result ID",
        "patient_id": "Patient ID",
        "test": "Test",
        "date": "Date",
        "time": "Time",
    },
}

# A file without one of these columns is refused as a whole; the others may be absent.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "clients": ("source_id", "first_name", "last_name", "phone"),
    "patients": ("source_id", "name"),
    "links": ("client_id", "patient_id"),
    "appointments": ("source_id", "patient_id", "date", "time", "type", "provider"),
    "labs": ("source_id", "patient_id", "test", "date"),
}

# The export's appointment status -> ours. Case does not matter.
DEFAULT_STATUSES = {
    **dict.fromkeys(
        ("scheduled", "booked", "confirmed", "pending", "checked in", "arrived"), "booked"
    ),
    **dict.fromkeys(("cancelled", "canceled", "no show", "no-show", "deleted"), "cancelled"),
    **dict.fromkeys(("completed", "checked out", "discharged", "done"), "completed"),
}
DEFAULT_RELATIONSHIPS = {
    **dict.fromkeys(("owner", "primary owner", "co-owner", "client"), "owner"),
    **dict.fromkeys(("caregiver", "agent", "authorized agent", "guardian"), "caregiver"),
    "self": "self",
}
DEFAULT_LAB_TESTS = {
    "cbc": "cbc",
    "complete blood count": "cbc",
    "chemistry": "chemistry",
    "chemistry panel": "chemistry",
    "urinalysis": "urinalysis",
}
DEFAULT_FILES = {
    "clients": ["clients*.csv"],
    "patients": ["patients*.csv"],
    "links": ["links*.csv", "owners*.csv"],
    "appointments": ["appointments*.csv"],
    "labs": ["labs*.csv", "lab_results*.csv"],
}
# Tried in order; a US-style export writes 12/15/2026 and 4:00 PM.
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
DEFAULT_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p")
VISIT_STATUSES = ("booked", "cancelled", "completed")
RELATIONSHIPS = ("owner", "caregiver", "self")


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, dict[str, str]] = field(default_factory=lambda: DEFAULT_COLUMNS)
    # Maps whose keys are the export's words, matched without regard to case.
    appointment_types: dict[str, str] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=lambda: DEFAULT_STATUSES)
    relationships: dict[str, str] = field(default_factory=lambda: DEFAULT_RELATIONSHIPS)
    lab_tests: dict[str, str] = field(default_factory=lambda: DEFAULT_LAB_TESTS)
    files: dict[str, list[str]] = field(default_factory=lambda: DEFAULT_FILES)
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    time_formats: tuple[str, ...] = DEFAULT_TIME_FORMATS
    encoding: str = "utf-8-sig"  # utf-8, with or without the mark Excel writes first
    # Two-letter region for numbers written without +country; None: the practice's own.
    country: str | None = None

    def column(self, kind: str, name: str) -> str:
        return self.columns[kind][name]


_MAPS = ("appointment_types", "providers", "statuses", "relationships", "lab_tests")
_KEYS = {"columns", "files", "date_formats", "time_formats", "encoding", "country", *_MAPS}


def load_mapping(path: Path | None) -> Mapping:
    """The defaults, overridden by the YAML file at `path`; raises Invalid naming what is
    wrong with the file."""
    if path is None:
        return Mapping()
    if path.stat().st_size > MAX_MAPPING_BYTES:
        raise Invalid(f"{path.name}: a mapping file is at most {MAX_MAPPING_BYTES} bytes")
    return mapping_from_text(path.read_text(encoding="utf-8"), name=path.name)


def mapping_from_bytes(data: bytes, *, name: str) -> Mapping:
    """A mapping file as uploaded (the admin page): the same limits and checks as on disk."""
    if len(data) > MAX_MAPPING_BYTES:
        raise Invalid(f"{name}: a mapping file is at most {MAX_MAPPING_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{name}: not UTF-8 text ({exc})") from exc
    return mapping_from_text(text, name=name)


def mapping_from_text(text: str, *, name: str) -> Mapping:
    try:
        spec = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise Invalid(f"{name}: not valid YAML ({exc})") from exc
    if not isinstance(spec, dict):
        raise Invalid(f"{name}: expected keys such as columns: and appointment_types:")
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise Invalid(f"{name}: unknown key {unknown[0]!r}; expected one of {sorted(_KEYS)}")
    mapping = Mapping()
    columns = {kind: dict(cols) for kind, cols in mapping.columns.items()}
    for kind, overrides in _table(spec, "columns", name).items():
        if kind not in KINDS:
            raise Invalid(f"{name}: columns: unknown file kind {kind!r}; expected {KINDS}")
        for ours, theirs in _as_table(overrides, f"columns: {kind}", name).items():
            if ours not in columns[kind]:
                raise Invalid(
                    f"{name}: columns: {kind}: unknown field {ours!r}; "
                    f"expected one of {sorted(columns[kind])}"
                )
            columns[kind][ours] = _text(theirs, f"columns: {kind}: {ours}", name)
    maps = {}
    for key in _MAPS:
        extra = {
            _text(k, key, name).casefold(): _text(v, key, name)
            for k, v in _table(spec, key, name).items()
        }
        maps[key] = {**getattr(mapping, key), **extra}
    _check_targets(maps["statuses"], VISIT_STATUSES, "statuses", name)
    _check_targets(maps["relationships"], RELATIONSHIPS, "relationships", name)
    files = dict(mapping.files)
    for kind, patterns in _table(spec, "files", name).items():
        if kind not in KINDS:
            raise Invalid(f"{name}: files: unknown file kind {kind!r}; expected {KINDS}")
        files[kind] = [_text(p, f"files: {kind}", name) for p in _list(patterns, kind, name)]
    return Mapping(
        columns=columns,
        appointment_types=maps["appointment_types"],
        providers=maps["providers"],
        statuses=maps["statuses"],
        relationships=maps["relationships"],
        lab_tests=maps["lab_tests"],
        files=files,
        date_formats=_formats(spec, "date_formats", name) or mapping.date_formats,
        time_formats=_formats(spec, "time_formats", name) or mapping.time_formats,
        encoding=_text(spec["encoding"], "encoding", name) if "encoding" in spec else "utf-8-sig",
        country=_text(spec["country"], "country", name).upper() if "country" in spec else None,
    )


def _formats(spec: dict[str, Any], key: str, name: str) -> tuple[str, ...]:
    return tuple(_text(f, key, name) for f in _list(spec.get(key) or [], key, name))


def _table(spec: dict[str, Any], key: str, name: str) -> dict[Any, Any]:
    return _as_table(spec.get(key) or {}, key, name)


def _as_table(value: Any, label: str, name: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"{name}: {label}: expected a table of names")
    return value


def _list(value: Any, key: str, name: str) -> list[Any]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise Invalid(f"{name}: {key}: expected a list")
    return value


def _text(value: Any, key: str, name: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
        raise Invalid(f"{name}: {key}: expected a text, found {value!r}")
    return str(value).strip()


def _check_targets(table: dict[str, str], allowed: tuple[str, ...], key: str, name: str) -> None:
    for theirs, ours in table.items():
        if ours not in allowed:
            raise Invalid(f"{name}: {key}: {theirs!r} maps to {ours!r}; expected one of {allowed}")
