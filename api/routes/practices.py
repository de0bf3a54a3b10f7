"""Public list of practices."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import SessionDep
from assistant.db.models import Practice

router = APIRouter(prefix="/api/v1/practices", tags=["practices"])


class PracticeOut(BaseModel):
    slug: str
    name: str
    kind: str
    sms_number: str


@router.get("", response_model=list[PracticeOut])
def list_practices(session: SessionDep) -> list[PracticeOut]:
    practices = session.scalars(select(Practice).order_by(Practice.id))
    return [
        PracticeOut(slug=p.slug, name=p.name, kind=p.kind, sms_number=p.sms_number)
        for p in practices
    ]
