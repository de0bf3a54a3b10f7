"""Optional two-step sign-in for staff: a six-digit code from an authenticator app (RFC 6238,
by pyotp), asked after the password. Each code is accepted once; the step before and after
the current one are accepted too, for a phone's clock a little off."""

import hmac
from datetime import datetime

import pyotp
import segno

from assistant.db.models import StaffUser

ISSUER = "Oncology practice assistant"
# A sign-in that passed the password has this long to give its code.
PENDING_SECONDS = 300


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_uri(secret: str, email: str) -> str:
    """What the authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG markup (no image request, nothing for the CSP)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4))


def code_matches(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The step `code` belongs to when it is right for `secret` at `now` and newer than
    `last_step`, else None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(staff: StaffUser, code: str, *, now: datetime) -> bool:
    """Whether `code` signs `staff` in now; a right code is used up. The caller commits."""
    if staff.totp_secret is None:
        return False
    step = code_matches(staff.totp_secret, code, now=now, last_step=staff.totp_last_step)
    if step is None:
        return False
    staff.totp_last_step = step
    return True


def turn_on(staff: StaffUser, secret: str, code: str, *, now: datetime) -> bool:
    """Keep `secret` as this person's when `code` shows their app has it; the caller ends
    their other sessions and commits."""
    step = code_matches(secret, code, now=now, last_step=None)
    if step is None:
        return False
    staff.totp_secret, staff.totp_last_step = secret, step
    return True


def turn_off(staff: StaffUser) -> None:
    staff.totp_secret, staff.totp_last_step = None, None
