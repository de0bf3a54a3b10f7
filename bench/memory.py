"""Resident memory of a process and all its descendants, from /proc (Linux)."""

from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Memory:
    processes: int  # the process and its descendants
    rss_mb: float  # sum of VmRSS (counts pages shared between them more than once)
    pss_mb: float  # sum of Pss (shared pages split between their users)


def process_tree(pid: int) -> list[int]:
    """`pid` and every living descendant."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (2nd field) may hold spaces and parentheses: split after it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def _kilobytes(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def resident_memory(pid: int) -> Memory:
    pids = process_tree(pid)
    rss = sum(_kilobytes(PROC / str(p) / "status", "VmRSS") for p in pids)
    pss = sum(_kilobytes(PROC / str(p) / "smaps_rollup", "Pss") for p in pids)
    return Memory(len(pids), rss / 1024, pss / 1024)
