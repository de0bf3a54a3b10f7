"""An invalid FHIR resource among valid ones is refused with its id and the library's reason,
and the others are applied; with all-or-nothing, none is. A Bundle that is not one refuses
the whole import."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, AuditLog, Contact, Patient
from assistant.imports.fhir.entries import BundleRefused, bundle_entries
from assistant.imports.report import Problem
from tests.assistant.imports.fhir_support import collection, import_bundle, sample_resources
from tests.assistant.imports.test_fhir_sample import harbor
from tests.support.records import imported_here

BROKEN_PATIENT = {
    "resourceType": "Patient",
    "id": "broken",
    "name": [{"family": "Ortiz", "given": ["Rosa"]}],
    "birthDate": "1961-13-45",
    "telecom": [{"system": "phone", "use": "mobile", "value": "(617) 555-0146"}],
}
BROKEN_SLOT = {"resourceType": "Slot", "id": "s9", "status": "free", "start": "soon"}


def _imported(session: Session, model: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(imported_here(model)))


def test_an_invalid_resource_is_refused_by_id_and_reason_and_the_others_are_applied(
    demo: Session,
) -> None:
    resources = sample_resources()
    bundle = collection(*resources[:4], BROKEN_PATIENT, *resources[4:], BROKEN_SLOT)

    report = import_bundle(demo, harbor(demo), bundle)

    assert report.problems == [
        Problem(
            "bundle.json",
            5,
            "not valid FHIR R4: birthDate: Value error, Date value string does not match "
            "spec regex.",
            "Patient/broken",
        ),
        Problem(
            "bundle.json",
            18,
            "not valid FHIR R4: schedule: Field required; start: Value error, Instant value "
            "string does not match spec regex.",
            "Slot/s9",
        ),
    ]
    assert str(report.problems[0]).startswith("Patient/broken (bundle.json entry 5): not valid")
    assert report.counts["patients"] == {"created": 2, "updated": 0, "unchanged": 0, "refused": 1}
    assert report.refused == 2 and report.applied
    assert _imported(demo, Patient) == 2 and _imported(demo, Appointment) == 3
    assert demo.scalars(select(Patient).where(Patient.source_id == "Patient/broken")).all() == []


def test_with_all_or_nothing_none_of_them_is_applied(demo: Session) -> None:
    bundle = collection(*sample_resources(), BROKEN_PATIENT)

    report = import_bundle(demo, harbor(demo), bundle, all_or_nothing=True)

    assert [p.resource for p in report.problems] == ["Patient/broken"]
    assert not report.applied
    assert report.counts["appointments"]["created"] == 3  # what would have been
    assert _imported(demo, Patient) == _imported(demo, Contact) == _imported(demo, Appointment) == 0
    assert "nothing was written: 1 row(s) refused (--all-or-nothing)" in report.lines()
    audit = demo.scalars(select(AuditLog).where(AuditLog.action == "records.imported")).one()
    assert audit.details["applied"] is False and audit.details["refused_rows"] == ["bundle.json:17"]


@pytest.mark.parametrize(
    ("bundle", "reason"),
    [
        ({"resourceType": "Patient", "id": "x"}, "not a FHIR Bundle (resourceType 'Patient')"),
        (
            {"resourceType": "Bundle", "type": "document", "entry": []},
            "a Bundle of type 'document'; expected one of ('collection', 'transaction', "
            "'batch', 'searchset')",
        ),
        ({"resourceType": "Bundle", "type": "batch", "entry": [{"fullUrl": "x"}]}, "no resource"),
    ],
)
def test_a_bundle_that_is_not_one_is_refused_whole(bundle: dict, reason: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(BundleRefused) as refused:
        bundle_entries(bundle, name="b.json")
    assert reason in str(refused.value)


def test_each_kind_of_refusal_names_the_resource(demo: Session) -> None:
    resources = sample_resources()
    no_patient = {
        "resourceType": "Appointment",
        "id": "lonely",
        "status": "booked",
        "start": "2026-12-16T13:00:00-05:00",
        "end": "2026-12-16T13:30:00-05:00",
        "participant": [{"actor": {"reference": "Practitioner/example"}, "status": "accepted"}],
    }
    unknown_type = {
        **no_patient,
        "id": "acupuncture",
        "appointmentType": {"coding": [{"system": "http://example.org/t", "code": "ACU"}]},
        "participant": [
            {"actor": {"reference": "Patient/example"}, "status": "accepted"},
            {"actor": {"reference": "Practitioner/example"}, "status": "accepted"},
        ],
    }
    stranger = {
        "resourceType": "Practitioner",
        "id": "f005",
        "telecom": [{"system": "email", "value": "a.langeveld@bmc.example.org"}],
    }
    report = import_bundle(
        demo, harbor(demo), collection(*resources, no_patient, unknown_type, stranger)
    )

    reasons = {p.resource: p.reason for p in report.problems}
    assert reasons == {
        "Appointment/lonely": "no Patient among its participants",
        "Appointment/acupuncture": "no appointment type of ours in appointmentType or "
        "serviceType (codes: http://example.org/t|ACU); map them under appointment_types: "
        "in the mapping file",
        "Practitioner/f005": "no staff member here with e-mail a.langeveld@bmc.example.org; "
        "add them to the practice file, or give the practitioner their e-mail in the source",
    }
