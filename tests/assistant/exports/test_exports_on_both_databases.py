"""The exports' queries on SQLite and PostgreSQL: a practice's resolved cases in a period, a
patient's messages, and a visit cancelled by text, on the demo practices."""

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import Engine, select

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    AuditLog,
    Contact,
    Conversation,
    Message,
    Patient,
    StaffUser,
)
from assistant.demo import load_demo_data
from assistant.escalation import casework
from assistant.escalation.queue import open_escalation
from assistant.exports import export_files
from assistant.scheduling.client_requests import cancel_visit

LINDA_PHONE = "+16175550120"


def test_cases_messages_and_bookings_by_text_are_exported(engine: Engine) -> None:
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("America/New_York")).date()
    with make_session_factory(engine)() as db:
        load_demo_data(db, today=today)
        db.flush()
        linda = db.scalars(select(Contact).where(Contact.phone == LINDA_PHONE)).one()
        nurse = db.scalars(
            select(StaffUser).where(
                StaffUser.role == "nurse", StaffUser.practice_id == linda.practice_id
            )
        ).first()
        assert nurse is not None
        conversation = Conversation(
            practice_id=linda.practice_id,
            channel="sms",
            sender_key=LINDA_PHONE,
            contact_id=linda.id,
            verified_at=now,  # she answered the identity check
        )
        db.add(conversation)
        db.flush()
        db.add(
            Message(
                conversation_id=conversation.id,
                direction="in",
                body="Is some swelling, normal?",
                created_at=now - timedelta(minutes=30),
            )
        )
        db.flush()
        case = open_escalation(
            db, conversation=conversation, priority="routine", category="clinical", now=now
        )
        casework.resolve(db, escalation=case, staff=nurse, note="Called her back.", now=now)
        patient = db.scalars(select(Patient).where(Patient.name == "Linda Chen")).one()
        visit = db.scalars(
            select(Appointment)
            .where(Appointment.patient_id == patient.id, Appointment.status == "booked")
            .order_by(Appointment.starts_at)
        ).first()
        assert visit is not None
        cancel_visit(db, conversation=conversation, visit_id=visit.id, now=now)
        db.commit()
        admin = db.scalars(
            select(StaffUser).where(
                StaffUser.role == "admin", StaffUser.practice_id == linda.practice_id
            )
        ).one()

        cases = export_files.practice_communications(db, staff=admin, first=today, last=today)
        messages = export_files.patient_record(
            db, staff=nurse, patient_id=patient.id, file_format="csv"
        )
        bookings = export_files.bookings_by_text(
            db, staff=nurse, first=today, last=today, file_format="csv"
        )
        db.commit()

        bundle = Bundle.model_validate_json(cases.content)
        assert [e.resource.id for e in bundle.entry or []] == [f"case-{case.id}"]
        rows = list(csv.DictReader(io.StringIO(messages.content.decode("utf-8-sig"))))
        assert [r["text"] for r in rows] == ["Is some swelling, normal?"]
        changes = list(csv.DictReader(io.StringIO(bookings.content.decode("utf-8-sig"))))
        assert [
            (c["change"], c["appointment"], c["status_now"], c["patient"]) for c in changes
        ] == [("cancelled", visit.source_id or str(visit.id), "cancelled", "Linda Chen")]
        exported = db.scalars(
            select(AuditLog.action).where(AuditLog.action.like("%exported"))
        ).all()
        assert sorted(exported) == [
            "patient.record_exported",
            "patient.record_exported",
            "patient.record_exported",
            "practice.records_exported",
            "practice.records_exported",
        ]
