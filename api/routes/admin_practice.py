"""The practice's settings page for its admins (issue 19): the practice as a practice file,
to read, change, check (a dry run lists every change) and apply, as `python -m assistant
practice apply` does. Only the admin's own practice; the work and its audit are in
assistant/practices/."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.auth import PracticeManager, PracticeManagerPage
from api.deps import SessionDep
from api.routes.pages import pages
from assistant.db.models import Practice
from assistant.practices.apply import ApplyRefused, apply_practice_file
from assistant.practices.current_file import current_practice_file
from assistant.practices.setup_file import PracticeFile, PracticeFileError, parse_practice_file

router = APIRouter(tags=["admin"])
API = "/api/v1/admin/practice"


class FileIn(BaseModel):
    # Within the api's 64 KB body limit; a practice of fifty people writes about 10 KB.
    text: str = Field(max_length=60_000)
    dry_run: bool = True


class Problem(BaseModel):
    line: int | None
    where: str
    message: str


class ApplyOut(BaseModel):
    dry_run: bool
    applied: bool
    changes: list[str]
    problems: list[Problem]  # the file's mistakes, with their lines: nothing applied
    refusals: list[str]  # a valid file whose change would break something: nothing applied


@router.get("/admin/practice", response_class=HTMLResponse, include_in_schema=False)
def practice_page(request: Request, admin: PracticeManagerPage, session: SessionDep) -> Response:
    practice = session.get_one(Practice, admin.practice_id)
    return pages.TemplateResponse(
        request, "admin_practice.html", {"staff": admin, "practice": practice}
    )


@router.get(f"{API}/file", response_class=PlainTextResponse)
def practice_file(admin: PracticeManager, session: SessionDep) -> str:
    """The practice as it is now, as a practice file (YAML)."""
    return current_practice_file(session, session.get_one(Practice, admin.practice_id))


@router.post(f"{API}/file", response_model=ApplyOut)
def apply_file(body: FileIn, admin: PracticeManager, session: SessionDep) -> ApplyOut:
    """Check (`dry_run`, the default) or apply a practice file for the admin's own practice."""
    practice = session.get_one(Practice, admin.practice_id)
    try:
        spec = parse_practice_file(body.text)
    except PracticeFileError as error:
        problems = [Problem(line=p.line, where=p.where, message=p.message) for p in error.problems]
        return _out(body, problems=problems)
    if spec.slug != practice.slug:
        return _out(
            body,
            problems=[
                Problem(
                    line=None,
                    where="slug",
                    message=f"this file is for {spec.slug!r}; you run {practice.slug!r}",
                )
            ],
        )
    return _apply(session, body, spec, actor=f"staff:{admin.id}")


def _apply(session: Session, body: FileIn, spec: PracticeFile, *, actor: str) -> ApplyOut:
    try:
        report = apply_practice_file(session, spec, now=datetime.now(UTC), actor=actor)
    except ApplyRefused as refused:
        session.rollback()
        return _out(body, refusals=refused.reasons)
    if body.dry_run or not report.changes:
        session.rollback()
        return _out(body, changes=report.changes)
    session.commit()
    return _out(body, changes=report.changes, applied=True)


def _out(
    body: FileIn,
    *,
    changes: list[str] | None = None,
    problems: list[Problem] | None = None,
    refusals: list[str] | None = None,
    applied: bool = False,
) -> ApplyOut:
    return ApplyOut(
        dry_run=body.dry_run,
        applied=applied,
        changes=changes or [],
        problems=problems or [],
        refusals=refusals or [],
    )
