"""A clinician approves a template: the YAML in `templates/` records it (so the repository
says what may be sent), and the database keeps the history with the approved words."""

import difflib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import audit
from assistant.db.models import Practice, StaffUser, TemplateApproval
from assistant.errors import NotAllowed
from assistant.staff.permissions import ROLE_PERMISSIONS, Permission, allowed
from assistant.templates.registry import Template, TemplateRegistry

# The roles the permission table lets approve (assistant/staff/permissions.py): clinicians.
APPROVER_ROLES = tuple(
    role for role in ROLE_PERMISSIONS if allowed(role, Permission.APPROVE_TEMPLATES)
)


class ApprovalRefused(NotAllowed):
    """The template does not exist, or this person may not approve it."""


@dataclass(frozen=True)
class ApprovalDiff:
    template_id: str
    sendable: bool
    # Unified diff from the approved words to the current ones; None when the database has
    # no copy of the approved words (approved in the files before this database existed).
    diff: str | None


def approve(
    session: Session,
    *,
    registry: TemplateRegistry,
    template_id: str,
    staff: StaffUser,
    now: datetime,
) -> TemplateApproval:
    """Approve the template's current title and text as `staff`.

    The version goes up when the approved words change. Only active clinicians may approve,
    and only templates for their practice's kind or shared ones. The caller commits; the
    YAML file is written first so a failed write leaves no approval in the database.
    """
    template = registry.get(template_id)
    if template is None or template.path is None:
        raise ApprovalRefused(f"no template {template_id!r}")
    practice = session.get_one(Practice, staff.practice_id)
    if not staff.active or staff.role not in APPROVER_ROLES:
        raise ApprovalRefused(f"{staff.role} staff may not approve templates; a clinician must")
    if template.kind not in ("both", practice.kind):
        raise ApprovalRefused(
            f"{template_id} is for {template.kind} practices, not {practice.kind}"
        )

    changed = template.approved_sha256 is not None and not template.sendable
    version = template.version + 1 if changed else template.version
    approved_by = f"{staff.name} ({staff.role}, {practice.slug})"
    _write_approval(
        template.path,
        template_id,
        version=version,
        by=approved_by,
        at=now.isoformat(timespec="seconds"),
        sha256=template.content_sha256,
    )
    row = TemplateApproval(
        template_id=template_id,
        version=version,
        text_sha256=template.content_sha256,
        text=template.text,
        title=template.title,
        approved_by_id=staff.id,
        approved_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        practice_id=practice.id,
        actor=f"staff:{staff.id}",
        action="template.approved",
        entity=row,
        details={"template_id": template_id, "version": version, "sha256": row.text_sha256},
    )
    registry.reload()
    return row


def history(session: Session, template_id: str) -> list[TemplateApproval]:
    """Every approval of the template recorded in this database, newest first."""
    return list(
        session.scalars(
            select(TemplateApproval)
            .where(TemplateApproval.template_id == template_id)
            .order_by(TemplateApproval.approved_at.desc(), TemplateApproval.id.desc())
        )
    )


def diff_against_approval(session: Session, template: Template) -> ApprovalDiff:
    """What changed since the approval in force, from the approved copy in the database."""
    approved = session.scalars(
        select(TemplateApproval)
        .where(
            TemplateApproval.template_id == template.id,
            TemplateApproval.text_sha256 == (template.approved_sha256 or ""),
        )
        .order_by(TemplateApproval.id.desc())
    ).first()
    if approved is None:
        return ApprovalDiff(template.id, template.sendable, None)
    before = _content_lines(approved.title, approved.text)
    after = _content_lines(template.title, template.text)
    lines = difflib.unified_diff(
        before, after, f"{template.id} v{approved.version} (approved)", f"{template.id} (now)"
    )
    return ApprovalDiff(template.id, template.sendable, "\n".join(line.rstrip() for line in lines))


def _content_lines(title: str | None, text: str) -> list[str]:
    return ([f"title: {title}"] if title is not None else []) + text.splitlines()


def _write_approval(
    path: Path, template_id: str, *, version: int, by: str, at: str, sha256: str
) -> None:
    """Rewrite one template's version and approval in place, leaving the rest of the file
    (comments, folded text) as it was."""
    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    document = yaml.load(path.read_text(encoding="utf-8"))
    for entry in document["templates"]:
        if entry["id"] == template_id:
            entry["version"] = version
            approval = entry.setdefault("approval", {})
            # Updated key by key: replacing the mapping would drop the comments after it.
            for key, value in (("by", by), ("at", at), ("sha256", sha256)):
                approval[key] = DoubleQuotedScalarString(value)
            break
    else:
        raise ApprovalRefused(f"{template_id} is not in {path}")
    # Written beside it and moved into place: the other api workers read these files while
    # they run (TemplateRegistry.reload_if_changed) and must never see half a file.
    written = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with written.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle)
    os.replace(written, path)
