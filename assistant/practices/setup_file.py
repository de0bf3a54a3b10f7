"""A practice's setup as a file (issue 19): what `python -m assistant practice apply` reads.

The pydantic models below are the file's schema; `docs/practice-file.schema.json` is generated
from them (`python -m assistant practice schema`). Reading a file reports every mistake with
the field's path and the line it is on, so a practice manager can fix the file without help.
"""

import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from assistant.phone_numbers import NotAPhoneNumber, to_e164

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A file bigger than this is not a practice's setup.
MAX_FILE_BYTES = 256 * 1024
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _clock(value: str) -> str:
    """'08:00' style wall-clock times, so nobody writes 8 or '8am' and gets midnight."""
    if not re.fullmatch(r"\d\d:\d\d", value):
        raise ValueError('write times as HH:MM in quotes, e.g. "08:00"')
    time.fromisoformat(value)  # rejects 25:00
    return value


def _e164(value: str) -> str:
    """A full international number such as +13125550100."""
    if not value.startswith("+"):
        raise ValueError('write the number with its country code, e.g. "+13125550100"')
    try:
        return to_e164(value, region=None)
    except NotAPhoneNumber:
        raise ValueError(f"{value} is not a valid phone number") from None


def _dialable(value: str) -> str:
    """An emergency number may be a short code such as 911."""
    return value if re.fullmatch(r"\d{3}", value) else _e164(value)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a time zone name such as America/Chicago") from exc
    return value


Clock = Annotated[str, AfterValidator(_clock)]
Phone = Annotated[str, AfterValidator(_e164)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Role = Literal["nurse", "oncologist", "surgeon", "admin", "billing"]
Stage = Literal["palliative", "euthanasia_scheduled", "deceased"]


class _Strict(BaseModel):
    # A misspelt key is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


def _span(value: list[str]) -> list[str]:
    if value[0] >= value[1]:
        raise ValueError(f"{value[0]} to {value[1]}: the start must come before the end")
    return value


Hours = Annotated[list[Clock], Field(min_length=2, max_length=2), AfterValidator(_span)]


class StaffMember(_Strict):
    """Someone who works at the practice. The account gets a password through an invitation
    (`python -m assistant staff invite EMAIL`), never from this file."""

    name: Text
    email: Email
    role: Role
    phone: Phone


class AppointmentKind(_Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    duration_minutes: Annotated[int, Field(ge=5, le=480, multiple_of=5)]
    clinician_roles: Annotated[list[Role], Field(min_length=1)]
    # A blood count must be on file before it (a chemotherapy dose).
    needs_labs: bool = False


class WeeklyShift(_Strict):
    """A clinician is available for appointments these days, these hours, every week."""

    staff: Email
    days: Annotated[list[Weekday], Field(min_length=1)]
    hours: Hours


class OnCallTurn(_Strict):
    staff: Email
    backup: Email | None = None


class OnCallRota(_Strict):
    """24-hour turns from `handover`, day by day in the order given, counted from `starts_on`
    (default: the day the rota is first applied) so applying the file again keeps the order."""

    handover: Clock
    rotation: Annotated[list[OnCallTurn], Field(min_length=1, max_length=62)]
    starts_on: date | None = None


class Resource(_Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
    detail: Text  # a web address or a phone number
    stages: Annotated[list[Stage], Field(min_length=1)]


class PracticeFile(_Strict):
    """One practice's setup. Applying the same file twice changes nothing. A section left
    out (appointment types, shifts, on call, support resources) is left as it is."""

    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]
    name: Text
    kind: Literal["veterinary", "human"]
    timezone: Annotated[str, AfterValidator(_timezone)]
    business_hours: dict[Weekday, Annotated[list[Hours], Field(max_length=4)]]
    phone: Phone
    sms_number: Phone
    emergency_contact_name: Text
    emergency_contact_number: Annotated[str, AfterValidator(_dialable)]
    # When reminders may go out, local time; left out: 08:00 to 20:00.
    sms_sending_hours: Hours | None = None
    # Days after which what clients wrote and what was sent is removed; left out: kept.
    retention_days: Annotated[int, Field(ge=30, le=36500)] | None = None
    # Staff not in the list are left as they are (others may have been invited since).
    staff: list[StaffMember] = []
    appointment_types: list[AppointmentKind] | None = None
    shifts: list[WeeklyShift] | None = None
    on_call: OnCallRota | None = None
    # "default": the list in assistant/demo/support_resources.yml (pet-loss resources).
    support_resources: Literal["default"] | list[Resource] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "PracticeFile":
        if set(self.business_hours) != set(WEEKDAYS):
            missing = [d for d in WEEKDAYS if d not in self.business_hours]
            raise ValueError(f"business_hours needs every day (closed: []); missing {missing}")
        _unique("staff e-mail", [s.email for s in self.staff])
        _unique("appointment type code", [t.code for t in self.appointment_types or []])
        return self


def _unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} appears twice")
        seen.add(value)


@dataclass(frozen=True)
class FileProblem:
    where: str  # "shifts[2].hours"
    line: int | None  # 1-based line in the file, when known
    message: str

    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line else ""
        return f"{at}{self.where or 'file'}: {self.message}"


class PracticeFileError(Exception):
    def __init__(self, problems: list[FileProblem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def read_practice_file(path: Path) -> PracticeFile:
    """The file's content, checked; `PracticeFileError` lists every problem with its line."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PracticeFileError([FileProblem("", None, f"larger than {MAX_FILE_BYTES} bytes")])
    return parse_practice_file(path.read_text(encoding="utf-8"))


def parse_practice_file(text: str) -> PracticeFile:
    try:
        node = yaml.compose(text, Loader=_SAFE_LOADER)
        data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 (safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PracticeFileError([FileProblem("", line, f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise PracticeFileError([FileProblem("", 1, "expected the practice's fields (key: value)")])
    try:
        return PracticeFile.model_validate(data)
    except ValidationError as exc:
        raise PracticeFileError(
            [
                FileProblem(_where(error["loc"]), _line(node, error["loc"]), _message(error))
                for error in exc.errors()
            ]
        ) from exc


def json_schema() -> dict[str, Any]:
    schema = PracticeFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Practice file (python -m assistant practice apply)"
    return schema


def _message(error: Any) -> str:
    # YAML reads an unquoted 17:00 as the number 1020 (base 60) and +1312... as a number.
    if error["type"] == "string_type" and isinstance(error.get("input"), int):
        return f'{error["msg"]}: put times and phone numbers in quotes, e.g. "17:00"'
    return str(error["msg"]).removeprefix("Value error, ")


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "list[", "literal[", "str", "date")):
            out += f".{part}" if out else str(part)
    return out


def _line(node: Any, loc: tuple[Any, ...]) -> int | None:
    """Follow the error's path through the YAML nodes to the line it is on."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == part), None)
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
