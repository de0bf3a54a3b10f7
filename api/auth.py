"""Who is signed in: the staff member named by the signed session cookie."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.deps import SessionDep
from assistant.db.models import StaffUser
from assistant.staff.permissions import Permission, allowed


class SignInRequired(Exception):
    """Raised for pages: the app answers with a redirect to the sign-in page."""


def _signed_in(request: Request, session: SessionDep) -> StaffUser | None:
    staff_id = request.session.get("staff_id")
    staff = session.get(StaffUser, staff_id) if isinstance(staff_id, int) else None
    if staff is None or not staff.active:
        return None
    # A cookie from before the last sign-out (or password change) is dead, signed or not.
    if request.session.get("session_version") != staff.session_version:
        return None
    return staff


def start_session(request: Request, staff: StaffUser) -> None:
    request.session.clear()
    request.session["staff_id"] = staff.id
    request.session["session_version"] = staff.session_version


def end_all_sessions(staff: StaffUser) -> None:
    """Every cookie issued to this person stops working (sign-out, new password)."""
    staff.session_version += 1


def current_staff(request: Request, session: SessionDep) -> StaffUser:
    staff = _signed_in(request, session)
    if staff is None:
        raise HTTPException(status_code=401, detail="sign in first")
    return staff


def current_staff_for_page(request: Request, session: SessionDep) -> StaffUser:
    staff = _signed_in(request, session)
    if staff is None:
        raise SignInRequired()
    return staff


def requires(*permissions: Permission, page: bool = False) -> Callable[..., StaffUser]:
    """A dependency: the signed-in staff member, when their role has one of `permissions`
    (the table in assistant/staff/permissions.py), else 403. `page=True` sends the signed-out
    to the sign-in page instead of answering 401."""
    signed_in: Callable[..., StaffUser] = current_staff_for_page if page else current_staff

    def check(staff: Annotated[StaffUser, Depends(signed_in)]) -> StaffUser:
        if not any(allowed(staff.role, p) for p in permissions):
            raise HTTPException(status_code=403, detail=f"your role may not {permissions[0].value}")
        return staff

    # Read by the test that walks every route for every role.
    check.permissions = permissions  # type: ignore[attr-defined]
    return check


P = Permission
# One name per permission, for route signatures: `staff: ClinicalCaseViewer`.
ClinicalCaseViewer = Annotated[StaffUser, Depends(requires(P.VIEW_CLINICAL_CASES))]
# Cases of either queue: the route then checks the case's own kind (`permissions.to_view`).
CaseViewer = Annotated[StaffUser, Depends(requires(P.VIEW_CLINICAL_CASES, P.VIEW_BILLING))]
CaseWorker = Annotated[
    StaffUser, Depends(requires(P.ANSWER_CLINICAL_CASES, P.ANSWER_BILLING_CASES))
]
BillingViewer = Annotated[StaffUser, Depends(requires(P.VIEW_BILLING))]
BillingWorker = Annotated[StaffUser, Depends(requires(P.ANSWER_BILLING_CASES))]
CaseReassigner = Annotated[StaffUser, Depends(requires(P.REASSIGN_CASES))]
StaffListViewer = Annotated[StaffUser, Depends(requires(P.VIEW_STAFF))]
PatientPlanViewer = Annotated[StaffUser, Depends(requires(P.VIEW_PATIENT_PLANS))]
PatientPlanEditor = Annotated[StaffUser, Depends(requires(P.UPDATE_PATIENT_PLANS))]
TemplateViewer = Annotated[StaffUser, Depends(requires(P.VIEW_TEMPLATES))]
TemplateApprover = Annotated[StaffUser, Depends(requires(P.APPROVE_TEMPLATES))]
PracticeManager = Annotated[StaffUser, Depends(requires(P.MANAGE_PRACTICE))]
ClinicalCaseViewerPage = Annotated[StaffUser, Depends(requires(P.VIEW_CLINICAL_CASES, page=True))]
PracticeManagerPage = Annotated[StaffUser, Depends(requires(P.MANAGE_PRACTICE, page=True))]
StaffManager = Annotated[StaffUser, Depends(requires(P.MANAGE_STAFF))]
StaffManagerPage = Annotated[StaffUser, Depends(requires(P.MANAGE_STAFF, page=True))]
AuditReader = Annotated[StaffUser, Depends(requires(P.VIEW_AUDIT_LOG))]
AuditReaderPage = Annotated[StaffUser, Depends(requires(P.VIEW_AUDIT_LOG, page=True))]
RecordsEditor = Annotated[StaffUser, Depends(requires(P.EDIT_RECORDS))]
RecordsEditorPage = Annotated[StaffUser, Depends(requires(P.EDIT_RECORDS, page=True))]
PatientRecordExporter = Annotated[StaffUser, Depends(requires(P.EXPORT_PATIENT_RECORD))]
TextBookingsExporter = Annotated[StaffUser, Depends(requires(P.EXPORT_TEXT_BOOKINGS))]
PracticeRecordsExporter = Annotated[StaffUser, Depends(requires(P.EXPORT_PRACTICE_RECORDS))]
RecordImporter = Annotated[StaffUser, Depends(requires(P.IMPORT_RECORDS))]
RecordImporterPage = Annotated[StaffUser, Depends(requires(P.IMPORT_RECORDS, page=True))]
# Any signed-in staff member: for pages whose data comes from routes that check a permission.
PageStaff = Annotated[StaffUser, Depends(current_staff_for_page)]
