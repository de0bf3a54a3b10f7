"""`make lint`'s architecture check (import-linter, `[tool.importlinter]` in pyproject.toml)
passes on the code as it is, and fails, naming the import, when a package imports a layer above
it or two modules of one package import each other. Run on a copy, so the repo is untouched."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for package in ("assistant", "api"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "protocols", "*.yml"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def check(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120
    )


def test_the_code_keeps_its_layers(copy: Path) -> None:
    done = check(copy)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_upward_import_fails_and_is_named(copy: Path) -> None:
    # The outbox (delivery) reaching up into the conversation turn that uses it.
    with open(copy / "assistant" / "messaging" / "outbox.py", "a") as module:
        module.write("\nfrom assistant.conversation import turn  # noqa\n")

    done = check(copy)

    assert done.returncode != 0
    assert "assistant.messaging is not allowed to import assistant.conversation" in done.stdout


def test_a_circle_inside_a_package_fails(copy: Path) -> None:
    # Protocol definitions are apart from booking so that neither imports the other.
    with open(copy / "assistant" / "scheduling" / "protocol_definitions.py", "a") as module:
        module.write("\nfrom assistant.scheduling import booking  # noqa\n")

    done = check(copy)

    assert done.returncode != 0
    assert "No cycles are allowed in assistant.scheduling" in done.stdout
