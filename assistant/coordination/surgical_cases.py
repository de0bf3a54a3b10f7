"""Surgical cases: what one operation needs before it can go ahead (pre-op tests recent enough
for the payer, the staff tasks, the payer's authorization documents), and the staff actions
that move a case along. The vocabulary and the payers' terms are data in `case_rules.yml`.

Every action records an audit row and leaves committing to the caller. A refused action raises
ValueError with a message staff can act on.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import (
    CaseChecklistItem,
    Patient,
    Practice,
    StaffUser,
    SurgicalCase,
)
from assistant.db.models.coordination import ADJUVANT_KINDS
from assistant.errors import Invalid
from assistant.yaml_files import read_yaml

RULES_FILE = Path(__file__).with_name("case_rules.yml")
AUTHORIZATION_STATUSES = ("not_requested", "pending", "approved", "denied")
DEFAULT_PAYER = "default"
DEFAULT_TEST_WINDOW_DAYS = 30
# Final pathology usually comes back within a week of the operation.
PATHOLOGY_EXPECTED_AFTER = timedelta(days=7)
# A checklist item is one of these at a given moment; a test result older than the payer's
# window is "expired" (it has to be done again), not "done".
ITEM_STATES = ("done", "missing", "expired")
# Case flags a task may depend on (`only_if` in case_rules.yml).
TASK_CONDITIONS = ("sentinel_node_mapping",)


@dataclass(frozen=True)
class PayerTerms:
    test_window_days: int
    documents: tuple[str, ...]


@dataclass(frozen=True)
class TaskRule:
    code: str
    label: str
    only_if: str | None = None


@dataclass(frozen=True)
class CaseRules:
    tests: Mapping[str, str]  # code -> label
    documents: Mapping[str, str]
    tasks: tuple[TaskRule, ...]
    payers: Mapping[str, PayerTerms]  # by lower-cased name, with DEFAULT_PAYER

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CaseRules":
        """The rules in `data`; ValueError naming what is wrong when they do not hold."""
        tests = {str(code): str(label) for code, label in data["tests"].items()}
        documents = {str(code): str(label) for code, label in data["documents"].items()}
        tasks = tuple(
            TaskRule(str(t["code"]), str(t["label"]), t.get("only_if")) for t in data["tasks"]
        )
        for task in tasks:
            if task.only_if is not None and task.only_if not in TASK_CONDITIONS:
                raise ValueError(f"task {task.code}: only_if must be one of {TASK_CONDITIONS}")
        payers = {}
        for name, terms in data["payers"].items():
            window = int(terms.get("test_window_days", DEFAULT_TEST_WINDOW_DAYS))
            required = tuple(str(d) for d in terms.get("documents", []))
            unknown = sorted(set(required) - documents.keys())
            if unknown:
                raise ValueError(f"payer {name}: unknown documents {unknown}")
            if window < 1:
                raise ValueError(f"payer {name}: test_window_days must be at least 1")
            payers[str(name).casefold()] = PayerTerms(window, required)
        if DEFAULT_PAYER not in payers:
            raise ValueError(f"payers: a {DEFAULT_PAYER!r} entry is required")
        return cls(tests=tests, documents=documents, tasks=tasks, payers=payers)

    def payer(self, name: str | None) -> PayerTerms:
        """The terms of the payer called `name` (ignoring case), or the default terms."""
        default = self.payers[DEFAULT_PAYER]
        return self.payers.get(name.strip().casefold(), default) if name else default

    def tasks_for(self, *, sentinel_node_mapping: bool) -> list[TaskRule]:
        flags = {"sentinel_node_mapping": sentinel_node_mapping}
        return [t for t in self.tasks if t.only_if is None or flags[t.only_if]]


@cache
def load_case_rules(path: Path = RULES_FILE) -> CaseRules:
    """The rules in `path` (by default the practice's `case_rules.yml`), read once."""
    return CaseRules.from_dict(read_yaml(path))


# --- the checklist -------------------------------------------------------------------------


def item_state(case: SurgicalCase, item: CaseChecklistItem, *, now: datetime) -> str:
    """One of ITEM_STATES. A test counts only when it was done (by `now`) within its window
    before the surgery; a task or document counts once it is done."""
    if item.done_at is None or item.done_at > now:
        return "missing"
    if item.kind == "test" and item.window_days is not None:
        if case.surgery_at - item.done_at > timedelta(days=item.window_days):
            return "expired"
    return "done"


def missing_items(
    case: SurgicalCase, *, now: datetime, kind: str | None = None
) -> list[CaseChecklistItem]:
    """The items (of `kind`, when given) not done at `now`, expired tests included, in
    checklist order."""
    return [
        item
        for item in case.items
        if (kind is None or item.kind == kind) and item_state(case, item, now=now) != "done"
    ]


# --- staff actions -------------------------------------------------------------------------


def open_case(
    session: Session,
    *,
    practice: Practice,
    patient: Patient,
    ref: str,
    procedure: str,
    surgery_at: datetime,
    surgeon_id: int | None,
    payer_name: str | None,
    tests: Sequence[str],
    sentinel_node_mapping: bool,
    now: datetime,
    pathology_expected_on: date | None = None,
    staff_id: int | None = None,
    rules: CaseRules | None = None,
) -> SurgicalCase:
    """A scheduled case with its checklist: the chosen pre-op tests (valid for the payer's
    window), the staff tasks, and the documents the payer needs for the authorization.

    Pathology is expected a week after the surgery's local date unless said otherwise.
    """
    rules = rules or load_case_rules()
    ref, procedure = ref.strip(), procedure.strip()
    _check_aware(surgery_at, "surgery time")
    if practice.kind != "human":
        raise Invalid("Surgical cases are for surgical oncology practices only.")
    if patient.practice_id != practice.id:
        raise Invalid(f"{patient.name} is not a patient of {practice.name}.")
    if not ref:
        raise Invalid("The case needs a reference, for example CASE-1001.")
    if not procedure:
        raise Invalid("The case needs a procedure.")
    if surgery_at <= now:
        raise Invalid("The surgery time is in the past; enter the planned date and time.")
    if _ref_taken(session, practice_id=practice.id, ref=ref):
        raise Invalid(f"There is already a case {ref} at this practice; use another reference.")
    if surgeon_id is not None:
        _check_staff(session, practice=practice, staff_id=surgeon_id, what="surgeon")
    unknown = [code for code in tests if code not in rules.tests]
    if unknown:
        raise Invalid(
            f"Unknown pre-op test {', '.join(map(repr, unknown))}. "
            f"Choose from: {', '.join(rules.tests)}."
        )

    zone = ZoneInfo(practice.timezone)
    case = SurgicalCase(
        practice_id=practice.id,
        patient_id=patient.id,
        ref=ref,
        procedure=procedure,
        surgeon_id=surgeon_id,
        surgery_at=surgery_at,
        payer_name=payer_name,
        sentinel_node_mapping=sentinel_node_mapping,
        status="scheduled",
        authorization_status="not_requested",
        pathology_expected_on=pathology_expected_on
        or surgery_at.astimezone(zone).date() + PATHOLOGY_EXPECTED_AFTER,
        created_at=now,
    )
    session.add(case)
    terms = rules.payer(payer_name)
    for code in dict.fromkeys(tests):  # once each, in the order given
        _add_item(case, "test", code, rules.tests[code], window_days=terms.test_window_days)
    for task in rules.tasks_for(sentinel_node_mapping=sentinel_node_mapping):
        _add_item(case, "task", task.code, task.label)
    for code in terms.documents:
        _add_item(case, "document", code, rules.documents[code])
    session.flush()
    _audit(
        session,
        case,
        staff_id,
        "case.opened",
        {
            "ref": ref,
            "surgery_at": surgery_at.isoformat(),
            "payer_name": payer_name,
            "tests": list(dict.fromkeys(tests)),
        },
    )
    return case


def mark_item_done(
    session: Session,
    *,
    case: SurgicalCase,
    code: str,
    done_at: datetime,
    staff_id: int | None,
) -> CaseChecklistItem:
    """Record that the checklist item `code` was done at `done_at` (a test: when it was
    taken, which decides whether it is recent enough). Marking it again replaces the time."""
    _check_open(case)
    _check_aware(done_at, "time it was done")
    item = next((i for i in case.items if i.code == code), None)
    if item is None:
        codes = ", ".join(i.code for i in case.items)
        raise Invalid(f"Case {case.ref} has no checklist item {code!r}. Its items: {codes}.")
    item.done_at = done_at
    item.done_by_id = staff_id
    _audit(
        session,
        case,
        staff_id,
        "case.item_done",
        {"code": code, "kind": item.kind, "done_at": done_at.isoformat()},
    )
    return item


def set_authorization(
    session: Session,
    *,
    case: SurgicalCase,
    status: str,
    now: datetime,
    staff_id: int | None = None,
) -> None:
    """Set the payer authorization status. The first `pending` starts the reminders' clock;
    `approved` and `denied` record when the payer decided."""
    _check_not_cancelled(case)
    if status not in AUTHORIZATION_STATUSES:
        raise Invalid(
            f"Unknown authorization status {status!r}. "
            f"Choose from: {', '.join(AUTHORIZATION_STATUSES)}."
        )
    previous = case.authorization_status
    if status == previous:
        return  # a repeated click moves no clock
    case.authorization_status = status
    if status == "pending" and case.authorization_requested_at is None:
        case.authorization_requested_at = now
    # Only a decision has a decision time: a denial appealed (pending again) is undecided.
    case.authorization_decided_at = now if status in ("approved", "denied") else None
    _audit(session, case, staff_id, "case.authorization", {"from": previous, "to": status})


def record_pathology(
    session: Session,
    *,
    case: SurgicalCase,
    received_at: datetime | None = None,
    passed_on_at: datetime | None = None,
    staff_id: int | None = None,
) -> None:
    """Record that the final pathology report arrived, and/or that it was passed on to the
    patient (which needs the report first)."""
    _check_not_cancelled(case)
    if received_at is None and passed_on_at is None:
        raise Invalid("Give when the pathology report arrived or when it was passed on.")
    for moment, what in ((received_at, "time received"), (passed_on_at, "time passed on")):
        if moment is not None:
            _check_aware(moment, what)
    received = received_at or case.pathology_received_at
    if passed_on_at is not None:
        if received is None:
            raise Invalid("Record that the pathology report arrived before passing it on.")
        if passed_on_at < received:
            raise Invalid("The report cannot be passed on before it arrived.")
    if received_at is not None:
        case.pathology_received_at = received_at
    if passed_on_at is not None:
        case.pathology_passed_on_at = passed_on_at
    _audit(
        session,
        case,
        staff_id,
        "case.pathology",
        {
            "received_at": received_at.isoformat() if received_at else None,
            "passed_on_at": passed_on_at.isoformat() if passed_on_at else None,
        },
    )


def record_adjuvant(
    session: Session,
    *,
    case: SurgicalCase,
    kind: str,
    now: datetime,
    staff_id: int | None = None,
) -> None:
    """Record that the patient is referred on for adjuvant therapy of `kind` (medical or
    radiation oncology); the patient is then told who will see them."""
    _check_not_cancelled(case)
    if kind not in ADJUVANT_KINDS:
        raise Invalid(
            f"Unknown adjuvant therapy {kind!r}. Choose from: {', '.join(ADJUVANT_KINDS)}."
        )
    case.adjuvant_therapy = kind
    case.adjuvant_recorded_at = now
    _audit(session, case, staff_id, "case.adjuvant", {"kind": kind})


def mark_surgery_done(
    session: Session, *, case: SurgicalCase, now: datetime, staff_id: int | None = None
) -> None:
    """Mark the operation done; only a scheduled case whose surgery time has come."""
    if case.status != "scheduled":
        raise Invalid(f"Case {case.ref} is {case.status}, not scheduled.")
    if now < case.surgery_at:
        raise Invalid(f"The surgery for case {case.ref} has not started yet.")
    case.status = "done"
    _audit(session, case, staff_id, "case.surgery_done", {})


def discharge(
    session: Session, *, case: SurgicalCase, now: datetime, staff_id: int | None = None
) -> None:
    """Record the patient's discharge after a done surgery, once."""
    if case.status != "done":
        raise Invalid(f"Mark the surgery for case {case.ref} done before discharging.")
    if case.discharged_at is not None:
        raise Invalid(f"The patient of case {case.ref} is already discharged.")
    case.discharged_at = now
    _audit(session, case, staff_id, "case.discharged", {})


def cancel_case(
    session: Session, *, case: SurgicalCase, now: datetime, staff_id: int | None = None
) -> None:
    """Cancel a scheduled case: no more reminders or alerts about it."""
    if case.status != "scheduled":
        raise Invalid(f"Case {case.ref} is {case.status}; only a scheduled case is cancelled.")
    case.status = "cancelled"
    _audit(session, case, staff_id, "case.cancelled", {"at": now.isoformat()})


# --- helpers -------------------------------------------------------------------------------


def _add_item(
    case: SurgicalCase, kind: str, code: str, label: str, *, window_days: int | None = None
) -> None:
    # Appending through the relationship keeps `case.items` complete without a reload.
    case.items.append(CaseChecklistItem(kind=kind, code=code, label=label, window_days=window_days))


def _ref_taken(session: Session, *, practice_id: int, ref: str) -> bool:
    found = session.scalars(
        select(SurgicalCase.id).where(
            SurgicalCase.practice_id == practice_id, SurgicalCase.ref == ref
        )
    ).first()
    return found is not None


def _check_staff(session: Session, *, practice: Practice, staff_id: int, what: str) -> None:
    staff = session.get(StaffUser, staff_id)
    if staff is None or staff.practice_id != practice.id or not staff.active:
        raise Invalid(f"The {what} is not an active staff member of {practice.name}.")


def _check_open(case: SurgicalCase) -> None:
    if case.status != "scheduled":
        raise Invalid(f"Case {case.ref} is {case.status}; its checklist is closed.")


def _check_not_cancelled(case: SurgicalCase) -> None:
    if case.status == "cancelled":
        raise Invalid(f"Case {case.ref} is cancelled.")


def _check_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None:
        raise Invalid(f"The {what} needs a time zone.")


def _audit(
    session: Session,
    case: SurgicalCase,
    staff_id: int | None,
    action: str,
    details: dict[str, Any],
) -> None:
    record(
        session,
        practice_id=case.practice_id,
        actor=f"staff:{staff_id}" if staff_id is not None else "staff",
        action=action,
        entity=case,
        details=details,
    )
