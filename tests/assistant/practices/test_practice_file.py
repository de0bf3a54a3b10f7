"""Reading a practice file (issue 19): every mistake names its field and line, and the
published schema is the one the code checks against."""

import json
from pathlib import Path

import pytest

from assistant.db.models.practice import PRACTICE_KINDS, STAFF_ROLES
from assistant.practices.setup_file import (
    PracticeFile,
    PracticeFileError,
    json_schema,
    parse_practice_file,
    read_practice_file,
)
from assistant.settings import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))
GOOD = (ROOT / "examples" / "cedar-vet-oncology.yml").read_text(encoding="utf-8")


def test_both_examples_are_valid_and_of_each_kind() -> None:
    kinds = {read_practice_file(path).kind for path in EXAMPLES}
    assert kinds == set(PRACTICE_KINDS)


def test_the_published_schema_is_current() -> None:
    published = json.loads((ROOT / "docs" / "practice-file.schema.json").read_text())
    assert published == json_schema(), "run: python -m assistant practice schema > docs/..."


def test_the_files_roles_are_the_databases_roles() -> None:
    roles = json_schema()["$defs"]["StaffMember"]["properties"]["role"]["enum"]
    assert set(roles) == set(STAFF_ROLES)


def _problems(text: str) -> list[str]:
    with pytest.raises(PracticeFileError) as caught:
        parse_practice_file(text)
    return [str(p) for p in caught.value.problems]


def test_each_mistake_names_its_field_and_line() -> None:
    text = GOOD.replace("timezone: America/Chicago", "timezone: America/Chicgo").replace(
        'hours: ["08:00", "12:00"]', 'hours: ["12:00", "08:00"]'
    )
    problems = _problems(text)
    lines = text.splitlines()
    tz_line = next(i for i, line in enumerate(lines, 1) if line.startswith("timezone:"))
    sat_line = next(i for i, line in enumerate(lines, 1) if '["12:00", "08:00"]' in line)
    assert problems == [
        f"line {tz_line}: timezone: 'America/Chicgo' is not a time zone name such as "
        "America/Chicago",
        f"line {sat_line}: shifts[3].hours: 12:00 to 08:00: the start must come before the end",
    ]


def test_an_unquoted_time_is_explained_not_read_as_a_number() -> None:
    # YAML 1.1 reads 17:00 as 1020 (base 60).
    (problem,) = _problems(GOOD.replace('mon: [["08:00", "18:00"]]', 'mon: [["08:00", 18:00]]'))
    assert "business_hours.mon[0][1]" in problem and 'quotes, e.g. "17:00"' in problem


def test_a_misspelt_key_is_an_error_not_ignored() -> None:
    (problem,) = _problems(GOOD.replace("retention_days:", "retension_days:"))
    assert "retension_days: Extra inputs are not permitted" in problem


def test_a_wrong_phone_number_and_role_are_named() -> None:
    text = GOOD.replace('phone: "+13125550100"', 'phone: "555-0100"').replace(
        "role: billing", "role: cashier"
    )
    problems = _problems(text)
    assert any(
        p.endswith('phone: write the number with its country code, e.g. "+13125550100"')
        for p in problems
    )
    assert any("staff[4].role" in p for p in problems)


def test_every_day_of_the_week_needs_hours_even_closed_ones() -> None:
    (problem,) = _problems(GOOD.replace("  sun: []\n", ""))
    assert "missing ['sun']" in problem


def test_duplicates_are_refused() -> None:
    line = "  - {name: Jordan Reyes, email: jordan.reyes@cedar-vet.example.org"
    twice = GOOD.replace(
        line,
        line.replace("Jordan Reyes", "J Reyes") + ', role: nurse, phone: "+13125550111"}\n' + line,
        1,
    )
    (problem,) = _problems(twice)
    assert "staff e-mail 'jordan.reyes@cedar-vet.example.org' appears twice" in problem


def test_not_yaml_is_one_clear_problem() -> None:
    (problem,) = _problems("slug: [unclosed\n")
    assert "not valid YAML" in problem


def test_sections_left_out_are_not_managed() -> None:
    minimal = "\n".join(
        line
        for line in GOOD.splitlines()
        if not line.startswith(("  - {", "  handover", "  rotation", "    - {"))
        and line
        not in ("staff:", "appointment_types:", "shifts:", "on_call:", "support_resources: default")
    )
    spec = parse_practice_file(minimal)
    assert isinstance(spec, PracticeFile)
    assert (spec.appointment_types, spec.shifts, spec.on_call, spec.support_resources) == (
        None,
        None,
        None,
        None,
    )


def test_a_file_too_big_to_be_a_practice_setup_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_text(GOOD + "#" * 300_000)
    with pytest.raises(PracticeFileError, match="larger than"):
        read_practice_file(path)
