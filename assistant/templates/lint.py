"""Checks every template and every reply the bot can send, run by `make test` and by
`python -m assistant templates lint`: sendable, known placeholders, at most 3 SMS segments,
reading grade 8 or lower, a source for each, and actions that only send domain responses."""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import textstat

from assistant.db.models import Practice
from assistant.messaging.sms_text import MAX_SEGMENTS_PER_MESSAGE, count_segments
from assistant.practices.details import PRACTICE_FIELDS, template_values
from assistant.practices.setup_file import read_practice_file
from assistant.templates.registry import (
    KIND_OF_PREFIX,
    KIND_PREFIX,
    OUTREACH_PLACEHOLDERS,
    RECORD_PLACEHOLDERS,
    Template,
    TemplateRegistry,
)
from assistant.yaml_files import read_yaml

# Filled by the turn, not from the practice: the title of the FAQ topic a client is asked
# about, and the client's own records (visits, pets or patients, offered times).
TURN_PLACEHOLDERS = frozenset({"topic"}) | RECORD_PLACEHOLDERS
MAX_READING_GRADE = 8.0
# The reading grade measures our words, not the practice's name: a name like "Cedar
# Veterinary Oncology" alone would add grades. Placeholders count as these short words.
GRADE_STAND_INS = {
    "practice_name": "our team",
    "practice_phone": "555-0100",
    "emergency_phone": "555-0123",
    "emergency_name": "the ER",
    "hours": "8 to 6",
    "topic": "our hours",
    "patient_name": "Max",
    "patient_names": "Max or Bo",
    "visit_type": "recheck",
    "visit_types": "chemo, recheck",
    "visit_time": "Tue 1 at 9",
    "clinician_name": "Dr. Hart",
    "options": "1) Tue 1 at 9",
    "visits": "1) Tue 1 at 9",
    "balance": "$40",
    "last_payment": "$20 on May 1",
    "invoice_number": "V-1",
    "invoice_lines": "exam $80",
    "total": "$80",
    "paid": "$20",
    "claims": "claim paid",
    "claim_status": "paid",
    "drug": "chemo",
    "next_visit": "Tue 1 at 9",
    "resources": "a pet loss line, 555-0199",
    "surgery_date": "Tue 1 at 9",
    "missing_tests": "labs, EKG",
}
# The longest values a client's records give, to count SMS segments with.
LONGEST_RECORD_VALUES = {
    "patient_name": "Clementine",
    "patient_names": "Biscuit, Pepper or Juniper",
    "visit_type": "Medical oncology referral visit",
    "visit_types": "Chemotherapy treatment, CBC recheck (bloodwork), Radiation therapy session, "
    "Oncology consultation, Recheck exam, Nurse follow-up call",
    "visit_time": "Wed Dec 30 at 10:30 AM",
    "clinician_name": "Nathaniel Osei",
    "options": "1) Wed Dec 30 at 10:30 AM with Nathaniel Osei, 2) Thu Dec 31 at 10:30 AM "
    "with Nathaniel Osei, 3) Mon Jan 4 at 10:30 AM with Nathaniel Osei",
    "visits": "1) Chemotherapy treatment for Biscuit, Wed Dec 30 at 10:30 AM, "
    "2) CBC recheck (bloodwork) for Pepper, Thu Dec 31 at 10:30 AM",
    "balance": "$12,345.67",
    "last_payment": "$1,234.56 on Nov 30",
    "invoice_number": "HSO-2026-0001",
    "claims": "Blue Cross Blue Shield of Massachusetts, surgeon claim: pending since Nov 3; "
    "facility claim: approved Nov 10",
    "invoice_lines": "Vincristine 0.7 mg/m2 x1 $85.00",
    "total": "$12,345.67",
    "paid": "$12,345.67",
    "claim_status": "approved",
    "drug": "cyclophosphamide",
    "next_visit": "Wed Dec 30 at 10:30 AM",
    "surgery_date": "Wed Dec 30 at 10:30 AM",
    "missing_tests": "Chest X-ray, EKG, Cardiac clearance, Pulmonary clearance, Labs (CBC and BMP)",
    # Three resources, as the practice lists them: a web page and two hotlines.
    "resources": "AVMA pet loss page: avma.org/resources-tools/pet-owners/petcare/coping-pet-loss; "
    "Cornell University Pet Loss Support Hotline: 607-218-7457; "
    "Tufts University Pet Loss Support Helpline: 508-839-7966",
}
# The keyword arguments a dispatcher may be given: a domain response and its placeholders.
ALLOWED_UTTER_KEYWORDS = frozenset({"response", "topic"}) | RECORD_PLACEHOLDERS


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def sample_practices(examples: Path) -> list[Practice]:
    """The example practices, unsaved: real names, numbers and hours to render templates with."""
    files = (read_practice_file(path) for path in sorted(examples.glob("*.yml")))
    return [Practice(**{field: getattr(f, field) for field in PRACTICE_FIELDS}) for f in files]


def lint_templates(registry: TemplateRegistry, practices: list[Practice]) -> list[Problem]:
    templates = list(registry)
    longest_title = max((t.title or "" for t in templates), key=len, default="")
    # Besides the practice's: the turn's, and those the outreach scheduler fills from the records.
    known = (TURN_PLACEHOLDERS | OUTREACH_PLACEHOLDERS).union(
        *(template_values(p) for p in practices)
    )
    problems: list[Problem] = []
    for template in templates:
        problems += _check_fields(template, known)
        problems += _check_grade(template)
        for practice in practices:
            if template.kind in ("both", practice.kind):
                values = (
                    template_values(practice) | LONGEST_RECORD_VALUES | {"topic": longest_title}
                )
                problems += _check_rendered(template, values, practice.slug)
    return problems


def _check_fields(template: Template, known: frozenset[str]) -> Iterator[Problem]:
    prefix = template.id.split(".")[0]
    if KIND_OF_PREFIX.get(prefix) != template.kind:
        yield Problem(template.id, f"kind {template.kind!r} does not match the id prefix")
    if template.path is not None:
        folder, stem = template.path.parent.name, template.path.stem
        if folder != template.kind:
            yield Problem(template.id, f"kind {template.kind} lives in templates/{folder}/")
        if not stem.startswith(template.category):
            yield Problem(template.id, f"category {template.category} lives in {stem}.yml")
    if not template.sendable:
        yield Problem(template.id, "not sendable: not approved, or changed since approval")
    if not template.source:
        yield Problem(template.id, "no source")
    if template.category == "faq" and not template.title:
        yield Problem(template.id, "an FAQ answer needs a title")
    if template.case not in (None, "routine"):
        yield Problem(template.id, f"case must be routine, not {template.case!r}")
    unknown = template.placeholders - known
    if unknown:
        yield Problem(template.id, f"unknown placeholders {sorted(unknown)}")


def _check_rendered(template: Template, values: dict[str, str], slug: str) -> Iterator[Problem]:
    if template.placeholders - values.keys():
        return  # reported as unknown placeholders
    text = template.render(values)
    count = count_segments(text)
    if count.segments > MAX_SEGMENTS_PER_MESSAGE and not template.long:
        yield Problem(
            template.id,
            f"{count.segments} {count.encoding} segments at {slug} "
            f"(at most {MAX_SEGMENTS_PER_MESSAGE} unless marked long)",
        )


def _check_grade(template: Template) -> Iterator[Problem]:
    if template.placeholders - GRADE_STAND_INS.keys():
        return  # reported as unknown placeholders
    grade = reading_grade(template.render(GRADE_STAND_INS))
    if grade > MAX_READING_GRADE:
        yield Problem(template.id, f"reading grade {grade:.1f} (at most {MAX_READING_GRADE:g})")


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level of the rendered text."""
    return float(textstat.flesch_kincaid_grade(text))


def lint_domain_responses(responses: dict[str, Any], registry: TemplateRegistry) -> list[Problem]:
    """Every response Rasa can send names a template that is sendable where it can be sent:
    FAQ answers for at least one practice kind, everything else for both."""
    problems = []
    for name, variants in responses.items():
        for variant in variants:
            custom = variant.get("custom") if isinstance(variant, dict) else None
            if not custom or set(variant) != {"custom"} or "template" not in custom:
                problems.append(Problem(name, "not a custom payload naming a template"))
                continue
            key = custom["template"]
            kinds = [k for k in KIND_PREFIX if registry.resolve(key, k) is not None]
            if name.startswith("utter_faq/"):
                if not kinds:
                    problems.append(Problem(name, f"no sendable template {key!r}"))
            elif len(kinds) != len(KIND_PREFIX):
                missing = sorted(set(KIND_PREFIX) - set(kinds))
                problems.append(Problem(name, f"no sendable template {key!r} for {missing}"))
            if "route" not in custom:
                problems.append(Problem(name, "no route"))
    return problems


def lint_actions(actions_dir: Path) -> list[Problem]:
    """Actions send domain responses only: `utter_message(response=...)`, never words."""
    problems = []
    for path in sorted(actions_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "utter_message"
            ):
                continue
            where = f"{path.name}:{node.lineno}"
            keywords = {k.arg for k in node.keywords}
            if node.args or None in keywords or "response" not in keywords:
                problems.append(Problem(where, "utter_message without response="))
            for extra in sorted(k for k in keywords - ALLOWED_UTTER_KEYWORDS if k):
                problems.append(Problem(where, f"utter_message({extra}=...) is not allowed"))
    return problems


def load_domain_responses(domain_dir: Path) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for path in sorted(domain_dir.glob("*.yml")):
        document = read_yaml(path) or {}
        responses.update(document.get("responses") or {})
    return responses
