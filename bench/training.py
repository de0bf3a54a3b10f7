"""Wall time of `rasa train`: cold (an empty training cache) and warm (the same cache again,
data unchanged, so every component comes from the cache)."""

import os
import subprocess
import time
from pathlib import Path

from assistant.settings import ROOT

# Rasa 3.6 keeps trained components here (rasa/engine/caching.py); the default is ~/.rasa/cache.
CACHE_ENV = "RASA_CACHE_DIRECTORY"


def train_seconds(
    workdir: Path, name: str, cache: Path, config: Path = ROOT / "config.yml"
) -> float:
    """Train once into `workdir` with `cache` and `config`; the model file is
    `workdir/<name>.tar.gz`."""
    command = [
        str(ROOT / ".venv-rasa/bin/rasa"),
        "train",
        "--config",
        str(config),
        "--domain",
        "domain",
        "--data",
        "data",
        "--out",
        str(workdir),
        "--fixed-model-name",
        name,
        "--skip-validation",  # as `make train` (`make validate` checks the data)
    ]
    # As `make train`: no usage reports to Rasa's makers, and no SQLAlchemy 2.0 warning.
    env = {
        **os.environ,
        CACHE_ENV: str(cache),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    with open(workdir / f"{name}.log", "wb") as log:
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - started
    if done.returncode != 0 or not (workdir / f"{name}.tar.gz").exists():
        tail = (workdir / f"{name}.log").read_text(errors="replace").splitlines()[-30:]
        raise RuntimeError(f"rasa train {name} failed ({done.returncode}):\n" + "\n".join(tail))
    return seconds


def cold_and_warm(workdir: Path) -> dict[str, float]:
    """Cold then warm training time in seconds, with a fresh cache under `workdir`."""
    cache = workdir / "cache"
    cache.mkdir()
    cold = train_seconds(workdir, "bench-cold", cache)
    warm = train_seconds(workdir, "bench-warm", cache)
    return {"cold_seconds": cold, "warm_seconds": warm}
