"""The template lint that `make test` runs: it must pass on what ships and catch each fault."""

from pathlib import Path

import yaml

from assistant.settings import ROOT
from assistant.templates import lint
from assistant.templates.cli import run_lint
from assistant.templates.registry import TemplateRegistry, content_sha256

PRACTICES = lint.sample_practices(ROOT / "examples")


def test_shipped_templates_responses_and_actions_pass_the_lint() -> None:
    registry = TemplateRegistry.load(ROOT / "templates")

    assert [str(p) for p in run_lint(registry)] == []


def _approved(template_id: str, text: str, **fields: object) -> dict:
    title = fields.get("title")
    return {
        "id": template_id,
        "kind": {"vet": "veterinary", "human": "human", "both": "both"}[template_id.split(".")[0]],
        "version": 1,
        "text": text,
        "source": "Test source",
        **fields,
        "approval": {
            "by": "Dr. Test",
            "at": "2026-11-01",
            "sha256": content_sha256(text, title if isinstance(title, str) else None),
        },
    }


def _registry(tmp_path: Path, folder: str, name: str, entries: list[dict]) -> TemplateRegistry:
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / folder / name).write_text(yaml.safe_dump({"templates": entries}))
    return TemplateRegistry.load(tmp_path)


def _problems(registry: TemplateRegistry) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in lint.lint_templates(registry, PRACTICES):
        found.setdefault(problem.where, []).append(problem.what)
    return found


def test_each_fault_in_a_template_is_reported(tmp_path: Path) -> None:
    sentence = "Call us when you can and we will help you. "
    registry = _registry(
        tmp_path,
        "both",
        "faq.yml",
        [
            _approved("both.faq.fine", "Call {practice_name} at {practice_phone}.", title="x"),
            _approved("both.faq.four_segments", sentence * 12, title="long"),
            _approved("both.faq.marked_long", sentence * 12, title="long", long=True),
            # One curly quote makes the whole text UCS-2: 67 characters to a segment.
            _approved("both.faq.curly_quote", "We\u2019re here. " + sentence * 5, title="q"),
            _approved(
                "both.faq.hard",
                "Chemotherapeutic administration necessitates comprehensive hematological "
                "evaluation preceding pharmacological intervention.",
                title="hard",
            ),
            _approved("both.faq.unknown_field", "Hi {owner_first_name}.", title="u"),
            _approved("both.faq.no_title", "Call us."),
            {**_approved("both.faq.unapproved", "Call us.", title="t"), "approval": {}},
            {**_approved("both.faq.no_source", "Call us.", title="s"), "source": ""},
            {**_approved("both.faq.edited", "Call us.", title="e"), "text": "Call us now."},
        ],
    )

    problems = _problems(registry)

    assert "both.faq.fine" not in problems
    assert "both.faq.marked_long" not in problems
    assert any("4 GSM-7 segments" in p for p in problems["both.faq.four_segments"])
    assert any("UCS-2 segments" in p for p in problems["both.faq.curly_quote"])
    assert any("reading grade" in p for p in problems["both.faq.hard"])
    assert problems["both.faq.unknown_field"] == ["unknown placeholders ['owner_first_name']"]
    assert problems["both.faq.no_title"] == ["an FAQ answer needs a title"]
    assert problems["both.faq.unapproved"] == [
        "not sendable: not approved, or changed since approval"
    ]
    assert problems["both.faq.no_source"] == ["no source"]
    assert problems["both.faq.edited"] == ["not sendable: not approved, or changed since approval"]


def test_a_template_in_the_wrong_folder_or_file_is_reported(tmp_path: Path) -> None:
    registry = _registry(
        tmp_path, "human", "greet.yml", [_approved("vet.faq.misfiled", "Hi.", title="x")]
    )

    assert _problems(registry)["vet.faq.misfiled"] == [
        "kind veterinary lives in templates/human/",
        "category faq lives in greet.yml",
    ]


def test_every_domain_response_must_name_a_sendable_template(tmp_path: Path) -> None:
    registry = _registry(
        tmp_path,
        "veterinary",
        "faq.yml",
        [_approved("vet.faq.hair_loss", "Hair grows back.", title="hair loss")],
    )
    responses = {
        "utter_faq/hair_loss": [{"custom": {"template": "faq.hair_loss", "route": "faq"}}],
        "utter_greet": [{"custom": {"template": "faq.hair_loss", "route": "other"}}],
        "utter_words": [{"text": "Hello there"}],
        "utter_missing": [{"custom": {"template": "greet.nowhere", "route": "other"}}],
    }

    problems = {str(p) for p in lint.lint_domain_responses(responses, registry)}

    assert problems == {
        # Not an FAQ answer: it must be sendable at both kinds of practice.
        "utter_greet: no sendable template 'faq.hair_loss' for ['human']",
        "utter_words: not a custom payload naming a template",
        "utter_missing: no sendable template 'greet.nowhere' for ['human', 'veterinary']",
    }


def test_actions_may_only_send_domain_responses(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(
        'd.utter_message(response="utter_greet")\n'
        'd.utter_message(response="utter_did_you_mean", topic="faq.hours")\n'
    )
    (tmp_path / "bad.py").write_text(
        'd.utter_message(text="Take two pills")\n'
        'd.utter_message("positional words")\n'
        'd.utter_message(json_message={"text": "hi"})\n'
        'd.utter_message(response="utter_x", **extra)\n'
    )

    problems = [str(p) for p in lint.lint_actions(tmp_path)]

    assert problems == [
        "bad.py:1: utter_message without response=",
        "bad.py:1: utter_message(text=...) is not allowed",
        "bad.py:2: utter_message without response=",
        "bad.py:3: utter_message without response=",
        "bad.py:3: utter_message(json_message=...) is not allowed",
        "bad.py:4: utter_message without response=",
    ]
