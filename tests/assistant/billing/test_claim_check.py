"""The consistency check of one surgery's claims: a clean case passes, each mistake is named."""

import pytest

from assistant.billing.claim_check import Finding, check_claims, load_claim_rules
from assistant.db.models import Claim


def _claim(
    claim_id: int, component: str, procedures: list[str], diagnoses: list[str], case: str
) -> Claim:
    code_entries = []
    for written in procedures:
        code, *modifiers = written.split("-")
        code_entries.append({"code": code, "modifiers": modifiers})
    return Claim(
        id=claim_id,
        practice_id=1,
        patient_id=1,
        policy_id=1,
        surgical_case_ref=case,
        component=component,
        claim_type="facility" if component == "facility" else "professional",
        status="draft",
        amount_cents=100000,
        procedure_codes=code_entries,
        diagnosis_codes=diagnoses,
    )


def breast_case(
    *,
    surgeon: tuple[str, ...] = ("19301-LT", "38525-LT-51", "38900-LT"),
    facility: tuple[str, ...] = ("19301-LT", "38525-LT", "38900-LT"),
    facility_dx: tuple[str, ...] = ("C50.412", "Z17.0"),
    pathology_dx: tuple[str, ...] = ("C50.412",),
) -> list[Claim]:
    """Left partial mastectomy, deep axillary sentinel node biopsy and mapping: four claims."""
    return [
        _claim(1, "surgeon", list(surgeon), ["C50.412"], "CASE-B"),
        _claim(2, "facility", list(facility), list(facility_dx), "CASE-B"),
        _claim(3, "anesthesia", ["00400-AA"], ["C50.412"], "CASE-B"),
        _claim(4, "pathology", ["88307", "88305"], list(pathology_dx), "CASE-B"),
    ]


def colectomy_case(*, surgeon: tuple[str, ...] = ("44140",)) -> list[Claim]:
    return [
        _claim(11, "surgeon", list(surgeon), ["C18.7"], "CASE-C"),
        _claim(12, "facility", [s.split("-")[0] for s in surgeon], ["C18.7"], "CASE-C"),
        _claim(13, "anesthesia", ["00840-AA"], ["C18.7"], "CASE-C"),
        _claim(14, "pathology", ["88309"], ["C18.7"], "CASE-C"),
    ]


def _rules(findings: list[Finding]) -> list[str]:
    return [f.rule_id for f in findings]


@pytest.mark.parametrize("claims", [breast_case(), colectomy_case()], ids=["breast", "colon"])
def test_a_consistent_case_has_no_findings(claims: list[Claim]) -> None:
    assert check_claims(claims) == []


def test_a_procedure_missing_from_the_facility_claim_is_flagged() -> None:
    findings = check_claims(breast_case(facility=("19301-LT", "38900-LT")))

    assert findings == [
        Finding(
            "facility_codes_match",
            (1, 2),
            "Procedure 38525 is on the surgeon claim #1 but not on the facility claim #2.",
        )
    ]


def test_a_procedure_only_the_facility_billed_is_flagged() -> None:
    findings = check_claims(breast_case(facility=("19301-LT", "38525-LT", "38900-LT", "19120")))

    assert _rules(findings) == ["facility_codes_match"]
    assert findings[0].claim_ids == (2, 1)
    assert "19120 is on the facility claim #2 but not on the surgeon claim #1" in (
        findings[0].message
    )


def test_anesthesia_and_pathology_codes_are_not_compared_with_the_facility_claim() -> None:
    rules = load_claim_rules()

    assert rules.family_of("00400") == "anesthesia"
    assert rules.family_of("01999") == "anesthesia"
    assert rules.family_of("88309") == "pathology"
    assert rules.family_of("19301") is None
    # A facility claim that lists the anesthesia and pathology codes too is still consistent.
    claims = breast_case(facility=("19301-LT", "38525-LT", "38900-LT", "00400", "88307"))
    assert check_claims(claims) == []


def test_a_secondary_procedure_without_modifier_51_is_flagged() -> None:
    findings = check_claims(colectomy_case(surgeon=("44140", "47100")))

    assert findings == [
        Finding(
            "secondary_needs_51",
            (11,),
            "Secondary procedure 47100 on the surgeon claim #11 has no modifier 51 "
            "(multiple procedures).",
        )
    ]


def test_add_on_codes_and_the_primary_procedure_need_no_51() -> None:
    # 38900 is an add-on code; the primary 19301 is listed first without a modifier.
    assert check_claims(breast_case(surgeon=("19301-LT", "38525-LT-51", "38900-LT"))) == []
    findings = check_claims(breast_case(surgeon=("19301-LT", "38525-LT", "38900-LT")))
    assert [(f.rule_id, f.message.split()[2]) for f in findings] == [
        ("secondary_needs_51", "38525")
    ]


def test_a_bundled_pair_without_59_or_xs_is_flagged() -> None:
    findings = check_claims(colectomy_case(surgeon=("44140", "44005-51")))

    assert _rules(findings) == ["distinct_needs_59"]
    assert findings[0].claim_ids == (11,)
    assert findings[0].message.startswith("44005 is billed with 44140 on the surgeon claim #11")


@pytest.mark.parametrize("modifier", ["59", "XS"])
def test_a_bundled_pair_marked_distinct_passes(modifier: str) -> None:
    assert check_claims(colectomy_case(surgeon=("44140", f"44005-{modifier}"))) == []


def test_node_biopsy_with_axillary_lymphadenectomy_needs_59() -> None:
    surgeon = ("19302-LT", "38525-LT-51")
    findings = check_claims(breast_case(surgeon=surgeon, facility=("19302-LT", "38525-LT")))

    assert _rules(findings) == ["distinct_needs_59"]
    assert "38525 is billed with 19302" in findings[0].message


def test_a_component_primary_diagnosis_missing_from_the_facility_claim_is_flagged() -> None:
    findings = check_claims(breast_case(pathology_dx=("C77.3", "C50.412")))

    assert findings == [
        Finding(
            "facility_has_primary_diagnosis",
            (4, 2),
            "Primary diagnosis C77.3 of the pathology claim #4 is not on the facility claim "
            "(C50.412, Z17.0).",
        )
    ]


def test_a_facility_claim_with_another_diagnosis_flags_every_component() -> None:
    findings = check_claims(breast_case(facility_dx=("C50.911",)))

    assert _rules(findings) == ["facility_has_primary_diagnosis"] * 3
    assert {f.claim_ids[0] for f in findings} == {1, 3, 4}


def test_a_code_billed_on_different_sides_is_flagged() -> None:
    findings = check_claims(breast_case(facility=("19301-RT", "38525-LT", "38900-LT")))

    assert _rules(findings) == ["laterality_matches"]
    assert findings[0].claim_ids == (1, 2)
    assert "19301" in findings[0].message and "RT" in findings[0].message


def test_a_case_without_a_facility_claim_checks_only_the_professional_rules() -> None:
    surgeon_only = [_claim(21, "surgeon", ["19301-RT", "38525-RT"], ["D05.11"], "CASE-D")]

    assert _rules(check_claims(surgeon_only)) == ["secondary_needs_51"]
