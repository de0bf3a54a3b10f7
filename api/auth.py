"""Who is signed in: the staff member named by the signed session cookie."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.deps import SessionDep
from assistant.db.models import StaffUser

# Roles that work clinical cases; admins may look and reassign, not answer clients.
CLINICAL_ROLES = ("nurse", "oncologist", "surgeon")
BILLING_ROLES = ("billing", "admin")


class SignInRequired(Exception):
    """Raised for pages: the app answers with a redirect to the sign-in page."""


def _signed_in(request: Request, session: SessionDep) -> StaffUser | None:
    staff_id = request.session.get("staff_id")
    staff = session.get(StaffUser, staff_id) if isinstance(staff_id, int) else None
    return staff if staff is not None and staff.active else None


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


def clinical_staff(staff: Annotated[StaffUser, Depends(current_staff)]) -> StaffUser:
    if staff.role not in CLINICAL_ROLES:
        raise HTTPException(status_code=403, detail="only nurses and clinicians answer cases")
    return staff


def billing_staff(staff: Annotated[StaffUser, Depends(current_staff)]) -> StaffUser:
    if staff.role not in BILLING_ROLES:
        raise HTTPException(status_code=403, detail="only billing staff and admins")
    return staff


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]
BillingStaff = Annotated[StaffUser, Depends(billing_staff)]
ClinicalStaff = Annotated[StaffUser, Depends(clinical_staff)]
PageStaff = Annotated[StaffUser, Depends(current_staff_for_page)]
