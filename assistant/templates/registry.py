"""Load the approved templates from `templates/` and render them for a practice."""

import hashlib
import logging
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.yaml_files import read_yaml

logger = logging.getLogger(__name__)

# Template id prefix for each practice kind; `both` templates serve either kind.
KIND_PREFIX = {"veterinary": "vet", "human": "human"}
SHARED_PREFIX = "both"
KIND_OF_PREFIX = {"vet": "veterinary", "human": "human", SHARED_PREFIX: "both"}
# A template whose key ends so is sent instead of the plain one while the practice is closed.
AFTER_HOURS_SUFFIX = "_after_hours"
# Placeholders filled from the practice's records about one client (their pets or patients,
# visits and offered times, bills and claims), passed by the actions from the api; never the
# client's words.
RECORD_PLACEHOLDERS = frozenset(
    {
        "patient_name",
        "patient_names",
        "visit_type",
        "visit_types",
        "visit_time",
        "clinician_name",
        "options",
        "visits",
        "balance",
        "last_payment",
        "invoice_number",
        "invoice_lines",
        "total",
        "paid",
        "claims",
        "claim_status",
    }
)
# Filled by the outreach scheduler from the records: reminders, treatment summaries, grief support.
OUTREACH_PLACEHOLDERS = frozenset(
    {"drug", "next_visit", "resources", "surgery_date", "missing_tests"}
)
# Templates the pipeline must be able to send whatever else fails.
REQUIRED_KEYS = (
    "fallback.technical_problem",
    "clinical.nurse_will_answer",
    "emergency.go_now",
    "urgent.nurse_will_call",
    "fallback.rephrase",
    "handoff.person_will_reply",
    "consent.stopped",
    "handoff.other_language",
)


class UnknownPlaceholder(ValueError):
    """A template names a placeholder that no practice record provides."""


def content_sha256(text: str, title: str | None) -> str:
    """The digest a clinician approves: the text, and the title shown in "Did you mean ...?"."""
    content = text if title is None else f"{title}\n{text}"
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


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
    # A short name of the topic, for asking "Did you mean: <title>?" (FAQ answers).
    title: str | None = None
    # `routine` when sending this reply also opens a staff task (a refill request).
    case: str | None = None
    # Allowed past 3 SMS segments (the lint's limit); the outbox still splits it.
    long: bool = False
    path: Path | None = None

    @property
    def key(self) -> str:
        """The id without its kind prefix, as Rasa's responses name it: `faq.hours`."""
        return self.id.split(".", 1)[1]

    @property
    def category(self) -> str:
        return self.id.split(".")[1]

    @property
    def content_sha256(self) -> str:
        return content_sha256(self.text, self.title)

    @property
    def sendable(self) -> bool:
        """Approved, and the text (and title) are exactly what was approved."""
        return self.approved_sha256 is not None and self.approved_sha256 == self.content_sha256

    @property
    def placeholders(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.text) if name}

    def render(self, values: Mapping[str, str]) -> str:
        missing = self.placeholders - values.keys()
        if missing:
            raise UnknownPlaceholder(f"{self.id}: no value for {sorted(missing)}")
        return self.text.format_map(values)


def read_templates(directory: Path) -> list[Template]:
    """Every template in every `*.yml` under `directory` (one file per kind and category)."""
    templates = []
    for path in sorted(directory.rglob("*.yml")):
        document = read_yaml(path) or {}
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
                    approved_sha256=approval.get("sha256") or None,
                    title=entry.get("title"),
                    case=entry.get("case"),
                    long=bool(entry.get("long", False)),
                    path=path,
                )
            )
    return templates


class TemplateRegistry:
    def __init__(self, templates: Iterable[Template], directory: Path | None = None) -> None:
        self.directory = directory
        self._by_id = _index(templates)
        self._read_stamp = _stamp(directory) if directory else None

    @classmethod
    def load(cls, directory: Path) -> "TemplateRegistry":
        return cls(read_templates(directory), directory)

    def reload(self) -> None:
        """Read the files again (after an approval), keeping this object for its holders."""
        if self.directory is None:
            raise RuntimeError("this registry was not loaded from a directory")
        stamp = _stamp(self.directory)
        self._by_id = _index(read_templates(self.directory))
        self._read_stamp = stamp

    def reload_if_changed(self) -> bool:
        """Read the files again when any changed since the last read: an approval another api
        worker wrote, or words edited on disk (then unsendable until approved). Returns
        whether it read them."""
        if self.directory is None or _stamp(self.directory) == self._read_stamp:
            return False
        self.reload()
        return True

    def __iter__(self) -> Iterator[Template]:
        return iter(self._by_id.values())

    def get(self, template_id: str) -> Template | None:
        return self._by_id.get(template_id)

    def candidates(self, key: str, practice_kind: str) -> list[Template]:
        """The templates that could answer `key` at a practice of this kind, preferred first."""
        ids = (f"{KIND_PREFIX[practice_kind]}.{key}", f"{SHARED_PREFIX}.{key}")
        return [self._by_id[i] for i in ids if i in self._by_id]

    def resolve(self, key: str, practice_kind: str) -> Template | None:
        """The sendable template for `key` (e.g. `faq.hours`) at a practice of this kind.

        The kind's own template wins over the shared one. A template whose text changed
        after approval is never returned: the caller falls back instead.
        """
        for template in self.candidates(key, practice_kind):
            if not template.sendable:
                logger.error("template %s is not sendable: text differs from approval", template.id)
                return None
            return template
        return None

    def check_required(self) -> None:
        """Fail at start-up, not mid-conversation, when a safety template is unusable."""
        for kind in KIND_PREFIX:
            for key in REQUIRED_KEYS:
                if self.resolve(key, kind) is None:
                    raise RuntimeError(f"no sendable template {key!r} for {kind} practices")


def _index(templates: Iterable[Template]) -> dict[str, Template]:
    by_id: dict[str, Template] = {}
    for template in templates:
        if template.id in by_id:
            raise ValueError(f"template id defined twice: {template.id}")
        by_id[template.id] = template
    return by_id


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Each template file's name, modification time and size: a change to any is a change."""
    return tuple(
        (str(path), info.st_mtime_ns, info.st_size)
        for path in sorted(directory.rglob("*.yml"))
        for info in (path.stat(),)
    )
