"""Carrier keywords: STOP and its synonyms opt a number out, START opts it back in, HELP
answers with the practice's details. Only a message that is the keyword alone counts:
"cancel my appointment" is a booking request, "CANCEL" is an opt-out."""

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import Contact, Practice

OPT_OUT = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
OPT_IN = frozenset({"start", "unstop"})
# YES opts a number back in only after it opted out; from anyone else it answers a question
# ("Cancel this visit? Reply YES").
OPT_IN_AFTER_OPT_OUT = frozenset({"yes"})
HELP = frozenset({"help", "info"})
TEMPLATE_FOR = {"opt_out": "consent.stopped", "opt_in": "consent.started", "help": "consent.help"}
ROUTE_FOR = {"opt_out": "optout", "opt_in": "other", "help": "other"}


def keyword_of(body: str, *, opted_out: bool = False) -> str | None:
    """'opt_out', 'opt_in' or 'help' when the whole message is one of the keywords."""
    # Letters only, so "Stop.", "HELP?" and "STOP ALL" count; any other word makes it a
    # sentence, which goes to the dialogue instead.
    word = re.sub(r"[^a-z]", "", body.lower())
    if word in OPT_OUT:
        return "opt_out"
    if word in OPT_IN or (opted_out and word in OPT_IN_AFTER_OPT_OUT):
        return "opt_in"
    if word in HELP:
        return "help"
    return None


def is_opted_out(session: Session, practice: Practice, phone: str) -> bool:
    consent = session.scalars(
        select(Contact.consent).where(Contact.practice_id == practice.id, Contact.phone == phone)
    ).first()
    return consent == "opted_out"


def contact_for(session: Session, practice: Practice, phone: str) -> Contact:
    """The contact with this number, created (without a name) for a number we do not know,
    so that its consent is kept in our database like any other."""
    contact = session.scalars(
        select(Contact).where(Contact.practice_id == practice.id, Contact.phone == phone)
    ).first()
    if contact is None:
        contact = Contact(practice_id=practice.id, phone=phone, first_name="", last_name="")
        session.add(contact)
        session.flush()
    return contact


def apply_keyword(
    session: Session, *, practice: Practice, phone: str, keyword: str, now: datetime
) -> None:
    """Record an opt-out or opt-in at once (audited); HELP changes nothing."""
    if keyword == "help":
        return
    contact = contact_for(session, practice, phone)
    contact.consent = "opted_out" if keyword == "opt_out" else "opted_in"
    contact.consent_changed_at = now
    record(
        session,
        practice_id=practice.id,
        actor="client",
        action=f"consent.{keyword}",
        entity=contact,
    )
