"""What an import did, or would do: counts per kind of record and every refused row."""

from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.imports.records import KINDS, Origin

Outcome = Literal["created", "updated", "unchanged", "refused"]
OUTCOMES: tuple[Outcome, ...] = ("created", "updated", "unchanged", "refused")


@dataclass(frozen=True)
class Problem:
    """A row that was refused: its file, its line (1 is the header) and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: dict.fromkeys(OUTCOMES, 0) for kind in KINDS}
    )
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    dry_run: bool = False
    all_or_nothing: bool = False
    applied: bool = False

    def count(self, kind: str, outcome: Outcome) -> None:
        self.counts[kind][outcome] += 1

    def refuse(self, kind: str, origin: Origin, reason: str) -> None:
        self.count(kind, "refused")
        self.problems.append(Problem(origin.file, origin.line, reason))

    @property
    def refused(self) -> int:
        return sum(c["refused"] for c in self.counts.values())

    def summary(self) -> dict[str, Any]:
        """The counts and where the first refusals are, for the audit log: no reasons, since
        those quote cells (names, numbers)."""
        return {
            "files": self.files,
            "counts": self.counts,
            "refused_rows": [f"{p.file}:{p.line}" for p in self.problems[:50]],
            "dry_run": self.dry_run,
            "all_or_nothing": self.all_or_nothing,
            "applied": self.applied,
        }

    def lines(self) -> list[str]:
        """The report as a person reads it, one line each."""
        out = [
            f"{kind:<13}" + "  ".join(f"{o} {self.counts[kind][o]}" for o in OUTCOMES)
            for kind in KINDS
        ]
        out += [str(p) for p in self.problems]
        if self.applied:
            out.append("applied")
        elif self.dry_run:
            out.append("dry run: nothing was written")
        else:
            out.append(f"nothing was written: {self.refused} row(s) refused (--all-or-nothing)")
        return out
