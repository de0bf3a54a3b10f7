"""The TriageResult contract other parts of the assistant code against."""

import threading

import pytest

from assistant.evaluation.run import load
from assistant.safety import RedFlag, Triage
from assistant.settings import ROOT

DEV_SET = ROOT / "tests" / "data" / "dev_set.jsonl"


def test_matched_is_the_clients_exact_words_even_with_curly_quotes(triage: Triage) -> None:
    text = "Hi… he can’t breathe and his gums are WHITE"
    result = triage.assess(text, "veterinary")

    assert [f.matched for f in result.red_flags] == ["can’t breathe", "gums are WHITE"]
    assert all(f.matched in text for f in result.red_flags)


def test_a_count_is_shown_with_the_sign(triage: Triage) -> None:
    result = triage.assess("he vomited 5 times today", "veterinary")

    assert result.red_flags == (RedFlag("vet.vomiting_persistent", "urgent", "vomited 5 times"),)


def test_most_severe_sign_decides_and_comes_first(triage: Triage) -> None:
    result = triage.assess("his temp is 103.5 and he had a seizure this morning", "veterinary")

    assert result.priority == "emergency"
    assert [(f.sign, f.priority) for f in result.red_flags] == [
        ("vet.seizure", "emergency"),
        ("vet.fever", "urgent"),
    ]


def test_hypothetical_sign_is_reported_apart_and_sets_no_priority(triage: Triage) -> None:
    result = triage.assess("what should i do if he has a seizure?", "veterinary")

    assert result.priority is None
    assert result.red_flags == ()
    assert [f.sign for f in result.hypothetical] == ["vet.seizure"]


def test_a_sign_both_asked_about_and_present_is_current(triage: Triage) -> None:
    result = triage.assess(
        "what if he gets a fever? well his temp is 103.6 right now", "veterinary"
    )

    assert result.priority == "urgent"
    assert [f.sign for f in result.red_flags] == ["vet.fever"]
    assert result.hypothetical == ()


def test_a_line_break_ends_a_negation(triage: Triage) -> None:
    result = triage.assess("no fever\nhis gums are white", "veterinary")

    assert result.priority == "emergency"
    assert [f.sign for f in result.red_flags] == ["vet.gum_colour"]


def test_gone_means_went_away_only_at_the_end_of_a_clause(triage: Triage) -> None:
    # "has gone angry red" is "has become": the incision sign stands.
    result = triage.assess(
        "the incision has gone angry red and hot and theres yellow gunk coming out", "human"
    )
    assert [f.sign for f in result.red_flags] == ["human.incision_problem"]
    assert triage.assess("the redness around the incision has gone", "human").priority is None


@pytest.mark.parametrize("kind", ["veterinary", "human"])
def test_self_harm_is_an_emergency_in_both_practices(triage: Triage, kind: str) -> None:
    result = triage.assess("honestly i just want to die", kind)

    assert result.self_harm
    assert result.priority == "emergency"
    assert [f.sign for f in result.red_flags] == ["self_harm"]


def test_a_conditional_threat_of_self_harm_still_counts(triage: Triage) -> None:
    result = triage.assess("if the pain doesn't stop i'm going to kill myself", "human")

    assert result.self_harm
    assert result.priority == "emergency"


def test_a_denial_of_self_harm_is_not_a_flag(triage: Triage) -> None:
    result = triage.assess("i'm not suicidal, just really tired of all this", "human")

    assert not result.self_harm
    assert result.priority is None


@pytest.mark.parametrize(
    ("text", "priority", "signs"),
    [
        ("temp 104 F but acting totally normal", "urgent", ["vet.fever"]),
        ("104 degrees and lethargic", "emergency", ["vet.fever_with_weakness", "vet.fever"]),
        ("he's at 103.5", "urgent", ["vet.fever"]),
        ("rectal temp was 39.7", "urgent", ["vet.fever"]),
        ("temp 39.4 C", None, []),
        ("his temp is 101.5", None, []),
        ("his temp is 102.9 is that a fever", None, []),
    ],
)
def test_veterinary_temperatures_are_read_with_their_unit(
    triage: Triage, text: str, priority: str | None, signs: list[str]
) -> None:
    result = triage.assess(text, "veterinary")

    assert result.priority == priority
    assert [f.sign for f in result.red_flags] == signs


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("temp 38.0", "urgent"),
        ("temp 37.9", None),
        ("100.4 F", "urgent"),
        ("thermometer says 100.2", None),
        ("my fever is 101 degrees", "urgent"),
        ("no fever today, 98.9", None),
    ],
)
def test_human_temperatures_are_read_with_their_unit(
    triage: Triage, text: str, priority: str | None
) -> None:
    assert triage.assess(text, "human").priority == priority


def test_the_same_words_are_judged_by_the_practice_kind(triage: Triage) -> None:
    text = "temp 101.5"

    assert triage.assess(text, "veterinary").priority is None  # normal for a dog
    assert triage.assess(text, "human").priority == "urgent"


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_message_has_no_flags(triage: Triage, text: str) -> None:
    result = triage.assess(text, "human")

    assert result.priority is None
    assert result.red_flags == result.hypothetical == ()
    assert not result.self_harm


def test_client_words_never_reach_the_logs(
    triage: Triage, capfd: pytest.CaptureFixture[str]
) -> None:
    triage.assess("my husband is confused and has a fever of 102. no chest pain", "human")

    out, err = capfd.readouterr()
    assert "husband" not in out + err


def test_an_unknown_practice_kind_is_refused(triage: Triage) -> None:
    with pytest.raises(ValueError, match="practice kind"):
        triage.assess("he collapsed", "dental")


def test_many_threads_at_once_get_the_same_answers(triage: Triage) -> None:
    # The inbox workers and the request threads of one api process share one triage.
    texts = [item["text"] for item in load(DEV_SET)][:80]
    expected = {text: triage.assess(text, "veterinary").priority for text in texts}
    start = threading.Barrier(8)
    problems: list[str] = []

    def worker() -> None:
        start.wait()
        for _ in range(3):
            for text in texts:
                try:
                    if triage.assess(text, "veterinary").priority != expected[text]:
                        problems.append(f"different answer: {text}")
                except Exception as exc:  # noqa: BLE001 - collected for the assertion
                    problems.append(f"{exc!r}: {text}")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert problems == []
