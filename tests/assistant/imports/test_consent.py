"""Consent: an imported client starts with what the source states, else unknown; an import
never turns an opt-out the client texted us into an opt-in."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import AuditLog, Contact
from assistant.imports.upsert import merged_consent
from assistant.messaging.consent import apply_keyword
from tests.assistant.imports.conftest import NOW, cedar, csv_file, run_import

WITH_CONSENT = "Client ID,First Name,Last Name,Mobile Phone,SMS Opt In"
WITHOUT_CONSENT = "Client ID,First Name,Last Name,Mobile Phone"


def _consent(session: Session, source_id: str) -> str:
    session.expire_all()
    return session.scalars(select(Contact.consent).where(Contact.source_id == source_id)).one()


def test_a_new_client_starts_with_the_consent_the_source_states(demo: Session) -> None:
    run_import(
        demo,
        [
            csv_file(
                "clients.csv",
                WITH_CONSENT,
                "X-1,Ann,Yes,(847) 555-0160,Y",
                "X-2,Bo,No,(847) 555-0161,N",
                "X-3,Cy,Blank,(847) 555-0162,",
            ),
            csv_file("clients-more.csv", WITHOUT_CONSENT, "X-4,Di,Absent,(847) 555-0163"),
        ],
    )

    assert [_consent(demo, f"X-{n}") for n in (1, 2, 3, 4)] == [
        "opted_in",
        "opted_out",
        "unknown",
        "unknown",
    ]


def test_an_opt_out_texted_to_us_is_not_overwritten_by_an_import(demo: Session) -> None:
    run_import(demo, [csv_file("clients.csv", WITH_CONSENT, "X-1,Ann,Lee,(847) 555-0160,Y")])
    apply_keyword(demo, practice=cedar(demo), phone="+18475550160", keyword="opt_out", now=NOW)
    demo.commit()

    report = run_import(
        demo, [csv_file("clients.csv", WITH_CONSENT, "X-1,Ann,Lee,(847) 555-0160,Y")]
    )

    assert _consent(demo, "X-1") == "opted_out"
    assert report.counts["clients"]["unchanged"] == 1


def test_a_number_that_texted_stop_before_the_import_keeps_its_opt_out(demo: Session) -> None:
    apply_keyword(demo, practice=cedar(demo), phone="+18475550160", keyword="opt_out", now=NOW)
    demo.commit()

    report = run_import(
        demo, [csv_file("clients.csv", WITH_CONSENT, "X-1,Ann,Lee,(847) 555-0160,Y")]
    )

    # The contact the STOP created is the client the export names: one row, still opted out.
    assert report.counts["clients"]["updated"] == 1
    contact = demo.scalars(select(Contact).where(Contact.phone == "+18475550160")).one()
    assert (contact.source_id, contact.last_name, contact.consent) == ("X-1", "Lee", "opted_out")


def test_an_opt_out_in_the_source_is_applied_and_audited(demo: Session) -> None:
    run_import(demo, [csv_file("clients.csv", WITH_CONSENT, "X-1,Ann,Lee,(847) 555-0160,Y")])

    run_import(demo, [csv_file("clients.csv", WITH_CONSENT, "X-1,Ann,Lee,(847) 555-0160,N")])

    assert _consent(demo, "X-1") == "opted_out"
    change = demo.scalars(select(AuditLog).where(AuditLog.action == "consent.imported")).one()
    assert change.details == {"from": "opted_in", "to": "opted_out"}


@pytest.mark.parametrize(
    ("ours", "stated", "after"),
    [
        ("unknown", "opted_in", "opted_in"),
        ("unknown", None, "unknown"),
        ("opted_out", "opted_in", "opted_out"),
        ("opted_in", "opted_out", "opted_out"),
        ("opted_in", None, "opted_in"),
    ],
)
def test_consent_after_an_import(ours: str, stated: str | None, after: str) -> None:
    assert merged_consent(ours, stated) == after
