"""docs/benchmarks.md and docs/benchmarks.json from one run's figures."""

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import cold

COLUMN_NAMES = {
    "bare_rasa": "bare Rasa (REST channel)",
    "web_chat": "web chat (full stack)",
    "sms": "SMS (full stack, signed Twilio webhook to outbox row)",
}

STAGE_NAMES = {
    "total": "whole request",
    "triage": "safety triage",
    "rasa": "Rasa call (NLU, policies, actions and their calls to the api)",
    "sql": "SQL statements",
    "commit": "SQLite commits",
    "rest": "the rest (FastAPI, pydantic, ORM, templates)",
}


@dataclass(frozen=True)
class Results:
    machine: dict[str, Any]
    model: str
    settings: dict[str, Any]
    latency: dict[str, dict[str, Any]]  # column -> concurrency -> figures
    ratios: dict[str, dict[str, Any]]  # web_chat|sms -> concurrency -> ratios
    memory: dict[str, dict[str, Any]]  # process -> figures
    triage: dict[str, Any]
    stages: dict[str, Any]  # where a web-chat turn's time goes (bench.stages)
    training: dict[str, float] | None
    duration_seconds: float
    load_average_at_end: float

    def headline(self) -> dict[str, float | None]:
        """The three figures the performance goal is stated in: web chat over bare Rasa."""
        at = self.ratios.get("web_chat", {}).get(str(self.settings["headline_concurrency"]), {})
        return {
            "p50_ratio": at.get("p50"),
            "p95_ratio": at.get("p95"),
            "throughput_ratio_c10": at.get("throughput"),
        }


def _clean(value: Any) -> Any:
    """JSON has no NaN: missing figures become null; floats are rounded for reading."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def as_json(results: Results) -> str:
    document = {
        **results.headline(),
        "ratio_basis": (
            "web chat over bare Rasa REST, same Rasa process and messages, at concurrency "
            f"{results.settings['headline_concurrency']}; latency ratios are p50 and p95 turn "
            "latency, throughput_ratio is answered turns per second"
        ),
        "machine": results.machine,
        "model": results.model,
        "settings": results.settings,
        "latency": results.latency,
        "ratios": results.ratios,
        "memory_mb": results.memory,
        "triage": results.triage,
        "web_chat_stages": results.stages,
        "training": results.training,
        "duration_seconds": results.duration_seconds,
        "load_average_at_end": results.load_average_at_end,
    }
    return json.dumps(_clean(document), indent=2) + "\n"


def _ms(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.0f}"


def _ms1(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.1f}"


def _x(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.2f}"


def _latency_table(results: Results) -> list[str]:
    lines = [
        "| column | concurrency | turns | errors | p50 ms | p95 ms | p99 ms | mean ms | turns/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for column, levels in results.latency.items():
        for level, f in levels.items():
            short = " (time limit)" if f["cut_short"] else ""
            lines.append(
                f"| {COLUMN_NAMES.get(column, column)} | {level} | {f['turns']}{short}"
                f" | {f['errors']}"
                f" | {_ms(f['p50_ms'])} | {_ms(f['p95_ms'])} | {_ms(f['p99_ms'])}"
                f" | {_ms(f['mean_ms'])} | {f['throughput']:.2f} |"
            )
    kinds = {
        f"{COLUMN_NAMES.get(column, column)} at {level}: {kind} ({count})"
        for column, levels in results.latency.items()
        for level, f in levels.items()
        for kind, count in f["error_kinds"].items()
    }
    if kinds:
        lines += [
            "",
            "Errors: " + "; ".join(sorted(kinds)) + ". (HTTP 500: the api failed, see its log;"
            " ReadError: the api closed the connection without an answer; ReadTimeout: no"
            " answer in 60 s; technical-problem reply: the api's call to Rasa failed or took"
            " longer than its 20 s timeout.)",
        ]
    return lines


def _ratio_table(results: Results) -> list[str]:
    lines = [
        "| full stack column | concurrency | p50 ratio | p95 ratio | p99 ratio | throughput ratio"
        " | p50 added ms | same templates |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for column, levels in results.ratios.items():
        for level, r in levels.items():
            lines.append(
                f"| {COLUMN_NAMES.get(column, column)} | {level} | {_x(r['p50'])} | {_x(r['p95'])}"
                f" | {_x(r['p99'])} | {_x(r['throughput'])} | {_ms(r['p50_added_ms'])}"
                f" | {r['same_templates'] * 100:.0f}% |"
            )
    return lines


def as_markdown(results: Results) -> str:
    m, s, t = results.machine, results.settings, results.triage
    head = results.headline()
    levels = ", ".join(str(level) for level in s["levels"])
    length = s["conversation_length"]  # whole conversations: the count rounds up
    turns = ", ".join(
        f"{math.ceil(count / length) * length} at {level}"
        for level, count in zip(s["levels"], s["turns_requested"], strict=True)
    )
    lines = [
        "# Benchmarks: the full stack against bare Rasa",
        "",
        f"`{s['command']}` on {m['date']}, model `{results.model}`, commit `{m['git_commit']}`"
        f" ({m['git_uncommitted_files']} files uncommitted);"
        f" the run took {results.duration_seconds / 60:.1f} minutes.",
        "",
        "| machine | |",
        "|---|---|",
        f"| CPU | {m['cpu']}, {m['cores']} cores |",
        f"| memory | {m['memory_gb']} GB |",
        f"| OS | {m['os']} |",
        f"| Python | {m['app_python']} (api, bench), {m['rasa_python']} (Rasa) |",
        f"| Rasa | {m['rasa']}, rasa-sdk {m['rasa_sdk']} |",
        f"| load average (1 min) | {m['load_average_at_start']} at start,"
        f" {results.load_average_at_end} at end |",
        "",
        f"## Headline (web chat over bare Rasa at concurrency {s['headline_concurrency']})",
        "",
        f"- `p50_ratio` {_x(head['p50_ratio'])} and `p95_ratio` {_x(head['p95_ratio'])}"
        " (goal: at most 1.25)",
        f"- `throughput_ratio_c10` {_x(head['throughput_ratio_c10'])} (goal: at least 0.8)",
        "",
        "The c1 rows show the fixed cost the stack adds to every turn; at higher concurrency"
        " the queue in front of the single Rasa process dominates both columns.",
        "",
        "## Turn latency and throughput",
        "",
        *_latency_table(results),
        "",
        "## Full stack over bare Rasa, at the same concurrency",
        "",
        'Latency ratios: lower is better; throughput ratio: higher is better. "Same templates":'
        " the share of turns where the stack sent exactly the templates bare Rasa named for the"
        " same message (see below for why it is not 100%).",
        "",
        *_ratio_table(results),
        "",
        "## Where a web-chat turn's time goes",
        "",
        f"{results.stages['turns']} web-chat turns one at a time, after the load, through the"
        " api built in the bench's own process on the same database and Rasa, with each stage"
        " timed from outside the api's code (`bench/stages.py`):",
        "",
        "| stage | mean ms | p50 ms |",
        "|---|---:|---:|",
        *(
            f"| {STAGE_NAMES.get(name, name)} | {_ms1(f['mean_ms'])} | {_ms1(f['p50_ms'])} |"
            for name, f in results.stages["stages"].items()
        ),
        "",
        "## Resident memory after the runs",
        "",
        "| process | processes | RSS MB | PSS MB |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {f['processes']} | {f['rss_mb']:.0f} | {f['pss_mb']:.0f} |"
            for name, f in results.memory.items()
        ),
        "",
        "RSS is VmRSS from `/proc/<pid>/status`, summed over the process and its children;"
        " PSS (from `smaps_rollup`) splits shared pages between their users.",
        "",
        "## Safety triage, per message (in-process)",
        "",
        f"`Triage.assess` over the {t['messages']} dev-set texts, {t['passes']} passes after"
        f" a warm-up: mean {t['mean_ms']:.2f} ms, p50 {t['p50_ms']:.2f} ms,"
        f" p95 {t['p95_ms']:.2f} ms, p99 {t['p99_ms']:.2f} ms, max {t['max_ms']:.1f} ms."
        f" Loading it (`Triage.load()`) took {t['load_seconds']:.1f} s.",
        "",
        "## Training",
        "",
    ]
    if results.training:
        lines += [
            "| run | wall time |",
            "|---|---:|",
            f"| cold: empty cache | {results.training['cold_seconds']:.0f} s |",
            f"| warm: same cache, data unchanged | {results.training['warm_seconds']:.0f} s |",
            "",
            "`.venv-rasa/bin/rasa train --config config.yml --domain domain --data data` into a"
            " temporary `--out` with `--fixed-model-name`, `RASA_CACHE_DIRECTORY` pointing at a"
            " fresh cache for the cold run and at the same cache for the warm run.",
        ]
    else:
        lines += ["Not measured in this run (`--no-training` or `--quick`)."]
    lines += [
        "",
        "## How it is measured",
        "",
        "- One stack (rasa, actions, api: the Procfile's commands) on a fresh SQLite database"
        " and Rasa's SQLite tracker store, with the api's background jobs on their defaults"
        " (outbox every 2 s, SLA check every 30 s, inbox sweep every 5 s) except the outreach"
        " scheduler (`OUTREACH_POLL_SECONDS=0`, no proactive messages).",
        "- Three columns on that one stack, at each concurrency one after another in this order:"
        " bare Rasa (`POST /webhooks/rest/webhook` with"
        ' `{"sender", "message", "metadata": {"practice", "kind"}}`, as the api sends it, to'
        " the same Rasa process), web chat (`POST /api/v1/chat/{practice}/messages`, the turn is"
        " the request) and SMS (a signed Twilio webhook `POST /twilio/sms`; the turn ends when"
        f" the reply row is in `outbox_message`, found by polling the SQLite database read-only"
        f" every {s['sms_poll_ms']:.0f} ms, so SMS latency includes up to that much).",
        f"- Concurrency {levels}: that many conversations at a time, each a distinct sender"
        f" sending {s['conversation_length']} messages one after another (the next only after"
        " the reply); a finished conversation is replaced by the next. Measured turns per"
        f" level: {turns}. Throughput is answered turns per second of wall time, first message"
        " sent to last reply; latency percentiles are over answered turns (linear"
        " interpolation between ranks). An error is a failed request, a timeout (60 s), no"
        " reply in the outbox within 60 s, or the stack's technical-problem reply (Rasa failed"
        " or was too slow). A column stops sending after"
        f' {s["max_seconds_per_column_and_level"]:.0f} s at one level ("time limit" in the'
        " table), and the next column starts once the api's `/health` answers quickly again.",
        f"- Warm-up: before every measured run, max({s['min_warmup_conversations']},"
        " concurrency) other conversations of one message each, at that concurrency, not"
        " counted.",
        f"- Messages: the dev set (`tests/data/dev_set.jsonl`) in file order, keeping the"
        f" {s['messages_in_workload']} lines the stack hands to Rasa, alternating the veterinary"
        " and the surgical demo practice. Left out"
        f" ({s['dev_set_lines_left_out']} lines): expected route emergency, urgent or optout,"
        " carrier keywords (STOP, HELP) and texts the stack's triage flags, because the stack"
        " answers those from its rules without Rasa. Every column gets the same conversations,"
        " in the same order.",
        "- Senders: fresh strings for bare Rasa and web chat; for SMS numbers +1312555xxxx that"
        " the demo data does not know, so no column meets the identity flow of a known client.",
        "- Bare Rasa's sender ids are web-chat conversations started in the api's database"
        " before the run: the actions call the api's internal endpoints with Rasa's sender id,"
        " and with an id the api does not know booking and billing actions fail and Rasa"
        " answers `[]`. So every column does the same dialogue work, actions and their calls"
        ' back to the api included. "Same templates" checks it; where it is below 100% the'
        " stack replaced a Rasa answer by rule (a clinical question or a request for a person"
        " gets the nurse template) or a dialogue ran differently.",
        "- The load generator (Python, httpx with asyncio) runs on the same machine and takes"
        " some of its CPU.",
        "",
    ]
    return "\n".join(lines)


def write(results: Results, folder: Path) -> None:
    """Write both files, keeping the fresh-clone figures `python -m bench.cold` put there."""
    json_path, md_path = folder / "benchmarks.json", folder / "benchmarks.md"
    document = json.loads(as_json(results))
    if json_path.exists():
        earlier = json.loads(json_path.read_text())
        document.update({k: earlier[k] for k in (*cold.FIGURE_KEYS, "cold_start") if k in earlier})
    markdown = as_markdown(results)
    section = cold.kept_section(md_path.read_text()) if md_path.exists() else None
    if section:
        markdown = cold.with_section(markdown, section)
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    md_path.write_text(markdown)
