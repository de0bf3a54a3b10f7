"""Consistency check of the claims of one surgery before they go to the payer.

The surgeon, the facility, anesthesia and pathology each send a claim for the same operation; a
payer that sees them disagree (a procedure on one and not the other, a diagnosis the facility
never billed, a secondary procedure without its modifier) denies or delays them. The rules are
data in `claim_rules.yml`; this module applies them and says, in words billing staff act on, what
to fix. It changes nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Claim
from assistant.yaml_files import read_yaml

RULES_FILE = Path(__file__).with_name("claim_rules.yml")


@dataclass(frozen=True)
class Finding:
    rule_id: str
    claim_ids: tuple[int, ...]
    message: str


@dataclass(frozen=True)
class DistinctPair:
    column_one: str
    column_two: str
    why: str


@dataclass(frozen=True)
class ClaimRules:
    code_families: dict[str, list[tuple[str, str]]]
    facility_compare_component: str
    multiple_components: frozenset[str]
    multiple_modifier: str
    add_on_codes: frozenset[str]
    distinct_components: frozenset[str]
    distinct_modifiers: frozenset[str]
    distinct_pairs: tuple[DistinctPair, ...]
    diagnosis_components: frozenset[str]
    laterality_modifiers: frozenset[str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ClaimRules":
        multiple, distinct = data["secondary_needs_51"], data["distinct_needs_59"]
        return cls(
            code_families={
                name: [(str(lo), str(hi)) for lo, hi in ranges]
                for name, ranges in data["code_families"].items()
            },
            facility_compare_component=data["facility_codes_match"]["compare_component"],
            multiple_components=frozenset(multiple["components"]),
            multiple_modifier=str(multiple["modifier"]),
            add_on_codes=frozenset(str(c) for c in multiple["exempt_add_on_codes"]),
            distinct_components=frozenset(distinct["components"]),
            distinct_modifiers=frozenset(str(m) for m in distinct["modifiers"]),
            distinct_pairs=tuple(
                DistinctPair(str(p["column_one"]), str(p["column_two"]), p["why"])
                for p in distinct["pairs"]
            ),
            diagnosis_components=frozenset(data["facility_has_primary_diagnosis"]["components"]),
            laterality_modifiers=frozenset(str(m) for m in data["laterality_matches"]["modifiers"]),
        )

    def family_of(self, code: str) -> str | None:
        """The component whose own code family holds `code` (anesthesia, pathology), or None."""
        for name, ranges in self.code_families.items():
            if any(lo <= code <= hi and len(code) == len(lo) for lo, hi in ranges):
                return name
        return None


@cache
def load_claim_rules(path: Path = RULES_FILE) -> ClaimRules:
    """The rules in `path` (by default the practice's `claim_rules.yml`), read once."""
    return ClaimRules.from_dict(read_yaml(path))


def check_surgical_case(
    session: Session, *, practice_id: int, surgical_case_ref: str, rules: ClaimRules | None = None
) -> list[Finding]:
    """Findings for every claim of the practice's surgical case `surgical_case_ref`."""
    case_claims = session.scalars(
        select(Claim)
        .where(Claim.practice_id == practice_id, Claim.surgical_case_ref == surgical_case_ref)
        .order_by(Claim.id)
    ).all()
    return check_claims(case_claims, rules=rules)


def check_claims(claims: Sequence[Claim], *, rules: ClaimRules | None = None) -> list[Finding]:
    """What disagrees between the claims of one surgery; an empty list means consistent."""
    rules = rules or load_claim_rules()
    findings: list[Finding] = []
    findings += _facility_codes_match(claims, rules)
    for claim in claims:
        findings += _secondary_needs_51(claim, rules)
        findings += _distinct_needs_59(claim, rules)
    findings += _facility_has_primary_diagnosis(claims, rules)
    findings += _laterality_matches(claims, rules)
    return findings


def _codes(claim: Claim) -> list[str]:
    return [str(p["code"]) for p in claim.procedure_codes]


def _modifiers(entry: dict[str, Any]) -> set[str]:
    return {str(m) for m in entry.get("modifiers", [])}


def _facility(claims: Sequence[Claim]) -> list[Claim]:
    return [c for c in claims if c.claim_type == "facility" or c.component == "facility"]


def _label(claim: Claim) -> str:
    return f"{claim.component or claim.claim_type} claim #{claim.id}"


def _facility_codes_match(claims: Sequence[Claim], rules: ClaimRules) -> list[Finding]:
    facility = _facility(claims)
    professional = [c for c in claims if c.component == rules.facility_compare_component]
    if not facility or not professional:
        return []
    findings = []
    for surgeon in professional:
        for fac in facility:
            theirs = {c for c in _codes(surgeon) if rules.family_of(c) is None}
            ours = {c for c in _codes(fac) if rules.family_of(c) is None}
            for code in sorted(theirs - ours):
                findings.append(
                    Finding(
                        "facility_codes_match",
                        (surgeon.id, fac.id),
                        f"Procedure {code} is on the {_label(surgeon)} but not on the "
                        f"{_label(fac)}.",
                    )
                )
            for code in sorted(ours - theirs):
                findings.append(
                    Finding(
                        "facility_codes_match",
                        (fac.id, surgeon.id),
                        f"Procedure {code} is on the {_label(fac)} but not on the "
                        f"{_label(surgeon)}.",
                    )
                )
    return findings


def _secondary_needs_51(claim: Claim, rules: ClaimRules) -> list[Finding]:
    if claim.component not in rules.multiple_components or len(claim.procedure_codes) < 2:
        return []
    findings = []
    for entry in claim.procedure_codes[1:]:
        code, modifiers = str(entry["code"]), _modifiers(entry)
        if code in rules.add_on_codes or rules.multiple_modifier in modifiers:
            continue
        if modifiers & rules.distinct_modifiers:
            continue  # reported as a distinct procedure instead
        findings.append(
            Finding(
                "secondary_needs_51",
                (claim.id,),
                f"Secondary procedure {code} on the {_label(claim)} has no modifier "
                f"{rules.multiple_modifier} (multiple procedures).",
            )
        )
    return findings


def _distinct_needs_59(claim: Claim, rules: ClaimRules) -> list[Finding]:
    if claim.component not in rules.distinct_components:
        return []
    by_code = {str(e["code"]): _modifiers(e) for e in claim.procedure_codes}
    findings = []
    for pair in rules.distinct_pairs:
        if pair.column_one not in by_code or pair.column_two not in by_code:
            continue
        if by_code[pair.column_two] & rules.distinct_modifiers:
            continue
        findings.append(
            Finding(
                "distinct_needs_59",
                (claim.id,),
                f"{pair.column_two} is billed with {pair.column_one} on the {_label(claim)} "
                f"without 59 or XS: {pair.why}. Add the modifier if it was a distinct "
                "procedure, or remove the line.",
            )
        )
    return findings


def _facility_has_primary_diagnosis(claims: Sequence[Claim], rules: ClaimRules) -> list[Finding]:
    facility = _facility(claims)
    if not facility:
        return []
    billed = {str(d) for fac in facility for d in fac.diagnosis_codes}
    findings = []
    for claim in claims:
        if claim.component not in rules.diagnosis_components or not claim.diagnosis_codes:
            continue
        primary = str(claim.diagnosis_codes[0])
        if primary not in billed:
            findings.append(
                Finding(
                    "facility_has_primary_diagnosis",
                    (claim.id, *(f.id for f in facility)),
                    f"Primary diagnosis {primary} of the {_label(claim)} is not on the "
                    f"facility claim ({', '.join(sorted(billed)) or 'no diagnoses'}).",
                )
            )
    return findings


def _laterality_matches(claims: Sequence[Claim], rules: ClaimRules) -> list[Finding]:
    sides: dict[str, list[tuple[Claim, frozenset[str]]]] = {}
    for claim in claims:
        for entry in claim.procedure_codes:
            side = frozenset(_modifiers(entry) & rules.laterality_modifiers)
            sides.setdefault(str(entry["code"]), []).append((claim, side))
    findings = []
    for code, seen in sides.items():
        if len({side for _, side in seen}) < 2:
            continue
        described = "; ".join(
            f"{'/'.join(sorted(side)) or 'none'} on the {_label(c)}" for c, side in seen
        )
        findings.append(
            Finding(
                "laterality_matches",
                tuple(c.id for c, _ in seen),
                f"Procedure {code} has different laterality across claims: {described}.",
            )
        )
    return findings
