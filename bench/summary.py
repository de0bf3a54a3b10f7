"""Figures from the raw turns: latency percentiles, throughput, errors, ratios between columns."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.load import LevelRun
from bench.stats import mean, percentile, ratio


def level_summary(run: LevelRun) -> dict[str, Any]:
    """Latency over the answered turns (ms), throughput in answered turns a second."""
    answered = [t.outcome.seconds * 1000 for t in run.turns if t.outcome.error is None]
    errors = Counter(t.outcome.error for t in run.turns if t.outcome.error is not None)
    return {
        "concurrency": run.concurrency,
        "turns": len(run.turns),
        "warmup_turns": run.warmup_turns,
        "cut_short": run.cut_short,
        "answered": len(answered),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "p50_ms": percentile(answered, 50),
        "p95_ms": percentile(answered, 95),
        "p99_ms": percentile(answered, 99),
        "mean_ms": mean(answered),
        "max_ms": max(answered, default=float("nan")),
        "seconds": run.seconds,
        "throughput": len(answered) / run.seconds if run.seconds else float("nan"),
    }


def compared(stack: dict[str, Any], bare: dict[str, Any]) -> dict[str, Any]:
    """A full-stack column over bare Rasa at the same concurrency: latency ratios (lower is
    better) and the throughput ratio (higher is better)."""
    return {
        "p50": ratio(stack["p50_ms"], bare["p50_ms"]),
        "p95": ratio(stack["p95_ms"], bare["p95_ms"]),
        "p99": ratio(stack["p99_ms"], bare["p99_ms"]),
        "throughput": ratio(stack["throughput"], bare["throughput"]),
        "p50_added_ms": stack["p50_ms"] - bare["p50_ms"],
    }


@dataclass(frozen=True)
class Difference:
    conversation: int
    index: int
    stack: tuple[str, ...]
    bare: tuple[str, ...]


def same_templates(stack: LevelRun, bare: LevelRun) -> tuple[float, list[Difference]]:
    """Share of turns where the stack sent exactly the templates bare Rasa named (how often
    both columns did the same dialogue work for the same message), and the turns that
    differed."""
    named = {(t.conversation, t.index): t.outcome.templates for t in bare.turns}
    differences = [
        Difference(t.conversation, t.index, t.outcome.templates, theirs)
        for t in stack.turns
        if (theirs := named.get((t.conversation, t.index), ())) != t.outcome.templates
    ]
    if not stack.turns:
        return float("nan"), []
    return 1 - len(differences) / len(stack.turns), differences
