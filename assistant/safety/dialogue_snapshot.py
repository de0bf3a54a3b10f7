"""The dialogue's examples as the safety classifiers learn them: a copy of data/nlu, per intent.

The learned safety net learns every dialogue example as not-a-crisis, the grief check learns
the grief examples as grief, and the clinician gates learn the FAQ, grief and clinical ones.
Read from data/nlu directly, any new dialogue example moved all of them: 12 praise examples
hid a veiled goodbye from the net, and outside booking and grief examples cost swallowed-medicine
and self-harm recall (docs/evaluation.md, "Outside examples taken, generation 8"). So they learn
this copy (dialogue_examples.yml), and the dialogue's data can grow without touching the triage.

Refresh it on purpose, as a change to the triage, and measure it on the development triage
files as any other (`python -m assistant copy-dialogue-examples`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

from assistant.dialogue.training_data import NLU_DIR, intent_examples
from assistant.yaml_files import read_yaml

SNAPSHOT = Path(__file__).with_name("dialogue_examples.yml")
HEADER = """\
# The dialogue's examples (data/nlu) per intent, as the safety net, the grief check and the
# clinician gates learn them: a copy, so that new dialogue examples do not move the triage.
# Written by `python -m assistant copy-dialogue-examples`; never edit by hand, and measure
# a refresh on the development triage files (assistant/safety/dialogue_snapshot.py).
"""


def snapshot_examples(wanted: Callable[[str], bool] = lambda intent: True) -> list[str]:
    """The copied examples of the intents `wanted` accepts ("faq/hours" for a retrieval intent),
    each intent's in the order data/nlu held them."""
    return [text for intent, texts in _copied().items() if wanted(intent) for text in texts]


@cache
def _copied() -> dict[str, list[str]]:
    """The copy, read once: the five learned checks of the triage all read it at start-up."""
    copied: dict[str, list[str]] = read_yaml(SNAPSHOT)
    return copied


def write_snapshot(nlu: Path = NLU_DIR, snapshot: Path = SNAPSHOT) -> int:
    """Copies data/nlu's examples into `snapshot`; returns how many."""
    intents: list[str] = []
    for path in sorted(nlu.glob("*.yml")):
        for item in read_yaml(path).get("nlu") or []:
            if "intent" in item and item["intent"] not in intents:
                intents.append(item["intent"])
    per_intent = {intent: intent_examples(intent.__eq__, nlu) for intent in intents}
    body = yaml.safe_dump(per_intent, allow_unicode=True, sort_keys=False, width=1000)
    snapshot.write_text(HEADER + body, encoding="utf-8")
    return sum(map(len, per_intent.values()))
