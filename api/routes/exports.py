"""Records out (issue 19): the exports a practice files in its own record system, for
signed-in staff of that practice (assistant/exports/). Every answer is a file to download;
each export is audited as a read of every patient's record it carries."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.auth import PatientRecordExporter, PracticeRecordsExporter, TextBookingsExporter
from api.deps import SessionDep
from assistant.exports import export_files
from assistant.exports.export_files import ExportFile

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])

# Days in the practice's own time, both included (YYYY-MM-DD).
FirstDay = Annotated[date, Query(alias="from", description="first day (YYYY-MM-DD)")]
LastDay = Annotated[date, Query(alias="to", description="last day, included (YYYY-MM-DD)")]


@router.get("/patients/{patient_id}/messages.{file_format}", response_class=Response)
def patient_messages(
    patient_id: int,
    file_format: Literal["csv", "pdf"],
    staff: PatientRecordExporter,
    session: SessionDep,
    first: Annotated[date | None, Query(alias="from", description="first day, optional")] = None,
    last: Annotated[date | None, Query(alias="to", description="last day, optional")] = None,
) -> Response:
    """One patient's resolved cases and their messages in time order, as CSV (one row per
    message) or PDF, for the chart: every case on file, or those resolved in the period
    (at most 366 days)."""
    export = export_files.patient_record(
        session,
        staff=staff,
        patient_id=patient_id,
        file_format=file_format,
        first=first,
        last=last,
    )
    return _download(session, export)


@router.get("/cases/{case_id}/communication", response_class=Response)
def case_communication(case_id: int, staff: PatientRecordExporter, session: SessionDep) -> Response:
    """One resolved case of a human practice as a FHIR R4 Communication."""
    return _download(
        session, export_files.case_communication(session, staff=staff, case_id=case_id)
    )


@router.get("/communications", response_class=Response)
def practice_communications(
    staff: PracticeRecordsExporter,
    session: SessionDep,
    first: FirstDay,
    last: LastDay,
) -> Response:
    """Every case of the practice resolved in the period (at most 92 days), as a FHIR R4
    Bundle (collection) of Communications. Human practices."""
    export = export_files.practice_communications(session, staff=staff, first=first, last=last)
    return _download(session, export)


@router.get("/text-bookings", response_class=Response)
def text_bookings(
    staff: TextBookingsExporter,
    session: SessionDep,
    first: FirstDay,
    last: LastDay,
    file_format: Annotated[Literal["fhir", "csv"], Query(alias="format")] = "csv",
) -> Response:
    """The visits clients booked, moved or cancelled by text in the period (at most 92 days):
    a FHIR R4 Bundle of Appointments (human practices) or a CSV list (any practice)."""
    export = export_files.bookings_by_text(
        session, staff=staff, first=first, last=last, file_format=file_format
    )
    return _download(session, export)


def _download(session: SessionDep, export: ExportFile) -> Response:
    session.commit()  # the audit rows, before anything leaves
    return Response(
        content=export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )
