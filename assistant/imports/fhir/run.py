"""One FHIR import: validate each resource, turn it into records, and apply them with the
CSV import's upsert (`assistant.imports.run`), in one transaction with a savepoint per record,
the same report and the same audit row.

From Bundle files (`import_bundles`) or from the practice's FHIR server (`import_from_server`):
the server is asked only for what changed since the last applied import, and the high-water
mark moves in the same transaction as the records it covers.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fhir.resources.R4B.resource import Resource
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import AppointmentType, Practice
from assistant.imports.csv_files import Context
from assistant.imports.fhir.entries import (
    BundleContents,
    BundleRefused,
    Entry,
    bundle_entries,
    parse_bundle_bytes,
)
from assistant.imports.fhir.resources import READ_TYPES, InvalidResource, validated
from assistant.imports.fhir.server import FhirServer
from assistant.imports.fhir.sync_state import high_water_marks, next_mark, save_marks
from assistant.imports.fhir.to_records import KIND_OF_TYPE, Resolver, convert
from assistant.imports.mapping import Mapping
from assistant.imports.records import RECORD_KINDS, Origin
from assistant.imports.report import ImportReport
from assistant.imports.run import apply_records, finish, records_by_kind
from assistant.imports.values import practice_country

NOT_APPLIED = ("Schedule", "Slot")


@dataclass(frozen=True)
class Options:
    mapping: Mapping
    now: datetime
    actor: str
    dry_run: bool = False
    all_or_nothing: bool = False


def read_bundle_files(paths: Sequence[Path]) -> list[BundleContents]:
    """Each file's entries; raises BundleRefused when one cannot be read at all."""
    if not paths:
        raise BundleRefused("no Bundle files given")
    bundles = []
    for path in paths:
        if not path.is_file():
            raise BundleRefused(f"{path}: no such file")
        bundle = parse_bundle_bytes(path.read_bytes(), name=path.name)
        bundles.append(bundle_entries(bundle, name=path.name))
    return bundles


def import_bundles(
    session: Session, *, practice: Practice, bundles: list[BundleContents], options: Options
) -> ImportReport:
    files = sorted({e.origin.file for b in bundles for e in b.entries})
    return _import(session, practice, bundles, files, options)


def import_from_server(
    session: Session, *, practice: Practice, server: FhirServer, options: Options
) -> ImportReport:
    """Everything changed on `server` since the last applied import. Raises FetchFailed, with
    nothing written, when the server cannot be read."""
    marks = high_water_marks(session, practice, server.base_url)
    session.rollback()  # no transaction held open while the server is read
    bundles: list[BundleContents] = []
    notes: list[str] = []
    by_type: dict[str, list[Entry]] = {}
    truncated: set[str] = set()
    for resource_type in READ_TYPES:
        fetched = server.search(resource_type, after=marks.get(resource_type))
        latest = _latest_versions(e for page in fetched.pages for e in page.entries)
        by_type[resource_type] = latest
        bundles.append(
            BundleContents(
                entries=latest,
                full_urls={k: v for p in fetched.pages for k, v in p.full_urls.items()},
                notes=[n for p in fetched.pages for n in p.notes],
            )
        )
        if fetched.truncated:
            truncated.add(resource_type)
            notes.append(
                f"{resource_type}: stopped after {server.max_pages} pages; run again for the rest"
            )

    def save_high_water_marks(report: ImportReport) -> Callable[[], None]:
        refused = {p.resource for p in report.problems if p.resource}

        def save() -> None:
            new = {}
            for resource_type, entries in by_type.items():
                if resource_type in truncated and not _in_order(entries):
                    continue  # the server ignored _sort: what was left out may be older
                mark = next_mark(entries, refused, marks.get(resource_type))
                if mark is not None:
                    new[resource_type] = mark
            save_marks(session, practice, server.base_url, new, now=options.now)

        return save

    return _import(
        session, practice, bundles, [server.base_url], options, notes, save_high_water_marks
    )


def _import(
    session: Session,
    practice: Practice,
    bundles: list[BundleContents],
    files: list[str],
    options: Options,
    notes: list[str] | None = None,
    when_applied: Callable[[ImportReport], Callable[[], None]] | None = None,
) -> ImportReport:
    report = ImportReport(
        kinds=RECORD_KINDS,
        files=files,
        dry_run=options.dry_run,
        all_or_nothing=options.all_or_nothing,
    )
    read: Counter[str] = Counter()
    valid: list[tuple[Origin, Resource]] = []
    for entry in (e for b in bundles for e in b.entries):
        kind = str(entry.resource.get("resourceType"))
        read[kind] += 1
        if kind not in READ_TYPES:
            continue
        try:
            valid.append((entry.origin, validated(entry.resource)))
        except InvalidResource as exc:
            if kind in KIND_OF_TYPE:
                report.refuse(KIND_OF_TYPE[kind], entry.origin, str(exc))
            else:
                report.refuse_unsorted(entry.origin, str(exc))
    report.resources_read = dict(read)
    report.notes += [n for b in bundles for n in b.notes] + (notes or [])
    shown = [f"{kind} {read[kind]}" for kind in NOT_APPLIED if read[kind]]
    if shown:
        report.notes.append(
            f"{' and '.join(shown)} read, not applied: our clinicians' shifts come from the "
            "practice file"
        )
    others = sorted(kind for kind in read if kind not in READ_TYPES)
    if others:
        report.notes.append("not read: " + ", ".join(f"{k} {read[k]}" for k in others))

    context = Context(
        zone=ZoneInfo(practice.timezone),
        country=options.mapping.country or practice_country(practice.phone),
        now=options.now,
    )
    converted = convert(
        valid,
        mapping=options.mapping,
        context=context,
        resolve=Resolver({k: v for b in bundles for k, v in b.full_urls.items()}),
        our_appointment_types=frozenset(
            session.scalars(
                select(AppointmentType.code).where(AppointmentType.practice_id == practice.id)
            )
        ),
    )
    for kind, origin, reason in converted.refusals:
        report.refuse(kind, origin, reason)
    report.notes += converted.notes
    apply_records(
        session,
        practice,
        records_by_kind(converted.records),
        report,
        now=options.now,
        actor=options.actor,
    )
    return finish(
        session,
        practice,
        report,
        actor=options.actor,
        when_applied=when_applied(report) if when_applied else None,
    )


def _latest_versions(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per resource: a resource changed while the search was paged comes again on
    a later page, and that version is the one to keep."""
    latest: dict[str | None, Entry] = {}
    unnamed: list[Entry] = []
    for entry in entries:
        if entry.reference is None:
            unnamed.append(entry)
        else:
            latest.pop(entry.reference, None)
            latest[entry.reference] = entry
    return [*latest.values(), *unnamed]


def _in_order(entries: list[Entry]) -> bool:
    stamps = [e.last_updated for e in entries if e.last_updated is not None]
    return all(a <= b for a, b in zip(stamps, stamps[1:], strict=False))
