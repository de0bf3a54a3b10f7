"""The environment the production Rasa processes get (`python -m assistant rasa-env`): the
lock store taken apart from REDIS_URL, the action server's token, and no reports to Rasa's
makers."""

import pytest

from assistant.dialogue.rasa_endpoints import RasaEndpointsError, rasa_environment
from assistant.settings import Settings


def test_the_production_rasa_gets_the_lock_store_the_token_and_no_telemetry() -> None:
    settings = Settings(
        rasa_tracker_url="postgresql://postgres@127.0.0.1:5432/rasa_tracker",
        redis_url="redis://:se%40cret@127.0.0.1:6380/3",
        action_server_token="t" * 40,
        _env_file=None,  # type: ignore[call-arg]
    )

    variables = rasa_environment(settings)

    assert variables["RASA_TELEMETRY_ENABLED"] == "false"
    assert variables["ACTION_SERVER_TOKEN"] == "t" * 40
    assert (variables["RASA_LOCK_PORT"], variables["RASA_LOCK_DB"]) == ("6380", "3")
    assert variables["RASA_LOCK_PASSWORD"] == "se@cret"


def test_without_a_tracker_store_it_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_TRACKER_URL", raising=False)
    with pytest.raises(RasaEndpointsError, match="RASA_TRACKER_URL"):
        rasa_environment(Settings(redis_url="redis://127.0.0.1:6379/1", _env_file=None))  # type: ignore[call-arg]
