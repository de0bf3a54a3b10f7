"""FHIR test helpers: the sample Bundle, Bundles made in a test, and a real FHIR server on a
free local port (stdlib http.server in a thread) that serves searchset Bundles per resource
type, honours `_lastUpdated=gt...`, `_sort=_lastUpdated` and `_count` with `next` links, and
remembers each request it was sent."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy.orm import Session

from assistant.imports.fhir.entries import bundle_entries
from assistant.imports.fhir.run import Options, import_bundles
from assistant.imports.mapping import load_mapping
from assistant.imports.report import ImportReport
from assistant.settings import ROOT
from tests.assistant.imports.conftest import NOW

SAMPLE_DIR = ROOT / "examples" / "records" / "harbor-surgical"
SAMPLE_BUNDLE = SAMPLE_DIR / "bundle.json"
MAPPING = SAMPLE_DIR / "mapping.yml"
HARBOR = "harbor-surgical-oncology"


def sample_resources() -> list[dict[str, Any]]:
    bundle = json.loads(SAMPLE_BUNDLE.read_text())
    return [entry["resource"] for entry in bundle["entry"]]


def resource(resources: list[dict[str, Any]], reference: str) -> dict[str, Any]:
    kind, rid = reference.split("/")
    return next(r for r in resources if r["resourceType"] == kind and r["id"] == rid)


def collection(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def options(**overrides: Any) -> Options:
    return Options(**{"mapping": load_mapping(MAPPING), "now": NOW, "actor": "cli", **overrides})


def import_bundle(
    session: Session,
    practice: Any,
    bundle: dict[str, Any],
    *,
    name: str = "bundle.json",
    **opts: Any,
) -> ImportReport:
    return import_bundles(
        session,
        practice=practice,
        bundles=[bundle_entries(bundle, name=name)],
        options=options(**opts),
    )


def stamped(resource: dict[str, Any], last_updated: str) -> dict[str, Any]:
    out = deepcopy(resource)
    out["meta"] = {"lastUpdated": last_updated}
    return out


@dataclass
class FakeFhirServer:
    """The store a FhirServerThread serves; tests change it between imports."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(
        default_factory=list
    )  # (path?query, headers)
    base_url: str = ""

    def put(self, resource: dict[str, Any], last_updated: str) -> None:
        self.resources = [
            r
            for r in self.resources
            if (r["resourceType"], r["id"]) != (resource["resourceType"], resource["id"])
        ]
        self.resources.append(stamped(resource, last_updated))

    def search(self, kind: str, query: dict[str, list[str]]) -> dict[str, Any]:
        found = [r for r in self.resources if r["resourceType"] == kind]
        for value in query.get("_lastUpdated", []):
            assert value.startswith("gt"), value
            after = _instant(value[2:])
            found = [r for r in found if _instant(r["meta"]["lastUpdated"]) > after]
        found.sort(key=lambda r: _instant(r["meta"]["lastUpdated"]))
        count = int(query.get("_count", ["50"])[0])
        offset = int(query.get("_offset", ["0"])[0])
        page = found[offset : offset + count]
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "link": [],
            "entry": [
                {
                    "fullUrl": f"{self.base_url}/{kind}/{r['id']}",
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in page
            ],
        }
        if offset + count < len(found):
            following = {k: v[0] for k, v in query.items()} | {"_offset": str(offset + count)}
            bundle["link"].append(
                {"relation": "next", "url": f"{self.base_url}/{kind}?{urlencode(following)}"}
            )
        return bundle

    def searches(self, kind: str) -> list[str]:
        return [path for path, _ in self.requests if urlsplit(path).path.endswith(f"/{kind}")]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@contextmanager
def fhir_server(store: FakeFhirServer) -> Iterator[FakeFhirServer]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            store.requests.append((self.path, dict(self.headers.items())))
            parts = urlsplit(self.path)
            kind = parts.path.rsplit("/", 1)[-1]
            body = json.dumps(store.search(kind, parse_qs(parts.query))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    store.base_url = f"http://127.0.0.1:{server.server_port}/fhir"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield store
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
