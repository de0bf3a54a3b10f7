"""Load the approved templates from `templates/` and render them for a practice."""

import hashlib
import logging
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

# Template id prefix for each practice kind; `both` templates serve either kind.
KIND_PREFIX = {"veterinary": "vet", "human": "human"}
SHARED_PREFIX = "both"
# Templates the pipeline must be able to send whatever else fails.
REQUIRED_KEYS = (
    "fallback.technical_problem",
    "clinical.nurse_will_answer",
    "emergency.go_now",
    "urgent.nurse_will_call",
)


class UnknownPlaceholder(ValueError):
    """A template names a placeholder that no practice record provides."""


@dataclass(frozen=True)
class Template:
    id: str
    kind: str
    version: int
    text: str
    source: str | None
    approved_by: str | None
    approved_at: str | None
    approved_sha256: str | None

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def sendable(self) -> bool:
        """Approved, and the text is exactly what was approved."""
        return self.approved_sha256 is not None and self.approved_sha256 == self.text_sha256

    @property
    def placeholders(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.text) if name}

    def render(self, values: Mapping[str, str]) -> str:
        missing = self.placeholders - values.keys()
        if missing:
            raise UnknownPlaceholder(f"{self.id}: no value for {sorted(missing)}")
        return self.text.format_map(values)


class TemplateRegistry:
    def __init__(self, templates: Iterable[Template]) -> None:
        self._by_id: dict[str, Template] = {}
        for template in templates:
            if template.id in self._by_id:
                raise ValueError(f"template id defined twice: {template.id}")
            self._by_id[template.id] = template

    @classmethod
    def load(cls, directory: Path) -> "TemplateRegistry":
        """Read every `*.yml` under `directory` (one file per kind and category)."""
        templates = []
        for path in sorted(directory.rglob("*.yml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for entry in document.get("templates", []):
                approval = entry.get("approval") or {}
                templates.append(
                    Template(
                        id=entry["id"],
                        kind=entry["kind"],
                        version=int(entry["version"]),
                        text=entry["text"],
                        source=entry.get("source"),
                        approved_by=approval.get("by"),
                        approved_at=str(approval["at"]) if approval.get("at") else None,
                        approved_sha256=approval.get("sha256"),
                    )
                )
        return cls(templates)

    def __iter__(self) -> Iterator[Template]:
        return iter(self._by_id.values())

    def get(self, template_id: str) -> Template | None:
        return self._by_id.get(template_id)

    def resolve(self, key: str, practice_kind: str) -> Template | None:
        """The sendable template for `key` (e.g. `faq.hours`) at a practice of this kind.

        The kind's own template wins over the shared one. A template whose text changed
        after approval is never returned: the caller falls back instead.
        """
        for template_id in (f"{KIND_PREFIX[practice_kind]}.{key}", f"{SHARED_PREFIX}.{key}"):
            template = self._by_id.get(template_id)
            if template is None:
                continue
            if not template.sendable:
                logger.error("template %s is not sendable: text differs from approval", template_id)
                return None
            return template
        return None

    def check_required(self) -> None:
        """Fail at start-up, not mid-conversation, when a safety template is unusable."""
        for kind in KIND_PREFIX:
            for key in REQUIRED_KEYS:
                if self.resolve(key, kind) is None:
                    raise RuntimeError(f"no sendable template {key!r} for {kind} practices")
