"""Whether a client's short reply answers the booking form's question, read without acting on it.

The form asks one thing at a time ("Which kind of visit?"). To the language model a bare
answer such as "Consultation", "3.11.68" or "sat?" can read like an FAQ question or a symptom,
and the form used to hand such a turn to that other path and ask again. Before it does, the
form asks here (actions/form_replies.py). Nothing is booked, verified or counted as a wrong answer.

Only a short reply counts, and never one that mentions the patient's body, a symptom, a
medicine or the sender's safety: that keeps its own path to a nurse, whatever else it says.
"""

import re
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from spacy.lang.en.stop_words import STOP_WORDS

from assistant.identity.verification import FILLER_WORDS, contains_words, read_birth_date, words
from assistant.safety.health_words import mentions_health
from assistant.scheduling.client_requests import (
    VISIT_WORDS,
    BookingContext,
    match_patient,
    match_visit,
    match_visit_type,
)
from assistant.scheduling.preferences import PastDate, chosen_offer, read_preference

Question = Literal["identity", "patient", "visit_type", "visit", "time"]
# A bare answer is short ("its for my dad Frank"); a longer reply is a message of its own.
MAX_WORDS = 6
# A pet's and the owner's names, with a title or a middle name: "Mr Pickles Van Houten".
NAME_WORDS = range(2, 5)
# Words around names ("hi its peanut and my last name is Dubois"); any other common English
# word (spaCy's stop words: "when", "does", "can") makes a reply a sentence, not names.
AROUND_NAMES = FILLER_WORDS | {"please", "pls", "thanks", "thx", "mr", "mrs", "ms"}
# Words around the patient a visit is for: "its for my dad Frank", "the appt is for Gerald".
AROUND_A_PATIENT = AROUND_NAMES | frozenset(
    "for me myself appt appointment dad mom mother father wife husband son daughter".split()
)
# Words around a chosen kind of visit: "the 2nd one (bloodwork)", "consult with the surgeon".
AROUND_A_CHOICE = frozenset(
    "a the one just its it my for please pls thanks thx visit appointment appt check option"
    " number no with surgeon doctor dr vet nurse".split()
)
ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)?|first|second|third|fourth|last")
ALL_VISIT_PHRASES = [phrase for phrases in VISIT_WORDS.values() for phrase in phrases]


def answers_question(
    question: Question,
    text: str,
    *,
    context: BookingContext,
    offer_times: list[datetime],
    timezone: ZoneInfo,
    now: datetime,
) -> bool:
    """Whether `text` reads as an answer to `question` (the form's requested slot)."""
    said = words(text)
    if not said or mentions_health(text):
        return False
    if question == "identity":
        return _reads_as_identity(text, said, context.kind, now)
    if len(said) > MAX_WORDS:
        return False
    if question == "patient":
        # A name not on file ("its for my dad Frank") is an answer too: the form asks again,
        # naming the patients it knows.
        named = match_patient(text, context.patients) is not None
        return named or _reads_as_names(text, said, AROUND_A_PATIENT, range(1, 4))
    if question == "visit_type":
        return _names_a_visit_type(text, said, context)
    if question == "visit":
        return match_visit(text, context.visits) is not None
    times = [moment.astimezone(timezone).time() for moment in offer_times]
    if offer_times and chosen_offer(text, offers=len(offer_times), times=times) is not None:
        return True
    try:
        return read_preference(text, hints=[], timezone=timezone, now=now) is not None
    except PastDate:
        return True  # a day, if a past one: the form says so


def _names_a_visit_type(text: str, said: list[str], context: BookingContext) -> bool:
    """The reply is a kind of visit and nothing else ("just the bloodwork pls", "2"): "can
    someone call me" names a nurse call, but says more. A kind this practice does not book by
    text ("Consultation" to a surgical practice) is an answer too: the form lists the kinds."""
    phrases = [*ALL_VISIT_PHRASES, *(name for _, name in context.visit_types)]
    covered = {w for phrase in phrases if contains_words(said, phrase) for w in words(phrase)}
    rest = [w for w in said if w not in covered and w not in AROUND_A_CHOICE]
    if rest and not all(ORDINAL.fullmatch(w) for w in rest):
        return False
    return bool(covered) or match_visit_type(text, context.visit_types) is not None


def _reads_as_identity(text: str, said: list[str], kind: str, now: datetime) -> bool:
    """A date of birth (people), or two to four names (a pet's and the owner's). Whether it
    is the right one is for verification to say."""
    if kind != "veterinary":
        return len(said) <= MAX_WORDS and read_birth_date(text, now) is not None
    return _reads_as_names(text, said, AROUND_NAMES, NAME_WORDS)


def _reads_as_names(text: str, said: list[str], around: frozenset[str], count: range) -> bool:
    """`count` names with only `around` words beside them: no "?", no digit, and no other
    common English word ("when does the clinic open" is a question, not names)."""
    names = [w for w in said if w not in around]
    return (
        "?" not in text
        and len(names) in count
        and not any(w.isdigit() or w in STOP_WORDS for w in names)
    )
