"""Phone numbers as people write them, to E.164 (+13125550100), with the phonenumbers library:
one reading for the practice file, staff accounts, imports and the front desk."""

import phonenumbers


class NotAPhoneNumber(ValueError):
    """The message says which text and why, for the person who typed it."""


def to_e164(text: str, *, region: str | None = "US") -> str:
    """`(312) 555-0142` -> `+13125550142`; `region` reads numbers written without their
    country code (None: the country code is required)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise NotAPhoneNumber(f"{text!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise NotAPhoneNumber(f"{text!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region_of(e164: str) -> str:
    """The country of a number (US for +1 312 ...), to read its neighbours' numbers."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or "US"
