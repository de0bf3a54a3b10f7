"""The FHIR server import against a real local HTTP server: the first run reads everything
page by page, later runs only what changed since the last applied run; a refused resource is
read again until it is fixed; the token goes as a bearer header and is never shown."""

import logging
from copy import deepcopy
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, FhirSyncState
from assistant.imports.fhir.run import import_from_server
from assistant.imports.fhir.server import FetchFailed, FhirServer
from assistant.imports.report import ImportReport
from tests.assistant.imports.fhir_support import (
    FakeFhirServer,
    fhir_server,
    options,
    resource,
    sample_resources,
)
from tests.assistant.imports.test_fhir_sample import EXPECTED, harbor

TOKEN = "s3cret-fhir-token-do-not-print"
FIRST = "2026-12-05T10:00:{:02d}Z"  # each sample resource a second apart
LATER = "2026-12-06T09:00:00Z"


def _store() -> FakeFhirServer:
    store = FakeFhirServer()
    for second, item in enumerate(sample_resources()):
        store.put(item, FIRST.format(second))
    return store


def _run(session: Session, store: FakeFhirServer, **opts: Any) -> ImportReport:
    server = FhirServer(store.base_url, SecretStr(TOKEN), page_size=2, wait=lambda _: 0)
    return import_from_server(
        session, practice=harbor(session), server=server, options=options(**opts)
    )


def _touched(report: ImportReport) -> dict[str, dict[str, int]]:
    return {
        kind: {o: n for o, n in c.items() if n}
        for kind, c in report.counts.items()
        if any(c.values())
    }


def test_the_first_run_reads_everything_and_later_runs_only_what_changed(
    demo: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with fhir_server(_store()) as store:
        first = _run(demo, store)

        assert first.problems == [] and first.applied
        assert first.counts == EXPECTED
        # Four appointments two to a page: the second page came from the `next` link.
        assert [
            ("_offset=2" in s, "_lastUpdated=gt" in s) for s in store.searches("Appointment")
        ] == [
            (False, False),
            (True, False),
        ]
        assert {headers.get("Authorization") for _, headers in store.requests} == {
            f"Bearer {TOKEN}"
        }

        store.requests.clear()
        cancelled = deepcopy(resource(sample_resources(), "Appointment/example"))
        cancelled["status"] = "cancelled"
        store.put(cancelled, LATER)
        newcomer = {
            "resourceType": "Patient",
            "id": "f201",
            "name": [{"text": "Roel Bor"}],
            "telecom": [{"system": "sms", "value": "(617) 555-0147"}],
        }
        store.put(newcomer, LATER)
        second = _run(demo, store)

        assert second.problems == [] and second.applied
        assert second.resources_read == {"Appointment": 1, "Patient": 1}
        assert _touched(second) == {
            "clients": {"created": 1},
            "patients": {"created": 1},
            "links": {"created": 1},
            "appointments": {"updated": 1},
        }
        appointment_search = store.searches("Appointment")[0]
        assert "_lastUpdated=gt2026-12-05T10%3A00%3A" in appointment_search  # its own mark
        assert (
            demo.scalars(
                select(Appointment.status).where(Appointment.source_id == "Appointment/example")
            ).one()
            == "cancelled"
        )

        third = _run(demo, store)
        assert third.resources_read == {} and _touched(third) == {}
        assert all("_lastUpdated=gt" in path for path, _ in store.requests[-7:])

        shown = "\n".join(first.lines() + second.lines() + third.lines()) + caplog.text
        assert TOKEN not in shown
        marks = demo.scalars(select(FhirSyncState)).all()
        assert {m.resource_type for m in marks} == {
            "Practitioner",
            "Patient",
            "RelatedPerson",
            "Schedule",
            "Slot",
            "Appointment",
            "Observation",
        }
        assert repr(FhirServer(store.base_url, SecretStr(TOKEN))).count(TOKEN) == 0


def test_a_refused_resource_is_read_again_and_a_dry_run_moves_no_mark(demo: Session) -> None:
    store = _store()
    odd = deepcopy(resource(sample_resources(), "Appointment/2docs"))
    odd["serviceType"] = [{"coding": [{"system": "http://example.org/t", "code": "ACU"}]}]
    store.put(odd, FIRST.format(59))
    with fhir_server(store):
        dry = _run(demo, store, dry_run=True)
        assert not dry.applied and demo.scalars(select(FhirSyncState)).all() == []

        first = _run(demo, store)
        assert [p.resource for p in first.problems] == ["Appointment/2docs"]
        again = _run(demo, store)  # nothing changed at the source: the refused one comes back

        assert again.resources_read == {"Appointment": 1}
        assert [p.resource for p in again.problems] == ["Appointment/2docs"]

        fixed = deepcopy(resource(sample_resources(), "Appointment/2docs"))
        store.put(fixed, LATER)
        done = _run(demo, store)
        assert done.problems == [] and done.counts["appointments"]["created"] == 1
        assert _run(demo, store).resources_read == {}


def test_a_next_link_to_another_address_is_not_followed() -> None:
    server = FhirServer("https://ehr.example.org/fhir", SecretStr(TOKEN))
    with pytest.raises(FetchFailed) as refused:
        server._check_same_server("https://elsewhere.example.net/fhir/Patient?page=2")
    assert "not followed" in str(refused.value) and TOKEN not in str(refused.value)
