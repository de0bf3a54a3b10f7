"""`python -m assistant.evaluation FILE [--api URL] [--sealed]`: send each line of an
evaluation file as a new web-chat conversation and report how it was routed.

A line may carry earlier messages of the same conversation (`before`); they are sent first and
the line's labels score the reply to its `text`. `--sealed` prints scores only, never a line's
words, so a sealed set keeps measuring messages its tuners have not read."""

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from assistant.channels.web_chat import chat_message
from assistant.evaluation.metrics import (
    Outcome,
    Report,
    as_markdown,
    category_markdown,
    confusion_markdown,
    score,
    summary_line,
)
from assistant.settings import ROOT
from assistant.templates import TemplateRegistry

# The demo practice each audience's messages go to.
PRACTICE_FOR_AUDIENCE = {"vet": "cedar-vet-oncology", "human": "harbor-surgical-oncology"}
# The practice kind each audience's messages are triaged and answered as.
KIND_FOR_AUDIENCE = {"vet": "veterinary", "human": "human"}
REQUIRED_FIELDS = {"text", "audience", "route"}
DID_YOU_MEAN = ".fallback.did_you_mean"
# A long file meets the chat's per-address limit (CHAT_RATE_PER_ADDRESS): wait, up to this often.
MAX_WAITS = 30
OPTIONAL_FIELDS = {"template", "id", "before", "category", "source"}


def load(path: Path) -> list[dict[str, Any]]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        if (
            not REQUIRED_FIELDS <= set(item) <= REQUIRED_FIELDS | OPTIONAL_FIELDS
            or item["audience"] not in PRACTICE_FOR_AUDIENCE
            or not isinstance(item.get("before", []), list)
        ):
            raise ValueError(
                f"{path}:{number}: expected text, audience (vet|human), route and optionally"
                " template, id, before (a list of earlier messages), category, source"
            )
        items.append(item)
    return items


def faq_titles(templates_dir: Path = ROOT / "templates") -> dict[str, str]:
    """FAQ answers by the title "Did you mean: <title>?" shows: title -> `faq.hours`."""
    registry = TemplateRegistry.load(templates_dir)
    return {t.title: t.key for t in registry if t.category == "faq" and t.title}


def offered(text: str, titles: dict[str, str]) -> tuple[str, ...]:
    """The answers a "Did you mean" reply names (the longest title that fits wins)."""
    named = [title for title in titles if f": {title}?" in text]
    return tuple(titles[title] for title in sorted(named, key=len, reverse=True)[:1])


def _post(client: httpx.Client, practice: str, chat_token: str | None, text: str) -> httpx.Response:
    """One chat message (a new chat without a token); when the api's request limit is
    reached, wait as it asks and retry."""
    for _ in range(MAX_WAITS):
        response = client.post(
            f"/api/v1/chat/{practice}/messages", json=chat_message(text, chat_token)
        )
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("Retry-After", "60")))
    response.raise_for_status()
    return response


def evaluate(
    items: list[dict[str, Any]],
    api: str,
    *,
    transport: httpx.BaseTransport | None = None,
    workers: int = 1,
) -> Report:
    """Each line as a new web chat; `workers` chats at once (each line is its own conversation,
    so the order they are sent in changes no reply)."""
    titles = faq_titles()
    with httpx.Client(base_url=api, timeout=60, transport=transport) as client:

        def outcome(item: dict[str, Any]) -> Outcome:
            practice = PRACTICE_FOR_AUDIENCE[item["audience"]]
            chat_token = None
            for text in [*item.get("before", []), item["text"]]:
                turn = _post(client, practice, chat_token, text).json()
                chat_token = turn["chat_token"]
            return Outcome(
                item["text"],
                item["audience"],
                item["route"],
                turn["route"],
                expected_template=item.get("template"),
                # `vet.faq.hours` -> `faq.hours`: the answer, whichever kind's text it was.
                got_templates=tuple(r["template_id"].split(".", 1)[1] for r in turn["replies"]),
                category=item.get("category"),
                suggested_templates=tuple(
                    key
                    for r in turn["replies"]
                    if r["template_id"].endswith(DID_YOU_MEAN)
                    for key in offered(r["text"], titles)
                ),
            )

        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(outcome, items))
    return score(outcomes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation")
    parser.add_argument("files", type=Path, nargs="+", metavar="FILE")
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="a running api")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument(
        "--sealed", action="store_true", help="scores only: print no message's words"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="chats at once (more than 1 meets the api's per-address chat limit sooner)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be 1 or more")
    try:
        items = [item for path in args.files for item in load(path)]
        report = evaluate(items, args.api, workers=args.workers)
    except httpx.ConnectError:
        print(f"no api at {args.api}: start it with `make run` first", file=sys.stderr)
        return 2
    table = as_markdown(report)
    table += "\n\n" + confusion_markdown(report)
    if report.by_category():
        table += "\n\n" + category_markdown(report)
    print(table)
    line = summary_line(report)
    if args.sealed:
        print("\n" + line)
        if args.markdown:
            args.markdown.write_text(f"{table}\n\n{line}\n", encoding="utf-8")
        return 0
    for title, cases in (
        ("under-triage", report.under_triage),
        ("over-triage", report.over_triage),
    ):
        print(f"\n{title}: {len(cases)}")
        for case in cases:
            print(f"  [{case.audience}] expected {case.expected}, got {case.got}: {case.text}")
    print(f"\nFAQ lines answered with another answer: {len(report.wrong_topic)}")
    for case in report.wrong_topic:
        got = ", ".join(case.got_templates)
        print(f"  [{case.audience}] expected {case.expected_template}, got {got}: {case.text}")
    needless = [o for o in report.faq_wrong_answers if o.expected != "faq"]
    print(f"\nmessages that needed no FAQ answer but got one: {len(needless)}")
    for case in needless:
        got = ", ".join(case.got_templates)
        print(f"  [{case.audience}] expected {case.expected}, got {got}: {case.text}")
    print("\n" + line)
    if args.markdown:
        args.markdown.write_text(f"{table}\n\n{line}\n", encoding="utf-8")
    return 0
