"""The outreach scheduler: asks each coordination rule what is due, and sends each item once.

Its state is the database: every message and alert is recorded under its unique key in the
same transaction as the outbox rows that carry it, one item per transaction. A run killed
half-way loses nothing (what it did not commit is due again next run) and repeats nothing
(what it committed is recorded); two api processes running it at once on PostgreSQL collide
on the key, and the second one's insert fails and is rolled back. An open alert that no rule
raises any more (the missing result came in) is resolved.

A client message goes to each contact of the patient who has not opted out (a contact whose
consent is unknown gave the practice this number for care: the healthcare exemption; but one
imported from the practice's records with no stated consent waits for its opt-in), only
inside the practice's sending hours and within the caps; otherwise it waits for a later run,
until its moment has passed (then it is recorded as expired, for the coordination page).
Within one run, rules earlier in the list take a contact's message of the day first.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import (
    Contact,
    ContactPatient,
    OutboxMessage,
    Outreach,
    Patient,
    Practice,
    StaffAlert,
    StaffUser,
)
from assistant.messaging.delivery import send_proactive
from assistant.messaging.outbox import quiet_hours_end
from assistant.outreach.caps import OutreachLimits, within_caps
from assistant.outreach.due import ClientMessage, Due, StaffNotice
from assistant.outreach.withdraw import GRIEF_RULE
from assistant.practices.details import template_values
from assistant.templates import Template, TemplateRegistry

logger = logging.getLogger(__name__)

Rule = Callable[[Session, Practice, datetime], Iterable[Due]]


@dataclass
class RunReport:
    """What one run did; `deferred` items are tried again by a later run."""

    queued: int = 0
    alerts: int = 0
    deferred: int = 0
    expired: int = 0
    resolved: int = 0


class OutreachScheduler:
    def __init__(
        self,
        *,
        registry: TemplateRegistry,
        rules: Sequence[Rule],
        limits: OutreachLimits,
        coordination_url: str,
    ) -> None:
        self._registry = registry
        self._rules = rules
        self._limits = limits
        self._coordination_url = coordination_url

    def run(self, session: Session, *, now: datetime) -> RunReport:
        """One pass over every practice and rule. Commits after each item it sends."""
        report = RunReport()
        practice_ids = list(session.scalars(select(Practice.id).order_by(Practice.id)))
        for practice_id in practice_ids:
            alerts_due: set[str] = set()
            every_rule_ran = True
            for rule in self._rules:
                practice = session.get_one(Practice, practice_id)
                try:
                    # Read in full first: sending commits, and commits expire what was loaded.
                    items = list(rule(session, practice, now))
                except Exception:  # one broken rule must not stop every other message
                    session.rollback()
                    logger.exception("outreach rule %s failed", getattr(rule, "__name__", rule))
                    every_rule_ran = False
                    continue
                alerts_due |= {item.key for item in items if isinstance(item, StaffNotice)}
                for item in items:
                    try:
                        if isinstance(item, StaffNotice):
                            self._alert(session, practice_id, item, now, report)
                        else:
                            self._message(session, practice_id, item, now, report)
                    except Exception:  # nothing of it was committed: it is tried next run
                        session.rollback()
                        logger.exception("outreach item %s failed", item.key)
            if every_rule_ran:
                report.resolved += _resolve_stale_alerts(session, practice_id, alerts_due, now)
        session.commit()
        return report

    def _message(
        self,
        session: Session,
        practice_id: int,
        item: ClientMessage,
        now: datetime,
        report: RunReport,
    ) -> None:
        patient = session.get(Patient, item.patient_id)
        if patient is None or not _may_receive(patient, item):
            return
        contacts = list(
            session.scalars(
                select(Contact)
                .join(ContactPatient, ContactPatient.contact_id == Contact.id)
                .where(ContactPatient.patient_id == patient.id)
                .order_by(Contact.id)
            )
        )
        for contact in contacts:
            self._message_contact(session, practice_id, item, contact.id, now, report)

    def _message_contact(
        self,
        session: Session,
        practice_id: int,
        item: ClientMessage,
        contact_id: int,
        now: datetime,
        report: RunReport,
    ) -> None:
        key = f"{item.key}:contact-{contact_id}"
        if _recorded(session, Outreach, key):
            return
        practice = session.get_one(Practice, practice_id)
        # Locked, so two schedulers cannot both take a contact's last message of the day.
        contact = session.scalars(
            select(Contact).where(Contact.id == contact_id).with_for_update()
        ).one()
        if not _may_be_texted_first(contact):
            session.rollback()
            return
        if now >= item.expires_at:
            outreach = _outreach(item, key, contact, None, now, status="expired")
            if _insert(session, outreach):
                report.expired += 1
            return
        if quiet_hours_end(practice, now) is not None or not within_caps(
            session, practice=practice, contact=contact, now=now, limits=self._limits
        ):
            session.rollback()
            report.deferred += 1
            return
        template = self._template(item, practice)
        if template is None:
            session.rollback()
            return
        text = template.render(template_values(practice) | dict(item.values))
        outreach = _outreach(item, key, contact, template, now, status="queued")
        session.add(outreach)
        try:
            session.flush()
        except IntegrityError:  # another scheduler sent it a moment ago
            session.rollback()
            return
        rows = send_proactive(
            session,
            practice=practice,
            phone=contact.phone,
            body=text,
            template_id=template.id,
            template_version=template.version,
            now=now,
        )
        for row in rows:
            row.outreach_id = outreach.id
        record(
            session,
            practice_id=practice.id,
            actor="bot",
            action=f"outreach.{item.rule}",
            entity=outreach,
            details={"key": key},
        )
        session.commit()
        report.queued += 1

    def _alert(
        self,
        session: Session,
        practice_id: int,
        item: StaffNotice,
        now: datetime,
        report: RunReport,
    ) -> None:
        if _recorded(session, StaffAlert, item.key):
            return
        practice = session.get_one(Practice, practice_id)
        alert = StaffAlert(
            key=item.key,
            practice_id=practice_id,
            rule=item.rule,
            patient_id=item.patient_id,
            appointment_id=item.appointment_id,
            surgical_case_id=item.surgical_case_id,
            text=item.text,
            notified_staff_ids=list(item.staff_ids),
            created_at=now,
        )
        session.add(alert)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return
        # The text names no patient and no result: it can be read on a locked screen. Work
        # that can wait is not texted at night: the page waits for sending hours, the
        # coordination page shows the alert at once.
        hold_until = quiet_hours_end(practice, now)
        body = (
            f"Coordination alert #{alert.id} at {practice.name}: needs action. "
            f"Open: {self._coordination_url}"
        )
        for staff_id in item.staff_ids:
            staff = session.get(StaffUser, staff_id)
            if staff is None or not staff.active:
                continue
            session.add(
                OutboxMessage(
                    practice_id=practice_id,
                    to_number=staff.phone,
                    body=body,
                    kind="page",
                    status="pending",
                    created_at=now,
                    next_attempt_at=hold_until,
                )
            )
        record(
            session,
            practice_id=practice_id,
            actor="bot",
            action=f"alert.{item.rule}",
            entity=alert,
            details={"key": item.key},
        )
        session.commit()
        report.alerts += 1

    def _template(self, item: ClientMessage, practice: Practice) -> Template | None:
        for key in item.template_keys:
            template = self._registry.resolve(key, practice.kind)
            if template is not None:
                return template
        # Never words that were not approved: the message is not sent, and it shows in the log.
        logger.error("no sendable template among %s for %s", item.template_keys, practice.kind)
        return None


def _resolve_stale_alerts(
    session: Session, practice_id: int, still_due: set[str], now: datetime
) -> int:
    """Resolve the practice's open alerts that no rule raises any more (the CBC came in, the
    follow-up was booked, the visit has passed), so the coordination page shows what is
    missing now. Resolved by nobody: the audit log and `resolved_by_id` tell them apart."""
    result = session.execute(
        update(StaffAlert)
        .where(
            StaffAlert.practice_id == practice_id,
            StaffAlert.resolved_at.is_(None),
            StaffAlert.key.not_in(still_due),
        )
        .values(resolved_at=now)
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def _may_be_texted_first(contact: Contact) -> bool:
    """Not opted out; and a contact imported from the practice's records whose consent the
    source did not state waits for its opt-in (issue 19): an export's numbers may be old or
    shared, unlike one a client gave us themselves."""
    if contact.consent == "opted_out":
        return False
    return not (contact.consent == "unknown" and contact.source_id is not None)


def _may_receive(patient: Patient, item: ClientMessage) -> bool:
    """A deceased pet's family receives grief support only; reminders stop as soon as a
    patient leaves active care (palliative, euthanasia scheduled)."""
    if patient.status == "deceased":
        return item.rule == GRIEF_RULE
    return patient.status == "active" or not item.reminder


def _recorded(session: Session, model: type[Outreach] | type[StaffAlert], key: str) -> bool:
    return session.scalars(select(model.id).where(model.key == key)).first() is not None


def _outreach(
    item: ClientMessage,
    key: str,
    contact: Contact,
    template: Template | None,
    now: datetime,
    *,
    status: str,
) -> Outreach:
    return Outreach(
        key=key,
        practice_id=item.practice_id,
        rule=item.rule,
        patient_id=item.patient_id,
        contact_id=contact.id,
        appointment_id=item.appointment_id,
        surgical_case_id=item.surgical_case_id,
        template_id=template.id if template else None,
        status=status,
        created_at=now,
    )


def _insert(session: Session, row: Outreach) -> bool:
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
