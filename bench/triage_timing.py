"""Time of the safety triage per message, in this process, over the dev set's texts."""

import time
from pathlib import Path
from typing import Any

from assistant.evaluation.run import KIND_FOR_AUDIENCE, load
from assistant.safety.triage import Triage
from bench.stats import mean, percentile

WARMUP_MESSAGES = 20


def time_triage(triage: Triage, dev_set: Path, *, passes: int) -> dict[str, Any]:
    """Mean, p50, p95 and p99 of `Triage.assess` in ms, over `passes` passes of the dev set
    (after a short warm-up)."""
    items = [(i["text"], KIND_FOR_AUDIENCE[i["audience"]]) for i in load(dev_set)]
    for text, kind in items[:WARMUP_MESSAGES]:
        triage.assess(text, kind)
    timings = []
    for _ in range(passes):
        for text, kind in items:
            started = time.perf_counter()
            triage.assess(text, kind)
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "messages": len(items),
        "passes": passes,
        "mean_ms": mean(timings),
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
        "p99_ms": percentile(timings, 99),
        "max_ms": max(timings),
    }


def load_triage() -> tuple[Triage, float]:
    """The triage, and the seconds it took to load (lexicons and the spaCy pipelines)."""
    started = time.perf_counter()
    triage = Triage.load()
    return triage, time.perf_counter() - started
