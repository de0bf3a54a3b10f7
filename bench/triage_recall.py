"""The safety triage alone (rules and learned net, no dialogue) on an evaluation file.

    .venv/bin/python -m bench.triage_recall tests/data/dev_set.jsonl [--show] [--by-category]

Counts, per labelled route, how often the triage raised the message to emergency or urgent,
and lists the misses and the raised non-clinical lines with --show, or counts them by category
with --by-category. The whole stack's figures come from `make eval`; this is the quick loop for
lexicon and safety-net changes (seconds, no Rasa). --show refuses the sealed set and the held-out
check files: their lines are never printed (tests/data/sealed/README.md,
tests/data/check/README.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from assistant.evaluation.run import KIND_FOR_AUDIENCE, load
from assistant.safety.triage import Triage

RAISED = {"emergency", "urgent"}
# Routes whose messages need no clinician: the triage raising one is over-triage.
NON_CLINICAL = {"faq", "booking", "billing", "grief", "optout", "other", "fallback"}
# Folders whose lines are never printed.
HELD_OUT = {"sealed", "check"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--show", action="store_true", help="list the misses (not for sealed)")
    parser.add_argument("--by-category", action="store_true", help="count the misses by category")
    parser.add_argument("--no-net", action="store_true", help="the rules alone")
    args = parser.parse_args(argv)
    if args.show and any(HELD_OUT & set(f.parts) for f in args.files):
        print("--show never prints sealed or held-out check lines", file=sys.stderr)
        return 2
    triage = Triage.load(net=not args.no_net)
    for path in args.files:
        totals: Counter[str] = Counter()
        raised: Counter[str] = Counter()
        exact: Counter[str] = Counter()
        shown: list[str] = []
        by_category: Counter[tuple[str, str, str]] = Counter()
        for item in load(path):
            route = item["route"]
            result = triage.assess(item["text"], KIND_FOR_AUDIENCE[item["audience"]])
            totals[route] += 1
            if result.priority in RAISED:
                raised[route] += 1
            if result.priority == route:
                exact[route] += 1
            missed = route in RAISED and result.priority not in RAISED
            over = route in NON_CLINICAL and result.priority in RAISED
            short = route == "emergency" and result.priority != "emergency"
            wrong = missed or over or short
            if args.by_category and wrong:
                by_category[(route, item.get("category", "-"), result.priority or "-")] += 1
            if args.show and wrong:
                flags = ",".join(f.sign for f in result.red_flags) or "-"
                shown.append(f"  {route:>9} -> {result.priority or '-':9} [{flags}] {item['text']}")
        print(f"{path}:")
        for route in sorted(totals):
            line = f"  {route:>9}: {raised[route]:3d} of {totals[route]:3d} raised"
            if route in RAISED:
                line += f", {exact[route]} at exactly {route}"
            print(line)
        non_clinical = sum(totals[r] for r in NON_CLINICAL)
        print(
            f"  missed emergency or urgent: {sum(totals[r] - raised[r] for r in RAISED)}; "
            f"non-clinical raised: {sum(raised[r] for r in NON_CLINICAL)} of {non_clinical}"
        )
        print("\n".join(shown))
        for (route, category, got), count in sorted(by_category.items()):
            print(f"  {count:3d} {route} ({category}) -> {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
