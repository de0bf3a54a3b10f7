"""`python -m bench.triage_recall`: the triage alone on an evaluation file, never printing a
sealed or held-out check line."""

from pathlib import Path

import pytest

from assistant.settings import ROOT
from bench import triage_recall


def test_it_refuses_to_list_the_sealed_set(capsys: pytest.CaptureFixture[str]) -> None:
    sealed = ROOT / "tests/data/sealed/vet.jsonl"

    assert triage_recall.main([str(sealed), "--show"]) == 2
    assert "never prints sealed" in capsys.readouterr().err


def test_it_refuses_to_list_a_held_out_check_file(capsys: pytest.CaptureFixture[str]) -> None:
    check = ROOT / "tests/data/check/triage_check1.jsonl"

    assert triage_recall.main([str(check), "--show"]) == 2
    assert "held-out check lines" in capsys.readouterr().err


def test_it_counts_and_lists_what_the_triage_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "lines.jsonl"
    lines.write_text(
        '{"text": "his gums are white and he collapsed", "audience": "vet", "route": "emergency"}\n'
        '{"text": "what time do you open", "audience": "vet", "route": "urgent"}\n',
        encoding="utf-8",
    )

    assert triage_recall.main([str(lines), "--show"]) == 0
    out = capsys.readouterr().out
    assert "emergency:   1 of   1 raised, 1 at exactly emergency" in out
    assert "missed emergency or urgent: 1" in out
    assert "urgent -> -" in out and "what time do you open" in out


def test_it_counts_the_misses_by_category_without_their_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "lines.jsonl"
    lines.write_text(
        '{"text": "what time do you open", "audience": "vet", "route": "urgent",'
        ' "category": "red-flag"}\n',
        encoding="utf-8",
    )

    assert triage_recall.main([str(lines), "--by-category"]) == 0
    out = capsys.readouterr().out
    assert "1 urgent (red-flag) -> -" in out
    assert "what time do you open" not in out
