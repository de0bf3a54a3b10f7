"""Changing a staff member's own password, and the policy a new one must meet.

The policy follows NIST SP 800-63B section 5.1.1.2: a minimum length rather than character
rules, a maximum long enough for a passphrase, and a refusal of values tied to the account.
There is no breached-password list on a machine without internet; the length carries it.
"""

from assistant.db.models import StaffUser
from assistant.staff.auth import hash_password, password_matches

MIN_LENGTH = 12
# Argon2 hashes whatever it is given; a cap keeps one request from costing seconds.
MAX_LENGTH = 128


def policy_problems(password: str, *, email: str, name: str) -> list[str]:
    """What is wrong with `password` as a new password for this account (empty when fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters; a few words make it easy.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    tied = [email.split("@")[0].lower(), *name.lower().split()]
    if any(len(part) >= 3 and part in lowered for part in tied):
        problems.append("Do not use your name or e-mail in it.")
    if len(set(password)) < 4:
        problems.append("Use more than a few different characters.")
    return problems


WRONG_CURRENT = "The current password is not right."


def change_password(staff: StaffUser, *, current: str, new: str, confirm: str) -> list[str]:
    """Set `new` as the password when `current` is right and `new` meets the policy; returns
    the reasons it was not changed (empty when it was, else `WRONG_CURRENT` first when the
    current one was wrong). The caller ends the other sessions."""
    if not password_matches(staff, current):
        return [WRONG_CURRENT]
    if new != confirm:
        return ["The two new passwords are not the same."]
    if new == current:
        return ["The new password is the one you have now."]
    problems = policy_problems(new, email=staff.email, name=staff.name)
    if not problems:
        staff.password_hash = hash_password(new)
    return problems
