"""Asking for a person always works: a request for a person is recognised by these rules too,
so it is honoured even when the dialogue engine reads the message as something else."""

import re

_PERSON = (
    r"(?:a |an |the |your |some )?(?:real |live |actual )?(?:person|human|people|someone|somebody|"
    r"nurse|doctor|dr\.? ?\w+|vet|surgeon|oncologist|staff|receptionist|front desk|office|team)"
)
_ASKS_FOR_A_PERSON = re.compile(
    r"\b(?:"
    rf"(?:talk|speak|chat|text) (?:to|with) {_PERSON}"
    rf"|(?:can|could|would|have|please have|pls have|get) {_PERSON}\b[^.?!\n]{{0,30}}"
    r"\b(?:call|phone|text|ring|contact|reach out to) (?:me|us)"
    r"|call (?:me|us) back"
    r"|(?:real|live|actual) (?:person|human)"
    r"|representative|operator|human please|human pls"
    r")\b",
    re.IGNORECASE,
)


def asks_for_a_person(text: str) -> bool:
    return _ASKS_FOR_A_PERSON.search(text) is not None
