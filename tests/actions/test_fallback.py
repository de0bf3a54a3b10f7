"""The two-stage fallback actions: a tracker built from a dict, a CollectingDispatcher, and
assertions on the response sent (these actions call no api)."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionAnswerSuggestion, ActionCoreFallback, ActionFallback


def user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def bot(template: str, **extra: str) -> dict[str, Any]:
    return {"event": "bot", "data": {"custom": {"template": template, "route": "x", **extra}}}


def unclear(
    text: str, second_intent: str, faq_key: str | None = None, answer_confidence: float = 0.5
) -> dict[str, Any]:
    """Parse data as the FallbackClassifier leaves it: nlu_fallback first, then the guesses."""
    message: dict[str, Any] = {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.55},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.55},
            {"name": second_intent, "confidence": 0.41},
            {"name": "greet", "confidence": 0.2},
        ],
    }
    if faq_key:
        key = f"faq/{faq_key}"
        message["response_selector"] = {
            "faq": {
                "response": {"intent_response_key": key, "confidence": answer_confidence},
                "ranking": [{"intent_response_key": key, "confidence": answer_confidence}],
            }
        }
    return message


# The FAQ responses as domain/faq.yml has them: the kinds of practice each can be sent to.
DOMAIN = {
    "responses": {
        "utter_faq/shower_after_surgery": [{"custom": {"kinds": ["human"]}}],
        "utter_faq/hours": [{"custom": {"kinds": ["human", "veterinary"]}}],
        "utter_faq/e_collar": [{"custom": {"kinds": ["veterinary"]}}],
    }
}


def run(
    action: Action,
    latest: dict[str, Any],
    history: list[dict[str, Any]],
    returns: list | None = None,
) -> list[dict]:
    user_event = {"event": "user", "text": latest["text"], "parse_data": latest}
    events = [*history, {**user_event, "metadata": {"kind": "human"}}]
    tracker = Tracker.from_dict(
        {
            "sender_id": "c1",
            "slots": {},
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )
    dispatcher = CollectingDispatcher()
    assert action.run(dispatcher, tracker, domain=DOMAIN) == ([] if returns is None else returns)
    return [{k: v for k, v in m.items() if k in ("response", "topic")} for m in dispatcher.messages]


def test_first_unclear_message_about_an_faq_asks_did_you_mean() -> None:
    sent = run(ActionFallback(), unclear("wen can i shwr", "faq", "shower_after_surgery"), [])

    assert sent == [{"response": "utter_did_you_mean", "topic": "faq.shower_after_surgery"}]


def test_unclear_message_the_faq_selector_is_sure_of_gets_its_answer() -> None:
    # The intents were unsure (any second guess but a clinical one), the FAQ answer was not.
    for second in ("faq", "grief", "greet"):
        latest = unclear("wat time u guys open sat", second, "hours", answer_confidence=0.85)
        assert run(ActionFallback(), latest, []) == [{"response": "utter_faq/hours"}]


def test_unclear_message_the_faq_selector_is_fairly_sure_of_still_asks() -> None:
    latest = unclear("wen can i shwr", "faq", "shower_after_surgery", answer_confidence=0.79)

    sent = run(ActionFallback(), latest, [])

    assert sent == [{"response": "utter_did_you_mean", "topic": "faq.shower_after_surgery"}]


def test_unclear_clinical_message_goes_to_a_nurse_however_sure_the_faq_answer() -> None:
    latest = unclear("shes not herself since the shwr", "report_symptom", "hours", 0.95)

    assert run(ActionFallback(), latest, []) == [{"response": "utter_nurse_will_answer"}]


def test_a_sure_answer_for_a_kind_that_lacks_it_is_not_sent() -> None:
    # The client is at a surgical practice; the pet answer ranked first is skipped.
    latest = unclear("wen can i shwr", "faq", "shower_after_surgery", answer_confidence=0.9)
    latest["response_selector"]["faq"]["ranking"].insert(
        0, {"intent_response_key": "faq/e_collar", "confidence": 0.95}
    )

    sent = run(ActionFallback(), latest, [])

    assert sent == [{"response": "utter_faq/shower_after_surgery"}]


def test_first_unclear_message_with_no_faq_guess_asks_to_rephrase() -> None:
    sent = run(ActionFallback(), unclear("blorp", "greet"), [bot("greet.hello")])

    assert sent == [{"response": "utter_please_rephrase"}]


def test_unclear_message_that_looks_clinical_goes_to_a_nurse() -> None:
    sent = run(ActionFallback(), unclear("shes just not herself", "report_symptom"), [])

    assert sent == [{"response": "utter_nurse_will_answer"}]


def test_unclear_message_with_a_clinical_second_guess_goes_to_a_nurse() -> None:
    # "unclear" puts the second guess at 0.41 under nlu_fallback, then "greet" at 0.2.
    latest = unclear("shes been off since the vet visit", "grief")
    latest["intent_ranking"][2] = {"name": "clinical_question", "confidence": 0.38}

    assert run(ActionFallback(), latest, []) == [{"response": "utter_nurse_will_answer"}]


def test_a_clinical_third_guess_does_not_send_an_faq_question_to_a_nurse() -> None:
    latest = unclear("wen can i shwr", "faq", "shower_after_surgery")
    latest["intent_ranking"].append({"name": "report_symptom", "confidence": 0.1})

    sent = run(ActionFallback(), latest, [])

    assert sent == [{"response": "utter_did_you_mean", "topic": "faq.shower_after_surgery"}]


def test_second_unclear_message_in_a_row_hands_over_to_a_person() -> None:
    for asked in (bot("fallback.did_you_mean", topic="faq.hours"), bot("fallback.rephrase")):
        history = [user("blorp", "nlu_fallback"), asked]

        sent = run(ActionFallback(), unclear("zzz", "faq", "hours"), history)

        assert sent == [{"response": "utter_fallback_handoff"}]


def test_second_unclear_message_that_may_be_clinical_goes_to_a_nurse() -> None:
    # Not the routine hand-off, which waits for the next business day.
    history = [user("blorp", "nlu_fallback"), bot("fallback.rephrase")]
    latest = unclear("her eye still looks weird", "grief")
    latest["intent_ranking"][2] = {"name": "report_symptom", "confidence": 0.38}

    assert run(ActionFallback(), latest, history) == [{"response": "utter_nurse_will_answer"}]


def test_core_fallback_hands_a_second_unclear_message_to_a_person_and_listens_again() -> None:
    # Words the NLU was sure of ("inform") where the dialogue has no next step.
    understood = {"text": "lorem ipsum", "intent": {"name": "inform", "confidence": 0.9}}
    reverted = [{"event": "rewind", "timestamp": None}]

    first = run(ActionCoreFallback(), understood, [bot("greet.hello")], returns=reverted)
    second = run(
        ActionCoreFallback(),
        understood,
        [user("qwxz", "inform"), bot("fallback.rephrase")],
        returns=reverted,
    )

    assert first == [{"response": "utter_please_rephrase"}]
    assert second == [{"response": "utter_fallback_handoff"}]


def test_yes_to_did_you_mean_sends_the_suggested_answer() -> None:
    history = [user("wen open", "nlu_fallback"), bot("fallback.did_you_mean", topic="faq.hours")]

    sent = run(ActionAnswerSuggestion(), {"text": "yes", "intent": {"name": "affirm"}}, history)

    assert sent == [{"response": "utter_faq/hours"}]


def test_no_to_did_you_mean_asks_to_rephrase() -> None:
    history = [user("wen open", "nlu_fallback"), bot("fallback.did_you_mean", topic="faq.hours")]

    sent = run(ActionAnswerSuggestion(), {"text": "nope", "intent": {"name": "deny"}}, history)

    assert sent == [{"response": "utter_please_rephrase"}]


def test_yes_out_of_the_blue_is_just_acknowledged() -> None:
    history = [user("hi", "greet"), bot("greet.hello")]

    sent = run(ActionAnswerSuggestion(), {"text": "yes", "intent": {"name": "affirm"}}, history)

    assert sent == [{"response": "utter_acknowledge"}]
