"""Who may do what: one table, read by every staff route (`api.auth.requires`) and by the
case rules (who may answer a case, and so who may be handed one).

Billing staff see billing cases and billing records only; admins look, reassign and run the
practice's settings but answer no clinical case; nurses and clinicians work clinical cases;
only clinicians approve the words the bot sends (issue 18)."""

from enum import StrEnum


class Permission(StrEnum):
    VIEW_CLINICAL_CASES = "see the nurse queue, clinical cases and their transcripts"
    ANSWER_CLINICAL_CASES = "claim, answer and close clinical cases"
    VIEW_BILLING = "see billing cases, claims and insurance checks"
    ANSWER_BILLING_CASES = "claim, answer and close billing cases and update claims"
    REASSIGN_CASES = "hand a case to a colleague"
    VIEW_STAFF = "see the practice's staff list"
    VIEW_PATIENT_PLANS = "see protocols, checkpoints, labs and surgical cases"
    UPDATE_PATIENT_PLANS = "book protocols, record labs, update checkpoints and surgical cases"
    VIEW_TEMPLATES = "see the reply templates and their approvals"
    APPROVE_TEMPLATES = "approve a template's words"
    MANAGE_PRACTICE = "edit support resources and read the API description"
    MANAGE_STAFF = "invite staff, send reset links, disable and enable accounts"
    VIEW_AUDIT_LOG = "read the practice's audit log"
    EDIT_RECORDS = "add and change clients, patients and visits by hand"
    # Exports copy health details out of the assistant into the practice's own records.
    EXPORT_PATIENT_RECORD = "export one patient's cases and messages (CSV, PDF, FHIR)"
    EXPORT_TEXT_BOOKINGS = "export the visits clients booked, moved or cancelled by text"
    EXPORT_PRACTICE_RECORDS = "export every resolved case of the practice for a period (FHIR)"
    IMPORT_RECORDS = "import records from the practice system's CSV exports"


P = Permission
_CLINICAL_WORK = {
    P.VIEW_CLINICAL_CASES,
    P.ANSWER_CLINICAL_CASES,
    P.REASSIGN_CASES,
    P.VIEW_STAFF,
    P.VIEW_PATIENT_PLANS,
    P.UPDATE_PATIENT_PLANS,
    P.VIEW_TEMPLATES,
    P.EDIT_RECORDS,
}
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "nurse": frozenset(_CLINICAL_WORK | {P.EXPORT_PATIENT_RECORD, P.EXPORT_TEXT_BOOKINGS}),
    "oncologist": frozenset(_CLINICAL_WORK | {P.APPROVE_TEMPLATES}),
    "surgeon": frozenset(_CLINICAL_WORK | {P.APPROVE_TEMPLATES}),
    "admin": frozenset(
        {
            P.VIEW_CLINICAL_CASES,
            P.VIEW_BILLING,
            P.ANSWER_BILLING_CASES,
            P.REASSIGN_CASES,
            P.VIEW_STAFF,
            P.VIEW_PATIENT_PLANS,
            P.VIEW_TEMPLATES,
            P.MANAGE_PRACTICE,
            P.MANAGE_STAFF,
            P.VIEW_AUDIT_LOG,
            P.EDIT_RECORDS,
            P.EXPORT_PATIENT_RECORD,
            P.EXPORT_TEXT_BOOKINGS,
            # The whole practice's transcripts at once: the admin, who answers for the
            # practice's records, and whose every export is in the audit log.
            P.EXPORT_PRACTICE_RECORDS,
            P.IMPORT_RECORDS,
        }
    ),
    "billing": frozenset({P.VIEW_BILLING, P.ANSWER_BILLING_CASES, P.VIEW_STAFF}),
}


def allowed(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def to_view(billing_case: bool) -> Permission:
    """What seeing a case needs: billing cases are billing records, the rest are clinical."""
    return P.VIEW_BILLING if billing_case else P.VIEW_CLINICAL_CASES


def to_answer(billing_case: bool) -> Permission:
    return P.ANSWER_BILLING_CASES if billing_case else P.ANSWER_CLINICAL_CASES
