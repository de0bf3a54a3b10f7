"""A cancelled Appointment cancels ours through the scheduling functions: its time is
released and no reminder is sent for it.

Surgical practices have no per-visit reminder (the pre-visit reminder is a veterinary rule,
`assistant/coordination/visits.py`), so the reminder half runs on the veterinary demo
practice, with a FHIR Bundle of its own: the import does not depend on the practice's kind.
"""

from copy import deepcopy
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, AppointmentTimeClaim, Contact, OutboxMessage
from assistant.imports.mapping import Mapping
from assistant.outreach.caps import OutreachLimits
from tests.assistant.imports.conftest import cedar, local
from tests.assistant.imports.fhir_support import (
    collection,
    import_bundle,
    resource,
    sample_resources,
)
from tests.assistant.imports.test_fhir_sample import harbor, import_sample
from tests.assistant.outreach.support import outreach_keys, scheduler

# Sunday 13 December, 10 am in Chicago: the day-2 reminder for Tuesday's chemotherapy is due.
TWO_DAYS_BEFORE = local(date(2026, 12, 13), "10:00")
OWNER_PHONE = "+12245550148"


def _visit(session: Session, source_id: str) -> Appointment:
    session.expire_all()
    return session.scalars(select(Appointment).where(Appointment.source_id == source_id)).one()


def _claims(session: Session, appointment_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AppointmentTimeClaim)
        .where(AppointmentTimeClaim.appointment_id == appointment_id)
    )


def test_a_cancelled_appointment_cancels_ours_and_releases_its_time(demo: Session) -> None:
    import_sample(demo)
    postop = _visit(demo, "Appointment/example")
    assert postop.status == "booked" and _claims(demo, postop.id) == 6  # 30 minutes
    cancelled = deepcopy(resource(sample_resources(), "Appointment/example"))
    cancelled["status"] = "cancelled"

    report = import_bundle(demo, harbor(demo), collection(cancelled))

    assert report.problems == [] and report.counts["appointments"]["updated"] == 1
    after = _visit(demo, "Appointment/example")
    assert after.id == postop.id and after.status == "cancelled"
    assert _claims(demo, postop.id) == 0
    again = import_bundle(demo, harbor(demo), collection(cancelled))
    assert again.counts["appointments"]["unchanged"] == 1


def _chemo_bundle(status: str) -> dict[str, Any]:
    return collection(
        {
            "resourceType": "Practitioner",
            "id": "hart",
            "telecom": [{"system": "email", "value": "evelyn.hart@cedar-vet.example.org"}],
        },
        {"resourceType": "Patient", "id": "maple", "name": [{"given": ["Maple"]}]},
        {
            "resourceType": "RelatedPerson",
            "id": "owner",
            "patient": {"reference": "Patient/maple"},
            "name": [{"family": "Brennan", "given": ["Olivia"]}],
            "telecom": [{"system": "phone", "use": "mobile", "value": "(224) 555-0148"}],
        },
        {
            "resourceType": "Appointment",
            "id": "chemo",
            "status": status,
            "serviceType": [{"coding": [{"code": "chemo_treatment"}]}],
            "start": "2026-12-15T16:00:00-06:00",
            "end": "2026-12-15T17:00:00-06:00",
            "participant": [
                {"actor": {"reference": "Patient/maple"}, "status": "accepted"},
                {"actor": {"reference": "Practitioner/hart"}, "status": "accepted"},
            ],
        },
    )


@pytest.mark.parametrize("cancelled_in_source", [False, True])
def test_a_source_cancellation_means_no_reminder_for_that_visit(
    demo: Session, cancelled_in_source: bool
) -> None:
    report = import_bundle(demo, cedar(demo), _chemo_bundle("booked"), mapping=Mapping())
    assert report.problems == [] and report.counts["appointments"]["created"] == 1
    chemo = _visit(demo, "Appointment/chemo")
    owner = demo.scalars(select(Contact).where(Contact.phone == OWNER_PHONE)).one()
    owner.consent = "opted_in"  # FHIR states no consent; the owner texted START
    demo.commit()
    if cancelled_in_source:
        cancelled = import_bundle(
            demo, cedar(demo), _chemo_bundle("cancelled"), mapping=Mapping(), now=TWO_DAYS_BEFORE
        )
        assert cancelled.counts["appointments"]["updated"] == 1
        assert _visit(demo, "Appointment/chemo").status == "cancelled"

    scheduler(limits=OutreachLimits(per_day=5, per_week=20)).run(demo, now=TWO_DAYS_BEFORE)

    reminded = [k for k in outreach_keys(demo) if k.startswith(f"previsit-d2-appt-{chemo.id}:")]
    texts = demo.scalars(
        select(OutboxMessage.body).where(OutboxMessage.to_number == OWNER_PHONE)
    ).all()
    if cancelled_in_source:
        assert reminded == [] and texts == []
    else:  # the same run reminds the same visit while the source still has it booked
        assert len(reminded) == 1 and any("Maple" in t for t in texts)
