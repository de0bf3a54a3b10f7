"""Run the project's own processes for tests: free ports, a prepared database, the api.

Standard library only, so the Rasa environment's action tests can use it too.
"""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def trained_model() -> Path:
    """The model `make train` built (MODEL from the Makefile), else the newest in models/."""
    if os.environ.get("MODEL"):
        return ROOT / os.environ["MODEL"]
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained model: run `make train`")
    return models[-1]


# What `make run` uses (endpoints.yml); the stacks pass ACTION_SERVER_TOKEN to the actions.
ACTION_SERVER_TOKEN = "local-dev-action-token"


def private_endpoints(workdir: Path, actions_port: int, token: str = ACTION_SERVER_TOKEN) -> Path:
    """An endpoints file for a stack of its own: its action server (and the token it wants), a
    tracker store in `workdir`."""
    path = workdir / "endpoints.yml"
    path.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        f'  headers:\n    Authorization: "Bearer {token}"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: {workdir / "tracker.db"}\n'
    )
    return path


def rasa_command(
    port: int, model: Path, endpoints: Path | str, token: str | None = None
) -> list[str]:
    """`rasa run` as the Procfile starts it, on `port` (with Procfile.prod's `--auth-token`
    when a token is given)."""
    return [
        str(RASA),
        "run",
        "--enable-api",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        "credentials.yml",
        # One argument with "=": a token that begins with "-" (1 in 64 of token_urlsafe) would
        # otherwise be read as an option, and Rasa would not start.
        *([f"--auth-token={token}"] if token else []),
    ]


def actions_command(port: int) -> list[str]:
    """The action server as the Procfile starts it (it wants ACTION_SERVER_TOKEN)."""
    return [str(RASA_PYTHON), "-m", "actions.serve", "--actions", "actions", "-p", str(port)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_environment(database: Path, **settings: str) -> dict[str, str]:
    """This process's environment, pointed at a private SQLite database, as a developer's
    machine (development secrets and dry-run SMS signatures accepted) unless `settings`
    says otherwise."""
    return {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": f"sqlite:///{database}",
        "RASA_TELEMETRY_ENABLED": "false",  # as the Makefile: nothing leaves the machine
        # Tests open many cases from new web chats on 127.0.0.1, as `make eval` does.
        "WEB_CASES_PER_ADDRESS": "100000/hour",
        **settings,
    }


def prepare_database(env: dict[str, str]) -> None:
    """Migrate and load the demo practices, as `make run` does."""
    subprocess.run(
        [str(APP_PYTHON), "-m", "assistant", "prepare-db"], cwd=ROOT, env=env, check=True
    )


def start(
    name: str, command: list[str], env: dict[str, str], logs: Path
) -> subprocess.Popen[bytes]:
    """Start a process from the repo root with its output in `logs/<name>.log`."""
    with open(logs / f"{name}.log", "wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def api_command(port: int) -> list[str]:
    return _uvicorn("api.main:create_app", port)


def internal_api_command(port: int) -> list[str]:
    """The action server's listener, as the Procfile starts it."""
    return _uvicorn("api.internal_main:create_internal_app", port)


def _uvicorn(factory: str, port: int) -> list[str]:
    return [
        str(ROOT / ".venv/bin/uvicorn"),
        factory,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def wait_for(
    url: str, processes: dict[str, subprocess.Popen[bytes]], logs: Path, timeout: float
) -> None:
    """Poll `url` until it answers 200; fail early, with the logs, if a process dies."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}\n{tail(logs)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
        except OSError as exc:
            last = str(exc)
        time.sleep(1)
    raise AssertionError(f"{url} not ready after {timeout:.0f} s ({last})\n{tail(logs)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def tail(logs: Path, lines: int = 40) -> str:
    return "\n".join(
        f"--- {log.name} (last {lines} lines)\n"
        + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        for log in sorted(logs.glob("*.log"))
    )


@contextmanager
def running_api(workdir: Path, **settings: str) -> Iterator[str]:
    """An api process on a fresh demo database in `workdir`; yields its base URL."""
    with _running("api", api_command, "/api/v1/practices", workdir, settings) as url:
        yield url


@contextmanager
def running_internal_api(workdir: Path, **settings: str) -> Iterator[str]:
    """The action server's listener on a fresh demo database in `workdir`; yields its base
    URL."""
    with _running("internal", internal_api_command, "/internal/health", workdir, settings) as url:
        yield url


@contextmanager
def _running(
    name: str,
    command: Callable[[int], list[str]],
    ready_path: str,
    workdir: Path,
    settings: dict[str, str],
) -> Iterator[str]:
    port = free_port()
    env = app_environment(workdir / "assistant.db", **settings)
    prepare_database(env)
    process = start(name, command(port), env, workdir)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}{ready_path}", {name: process}, workdir, timeout=120)
        yield url
    finally:
        stop(process)
