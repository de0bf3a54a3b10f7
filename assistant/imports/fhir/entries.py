"""The entries of a FHIR Bundle: each resource (a JSON object, not yet validated) with where it
was found, for a Bundle file or one page of a server's search.

A Bundle that cannot be read at all (not JSON, not a Bundle, a type we do not read, too big)
refuses the whole import with BundleRefused; one bad entry is refused on its own later.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assistant.errors import Invalid
from assistant.imports.records import Origin

MAX_BUNDLE_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 50_000
BUNDLE_TYPES = ("collection", "transaction", "batch", "searchset")


class BundleRefused(Invalid):
    """A Bundle that cannot be read at all; the message says which and why."""


@dataclass(frozen=True)
class Entry:
    origin: Origin
    resource: dict[str, Any]

    @property
    def reference(self) -> str | None:
        """`Patient/example`, or None when the resource has no id."""
        kind, rid = self.resource.get("resourceType"), self.resource.get("id")
        return f"{kind}/{rid}" if isinstance(kind, str) and isinstance(rid, str) else None

    @property
    def last_updated(self) -> datetime | None:
        """The server's `meta.lastUpdated`, if it is there and readable."""
        meta = self.resource.get("meta")
        stamp = meta.get("lastUpdated") if isinstance(meta, dict) else None
        if not isinstance(stamp, str):
            return None
        try:
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
        return when.astimezone(UTC) if when.tzinfo else None


@dataclass
class BundleContents:
    entries: list[Entry]
    # References of `fullUrl`s (urn:uuid:..., absolute URLs) to `Type/id`, so a transaction
    # Bundle's references between its own entries resolve.
    full_urls: dict[str, str]
    # What the Bundle says but we do not apply (a DELETE, an OperationOutcome).
    notes: list[str]
    next_url: str | None = None


def parse_bundle_bytes(data: bytes, *, name: str) -> dict[str, Any]:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleRefused(f"{name}: larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB")
    try:
        bundle = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleRefused(f"{name}: not JSON ({exc})") from exc
    return bundle if isinstance(bundle, dict) else {}


def bundle_entries(bundle: dict[str, Any], *, name: str, first_line: int = 1) -> BundleContents:
    """The entries of a Bundle already parsed from JSON; the first is numbered `first_line`."""
    if bundle.get("resourceType") != "Bundle":
        said = bundle.get("resourceType")
        raise BundleRefused(f"{name}: not a FHIR Bundle (resourceType {said!r})")
    if bundle.get("type") not in BUNDLE_TYPES:
        raise BundleRefused(
            f"{name}: a Bundle of type {bundle.get('type')!r}; expected one of {BUNDLE_TYPES}"
        )
    raw = bundle.get("entry") or []
    if not isinstance(raw, list):
        raise BundleRefused(f"{name}: Bundle.entry is not a list")
    if len(raw) > MAX_ENTRIES:
        raise BundleRefused(f"{name}: more than {MAX_ENTRIES} entries; split the Bundle")
    contents = BundleContents(entries=[], full_urls={}, notes=[], next_url=_next_link(bundle))
    for number, item in enumerate(raw, start=first_line):
        if not isinstance(item, dict):
            raise BundleRefused(f"{name} entry {number}: not a JSON object")
        request = _object(item.get("request"))
        resource = item.get("resource")
        if request.get("method") == "DELETE":
            contents.notes.append(
                f"{name} entry {number}: DELETE {request.get('url')} not applied "
                "(an import never deletes)"
            )
            continue
        search = _object(item.get("search"))
        if search.get("mode") == "outcome":
            continue  # the server's remarks on the search, not a record
        if not isinstance(resource, dict):
            raise BundleRefused(f"{name} entry {number}: no resource")
        entry = Entry(Origin(name, number), resource)
        reference = entry.reference
        entry = Entry(Origin(name, number, reference or _unnamed(resource)), resource)
        full_url = item.get("fullUrl")
        if isinstance(full_url, str) and reference is not None:
            contents.full_urls[full_url] = reference
        contents.entries.append(entry)
    return contents


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _next_link(bundle: dict[str, Any]) -> str | None:
    for link in bundle.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) else None
    return None


def _unnamed(resource: dict[str, Any]) -> str:
    kind = resource.get("resourceType")
    return f"{kind if isinstance(kind, str) else 'resource'} without an id"
