"""Admin API for reply templates: list them, see who approved what, approve (clinicians)."""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from api.auth import TemplateApprover, TemplateViewer
from api.deps import SessionDep, StateDep
from assistant.db.models import Practice, StaffUser
from assistant.templates import approval
from assistant.templates.registry import Template

router = APIRouter(prefix="/api/v1/admin/templates", tags=["admin"])


class TemplateOut(BaseModel):
    id: str
    kind: str
    version: int
    title: str | None
    text: str
    source: str | None
    sendable: bool
    approved_by: str | None
    approved_at: str | None
    opens_case: str | None


class ApprovalOut(BaseModel):
    id: int
    version: int
    sha256: str
    approved_by: str
    approved_at: datetime
    title: str | None
    text: str


def _out(template: Template) -> TemplateOut:
    return TemplateOut(
        id=template.id,
        kind=template.kind,
        version=template.version,
        title=template.title,
        text=template.text,
        source=template.source,
        sendable=template.sendable,
        approved_by=template.approved_by,
        approved_at=template.approved_at,
        opens_case=template.case,
    )


def _visible(template: Template, practice: Practice) -> bool:
    """Staff see the templates their practice can send: its kind's and the shared ones."""
    return template.kind in ("both", practice.kind)


def _template_for(
    state: StateDep, session: SessionDep, staff: StaffUser, template_id: str
) -> Template:
    template = state.registry.get(template_id)
    practice = session.get_one(Practice, staff.practice_id)
    if template is None or not _visible(template, practice):
        raise HTTPException(status_code=404, detail=f"no template {template_id!r}")
    return template


@router.get("", response_model=list[TemplateOut])
def list_templates(
    state: StateDep, session: SessionDep, staff: TemplateViewer
) -> list[TemplateOut]:
    practice = session.get_one(Practice, staff.practice_id)
    return [_out(t) for t in state.registry if _visible(t, practice)]


@router.get("/{template_id}/approvals", response_model=list[ApprovalOut])
def approval_history(
    template_id: str, state: StateDep, session: SessionDep, staff: TemplateViewer
) -> list[ApprovalOut]:
    """Every approval recorded in this database, newest first."""
    _template_for(state, session, staff, template_id)
    return [
        ApprovalOut(
            id=row.id,
            version=row.version,
            sha256=row.text_sha256,
            approved_by=session.get_one(StaffUser, row.approved_by_id).name,
            approved_at=row.approved_at,
            title=row.title,
            text=row.text,
        )
        for row in approval.history(session, template_id)
    ]


@router.post("/{template_id}/approve", response_model=TemplateOut)
def approve_template(
    template_id: str, state: StateDep, session: SessionDep, staff: TemplateApprover
) -> TemplateOut:
    """Approve the template's current words as the signed-in clinician."""
    template = _template_for(state, session, staff, template_id)
    approval.approve(
        session,
        registry=state.registry,
        template_id=template.id,
        staff=staff,
        now=datetime.now(UTC),
    )
    session.commit()
    approved = state.registry.get(template_id)
    assert approved is not None  # it was just written
    return _out(approved)
