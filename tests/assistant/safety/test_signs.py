"""The triage rules on hand-written messages for each practice kind (cases_<kind>.py), and
on outsiders' wording of both kinds (cases_outsider.py)."""

import pytest

from assistant.safety import Triage
from assistant.safety.lexicon import load_lexicon
from tests.assistant.safety import cases_human, cases_outsider, cases_veterinary

CASES = {"veterinary": cases_veterinary, "human": cases_human}


def _each(table: str) -> list[object]:
    per_kind = [
        pytest.param(kind, *(case if isinstance(case, tuple) else (case,)), id=f"{kind}-{i}")
        for kind, cases in CASES.items()
        for i, case in enumerate(getattr(cases, table))
    ]
    outsider = [
        pytest.param(*case, id=f"outsider-{i}")
        for i, case in enumerate(getattr(cases_outsider, table))
    ]
    return per_kind + outsider


@pytest.mark.parametrize(("kind", "text", "priority", "expected"), _each("FLAGGED"))
def test_red_flags_are_caught(
    triage: Triage, kind: str, text: str, priority: str, expected: set[str]
) -> None:
    result = triage.assess(text, kind)

    assert result.priority == priority
    assert expected <= {f.sign for f in result.red_flags}
    assert result.self_harm == ("self_harm" in expected)
    for flag in result.red_flags:
        assert flag.matched and flag.matched in text


@pytest.mark.parametrize(("kind", "text", "hypothetical_sign"), _each("NOT_CURRENT"))
def test_signs_that_are_not_current_do_not_trigger(
    triage: Triage, kind: str, text: str, hypothetical_sign: str | None
) -> None:
    result = triage.assess(text, kind)

    assert result.priority is None
    assert result.red_flags == ()
    if hypothetical_sign:
        assert hypothetical_sign in {f.sign for f in result.hypothetical}


@pytest.mark.parametrize(("kind", "text"), _each("NOT_URGENT"))
def test_routine_messages_raise_no_flag(triage: Triage, kind: str, text: str) -> None:
    result = triage.assess(text, kind)

    assert result.priority is None
    assert result.red_flags == ()
    assert not result.self_harm


@pytest.mark.parametrize("kind", CASES)
def test_every_lexicon_sign_is_exercised(kind: str) -> None:
    tested = set().union(*(expected for _, _, expected in CASES[kind].FLAGGED))
    assert {s.sign for s in load_lexicon(kind).signs} <= tested
