"""What an import did, or would do: counts per kind of record and every refused row."""

from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.imports.records import KINDS, Origin

Outcome = Literal["created", "updated", "unchanged", "refused"]
OUTCOMES: tuple[Outcome, ...] = ("created", "updated", "unchanged", "refused")


@dataclass(frozen=True)
class Problem:
    """A row that was refused: its file, its line (1 is the header) and why. A FHIR resource
    is named with its entry's number in the Bundle (`line`)."""

    file: str
    line: int
    reason: str
    resource: str | None = None

    def __str__(self) -> str:
        if self.resource is not None:
            return f"{self.resource} ({self.file} entry {self.line}): {self.reason}"
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    kinds: tuple[str, ...] = KINDS
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    dry_run: bool = False
    all_or_nothing: bool = False
    applied: bool = False
    # FHIR: how many resources of each type were read, and what was read but not applied
    # (a Slot, a proposed appointment, an observation that is not one of our lab tests).
    resources_read: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for kind in self.kinds:
            self.counts.setdefault(kind, dict.fromkeys(OUTCOMES, 0))

    def count(self, kind: str, outcome: Outcome) -> None:
        self.counts[kind][outcome] += 1

    def refuse(self, kind: str, origin: Origin, reason: str) -> None:
        self.count(kind, "refused")
        self.problems.append(Problem(origin.file, origin.line, reason, origin.resource))

    def refuse_unsorted(self, origin: Origin, reason: str) -> None:
        """A FHIR resource refused before it became a record of any kind (it is invalid)."""
        self.problems.append(Problem(origin.file, origin.line, reason, origin.resource))

    @property
    def refused(self) -> int:
        return len(self.problems)

    def summary(self) -> dict[str, Any]:
        """The counts and where the first refusals are, for the audit log: no reasons, since
        those quote cells (names, numbers)."""
        out = {
            "files": self.files,
            "counts": self.counts,
            "refused_rows": [f"{p.file}:{p.line}" for p in self.problems[:50]],
            "dry_run": self.dry_run,
            "all_or_nothing": self.all_or_nothing,
            "applied": self.applied,
        }
        if self.resources_read:
            out["resources_read"] = self.resources_read
        return out

    def lines(self) -> list[str]:
        """The report as a person reads it, one line each."""
        out = [
            f"{kind:<13}" + "  ".join(f"{o} {self.counts[kind][o]}" for o in OUTCOMES)
            for kind in self.kinds
        ]
        if self.resources_read:
            out.append(
                "read: " + ", ".join(f"{t} {n}" for t, n in sorted(self.resources_read.items()))
            )
        out += self.notes
        out += [str(p) for p in self.problems]
        if self.applied:
            out.append("applied")
        elif self.dry_run:
            out.append("dry run: nothing was written")
        else:
            out.append(f"nothing was written: {self.refused} row(s) refused (--all-or-nothing)")
        return out
