"""The practice as it is now, written as a practice file: what an admin downloads to change
and apply again. Applying it back unchanged changes nothing."""

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import AppointmentType, Practice, StaffUser, SupportResource
from assistant.practices.apply import DETAIL_FIELDS

HEADER = (
    "# The practice file of {name}, as it is now (docs/practice-file.md).\n"
    "# Change it and apply it: python -m assistant practice apply FILE, or on /admin/practice.\n"
)


def current_practice_file(session: Session, practice: Practice) -> str:
    document: dict[str, Any] = {"slug": practice.slug}
    for field in DETAIL_FIELDS:
        value = getattr(practice, field)
        if value is not None:
            document[field] = value
    document["staff"] = [
        {"name": s.name, "email": s.email, "role": s.role, "phone": s.phone}
        for s in session.scalars(
            select(StaffUser)
            .where(StaffUser.practice_id == practice.id, StaffUser.active.is_(True))
            .order_by(StaffUser.id)
        )
        if s.phone  # the file needs a number to page; people without one stay as they are
    ]
    document["appointment_types"] = [
        {
            "code": t.code,
            "name": t.name,
            "duration_minutes": t.duration_minutes,
            "clinician_roles": list(t.clinician_roles),
            "needs_labs": t.needs_labs,
        }
        for t in session.scalars(
            select(AppointmentType)
            .where(AppointmentType.practice_id == practice.id)
            .order_by(AppointmentType.id)
        )
    ]
    if practice.weekly_shifts is not None:
        document["shifts"] = practice.weekly_shifts
    if practice.on_call_rota is not None:
        document["on_call"] = practice.on_call_rota
    document["support_resources"] = [
        {"title": r.title, "detail": r.detail, "stages": list(r.stages)}
        for r in session.scalars(
            select(SupportResource)
            .where(SupportResource.practice_id == practice.id, SupportResource.active.is_(True))
            .order_by(SupportResource.position)
        )
    ]
    # Short lists on one line (`hours: ['08:00', '17:00']`), as in examples/.
    body = yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return HEADER.format(name=practice.name) + body
