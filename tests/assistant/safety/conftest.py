"""One Triage per test module: building the medspacy pipelines takes about a second."""

import pytest

from assistant.safety import Triage


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.load()
