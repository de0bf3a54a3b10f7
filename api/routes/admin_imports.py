"""Admin API and page for the records import (issue 19): the CSV exports that
`python -m assistant import csv` reads, uploaded from the dashboard instead. The import, its
report and its audit row are assistant/imports/run.py's, as on the command line; the actor is
the admin and the practice is always the admin's own."""

from datetime import UTC, datetime
from pathlib import PureWindowsPath
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from api.auth import RecordImporter, RecordImporterPage
from api.body_limit import Allowance
from api.deps import SessionDep, StateDep
from api.rate_limits import TOO_MANY_IMPORTS
from api.routes.pages import pages
from assistant.db.models import Practice
from assistant.errors import Invalid
from assistant.imports.csv_files import MAX_FILE_BYTES
from assistant.imports.mapping import Mapping, mapping_from_bytes
from assistant.imports.report import ImportReport
from assistant.imports.run import ExportFile, import_exports

router = APIRouter(tags=["admin"])
API = "/api/v1/admin/imports"
# The whole upload, every file and the mapping together: as large as one export file may be.
# Only this path gets more than the app's small body limit (api/body_limit.py).
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
UPLOAD_LIMIT = Allowance(
    MAX_UPLOAD_BYTES,
    f"the upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB in all; nothing was "
    "imported. Upload fewer files at a time, or split a large export (by date, say)",
)
MAX_FILES = 20
MAX_NAME_LENGTH = 255


class RefusedRow(BaseModel):
    file: str
    line: int  # 1 is the header
    reason: str


class ImportOut(BaseModel):
    files: list[str]
    dry_run: bool
    all_or_nothing: bool
    applied: bool  # False: nothing was written (a dry run, or all-or-nothing with a refusal)
    counts: dict[str, dict[str, int]]  # kind -> created, updated, unchanged, refused
    refused_rows: list[RefusedRow]


@router.get("/admin/imports", response_class=HTMLResponse, include_in_schema=False)
def imports_page(request: Request, admin: RecordImporterPage, session: SessionDep) -> Response:
    practice = session.get_one(Practice, admin.practice_id)
    return pages.TemplateResponse(
        request,
        "admin_imports.html",
        {"staff": admin, "practice": practice, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


@router.post(API, response_model=ImportOut)
def import_records(
    admin: RecordImporter,
    session: SessionDep,
    state: StateDep,
    files: Annotated[list[UploadFile], File(description="the CSV export files")],
    dry_run: Annotated[bool, Form(description="check and report only; write nothing")],
    all_or_nothing: Annotated[bool, Form(description="write nothing if a row is refused")] = False,
    mapping: Annotated[UploadFile | None, File(description="the mapping YAML file")] = None,
) -> ImportOut:
    """Import (or with `dry_run`, check) the uploaded exports into the admin's practice."""
    state.limits.hit(state.limits.record_imports, str(admin.practice_id), TOO_MANY_IMPORTS)
    report = import_exports(
        session,
        practice=session.get_one(Practice, admin.practice_id),
        files=_export_files(files),
        mapping=_mapping(mapping),
        now=datetime.now(UTC),
        actor=f"staff:{admin.id}",
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )
    return _out(report)


def _export_files(uploads: list[UploadFile]) -> list[ExportFile]:
    chosen = [upload for upload in uploads if upload.filename]
    if not chosen:
        raise Invalid("choose at least one CSV export file")
    if len(chosen) > MAX_FILES:
        raise Invalid(f"at most {MAX_FILES} files at a time")
    files = [ExportFile(_name(upload), upload.file.read()) for upload in chosen]
    names = [f.name for f in files]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise Invalid(f"two files are named {twice[0]}: upload each export once")
    return files


def _mapping(upload: UploadFile | None) -> Mapping:
    if upload is None or not upload.filename:
        return Mapping()
    return mapping_from_bytes(upload.file.read(), name=_name(upload))


def _name(upload: UploadFile) -> str:
    """The file's own name, without any folders a browser sent (Windows ones too)."""
    name = PureWindowsPath(upload.filename or "").name
    if not name or len(name) > MAX_NAME_LENGTH:
        raise Invalid(f"a file name must be 1 to {MAX_NAME_LENGTH} characters")
    return name


def _out(report: ImportReport) -> ImportOut:
    return ImportOut(
        files=report.files,
        dry_run=report.dry_run,
        all_or_nothing=report.all_or_nothing,
        applied=report.applied,
        counts=report.counts,
        refused_rows=[
            RefusedRow(file=p.file, line=p.line, reason=p.reason) for p in report.problems
        ],
    )
