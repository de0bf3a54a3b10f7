"""The practice's audit log for its admins (issue 19): who did or looked at what, newest first.
Rows carry no message text and no password; the log itself is append-only."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy import select

from api.auth import AuditReader, AuditReaderPage
from api.deps import SessionDep
from api.routes.pages import pages
from assistant.audit import record_read
from assistant.db.models import AuditLog, Practice

router = APIRouter(tags=["admin"])


class AuditRow(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    details: dict[str, Any]


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request, admin: AuditReaderPage, session: SessionDep) -> Response:
    practice = session.get_one(Practice, admin.practice_id)
    return pages.TemplateResponse(
        request, "admin_audit.html", {"staff": admin, "practice": practice}
    )


@router.get("/api/v1/admin/audit", response_model=list[AuditRow])
def audit_rows(
    admin: AuditReader,
    session: SessionDep,
    action: str | None = Query(default=None, max_length=64, description="e.g. case.viewed"),
    before_id: int | None = Query(default=None, ge=1, description="the next page: rows older"),
    limit: int = Query(default=100, ge=1, le=500),
) -> list[AuditRow]:
    """This practice's rows only; page back with `before_id` (the last row's id)."""
    practice = session.get_one(Practice, admin.practice_id)
    query = select(AuditLog).where(AuditLog.practice_id == admin.practice_id)
    if action:
        query = query.where(AuditLog.action == action)
    if before_id:
        query = query.where(AuditLog.id < before_id)
    rows = list(session.scalars(query.order_by(AuditLog.id.desc()).limit(limit)))
    out = [
        AuditRow(
            id=row.id,
            at=row.created_at,
            actor=row.actor,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            details=row.details,
        )
        for row in rows
    ]
    # Reading the log is a read of who saw which patient's case: audited too, once a window.
    record_read(session, staff=admin, action="audit.viewed", entity=practice, now=datetime.now(UTC))
    return out
