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
            os.environ.get("INTERNAL_API_URL", "http://127.0.0.1:8001"),
            os.environ.get("INTERNAL_API_TOKEN", "local-dev-internal-token"),
        )

    def open_escalation(
        self, conversation_id: str, *, priority: str, category: str
    ) -> dict[str, Any]:
        return self._post(
            f"/internal/v1/conversations/{conversation_id}/escalations",
            {"priority": priority, "category": category},
        )

    # Booking (api/routes/internal_booking.py). Visit details come back only for a verified
    # contact; the api answers 403 otherwise.

    def booking_context(self, conversation_id: str) -> dict[str, Any]:
        return self._call("GET", f"/internal/v1/conversations/{conversation_id}/booking", None)

    def check_identity(self, conversation_id: str, answer: str) -> str:
        path = f"/internal/v1/conversations/{conversation_id}/identity"
        return str(self._post(path, {"answer": answer})["identity"])

    def pick(self, conversation_id: str, *, text: str, what: str) -> Any:
        path = f"/internal/v1/conversations/{conversation_id}/booking/pick"
        return self._post(path, {"text": text, "what": what})["picked"]

    def answers(
        self, conversation_id: str, *, question: str, text: str, offer_times: list[str]
    ) -> bool:
        """Whether a reply answers the form's question; nothing is booked or verified."""
        path = f"/internal/v1/conversations/{conversation_id}/booking/answers"
        body = {"question": question, "text": text, "offer_times": offer_times}
        return bool(self._post(path, body)["answers"])

    def offers(
        self, conversation_id: str, *, type_code: str, when: str, hints: list[str]
    ) -> dict[str, Any]:
        """Times near `when` (the client's request or last answer), else the soonest."""
        path = f"/internal/v1/conversations/{conversation_id}/booking/offers"
        body = {"type_code": type_code, "when": when, "hints": hints, "soonest_if_unread": True}
        return self._post(path, body)

    def take_time(self, conversation_id: str, **request: Any) -> dict[str, Any]:
        path = f"/internal/v1/conversations/{conversation_id}/booking/time"
        return self._post(path, request)

    def cancel_visit(self, conversation_id: str, visit_id: int) -> dict[str, Any]:
        path = f"/internal/v1/conversations/{conversation_id}/visits/{visit_id}/cancel"
        return self._post(path, {})

    def confirm_visit(self, conversation_id: str, visit_id: int) -> dict[str, Any]:
        path = f"/internal/v1/conversations/{conversation_id}/visits/{visit_id}/confirm"
        return self._post(path, {})

    # Billing (api/routes/internal_billing.py): amounts only for a verified contact.

    def billing_need(self, conversation_id: str, text: str) -> str:
        """balance | itemized | insurance | records | other."""
        path = f"/internal/v1/conversations/{conversation_id}/billing/need"
        return str(self._post(path, {"text": text})["need"])

    def billing_answer(self, conversation_id: str, need: str) -> dict[str, Any]:
        path = f"/internal/v1/conversations/{conversation_id}/billing/answer"
        return self._post(path, {"need": need})

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", path, body)

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        try:
            response = requests.request(
                method,
                self._base_url + path,
                json=body,
                headers=self._headers,
                timeout=self._timeout,
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
