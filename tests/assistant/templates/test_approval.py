"""Approving templates: who may, what the YAML and the database record, and the diff."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog, Practice, StaffUser, TemplateApproval
from assistant.settings import ROOT
from assistant.templates import approval
from assistant.templates.registry import TemplateRegistry
from tests.conftest import add_practice

NOW = datetime(2026, 11, 30, 18, tzinfo=UTC)


@pytest.fixture
def templates_dir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path / "templates"


def _staff(session: Session, *, kind: str, role: str) -> StaffUser:
    practice = session.scalars(select(Practice).where(Practice.kind == kind)).first()
    practice = practice or add_practice(session, kind=kind)
    staff = StaffUser(
        practice_id=practice.id,
        name=f"Dr. {role.title()}",
        email=f"{role}-{kind}@example.org",
        role=role,
        phone="+13125550177",
    )
    session.add(staff)
    session.flush()
    return staff


def _edit(templates_dir: Path, relative: str, template_id: str, text: str) -> None:
    path = templates_dir / relative
    document = yaml.safe_load(path.read_text())
    next(t for t in document["templates"] if t["id"] == template_id)["text"] = text
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_an_edited_template_is_sendable_again_once_a_clinician_approves_it(
    engine: Engine, templates_dir: Path
) -> None:
    _edit(templates_dir, "veterinary/faq.yml", "vet.faq.hair_loss", "Hair grows back. Call us.")
    registry = TemplateRegistry.load(templates_dir)
    before = registry.get("vet.faq.hair_loss")
    assert before is not None and not before.sendable
    assert registry.resolve("faq.hair_loss", "veterinary") is None

    with make_session_factory(engine)() as session:
        oncologist = _staff(session, kind="veterinary", role="oncologist")
        row = approval.approve(
            session, registry=registry, template_id="vet.faq.hair_loss", staff=oncologist, now=NOW
        )
        session.commit()

        after = registry.get("vet.faq.hair_loss")
        assert after is not None and after.sendable
        assert after.version == before.version + 1
        assert after.approved_by == "Dr. Oncologist (oncologist, test-vet)"
        assert registry.resolve("faq.hair_loss", "veterinary") == after
        # The file says so too: a fresh load agrees.
        assert TemplateRegistry.load(templates_dir).get("vet.faq.hair_loss") == after
        stored = session.scalars(select(TemplateApproval)).one()
        assert (stored.id, stored.version, stored.text) == (row.id, after.version, after.text)
        audit = session.scalars(select(AuditLog)).one()
        assert (audit.action, audit.actor) == ("template.approved", f"staff:{oncologist.id}")
        assert audit.details["template_id"] == "vet.faq.hair_loss"


def test_only_clinicians_approve_and_only_for_their_kind_of_practice(
    session: Session, templates_dir: Path
) -> None:
    registry = TemplateRegistry.load(templates_dir)
    for role in ("nurse", "admin", "billing"):
        staff = _staff(session, kind="veterinary", role=role)
        with pytest.raises(approval.ApprovalRefused, match="clinician"):
            approval.approve(
                session, registry=registry, template_id="vet.faq.hair_loss", staff=staff, now=NOW
            )
    vet_oncologist = _staff(session, kind="veterinary", role="oncologist")
    with pytest.raises(approval.ApprovalRefused, match="human practices"):
        approval.approve(
            session,
            registry=registry,
            template_id="human.faq.drain_care",
            staff=vet_oncologist,
            now=NOW,
        )
    with pytest.raises(approval.ApprovalRefused, match="no template"):
        approval.approve(
            session, registry=registry, template_id="vet.faq.nope", staff=vet_oncologist, now=NOW
        )
    # Shared templates may be approved by a clinician of either kind.
    surgeon = _staff(session, kind="human", role="surgeon")
    approval.approve(
        session, registry=registry, template_id="both.faq.hours", staff=surgeon, now=NOW
    )
    assert session.scalars(select(TemplateApproval.template_id)).all() == ["both.faq.hours"]


def test_re_approving_unchanged_words_keeps_the_version(
    session: Session, templates_dir: Path
) -> None:
    registry = TemplateRegistry.load(templates_dir)
    version = registry.get("both.faq.hours").version
    surgeon = _staff(session, kind="human", role="surgeon")

    row = approval.approve(
        session, registry=registry, template_id="both.faq.hours", staff=surgeon, now=NOW
    )

    assert row.version == version
    assert registry.get("both.faq.hours").sendable


def test_diff_shows_what_changed_since_the_approval_in_force(
    session: Session, templates_dir: Path
) -> None:
    registry = TemplateRegistry.load(templates_dir)
    surgeon = _staff(session, kind="human", role="surgeon")
    approval.approve(
        session, registry=registry, template_id="both.faq.hours", staff=surgeon, now=NOW
    )
    old_text = registry.get("both.faq.hours").text
    assert approval.diff_against_approval(session, registry.get("both.faq.hours")).diff == ""

    _edit(templates_dir, "both/faq.yml", "both.faq.hours", "We are open {hours}. Text us.")
    registry.reload()
    result = approval.diff_against_approval(session, registry.get("both.faq.hours"))

    assert result.sendable is False
    assert f"-{old_text.splitlines()[0]}".rstrip() in result.diff
    assert "+We are open {hours}. Text us." in result.diff
    assert [r.template_id for r in approval.history(session, "both.faq.hours")] == [
        "both.faq.hours"
    ]


def test_diff_without_an_approved_copy_in_the_database_says_so(
    session: Session, templates_dir: Path
) -> None:
    template = TemplateRegistry.load(templates_dir).get("both.faq.hours")

    result = approval.diff_against_approval(session, template)

    assert (result.sendable, result.diff) == (True, None)
