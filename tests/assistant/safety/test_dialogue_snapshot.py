"""The copy of the dialogue's examples that the safety classifiers learn (dialogue_snapshot.py)."""

import yaml

from assistant.dialogue.training_data import intent_examples
from assistant.safety.dialogue_snapshot import SNAPSHOT, snapshot_examples, write_snapshot


def test_the_copy_keeps_each_intents_examples_without_their_entity_marks(tmp_path):
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    (nlu / "a.yml").write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: book\n  examples: |\n    - book me for [friday](date)\n    - a visit please\n"
        "- intent: faq/hours\n  examples: |\n    - when are you open\n",
        encoding="utf-8",
    )
    (nlu / "b.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: book\n  examples: |\n    - can we come in monday\n',
        encoding="utf-8",
    )
    copy = tmp_path / "copy.yml"

    assert write_snapshot(nlu, copy) == 4
    assert yaml.safe_load(copy.read_text(encoding="utf-8")) == {
        "book": ["book me for friday", "a visit please", "can we come in monday"],
        "faq/hours": ["when are you open"],
    }


def test_every_copied_intent_is_still_one_the_dialogue_knows():
    """A renamed or removed intent leaves the triage learning a name the dialogue no longer
    answers: refresh the copy (and measure it) when this fails."""
    copied = yaml.safe_load(SNAPSHOT.read_text(encoding="utf-8"))
    for intent in copied:
        assert intent_examples(intent.__eq__), f"{intent} is no longer in data/nlu"


def test_the_gates_read_the_copy_per_intent():
    grief = snapshot_examples("grief".__eq__)
    faq = snapshot_examples(lambda intent: intent.startswith("faq"))
    assert grief and faq
    assert not set(grief) & set(faq)
    assert len(snapshot_examples()) >= len(grief) + len(faq)
