"""`python -m bench.recipes [NAME ...]`: train each candidate training recipe cold and score
it on the development set through the whole stack, to choose `config.yml` by measurement
(docs/evaluation.md, "Training recipe").

A recipe is a full Rasa config in `bench/recipes/<name>.yml`. Each is trained from an empty
cache (the cold `make train` a fresh clone pays), then served by rasa, actions and the api on a
fresh demo database, and every line of the development sets (`dev_set`, `dev_outsider`, and the
outside-written requests and FAQ questions together) is sent as `make eval` sends it.
One JSON line per recipe is appended to `var/recipes/results.jsonl`.
"""

import argparse
import json
import shutil
import time
from pathlib import Path

from assistant.evaluation.metrics import Report
from assistant.evaluation.run import evaluate, load
from assistant.settings import ROOT
from bench import training
from bench.stack import running_stack

RECIPES = ROOT / "bench" / "recipes"
DEV_SET = ROOT / "tests" / "data" / "dev_set.jsonl"
# Written from the brief by someone who had not read the training data (issue 16).
DEV_OUTSIDER = ROOT / "tests" / "data" / "dev_outsider.jsonl"
# Also written from the brief by outsiders: requests in the client's own words (grief, booking,
# small talk) and FAQ questions. Scored together as "requests".
DEV_REQUESTS = [
    ROOT / "tests" / "data" / "dev_requests_outside.jsonl",
    ROOT / "tests" / "data" / "dev_faq_outside.jsonl",
]
OUT = ROOT / "var" / "recipes"


def figures(report: Report) -> dict[str, float | int | None]:
    recall = {r.route: r.recall for r in report.routes}
    return {
        "accuracy": report.accuracy,
        "emergency_recall": report.emergency_recall,
        "urgent_recall": recall.get("urgent"),
        "under_triage": len(report.under_triage),
        "over_triage": len(report.over_triage),
        "faq_recall": recall.get("faq"),
        "faq_topic_accuracy": report.faq_topic_accuracy,
        "faq_answered_or_offered": report.faq_answered_or_offered,
        "faq_wrong_answers": len(report.faq_wrong_answers),
        "urgent_or_higher": report.urgent_or_higher,
        "booking_recall": recall.get("booking"),
        "billing_recall": recall.get("billing"),
        "grief_recall": recall.get("grief"),
        "optout_recall": recall.get("optout"),
    }


def measure(recipe: Path) -> dict[str, object]:
    """Train `recipe` cold, then score the model on the development sets."""
    workdir = OUT / recipe.stem
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "cache").mkdir(parents=True)
    seconds = training.train_seconds(workdir, recipe.stem, workdir / "cache", config=recipe)
    stack_dir = workdir / "stack"
    stack_dir.mkdir()
    with running_stack(stack_dir, workdir / f"{recipe.stem}.tar.gz") as stack:
        # Four chats at once (the bench stack lifts the per-address chat limit).
        report = evaluate(load(DEV_SET), stack.api, workers=4)
        outsider = evaluate(load(DEV_OUTSIDER), stack.api, workers=4)
        requests = evaluate([line for f in DEV_REQUESTS for line in load(f)], stack.api, workers=4)
    # The development sets are for tuning: their misses are kept to read.
    misses = {
        name: [
            {"text": o.text, "expected": o.expected, "got": o.got, "templates": o.got_templates}
            for o in scored.outcomes
            if o.got != o.expected or (o.expected_template and not o.topic_correct)
        ]
        for name, scored in (("dev_set", report), ("outsider", outsider), ("requests", requests))
    }
    (workdir / "misses.json").write_text(json.dumps(misses, indent=1))
    return {
        "recipe": recipe.stem,
        "train_cold_s": round(seconds, 1),
        **figures(report),
        "outsider": figures(outsider),
        "requests": figures(requests),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recipes", description=__doc__)
    parser.add_argument("names", nargs="*", help="recipes to measure (default: all)")
    args = parser.parse_args(argv)
    recipes = [RECIPES / f"{n}.yml" for n in args.names] or sorted(RECIPES.glob("*.yml"))
    OUT.mkdir(parents=True, exist_ok=True)
    for recipe in recipes:
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        result = {"date": started, **measure(recipe)}
        print(json.dumps(result), flush=True)
        with open(OUT / "results.jsonl", "a") as out:
            out.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
