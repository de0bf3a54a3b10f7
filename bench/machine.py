"""What the figures were measured on: CPU, cores, memory, OS and versions, from /proc."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from assistant.settings import ROOT


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def _command_output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


def describe() -> dict[str, str | int | float]:
    """The machine and software the run used."""
    memory_kb = int(_first("/proc/meminfo", "MemTotal").split()[0] or 0)
    rasa_python = str(ROOT / ".venv-rasa/bin/python")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count() or 0,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": f"{_os_name()}, Linux {platform.release()}",
        "load_average_at_start": load_average(),
        "app_python": platform.python_version(),
        "rasa_python": _command_output(
            [rasa_python, "-c", "import platform; print(platform.python_version())"]
        ),
        "rasa": _command_output(
            [rasa_python, "-c", "import importlib.metadata as m; print(m.version('rasa'))"]
        ),
        "rasa_sdk": _command_output(
            [rasa_python, "-c", "import importlib.metadata as m; print(m.version('rasa-sdk'))"]
        ),
        "git_commit": _command_output(["git", "rev-parse", "--short", "HEAD"]),
        # Files changed but not committed (bench/ itself counts while it is new).
        "git_uncommitted_files": _changed_files(),
    }


def load_average() -> float:
    """The 1-minute load average: other work on the machine skews the figures."""
    return round(os.getloadavg()[0], 2)


def _changed_files() -> int:
    status = _command_output(["git", "status", "--porcelain"])
    return 0 if status == "unknown" else len(status.splitlines())
