"""Rasa's FAQ responses, generated from the templates so there is one source: each FAQ
template key `faq.<topic>` becomes the retrieval response `utter_faq/<topic>`."""

from pathlib import Path

import yaml

from assistant.templates.registry import AFTER_HOURS_SUFFIX, TemplateRegistry

HEADER = (
    "# Generated from templates/ by `.venv/bin/python -m assistant templates domain --write`.\n"
    "# Do not edit: add or change an FAQ template, then regenerate (the lint checks it).\n"
)


def faq_responses(registry: TemplateRegistry) -> dict[str, list[dict[str, dict[str, str]]]]:
    templates_by_key: dict[str, list[str | None]] = {}
    for template in registry:
        if template.category == "faq" and not template.key.endswith(AFTER_HOURS_SUFFIX):
            templates_by_key.setdefault(template.key, []).append(template.case)
    responses = {}
    for key, cases in sorted(templates_by_key.items()):
        custom = {"template": key, "route": "faq"}
        case = next((c for c in cases if c), None)
        if case:
            custom["case"] = case
        responses[f"utter_faq/{key.removeprefix('faq.')}"] = [{"custom": custom}]
    return responses


def faq_domain(registry: TemplateRegistry) -> str:
    body = yaml.safe_dump(
        {"version": "3.1", "responses": faq_responses(registry)},
        sort_keys=False,
        default_flow_style=False,
    )
    return HEADER + body


def write_faq_domain(registry: TemplateRegistry, path: Path) -> bool:
    """Write the generated file; True when it changed."""
    text = faq_domain(registry)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
