"""The practice facts a template may name, formatted for a text message."""

import phonenumbers

from assistant.db.models import Practice
from assistant.practices.hours import describe

# The columns of a practice that its practice file (examples/*.yml) gives as they are
# (the template lint renders with them).
PRACTICE_FIELDS = (
    "slug",
    "name",
    "kind",
    "timezone",
    "business_hours",
    "phone",
    "sms_number",
    "emergency_contact_name",
    "emergency_contact_number",
)


def readable_phone(e164: str) -> str:
    """'+13125550100' -> '(312) 555-0100'; short codes such as 911 stay as they are."""
    if not e164.startswith("+"):
        return e164
    number = phonenumbers.parse(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def template_values(practice: Practice) -> dict[str, str]:
    """Values for the placeholders a template may use."""
    return {
        "practice_name": practice.name,
        "practice_phone": readable_phone(practice.phone),
        "emergency_phone": readable_phone(practice.emergency_contact_number),
        "emergency_name": practice.emergency_contact_name,
        "hours": describe(practice.business_hours),
    }
