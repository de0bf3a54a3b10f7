import hashlib
from pathlib import Path

import pytest
import yaml

from assistant.settings import ROOT
from assistant.templates import TemplateRegistry, UnknownPlaceholder


def _write(directory: Path, name: str, entries: list[dict]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(yaml.safe_dump({"templates": entries}))


def _entry(template_id: str, kind: str, text: str, approved_text: str | None = None) -> dict:
    approved = approved_text if approved_text is not None else text
    return {
        "id": template_id,
        "kind": kind,
        "version": 2,
        "text": text,
        "source": "test",
        "approval": {
            "by": "Dr. Test",
            "at": "2026-11-01",
            "sha256": hashlib.sha256(approved.encode()).hexdigest(),
        },
    }


def test_kind_specific_template_wins_over_shared(tmp_path: Path) -> None:
    _write(
        tmp_path / "both",
        "greet.yml",
        [_entry("both.greet.hello", "both", "Hi from {practice_name}")],
    )
    _write(
        tmp_path / "veterinary", "greet.yml", [_entry("vet.greet.hello", "veterinary", "Woof hi")]
    )
    registry = TemplateRegistry.load(tmp_path)

    assert registry.resolve("greet.hello", "veterinary").id == "vet.greet.hello"
    assert registry.resolve("greet.hello", "human").id == "both.greet.hello"
    assert registry.resolve("greet.missing", "human") is None


def test_text_changed_after_approval_is_not_sendable(tmp_path: Path) -> None:
    _write(
        tmp_path / "both",
        "faq.yml",
        [
            _entry("both.faq.hours", "both", "We open at 9 now.", approved_text="We open at 8."),
        ],
    )
    registry = TemplateRegistry.load(tmp_path)

    assert registry.get("both.faq.hours").sendable is False
    assert registry.resolve("faq.hours", "veterinary") is None


def test_unapproved_template_is_not_sendable(tmp_path: Path) -> None:
    entry = _entry("both.faq.hours", "both", "We open at 8.")
    del entry["approval"]
    _write(tmp_path / "both", "faq.yml", [entry])

    assert TemplateRegistry.load(tmp_path).resolve("faq.hours", "human") is None


def test_render_fills_placeholders_and_refuses_unknown_ones(tmp_path: Path) -> None:
    _write(
        tmp_path / "both",
        "x.yml",
        [
            _entry("both.x.ok", "both", "Call {practice_name} at {practice_phone}."),
            _entry("both.x.bad", "both", "Hello {owner_first_name}"),
        ],
    )
    registry = TemplateRegistry.load(tmp_path)
    values = {"practice_name": "Cedar", "practice_phone": "(312) 555-0100"}

    assert registry.get("both.x.ok").render(values) == "Call Cedar at (312) 555-0100."
    with pytest.raises(UnknownPlaceholder):
        registry.get("both.x.bad").render(values)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "both", "a.yml", [_entry("both.a.one", "both", "One")])
    _write(tmp_path / "both", "b.yml", [_entry("both.a.one", "both", "Other")])

    with pytest.raises(ValueError, match="defined twice"):
        TemplateRegistry.load(tmp_path)


def test_missing_safety_template_fails_at_start_up(tmp_path: Path) -> None:
    _write(tmp_path / "both", "greet.yml", [_entry("both.greet.hello", "both", "Hi")])

    with pytest.raises(RuntimeError, match="fallback.technical_problem"):
        TemplateRegistry.load(tmp_path).check_required()


def test_shipped_templates_are_all_sendable_and_the_safety_ones_exist() -> None:
    # The full checks (placeholders, length, reading grade) are the lint's: test_lint.py.
    registry = TemplateRegistry.load(ROOT / "templates")
    templates = list(registry)

    assert len(templates) >= 100
    assert [t.id for t in templates if not t.sendable] == []
    registry.check_required()


def test_a_changed_title_makes_a_template_unsendable(tmp_path: Path) -> None:
    entry = _entry("both.faq.hours", "both", "We open at 8.")
    entry["title"] = "opening hours"  # the approval covered the text alone
    _write(tmp_path / "both", "faq.yml", [entry])

    assert TemplateRegistry.load(tmp_path).resolve("faq.hours", "human") is None
