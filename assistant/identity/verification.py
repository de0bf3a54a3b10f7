"""Identity checks before visit details are shared.

A known phone number maps to its contact, but details go only to a verified contact: the pet's
name and the owner's last name for owners, the patient's date of birth for patients and
caregivers. The answer must name them and nothing else: a reply listing many names does not
pass. A verification lasts VERIFIED_FOR, then it is asked again; a new number is a new
conversation and is asked too. After MAX_FAILURES wrong answers the conversation is locked and
a person takes over.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Literal

from dateparser.search import search_dates
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Contact, ContactPatient, Conversation, Patient

IdentityStatus = Literal["unknown", "unverified", "verified", "locked"]
MAX_FAILURES = 3
# How long one verification lasts (issue 18: a verified number stayed verified forever).
VERIFIED_FOR = timedelta(days=30)
# Words a reply may carry besides the two names: "it's Biscuit, last name Alvarez".
FILLER_WORDS = frozenset(
    "a am and dog cat pet pets is it its im i m my name names last surname owner owners the"
    " this s her his he she family our we are here hi hello yes ok okay thats that".split()
)
# Patients who must never be offered a visit or named in a reminder.
INACTIVE_STATUSES = ("deceased",)


def identity_status(
    session: Session,
    conversation: Conversation,
    patients: list[Patient] | None = None,
    *,
    now: datetime,
) -> IdentityStatus:
    """`patients`: the contact's, when the caller has already read them."""
    # A number with no pet or patient on file is unknown, even if it has a contact row
    # (one is made for any number that texts STOP or START, to keep its consent).
    if patients is None:
        patients = patients_of(session, conversation)
    if conversation.contact_id is None or not patients:
        return "unknown"
    if conversation.verified_at is not None and now - conversation.verified_at < VERIFIED_FOR:
        return "verified"
    if conversation.verify_failures >= MAX_FAILURES:
        return "locked"
    return "unverified"


def patients_of(session: Session, conversation: Conversation) -> list[Patient]:
    """The pets or patients this conversation's contact may speak for, oldest record first."""
    if conversation.contact_id is None:
        return []
    return list(
        session.scalars(
            select(Patient)
            .join(ContactPatient, ContactPatient.patient_id == Patient.id)
            .where(
                ContactPatient.contact_id == conversation.contact_id,
                Patient.practice_id == conversation.practice_id,
                Patient.status.not_in(INACTIVE_STATUSES),
            )
            .order_by(Patient.id)
        )
    )


def verify(
    session: Session, *, conversation: Conversation, answer: str, now: datetime
) -> IdentityStatus:
    """Check one answer; record success or the failure, and return the new status."""
    patients = patients_of(session, conversation)
    status = identity_status(session, conversation, patients, now=now)
    if status != "unverified":
        return status
    contact = session.get_one(Contact, conversation.contact_id)
    if conversation.practice.kind == "veterinary":
        matched = _names_match(answer, contact, patients)
    else:
        matched = _birth_date_matches(answer, patients, now)
    if matched:
        conversation.verified_at = now
    else:
        conversation.verify_failures += 1
    session.flush()
    return identity_status(session, conversation, patients, now=now)


def words(text: str) -> list[str]:
    """Lower-case words without accents or apostrophes: "O'Connor" -> ["oconnor"]."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", folded.lower().replace("'", "").replace("\u2019", ""))


def contains_words(text_words: list[str], name: str) -> bool:
    """Whether the name's words appear in order, side by side, among `text_words`."""
    wanted = words(name)
    if not wanted:
        return False
    span = len(wanted)
    return any(text_words[i : i + span] == wanted for i in range(len(text_words) - span + 1))


def _names_match(answer: str, contact: Contact, patients: list[Patient]) -> bool:
    """The owner's last name and one of their pets' names, each exactly, and no other name:
    "Biscuit Alvarez" passes, a list of a dozen pet names and surnames does not."""
    said = [w for w in words(answer) if w not in FILLER_WORDS]
    last = words(contact.last_name)
    for patient in patients:
        pet = words(patient.name)
        if pet and last and sorted(said) == sorted(pet + last):
            return True
    return False


def _birth_date_matches(answer: str, patients: list[Patient], now: datetime) -> bool:
    said = read_birth_date(answer, now)
    return said is not None and any(p.date_of_birth == said for p in patients)


def read_birth_date(text: str, now: datetime) -> date | None:
    """A date of birth as Americans write it: 03/11/1968, 3-11-68, March 11 1968."""
    # search_dates finds the date inside "dob 3/11/1968" or "his birthday is 8-29-54".
    found = search_dates(
        text,
        languages=["en"],
        settings={"DATE_ORDER": "MDY", "STRICT_PARSING": True, "PREFER_DATES_FROM": "past"},
    )
    if not found:
        return None
    parsed = found[0][1]
    born: date = parsed.date()
    if born.year > now.year:  # "3/11/68" read as 2068
        born = born.replace(year=born.year - 100)
    return born
