"""Admin API for templates: listing by practice kind, approval by clinicians only, history."""

import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from assistant.dialogue.rasa_client import RasaClient
from assistant.safety.triage import Triage
from assistant.settings import ROOT, Settings
from tests.api.conftest import ScriptedRasa
from tests.api.test_nurse import signed_in
from tests.conftest import with_demo_data

VET_ONCOLOGIST = "evelyn.hart@cedar-vet.example.org"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"
VET_ADMIN = "pat.sullivan@cedar-vet.example.org"
SURGEON = "nathaniel.osei@harbor-surgical.example.org"


@pytest.fixture
def templates_dir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path / "templates"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage, templates_dir: Path) -> FastAPI:
    with_demo_data(sqlite_engine, today=date(2026, 11, 30))
    scripted = ScriptedRasa()
    scripted.replies = lambda request: httpx.Response(
        200, json=[{"recipient_id": "x", "custom": {"template": "faq.hair_loss", "route": "faq"}}]
    )
    settings = Settings(
        database_url=str(sqlite_engine.url),
        templates_dir=templates_dir,
        sla_check_seconds=0,
        outbox_poll_seconds=0,
    )
    rasa = RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(scripted))
    return create_app(settings, rasa=rasa, triage=triage)


@pytest.fixture
def oncologist(app: FastAPI) -> Iterator[TestClient]:
    with signed_in(app, VET_ONCOLOGIST) as client:
        yield client


def _edit_hair_loss(templates_dir: Path, text: str) -> None:
    path = templates_dir / "veterinary" / "faq.yml"
    document = yaml.safe_load(path.read_text())
    next(t for t in document["templates"] if t["id"] == "vet.faq.hair_loss")["text"] = text
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_list_needs_sign_in_and_shows_the_practice_kinds_templates(
    app: FastAPI, oncologist: TestClient
) -> None:
    with TestClient(app) as anonymous:
        assert anonymous.get("/api/v1/admin/templates").status_code == 401

    listed = oncologist.get("/api/v1/admin/templates").json()
    kinds = {t["kind"] for t in listed}

    assert kinds == {"veterinary", "both"}
    assert all(t["sendable"] for t in listed)
    assert (
        oncologist.get("/api/v1/admin/templates/human.faq.drain_care/approvals").status_code == 404
    )


def test_an_edited_template_stays_unsent_until_a_clinician_approves_it(
    app: FastAPI, oncologist: TestClient, templates_dir: Path
) -> None:
    _edit_hair_loss(templates_dir, "Hair grows back after chemo. Call {practice_name}.")
    app.state.assistant.registry.reload()
    with TestClient(app) as owner:
        before = owner.post(
            "/api/v1/chat/cedar-vet-oncology/messages", json={"text": "hair?"}
        ).json()
    assert before["replies"][0]["template_id"].startswith("vet.clinical.nurse_will_answer")
    assert "Hair grows back" not in before["replies"][0]["text"]

    approved = oncologist.post("/api/v1/admin/templates/vet.faq.hair_loss/approve")

    assert approved.status_code == 200, approved.text
    assert approved.json()["sendable"] is True
    assert approved.json()["approved_by"] == "Evelyn Hart (oncologist, cedar-vet-oncology)"
    with TestClient(app) as owner:
        after = owner.post(
            "/api/v1/chat/cedar-vet-oncology/messages", json={"text": "hair?"}
        ).json()
    assert after["replies"][0]["template_id"] == "vet.faq.hair_loss"
    assert (
        after["replies"][0]["text"]
        == "Hair grows back after chemo. Call Cedar Veterinary Oncology."
    )
    history = oncologist.get("/api/v1/admin/templates/vet.faq.hair_loss/approvals").json()
    assert [(h["approved_by"], h["version"]) for h in history] == [
        ("Evelyn Hart", approved.json()["version"])
    ]


def test_nurses_and_admins_may_not_approve_and_nobody_approves_another_kind(
    app: FastAPI, oncologist: TestClient
) -> None:
    for email in (VET_NURSE, VET_ADMIN):
        with signed_in(app, email) as client:
            response = client.post("/api/v1/admin/templates/vet.faq.hair_loss/approve")
            assert response.status_code == 403
    with signed_in(app, SURGEON) as surgeon:
        assert surgeon.post("/api/v1/admin/templates/vet.faq.hair_loss/approve").status_code == 404
    assert oncologist.get("/api/v1/admin/templates/vet.faq.hair_loss/approvals").json() == []


def test_an_approval_reaches_every_api_worker_on_the_same_files(
    app: FastAPI, oncologist: TestClient, templates_dir: Path, sqlite_engine: Engine, triage: Triage
) -> None:
    """Issue 18: the approval was written to the files and read again by the worker that took
    the request only; the production profile runs two. The other one reads changed files."""
    other_worker = create_app(
        Settings(
            database_url=str(sqlite_engine.url),
            templates_dir=templates_dir,
            sla_check_seconds=0,
            outbox_poll_seconds=0,
            inbox_sweep_seconds=0,
            outreach_poll_seconds=0,
            template_check_seconds=0.2,
        ),
        triage=triage,
    )
    _edit_hair_loss(templates_dir, "Hair grows back after chemo. Call {practice_name}.")
    app.state.assistant.registry.reload()
    registry = other_worker.state.assistant.registry

    with TestClient(other_worker):
        deadline = time.monotonic() + 10
        while registry.get("vet.faq.hair_loss").sendable and time.monotonic() < deadline:
            time.sleep(0.1)
        # Edited words on disk are not sent by that worker either, until approved.
        assert not registry.get("vet.faq.hair_loss").sendable

        assert oncologist.post("/api/v1/admin/templates/vet.faq.hair_loss/approve").is_success
        while not registry.get("vet.faq.hair_loss").sendable and time.monotonic() < deadline:
            time.sleep(0.1)

    assert registry.get("vet.faq.hair_loss").sendable
    assert not list(templates_dir.rglob("*.tmp"))
