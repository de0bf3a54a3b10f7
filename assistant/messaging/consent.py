"""Carrier keywords: STOP and its synonyms opt a number out, START opts it back in, HELP
answers with the practice's details. Only a message that is the keyword alone counts as a
keyword: "cancel my appointment" is a booking request, "CANCEL" is an opt-out.

A request to stop texts in the client's own words ("take me off this list") opts out too:
the FCC's 2024 consent-revocation order (FCC 24-24, 47 CFR 64.1200(a)(10)) lets a person
revoke consent by any reasonable means, in words of their own. Safety triage reads such a
message first (assistant/conversation/turn.py), so a red flag in it is still answered."""

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import Contact, Practice

# Carriers' English keywords, and the Spanish ones US bilingual programs print ("Responda PARAR").
OPT_OUT = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "parar", "baja", "alto"}
)
OPT_IN = frozenset({"start", "unstop"})
# YES opts a number back in only after it opted out; from anyone else it answers a question
# ("Cancel this visit? Reply YES").
OPT_IN_AFTER_OPT_OUT = frozenset({"yes"})
HELP = frozenset({"help", "info"})

_TEXTS = (
    r"(?:texts?|txts?|texting|txting|messages?|messaging|msgs?|msging|sms|text messages?"
    r"|reminders?|notifications?|alerts?)"
)
_SEND = (
    r"(?:text(?:ing)?|txt(?:ing)?|messag(?:e|ing)|send(?:ing|in)?|contact(?:ing)?"
    r"|remind(?:ing)?|spam(?:ming)?)"
)
_ASKS_TO_STOP_TEXTS = re.compile(
    r"\b(?:"
    # One describing word may come between: "stop the automated reminders", "stop any
    # further texts".
    rf"(?:stop+(?: with)?|quit|cease|no (?:more|mor|further)|enough(?: with)?|end|discontinue"
    rf"|cancel|halt|done with) (?:all )?(?:of )?(?:any (?:further |more )?)?"
    rf"(?:the |these |those |your |ur |this )?(?:[a-z]+ )?{_TEXTS}"
    rf"|no {_TEXTS} (?:to|on|for) (?:this|my) (?:number|phone|cell)"
    rf"|(?:turn|switch|shut) off (?:all )?(?:the |these |those |your |ur |this )?"
    rf"(?:[a-z]+ )?{_TEXTS}"
    rf"|(?:turn|switch|shut) (?:the |these |those |your |this )?(?:[a-z]+ )?{_TEXTS} off"
    rf"|(?:stop|quit|don'?t|dont|do not|no longer|never) (?:ever )?{_SEND}"
    # "don't send me home with a drain" is not about texts.
    r" (?:(?:me|us)(?! (?:home|to|a|an|the|back|over|out|in|for|my|his|her|some|any)\b)"
    rf"|these|them|those|this number|my number|any ?more|(?:(?!him |her )[a-z]+ )?{_TEXTS})"
    r"|(?:stop+|quit) (?:texting|txting|messaging|msging|msg'?ing)"
    rf"|(?:stop|quit|don'?t|dont|do not|never) {_SEND} (?:me |us )?"
    rf"(?:the |these |those |your |any )?(?:(?!him |her )[a-z]+ )?{_TEXTS}"
    r"|(?:take|remove|delete|drop|get) (?:me|us|my (?:number|phone|cell|info|name)|this number)"
    r" (?:off|from|out of) (?:this|that|the|your|ur|all)?\s?"
    r"(?:list|texts?|messages|texting|system|contacts?)"
    r"|(?:remove|delete) (?:me|my number|this number)\b"
    # "take me off of your sms list", "taken off the texting", "i want off the text list",
    # "removed from your text list", "take this number off".
    r"|(?:take|taken|remove|removed|get|got|want|wants|be) (?:me |us )?off (?:of )?"
    r"(?:this |that |the |your |ur |all )?"
    r"(?:(?!cancell?ation|wait(?:ing)?|mailing|e-?mail|newsletter|call)[a-z]+ )?"
    rf"(?:list|{_TEXTS}|texting|system)"
    r"|(?:removed|taken) (?:from|off) (?:this|that|the|your|ur) (?:[a-z]+ )?(?:list|system)"
    r"|(?:take|remove|delete) (?:this|my|his|her|their|our) (?:phone |cell )?(?:number|#)"
    r" (?:off|from (?:all |the |your |ur )?"
    rf"(?:[a-z]+ )?(?:{_TEXTS}|list|texting))"
    r"|un[ -]?sub?s?c?ribe|unenroll|un-enroll"
    r"|unsubscribe|unsub|revoke"
    # "opt out of the bloodwork" is about a test, not texts.
    r"|opt(?:ing)?[ -]?(?:me )?out(?! of (?!(?:the |these |your |all )?"
    rf"(?:every |any )?(?:(?:[a-z]+ )?{_TEXTS}|this|these|them|all|it)\b))"
    # Texts meant for someone else are unwanted texts.
    r"|wrong (?:number|person|phone)"
    r"|(?:don'?t|dont|do not|doesn'?t|doesnt|does not|no longer) (?:want|need|wish)e?s?"
    r"(?: to (?:get|receive|have))?"
    rf" (?:any )?(?:more |these |your |ur |the )?{_TEXTS}"
    r"|leave (?:me|us) alone"
    rf"|(?:prefer|rather) not (?:to )?(?:get|receive|have) (?:any )?(?:[a-z]+ )?{_TEXTS}"
    r"|\bnot (?:text|txt|message|contact) (?:me|us) (?:any ?more|again)"
    rf"|rather (?:get |have )?(?:a )?(?:phone )?calls? than (?:get(?:ting)? )?{_TEXTS}"
    rf"|\bno {_TEXTS}(?= at all| please| pls|[.!,]|\s*$| from now on| going forward)"
    r"|(?:don'?t|dont|do not) want (?:to (?:keep )?(?:getting|receiving|get|receive) )?"
    rf"(?:these|those|any|your|ur|the|more|any more)(?: more)? {_TEXTS}"
    rf"|make (?:the |these |those |your )?{_TEXTS} stop"
    rf"|(?:can|could) (?:you|u) stop (?:the |these |those |your )?{_TEXTS}"
    r")\b",
    re.IGNORECASE,
)
# "..., please stop" or "... stop." at the end, or "stop these and call me", in a message about
# texts.
_SHORT_STOP = re.compile(
    r"(?<!n't )(?<!nt )(?<!not )\b(?:(?:please |pls |plz )?(?:make (?:it|them|these) )?"
    r"(?:please |pls |plz )?stop(?: (?:it|now|please|pls|them|these|those))?"
    r"|stop,? (?:please|pls|plz)|(?:take|remove) (?:me|us|it) off(?: now| please| pls)?)[\s.!]*$"
    r"|\bstop (?:these|them|those)(?= and\b| but\b|[,.!])",
    re.IGNORECASE | re.MULTILINE,
)
_ABOUT_TEXTS = re.compile(
    rf"\b(?:{_TEXTS}|texting|txting|this number|my number|this phone)\b", re.IGNORECASE
)
# Said the other way round: "i dont want to unsubscribe", "dont stop the texts", "my husband
# says to stop texting you".
_KEEPS_TEXTS = re.compile(
    r"\b(?:don'?t|dont|do not|not|never)(?: want to)? (?:unsubscribe|opt out"
    rf"|stop (?:the |these |your |ur )?{_TEXTS})"
    r"|\bstop (?:texting|txting|messaging) (?:you|u)\b"
    rf"|\b{_TEXTS} (?:are|is) (?:still )?(?:totally |perfectly )?(?:fine|ok|okay|good)\b"
    rf"|\bkeep (?:the |my |your )?(?:[a-z]+ )?{_TEXTS} coming\b"
    rf"|\b(?:texting|text) me is (?:still )?(?:totally |perfectly )?(?:fine|ok|okay)\b"
    # "texting me the link is fine", "texts work better for me", "texting this cell is best"
    r"|\b(?:texting|texts?|txts?)(?: me| us| this (?:cell|number|phone))?(?: (?:the |a )?[a-z]+)?"
    r" (?:is|are|works?) (?:still )?(?:totally |perfectly |much )?"
    r"(?:fine|ok|okay|good|best|better)\b"
    r"|(?<!to )\bkeep (?:the|my|your|all) (?:[a-z]+ )?" + _TEXTS + r"\b(?! coming)"
    # Asking how to stop some day is not asking now: "if i ever want to stop getting texts
    # how would i do that?"
    r"|\b(?:if|when) i (?:ever |later |someday )?(?:decide|want|wanted|wish)\b"
    r"[^.!]*\b(?:how|what)\b"
    r"|\bhow (?:would|do|can|could) i\b[^.!?]*\b(?:later|some ?day|if i ever|not now)\b",
    re.IGNORECASE,
)
# Spanish, in the client's own words (the same FCC rule: any reasonable means, any language):
# "ya no me manden mensajes", "sáquenme de la lista", "dejen de mandarme recordatorios",
# "BAJA porfa", "me quiero dar de baja de los textos".
_MENSAJES = (
    r"(?:mensajes?|mensajitos|textos?|texts?|sms|recordatorios?|notificaciones|alertas|avisos"
    r"|reminders?)"
)
_PIDE_NO_MAS_MENSAJES = re.compile(
    r"\b(?:"
    r"no (?:me |nos |le )?(?:manden|mande|env[ií]en|env[ií]e|escriban|texteen) (?:m[aá]s|nada)"
    r"|no (?:me |nos |le )?(?:manden|mande|env[ií]en|env[ií]e) (?:\w+ )?"
    + _MENSAJES
    + r"|(?:ya )?no (?:quiero|queremos|deseo|necesito) (?:recibir |que me (?:manden|env[ií]en) )?"
    r"(?:m[aá]s |los |las |sus |estos |esos |ning[uú]n )?(?:\w+ )?"
    + _MENSAJES
    + r"|dej(?:en|e|ar) de (?:mandar|enviar|escribir|textear)\w*"
    r"|(?:s[aá]quen|saque|quiten|quite|borren|borre|eliminen|elimine)(?:me|nos|lo)?"
    r" (?:de (?:la|su|sus|esta) (?:lista|sistema)|de (?:los|sus|estos) "
    + _MENSAJES
    + r"|(?:mi|este) n[uú]mero)"
    r"|(?:ya )?basta de "
    + _MENSAJES
    + r"|ya con los "
    + _MENSAJES
    + r"|parar (?:los |estos |sus |de )?"
    + _MENSAJES
    + r"|se equivocaron de (?:n[uú]mero|persona)|n[uú]mero equivocado"
    r")\b"
    # A Spanish keyword first, then a sentence: "BAJA porfa, ...", "PARAR. ese numero ...".
    r"|^\s*(?:baja|parar|alto|stop)\b(?=[\s.,!]*(?:$|[.,!]|por ?fa|por favor|porfavor|ya\b))",
    re.IGNORECASE,
)
# "Darme de baja" is also leaving a wellness plan or autopay: it counts beside texts or a list.
_DE_BAJA = re.compile(r"\b(?:dar(?:me|nos|lo|la)?|den(?:me|nos)|me doy) de baja\b", re.IGNORECASE)
_SOBRE_MENSAJES = re.compile(
    rf"\b(?:{_MENSAJES}|lista|este n[uú]mero|mi n[uú]mero|este cel\w*)\b", re.IGNORECASE
)
_SIGUE_CON_MENSAJES = re.compile(
    r"\bno (?:me )?(?:quiero|deseo) (?:dar(?:me)? de baja|que dejen de)", re.IGNORECASE
)
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


# "sorry wrong number!!", "oops texted the wrong person": the sender's own slip, not texts from
# us they do not want ("you have the wrong number" still is).
_SENDERS_OWN_SLIP = re.compile(
    r"\b(?:(?:sorry|oops|whoops|my bad|my mistake)[\s,!.]*(?:i |i'?ve |ive |just )*"
    r"|(?:i|i'?ve|ive|i just) )(?:texted |text |sent (?:this |that |it )?to |messaged )?"
    r"(?:the |a )?wrong (?:number|person|phone|chat|thread)\b",
    re.IGNORECASE,
)


# "remove me from the 8am slot", "take me off the list for the 7am surgery slot": a visit.
_ABOUT_A_SLOT = re.compile(
    r"\b(?:off|from) (?:of )?(?:the |my |that |this |your )?(?:[a-z0-9]+ ){0,3}"
    r"(?:slot|waitlist|wait list|cancell?ation list)\b"
    r"|\blist for (?:the |a |an )?(?:[a-z0-9]+ ){0,3}(?:slot|appointment|appt|surgery|opening)\b",
    re.IGNORECASE,
)


def asks_to_stop_texts(body: str) -> bool:
    """True when the message asks, in any words (English or Spanish), for no more texts."""
    if _KEEPS_TEXTS.search(body) or _SIGUE_CON_MENSAJES.search(body):
        return False
    if _ABOUT_A_SLOT.search(body) and not _ABOUT_TEXTS.search(body):
        return False
    body = _SENDERS_OWN_SLIP.sub(" ", body)
    if _ASKS_TO_STOP_TEXTS.search(body) or _PIDE_NO_MAS_MENSAJES.search(body):
        return True
    if _DE_BAJA.search(body) and _SOBRE_MENSAJES.search(body):
        return True
    return bool(_SHORT_STOP.search(body) and _ABOUT_TEXTS.search(body))


def without_request_to_stop(body: str) -> str:
    """The message with its request for no more texts taken out ("i dont want texts. take me
    off" leaves "i dont want . "): what is left is what the client said besides."""
    for request in (_ASKS_TO_STOP_TEXTS, _SHORT_STOP, _PIDE_NO_MAS_MENSAJES):
        body = request.sub(" ", body)
    return body


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
