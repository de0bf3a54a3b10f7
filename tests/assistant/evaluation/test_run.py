"""The evaluation command: earlier messages of a conversation, and a sealed set's scores
printed without its words."""

import json
from pathlib import Path

import httpx
import pytest

from assistant.evaluation import run
from assistant.evaluation.metrics import Outcome, score


def test_earlier_messages_go_first_in_the_same_conversation_and_the_last_reply_is_scored() -> None:
    sent: list[tuple[str, str]] = []

    def api(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append((body.get("chat_token"), body["text"]))
        route = "urgent" if "bleeding" in body["text"] else "other"
        return httpx.Response(200, json={"chat_token": "chat-1", "route": route, "replies": []})

    item = {
        "text": "now its bleeding through the dressing",
        "before": ["hi", "i had surgery tuesday"],
        "audience": "human",
        "route": "emergency",
        "category": "operation-complication",
    }

    report = run.evaluate([item], "http://api.test", transport=httpx.MockTransport(api))

    assert [text for _, text in sent] == ["hi", "i had surgery tuesday", item["text"]]
    # The first message starts a chat; the others carry the token its answer gave.
    assert [token for token, _ in sent] == [None, "chat-1", "chat-1"]
    assert report.outcomes[0].got == "urgent" and len(report.under_triage) == 1
    assert report.by_category()[0].category == "operation-complication"


def test_several_chats_at_once_keep_each_conversation_and_the_files_order() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        # Each conversation's token is its first message: a later one must carry its own.
        token = body.get("chat_token") or body["text"]
        route = "faq" if token.startswith("faq") else "booking"
        return httpx.Response(200, json={"chat_token": token, "route": route, "replies": []})

    items = [
        {"text": f"{route} {n}", "audience": "vet", "route": route, "before": [f"{route} {n}"]}
        for n in range(40)
        for route in ("faq", "booking")
    ]

    report = run.evaluate(items, "http://api.test", transport=httpx.MockTransport(api), workers=4)

    assert [o.text for o in report.outcomes] == [item["text"] for item in items]
    assert report.accuracy == 1.0


def test_no_workers_is_refused_with_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run.main(["tests/data/dev_set.jsonl", "--workers", "0"])
    assert "--workers must be 1 or more" in capsys.readouterr().err


def test_a_line_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"text": "x", "audience": "vet", "route": "faq", "note": 1}) + "\n")

    with pytest.raises(ValueError, match="set.jsonl:1"):
        run.load(path)


def test_sealed_prints_scores_and_never_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sealed.jsonl"
    path.write_text(json.dumps({"text": "x", "audience": "vet", "route": "faq"}) + "\n")
    words = "my dog ate the fluorouracil cream"
    report = score(
        [
            Outcome(words, "vet", "emergency", "faq", None, ("faq.hours",), category="toxin"),
            Outcome("what time do you open", "vet", "faq", "faq", "faq.hours", ("faq.hours",)),
        ]
    )
    monkeypatch.setattr(run, "evaluate", lambda items, api, workers: report)

    assert run.main([str(path), "--sealed", "--markdown", str(tmp_path / "scores.md")]) == 0

    printed = capsys.readouterr().out + (tmp_path / "scores.md").read_text()
    assert "emergency_recall=0.0%" in printed and "| toxin | 1 |" in printed
    assert words not in printed and "what time" not in printed


def test_a_did_you_mean_reply_is_read_back_to_the_answer_it_offers() -> None:
    titles = run.faq_titles()
    hours = next(title for title, key in titles.items() if key == "faq.hours")
    text = f"Sorry, we are not sure we understood. Did you mean: {hours}? Reply YES"

    assert run.offered(text, titles) == ("faq.hours",)
    assert run.offered("We are open 9 to 5.", titles) == ()


def test_the_request_limit_is_waited_out_not_counted_as_a_failure() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "0"}, json={"detail": "wait"}),
            httpx.Response(200, json={"chat_token": "c", "route": "faq", "replies": []}),
        ]
    )
    item = {"text": "when do you open", "audience": "vet", "route": "faq"}

    report = run.evaluate(
        [item], "http://api.test", transport=httpx.MockTransport(lambda r: next(answers))
    )

    assert report.outcomes[0].got == "faq"
