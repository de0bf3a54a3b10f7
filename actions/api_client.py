"""The one client the actions use: the api's internal endpoints, with the shared secret."""

import os
from typing import Any

import requests


class ApiError(Exception):
    """The api could not be reached or refused the request."""


class AssistantApi:
    def __init__(self, base_url: str, token: str, timeout: float = 5.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout

    @classmethod
    def from_environment(cls) -> "AssistantApi":
        # The action server is its own process in the Rasa environment, so it reads its
        # two settings here; the api reads the same variables through its Settings.
        return cls(
            os.environ.get("ASSISTANT_API_URL", "http://127.0.0.1:8000"),
            os.environ.get("INTERNAL_API_TOKEN", "local-dev-internal-token"),
        )

    def open_escalation(
        self, conversation_id: str, *, priority: str, category: str
    ) -> dict[str, Any]:
        return self._post(
            f"/internal/v1/conversations/{conversation_id}/escalations",
            {"priority": priority, "category": category},
        )

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = requests.post(
                self._base_url + path, json=body, headers=self._headers, timeout=self._timeout
            )
            response.raise_for_status()
            result: dict[str, Any] = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ApiError(f"{path}: {exc}") from exc
        return result


_api: AssistantApi | None = None


def get_api() -> AssistantApi:
    """Built on first use, not at import, so tests can point it elsewhere first."""
    global _api
    if _api is None:
        _api = AssistantApi.from_environment()
    return _api


def set_api(api: AssistantApi) -> None:
    global _api
    _api = api
