"""The development set is well formed and kept apart from the training data."""

import json
from collections import Counter

from assistant.dialogue.training_data import nlu_examples
from assistant.evaluation.run import KIND_FOR_AUDIENCE, load
from assistant.settings import ROOT
from assistant.templates import TemplateRegistry

DEV_SET = ROOT / "tests" / "data" / "dev_set.jsonl"


def _training_examples() -> set[str]:
    return {example.strip().lower() for example in nlu_examples()}


def test_the_file_loads_and_covers_every_route_for_both_kinds() -> None:
    items = load(DEV_SET)
    counts = Counter((i["audience"], i["route"]) for i in items)
    routes = ("emergency", "urgent", "clinical", "faq", "booking", "billing", "grief")
    routes += ("optout", "other", "fallback")

    assert len(items) >= 300
    assert {(a, r) for a in KIND_FOR_AUDIENCE for r in routes} <= set(counts)


def test_no_line_is_a_training_example_and_no_line_repeats() -> None:
    texts = [json.loads(line)["text"] for line in DEV_SET.read_text().splitlines()]
    training = _training_examples()

    assert [t for t in texts if t.strip().lower() in training] == []
    assert [t for t, n in Counter(texts).items() if n > 1] == []


def test_faq_lines_name_an_answer_their_practice_can_send() -> None:
    registry = TemplateRegistry.load(ROOT / "templates")
    named = [i for i in load(DEV_SET) if "template" in i]

    assert len(named) >= 150
    assert [
        (i["audience"], i["template"])
        for i in named
        if i["route"] != "faq"
        or registry.resolve(i["template"], KIND_FOR_AUDIENCE[i["audience"]]) is None
    ] == []
