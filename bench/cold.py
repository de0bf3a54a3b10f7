"""`python -m bench.cold`: what a new user and CI wait for, measured from fresh clones.

- `setup_cold_s`: `make setup` in a fresh clone with an empty pip cache (every package from
  the registry);
- `train_cold_s`: then `make train` with an empty Rasa training cache;
- `first_reply_cold_s`: from the start of `make setup` until `make run` (started once the
  model is trained) has answered a web-chat message: what `make run` on a fresh clone costs;
- `ci_cold_s`: `.ci/run` in a second fresh clone, with empty pip and Rasa caches.

The clones are of the committed `HEAD`; uncommitted changes are not measured. The figures go
into `docs/benchmarks.json` (top-level keys) and a section of `docs/benchmarks.md`, which
`make bench` (bench.run) keeps when it rewrites the rest.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import ROOT
from bench import machine

# Ports `make run` listens on (Procfile): the measurement needs them free.
RUN_PORTS = (8000, 5005, 5055)
FIRST_REPLY_TIMEOUT = 1800.0
API = "http://127.0.0.1:8000"
FIRST_QUESTION = "what time do you open on saturday"
SECTION_START = "<!-- cold start: bench/cold.py -->"
SECTION_END = "<!-- end of cold start -->"
FIGURE_KEYS = ("setup_cold_s", "train_cold_s", "first_reply_cold_s", "ci_cold_s")


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _fresh_clone(workdir: Path, name: str) -> tuple[Path, dict[str, str]]:
    """A clone of HEAD in `workdir/name`, and an environment with empty caches for it."""
    clone = workdir / name
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    caches = workdir / f"{name}-caches"
    env = {
        **os.environ,
        "PIP_CACHE_DIR": str(caches / "pip"),
        "RASA_CACHE_DIRECTORY": str(caches / "rasa"),
    }
    # A model or setting from this shell must not leak into the clone's make.
    for name_ in ("MODEL", "DATABASE_URL", "VIRTUAL_ENV"):
        env.pop(name_, None)
    return clone, env


def _timed(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    print(f"== {' '.join(command)} in {cwd}", flush=True)
    started = time.perf_counter()
    with open(log, "wb") as out:
        done = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{tail}")
    print(f"   {seconds:.0f} s", flush=True)
    return seconds


def _first_reply(clone: Path, env: dict[str, str], log: Path) -> float:
    """Start `make run` and return the seconds until a web-chat message is answered."""
    print(f"== make run in {clone}, until the first answered message", flush=True)
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while time.perf_counter() - started < FIRST_REPLY_TIMEOUT:
            if process.poll() is not None:
                raise SystemExit(f"make run exited with {process.returncode}; see {log}")
            try:
                if _answered():
                    seconds = time.perf_counter() - started
                    print(f"   {seconds:.0f} s", flush=True)
                    return seconds
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise SystemExit(f"no answer from make run within {FIRST_REPLY_TIMEOUT:.0f} s")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _answered() -> bool:
    """True once the assistant answers a question through Rasa: the api alone answers
    sooner, with the technical-problem template, while Rasa is still loading."""
    if httpx.get(f"{API}/health", timeout=10).status_code != 200:
        return False
    response = httpx.post(
        f"{API}/api/v1/chat/cedar-vet-oncology/messages",
        json={"text": FIRST_QUESTION},
        timeout=30,
    )
    if response.status_code != 200:
        return False
    templates = [reply["template_id"] for reply in response.json().get("replies") or []]
    return bool(templates) and not any("technical_problem" in t for t in templates)


def _test_counts(log: Path) -> list[str]:
    """pytest's closing lines ("1084 passed in 485.10s") from a `.ci/run` log."""
    pattern = re.compile(r"=+ (.* in [\d.]+s.*) =+")
    return [m.group(1) for m in pattern.finditer(log.read_text(errors="replace"))]


def measure(workdir: Path) -> dict[str, Any]:
    busy = [port for port in RUN_PORTS if _port_in_use(port)]
    if busy:
        raise SystemExit(f"ports {busy} are in use: stop `make run` before measuring a cold start")
    about = machine.describe()
    clone, env = _fresh_clone(workdir, "run")
    setup = _timed(["make", "setup"], clone, env, workdir / "setup.log")
    train = _timed(["make", "train"], clone, env, workdir / "train.log")
    serve = _first_reply(clone, env, workdir / "run.log")
    shutil.rmtree(clone)
    ci_clone, ci_env = _fresh_clone(workdir, "ci")
    ci = _timed([".ci/run"], ci_clone, ci_env, workdir / "ci.log")
    return {
        "machine": about,
        "setup_cold_s": round(setup, 1),
        "train_cold_s": round(train, 1),
        "first_reply_cold_s": round(setup + train + serve, 1),
        "ci_cold_s": round(ci, 1),
        "ci_test_counts": _test_counts(workdir / "ci.log"),
    }


def as_markdown(cold: dict[str, Any]) -> str:
    about = cold["machine"]
    counts = "; ".join(cold["ci_test_counts"]) or "not found in the log"
    return "\n".join(
        [
            SECTION_START,
            "## From a fresh clone",
            "",
            f"{about['date']}, commit {about['git_commit']}, {about['cores']} cores"
            f" ({about['cpu']}), {about['memory_gb']} GB; `python -m bench.cold`.",
            "",
            "| step | wall time |",
            "|---|---:|",
            f"| `make setup` (empty pip cache) | {cold['setup_cold_s']:.0f} s |",
            f"| `make train` (empty Rasa cache) | {cold['train_cold_s']:.0f} s |",
            "| fresh clone to the first answered message with `make run`"
            f" | {cold['first_reply_cold_s']:.0f} s |",
            f"| `.ci/run` in another fresh clone (empty caches) | {cold['ci_cold_s']:.0f} s |",
            "",
            f"pytest in that `.ci/run`: {counts}.",
            "",
            "The first-reply figure is `make setup` plus `make train` plus `make run` until"
            " `/health` is all ok and"
            f' "{FIRST_QUESTION}" sent to `POST /api/v1/chat/cedar-vet-oncology/messages`'
            " gets an answer from the dialogue (not the technical-problem template the api sends"
            " while Rasa is still loading); `make run` does the same two steps first, so this is"
            " what a new user waits for.",
            SECTION_END,
            "",
        ]
    )


def merge_into(folder: Path, cold: dict[str, Any]) -> None:
    """Put the cold figures into benchmarks.json and their section into benchmarks.md."""
    json_path, md_path = folder / "benchmarks.json", folder / "benchmarks.md"
    document = json.loads(json_path.read_text()) if json_path.exists() else {}
    document.update({key: cold[key] for key in FIGURE_KEYS})
    document["cold_start"] = cold
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    text = md_path.read_text() if md_path.exists() else "# Benchmarks\n"
    md_path.write_text(with_section(text, as_markdown(cold)))


def with_section(text: str, section: str) -> str:
    """`text` with its cold-start section replaced by `section` (appended if it has none)."""
    if SECTION_START in text and SECTION_END in text:
        before = text.split(SECTION_START, 1)[0]
        after = text.split(SECTION_END, 1)[1].lstrip("\n")
        return before + section + ("\n" + after if after else "")
    return text.rstrip("\n") + "\n\n" + section


def kept_section(text: str) -> str | None:
    """The cold-start section of an existing benchmarks.md, if it has one."""
    if SECTION_START in text and SECTION_END in text:
        inner = text.split(SECTION_START, 1)[1].split(SECTION_END, 1)[0]
        return SECTION_START + inner + SECTION_END + "\n"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder of benchmarks.*")
    args = parser.parse_args(argv)
    # The clones and their logs are removed only after a good measurement: a failed step's
    # log is what the next person needs.
    workdir = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    try:
        cold = measure(workdir)
    except BaseException:
        print(f"the logs are kept in {workdir}", flush=True)
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    merge_into(args.out, cold)
    print(json.dumps({key: cold[key] for key in FIGURE_KEYS}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
