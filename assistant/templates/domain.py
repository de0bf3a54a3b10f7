"""Rasa's FAQ responses, generated from the templates so there is one source: each FAQ
template key `faq.<topic>` becomes the retrieval response `utter_faq/<topic>`."""

from pathlib import Path
from typing import Any

import yaml

from assistant.templates.registry import (
    AFTER_HOURS_SUFFIX,
    KIND_PREFIX,
    Template,
    TemplateRegistry,
)

HEADER = (
    "# Generated from templates/ by `.venv/bin/python -m assistant templates domain --write`.\n"
    "# Do not edit: add or change an FAQ template, then regenerate (the lint checks it).\n"
)


def faq_responses(registry: TemplateRegistry) -> dict[str, list[dict[str, Any]]]:
    """One response per FAQ topic, naming the practice kinds that have an answer for it, so
    the FAQ action (actions/faq.py) skips topics the practice cannot send."""
    templates_by_key: dict[str, list[Template]] = {}
    for template in registry:
        if template.category == "faq" and not template.key.endswith(AFTER_HOURS_SUFFIX):
            templates_by_key.setdefault(template.key, []).append(template)
    responses = {}
    for key, templates in sorted(templates_by_key.items()):
        custom: dict[str, Any] = {"template": key, "route": "faq"}
        case = next((t.case for t in templates if t.case), None)
        if case:
            custom["case"] = case
        kinds = {k for t in templates for k in (KIND_PREFIX if t.kind == "both" else [t.kind])}
        custom["kinds"] = sorted(kinds)
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
