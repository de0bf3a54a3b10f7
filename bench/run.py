"""`python -m bench.run`: the benchmark `make bench` runs; see docs/benchmarks.md.

Boots the stack once and sends the same conversations, level by level, to bare Rasa's REST
channel, to web chat and to the Twilio SMS webhook (in that order at each concurrency), then
reads each process's memory, times the triage in-process and trains the model cold and warm.
"""

import argparse
import asyncio
import math
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation.run import KIND_FOR_AUDIENCE, PRACTICE_FOR_AUDIENCE
from assistant.safety.triage import Triage
from assistant.settings import ROOT
from bench import machine, report, training
from bench.channels import Channel, bare_rasa, twilio_sms, web_chat
from bench.load import LevelRun, run_level, settle
from bench.memory import resident_memory
from bench.outbox import POLL_SECONDS, OutboxWatcher
from bench.stack import Stack, model_path, running_stack, start_conversations
from bench.stages import profile_web_chat
from bench.summary import compared, level_summary, same_templates
from bench.triage_timing import load_triage, time_triage
from bench.workload import Conversation, ConversationPlan, dialogue_messages

DEV_SET = ROOT / "tests/data/dev_set.jsonl"
COLUMNS = ("bare_rasa", "web_chat", "sms")
# Full run: about 15-25 minutes on the 2-core machine, training included.
LEVELS = (1, 10, 50)
TURNS = (300, 600, 1000)
QUICK_LEVELS = (1, 10)
QUICK_TURNS = (15, 40)
CONVERSATION_LENGTH = 5
# At least this many warm-up conversations (one message each) before every measured run.
MIN_WARMUP = 10
# Per column and level: a stack that collapses under load ends its column here.
MAX_SECONDS = 180.0
# Web-chat turns timed stage by stage (one at a time, after the load).
STAGE_CONVERSATIONS = 21
# Turns whose replies differed between a stack column and bare Rasa, kept in the JSON.
DIFFERENCE_EXAMPLES = 8
# The concurrency whose ratios are the headline figures.
HEADLINE_CONCURRENCY = 10


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    add = parser.add_argument
    add("--levels", type=_numbers, help="concurrencies (default 1,10,50)")
    add("--turns", type=_numbers, help="measured turns per level (default 300,600,1000)")
    add("--length", type=int, default=CONVERSATION_LENGTH, help="messages per conversation")
    add("--columns", default=",".join(COLUMNS), help="any of bare_rasa,web_chat,sms")
    add("--max-seconds", type=float, default=MAX_SECONDS, help="time limit per column and level")
    add("--triage-passes", type=int, default=3, help="passes over the dev set (default 3)")
    add("--no-training", action="store_true", help="skip the cold and warm training")
    add("--quick", action="store_true", help="c1 and c10, few turns, no training, to var/bench")
    add("--out", type=Path, help="folder for benchmarks.md and .json (default docs)")
    add("--keep", action="store_true", help="copy the stack's logs and databases to var/bench")
    args = parser.parse_args(argv)
    args.levels = args.levels or (QUICK_LEVELS if args.quick else LEVELS)
    args.turns = args.turns or (QUICK_TURNS if args.quick else TURNS)
    if len(args.turns) != len(args.levels):
        parser.error("give one --turns count per level")
    args.columns = tuple(c for c in args.columns.split(",") if c)
    if unknown := set(args.columns) - set(COLUMNS):
        parser.error(f"unknown columns {sorted(unknown)}")
    if args.quick:
        args.no_training = True
        args.triage_passes = 1
    args.out = args.out or (ROOT / "var/bench" if args.quick else ROOT / "docs")
    return args


@dataclass(frozen=True)
class Level:
    concurrency: int
    warmup: list[Conversation]
    measured: list[Conversation]


def _schedule(plan: ConversationPlan, args: argparse.Namespace) -> list[Level]:
    """The conversations of every level, numbered across the run so no sender repeats."""
    levels, number = [], 0
    for concurrency, turns in zip(args.levels, args.turns, strict=True):
        count = max(MIN_WARMUP, concurrency)
        warmup = [Conversation(c.number, c.messages[:1]) for c in plan.conversations(number, count)]
        number += count
        measured = list(plan.conversations(number, math.ceil(turns / plan.length)))
        number += len(measured)
        levels.append(Level(concurrency, warmup, measured))
    return levels


def _senders(
    stack: Stack, levels: list[Level], columns: tuple[str, ...]
) -> dict[str, Callable[[int], str]]:
    """Distinct senders per column and conversation. SMS senders are numbers the demo data
    does not know (+1312555xxxx from 2000 up), so no identity flow differs between columns;
    bare Rasa's are conversations started in the api beforehand (see start_conversations)."""
    run_id = uuid.uuid4().hex[:6]
    senders: dict[str, Callable[[int], str]] = {
        "web_chat": lambda number: f"bench-{run_id}-web-{number}",
        "sms": lambda number: f"+1312555{2000 + number:04d}",
    }
    if "bare_rasa" in columns:
        practice_of = {
            c.number: c.practice for level in levels for c in level.warmup + level.measured
        }
        ids = start_conversations(
            stack, {f"bench-{run_id}-rasa-{n}": slug for n, slug in practice_of.items()}
        )
        senders["bare_rasa"] = lambda number: ids[f"bench-{run_id}-rasa-{number}"]
    return senders


async def _measure_levels(
    stack: Stack, levels: list[Level], args: argparse.Namespace
) -> dict[int, dict[str, LevelRun]]:
    senders = _senders(stack, levels, args.columns)
    results: dict[int, dict[str, LevelRun]] = {}
    async with OutboxWatcher(stack.database) as watcher:
        channels: dict[str, Channel] = {
            "bare_rasa": bare_rasa(stack),
            "web_chat": web_chat(stack),
            "sms": twilio_sms(stack, watcher),
        }
        for level in levels:
            results[level.concurrency] = {}
            for column in args.columns:
                count = sum(len(c.messages) for c in level.measured)
                print(f"== c{level.concurrency} {column}: {count} turns", flush=True)
                run = await run_level(
                    channels[column],
                    column=column,
                    concurrency=level.concurrency,
                    warmup=level.warmup,
                    measured=level.measured,
                    sender_for=senders[column],
                    max_seconds=args.max_seconds,
                )
                await settle(f"{stack.api}/health")
                summary = level_summary(run)
                print(
                    f"   p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms,"
                    f" {summary['throughput']:.2f} turns/s, {summary['errors']} errors",
                    flush=True,
                )
                results[level.concurrency][column] = run
    return results


def _red_flag(triage: Triage) -> Callable[[str, str], bool]:
    def red_flag(text: str, audience: str) -> bool:
        return triage.assess(text, KIND_FOR_AUDIENCE[audience]).priority is not None

    return red_flag


def _latency_figures(
    runs: dict[int, dict[str, LevelRun]], plan: ConversationPlan
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    latency: dict[str, dict[str, Any]] = {}
    ratios: dict[str, dict[str, Any]] = {}
    for concurrency, columns in runs.items():
        for column, run in columns.items():
            latency.setdefault(column, {})[str(concurrency)] = level_summary(run)
        if "bare_rasa" not in columns:
            continue
        bare = latency["bare_rasa"][str(concurrency)]
        for column in ("web_chat", "sms"):
            if column in columns:
                figures = compared(latency[column][str(concurrency)], bare)
                share, differences = same_templates(columns[column], columns["bare_rasa"])
                figures["same_templates"] = share
                figures["differing_examples"] = [
                    {
                        "text": plan.conversation(d.conversation).messages[d.index].text,
                        "message_in_conversation": d.index + 1,
                        "stack": list(d.stack),
                        "bare_rasa": list(d.bare),
                    }
                    for d in differences[:DIFFERENCE_EXAMPLES]
                ]
                ratios.setdefault(column, {})[str(concurrency)] = figures
    return latency, ratios


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    args = parse_arguments(arguments)
    started = time.perf_counter()
    about = machine.describe()
    model = model_path()
    print(f"== bench on {about['cpu']} ({about['cores']} cores), model {model.name}", flush=True)

    triage, triage_load_seconds = load_triage()
    triage_figures = time_triage(triage, DEV_SET, passes=args.triage_passes)
    triage_figures["load_seconds"] = triage_load_seconds
    print(f"== triage: {triage_figures['mean_ms']:.2f} ms a message (mean)", flush=True)

    messages, dropped = dialogue_messages(DEV_SET, red_flag=_red_flag(triage))
    plan = ConversationPlan(messages, length=args.length)

    (ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=ROOT / "var") as tmp:
        workdir = Path(tmp)
        stack_dir = workdir / "stack"
        stack_dir.mkdir()
        with running_stack(stack_dir, model) as stack:
            levels = _schedule(plan, args)
            runs = asyncio.run(_measure_levels(stack, levels, args))
            memory = {
                name: vars(resident_memory(process.pid))
                for name, process in stack.processes.items()
            }
            print("== stages of a web-chat turn, one at a time, in-process", flush=True)
            first = 1 + max(c.number for level in levels for c in level.warmup + level.measured)
            stage_runs = STAGE_CONVERSATIONS // (5 if args.quick else 1)
            stages = asyncio.run(profile_web_chat(stack, plan.conversations(first, stage_runs)))
        if args.keep:
            kept = ROOT / "var/bench/last-stack"
            print(f"== logs kept in {kept}")
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(stack_dir, kept)
        training_figures: dict[str, float] | None = None
        if not args.no_training:
            print("== training cold, then warm", flush=True)
            train_dir = workdir / "train"
            train_dir.mkdir()
            training_figures = training.cold_and_warm(train_dir)

    latency, ratios = _latency_figures(runs, plan)
    results = report.Results(
        machine=about,
        model=str(model.relative_to(ROOT)) if model.is_relative_to(ROOT) else str(model),
        settings={
            "levels": list(args.levels),
            "turns_requested": list(args.turns),
            "conversation_length": args.length,
            "min_warmup_conversations": MIN_WARMUP,
            "max_seconds_per_column_and_level": args.max_seconds,
            "sms_poll_ms": POLL_SECONDS * 1000,
            "messages_in_workload": len(messages),
            "dev_set_lines_left_out": dropped,
            "practices": sorted(PRACTICE_FOR_AUDIENCE.values()),
            "headline_concurrency": HEADLINE_CONCURRENCY,
            "command": " ".join(["python -m bench.run", *arguments]) if arguments else "make bench",
        },
        latency=latency,
        ratios=ratios,
        memory=memory,
        triage=triage_figures,
        stages=stages,
        training=training_figures,
        duration_seconds=time.perf_counter() - started,
        load_average_at_end=machine.load_average(),
    )
    args.out.mkdir(parents=True, exist_ok=True)
    report.write(results, args.out)
    print(f"== wrote {args.out / 'benchmarks.md'} and benchmarks.json", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
