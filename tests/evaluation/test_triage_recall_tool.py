"""`python -m bench.triage_recall`: the triage alone on an evaluation file, never printing a
sealed or held-out check line."""

from pathlib import Path

import pytest

from assistant.settings import ROOT
from bench import triage_recall


@pytest.mark.parametrize(
    ("held_out", "refusal"),
    [
        ("tests/data/sealed/vet.jsonl", "never prints sealed"),
        ("tests/data/check/triage_check1.jsonl", "held-out check lines"),
    ],
)
def test_it_refuses_to_list_the_sealed_set_or_a_held_out_check_file(
    held_out: str, refusal: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert triage_recall.main([str(ROOT / held_out), "--show"]) == 2
    assert refusal in capsys.readouterr().err


def _run(tmp_path: Path, lines: str, option: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The tool's output on these jsonl lines with one option."""
    path = tmp_path / "lines.jsonl"
    path.write_text(lines, encoding="utf-8")
    assert triage_recall.main([str(path), option]) == 0
    return capsys.readouterr().out


def test_it_counts_and_lists_what_the_triage_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(
        tmp_path,
        '{"text": "his gums are white and he collapsed", "audience": "vet", "route": "emergency"}\n'
        '{"text": "what time do you open", "audience": "vet", "route": "urgent"}\n',
        "--show",
        capsys,
    )

    assert "emergency:   1 of   1 raised, 1 at exactly emergency" in out
    assert "missed emergency or urgent: 1" in out
    assert "urgent -> -" in out and "what time do you open" in out


def test_it_counts_the_misses_by_category_without_their_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(
        tmp_path,
        '{"text": "what time do you open", "audience": "vet", "route": "urgent",'
        ' "category": "red-flag"}\n',
        "--by-category",
        capsys,
    )

    assert "1 urgent (red-flag) -> -" in out
    assert "what time do you open" not in out
