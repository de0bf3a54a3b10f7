"""What the business rules refuse, and why, in words for the person who asked.

Each kind says what the asker can do about it; the web layer turns every kind into its HTTP
answer in one place (`api/refusals.py`), so a route never catches them itself.
"""


class Refused(Exception):
    """A request the rules refuse; the message says why."""


class NotFound(Refused):
    """What was asked for does not exist here (or belongs to someone else)."""


class NotAllowed(Refused):
    """This person, or this client, may not do it."""


class Conflict(Refused):
    """The state of things does not allow it now (already claimed, slot taken...)."""


class Invalid(Refused):
    """The input must change (a missing reference, a time in the past...)."""
