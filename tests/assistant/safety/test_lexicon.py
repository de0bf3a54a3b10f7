"""The lexicon files: complete, traceable to CLINICAL.md, and refused at start-up when broken."""

import shutil
from pathlib import Path

import pytest

from assistant.safety import Triage
from assistant.safety.lexicon import (
    DEFAULT_LEXICON_DIR,
    LexiconError,
    compile_pattern,
    load_context_rules,
    load_lexicon,
)


@pytest.mark.parametrize("kind", ["veterinary", "human"])
def test_every_sign_quotes_its_clinical_line_and_has_a_priority(kind: str) -> None:
    lexicon = load_lexicon(kind)

    assert {s.priority for s in lexicon.signs} == {"emergency", "urgent"}
    for sign in lexicon.signs:
        assert sign.clinical.strip(), sign.sign
        assert (
            sign.sign == "self_harm"
            or sign.sign == "swallowed_medicine"
            or sign.sign.startswith("vet." if kind == "veterinary" else "human.")
        )


@pytest.mark.parametrize("kind", ["veterinary", "human"])
def test_context_rules_load_for_each_kind(kind: str) -> None:
    categories = {rule.category for rule in load_context_rules(kind)}

    assert {
        "NEGATED_EXISTENCE",
        "HYPOTHETICAL",
        "HISTORICAL",
        "FAMILY",
        "OTHER_PERSON",
    } <= categories


def test_a_space_in_a_pattern_allows_any_spacing() -> None:
    import re

    regex = re.compile(compile_pattern("cant breath", {}), re.IGNORECASE)

    assert regex.search("he  CANT breath")
    assert not regex.search("elephantcant breath")


def _copy_lexicons(tmp_path: Path) -> Path:
    target = tmp_path / "lexicons"
    shutil.copytree(DEFAULT_LEXICON_DIR, target)
    return target


def _append_sign(directory: Path, entry: str) -> None:
    """Adds `entry` at the end of veterinary.yml, whose last section is `signs`."""
    path = directory / "veterinary.yml"
    path.write_text(path.read_text(encoding="utf-8") + entry, encoding="utf-8")


def test_a_sign_without_a_clinical_line_is_refused(tmp_path: Path) -> None:
    directory = _copy_lexicons(tmp_path)
    _append_sign(directory, "\n  - sign: vet.new\n    priority: urgent\n    patterns: [limping]\n")

    with pytest.raises(LexiconError, match="clinical"):
        load_lexicon("veterinary", directory)


def test_a_reference_to_an_unknown_concept_is_refused(tmp_path: Path) -> None:
    directory = _copy_lexicons(tmp_path)
    _append_sign(
        directory,
        "\n  - sign: vet.new\n    priority: urgent\n    clinical: x\n"
        "    together:\n      - groups: [[vomiting], [no_such_concept]]\n",
    )

    with pytest.raises(LexiconError, match="no_such_concept"):
        load_lexicon("veterinary", directory)


def test_an_unquoted_pattern_that_yaml_reads_as_a_mapping_is_refused(tmp_path: Path) -> None:
    directory = _copy_lexicons(tmp_path)
    _append_sign(
        directory,
        "\n  - sign: vet.new\n    priority: urgent\n    clinical: x\n"
        "    patterns:\n      - a(?: b)\n",
    )

    with pytest.raises(LexiconError, match="quote it"):
        load_lexicon("veterinary", directory)


def test_an_unknown_macro_is_refused(tmp_path: Path) -> None:
    directory = _copy_lexicons(tmp_path)
    _append_sign(
        directory,
        "\n  - sign: vet.new\n    priority: urgent\n    clinical: x\n    patterns: [<NOPE>]\n",
    )

    with pytest.raises(LexiconError, match="NOPE"):
        load_lexicon("veterinary", directory)


def test_an_added_lexicon_entry_is_used(tmp_path: Path) -> None:
    directory = _copy_lexicons(tmp_path)
    _append_sign(
        directory,
        "\n  - sign: vet.eye_injury\n    priority: urgent\n    clinical: test entry\n"
        "    patterns:\n      - scratched (?:his|her) eye\n",
    )

    result = Triage.load(directory).assess("the cat scratched his eye", "veterinary")

    assert [f.sign for f in result.red_flags] == ["vet.eye_injury"]
