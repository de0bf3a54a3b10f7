"""What a coordination rule says is due now: a message to a patient's contacts, or an alert
to staff. Rules only describe; `assistant.outreach.scheduler` decides whether and how it goes.

Every item carries a key that is unique forever (for example `previsit-d2-appt-17`): the
same item found again by a later run, a restarted process or a second api worker is never
sent twice.

A rule keeps describing a client message for a while after its `expires_at` (a reminder for
a day that has passed, while the visit is still ahead): the scheduler then records it as
expired, so a message that caps or quiet hours kept back shows on the coordination page
instead of vanishing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ClientMessage:
    """An approved template for each contact of `patient_id` who may receive it.

    `template_keys` are tried in order (a drug's own treatment summary, then the general one);
    `values` fill the template's record placeholders. Not sent after `expires_at`. A
    reminder stops for a pet or patient no longer in active care; the grief-support messages
    are the only ones a deceased pet's family receives.
    """

    key: str
    rule: str
    practice_id: int
    patient_id: int
    template_keys: tuple[str, ...]
    values: Mapping[str, str]
    expires_at: datetime
    reminder: bool = True
    appointment_id: int | None = None
    surgical_case_id: int | None = None


@dataclass(frozen=True)
class StaffNotice:
    """An alert on the coordination page, texted (without health details) to `staff_ids`."""

    key: str
    rule: str
    practice_id: int
    patient_id: int | None
    text: str
    staff_ids: tuple[int, ...] = field(default=())
    appointment_id: int | None = None
    surgical_case_id: int | None = None


Due = ClientMessage | StaffNotice
