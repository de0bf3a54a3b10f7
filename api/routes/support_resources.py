"""Admin API for the practice's pet-loss and end-of-life resources: what the grief-support
messages share at each stage (palliative, euthanasia scheduled, deceased)."""

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import PracticeManager as AdminStaff
from api.deps import SessionDep
from assistant.audit import record
from assistant.coordination.grief import END_OF_LIFE_STAGES
from assistant.db.models import StaffUser, SupportResource

router = APIRouter(prefix="/api/v1/admin/support-resources", tags=["admin"])


class ResourceIn(BaseModel):
    title: str = Field(min_length=1, max_length=160)
    detail: str = Field(min_length=1, max_length=200)  # a web address or a phone number
    stages: list[str] = Field(min_length=1)
    position: int = Field(default=0, ge=0)
    active: bool = True

    @field_validator("title", "detail")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, stages: list[str]) -> list[str]:
        unknown = [s for s in stages if s not in END_OF_LIFE_STAGES]
        if unknown:
            raise ValueError(
                f"unknown stage(s) {', '.join(unknown)}; use {', '.join(END_OF_LIFE_STAGES)}"
            )
        return [s for s in END_OF_LIFE_STAGES if s in stages]  # once each, in stage order


class ResourceOut(BaseModel):
    id: int
    title: str
    detail: str
    stages: list[str]
    position: int
    active: bool


@router.get("", response_model=list[ResourceOut])
def list_resources(staff: AdminStaff, session: SessionDep) -> list[ResourceOut]:
    """Every resource of the practice, inactive ones too, in the order they are sent."""
    rows = session.scalars(
        select(SupportResource)
        .where(SupportResource.practice_id == staff.practice_id)
        .order_by(SupportResource.position, SupportResource.id)
    ).all()
    return [_out(r) for r in rows]


@router.post("", response_model=ResourceOut, status_code=201)
def add_resource(body: ResourceIn, staff: AdminStaff, session: SessionDep) -> ResourceOut:
    resource = SupportResource(practice_id=staff.practice_id, **body.model_dump())
    session.add(resource)
    session.flush()
    _audit(session, staff, "support_resource.added", resource, body.model_dump())
    session.commit()
    return _out(resource)


@router.put("/{resource_id}", response_model=ResourceOut)
def change_resource(
    resource_id: int, body: ResourceIn, staff: AdminStaff, session: SessionDep
) -> ResourceOut:
    resource = _resource(session, staff, resource_id)
    before = _out(resource).model_dump(exclude={"id"})
    for name, value in body.model_dump().items():
        setattr(resource, name, value)
    _audit(
        session,
        staff,
        "support_resource.changed",
        resource,
        {"from": before, "to": body.model_dump()},
    )
    session.commit()
    return _out(resource)


@router.delete("/{resource_id}", status_code=204)
def delete_resource(resource_id: int, staff: AdminStaff, session: SessionDep) -> Response:
    """Remove a resource for good; to stop sending it for a while, set `active` false."""
    resource = _resource(session, staff, resource_id)
    _audit(
        session,
        staff,
        "support_resource.deleted",
        resource,
        _out(resource).model_dump(exclude={"id"}),
    )
    session.delete(resource)
    session.commit()
    return Response(status_code=204)


def _resource(session: Session, staff: StaffUser, resource_id: int) -> SupportResource:
    resource = session.get(SupportResource, resource_id)
    if resource is None or resource.practice_id != staff.practice_id:
        raise HTTPException(status_code=404, detail="no such support resource in your practice")
    return resource


def _out(resource: SupportResource) -> ResourceOut:
    return ResourceOut(
        id=resource.id,
        title=resource.title,
        detail=resource.detail,
        stages=list(resource.stages),
        position=resource.position,
        active=resource.active,
    )


def _audit(
    session: Session,
    staff: StaffUser,
    action: str,
    resource: SupportResource,
    details: dict[str, object],
) -> None:
    record(
        session,
        practice_id=staff.practice_id,
        actor=f"staff:{staff.id}",
        action=action,
        entity=resource,
        details=details,
    )
