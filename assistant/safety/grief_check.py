"""The grief check: a second reading of a message the learned safety net called self-harm.

Grief shares the net's self-harm words ("i can't forgive myself", "i keep replaying his last
breath", "she's gone"), and a grieving owner who gets the 988 template and a page to the on-call
clinician is answered wrongly. This classifier is trained at start-up, in about a second, on
every self-harm example the net learns plus self-harm said in grief (the wish to die, to join
them, pills saved), against the dialogue's grief examples (data/nlu, as copied in
dialogue_examples.yml) and outside-written grief
with no risk (grief_examples.yml). Only when it is sure the message is grief does the net's
self-harm flag fall; the rules' self-harm signs, the net's other kinds and Spanish messages are
never read by it.

Measured in docs/evaluation.md, "A grief check behind the net".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.safety.dialogue_snapshot import snapshot_examples
from assistant.safety.text_classifier import train_text_classifier
from assistant.yaml_files import read_yaml

GRIEF_EXAMPLES = Path(__file__).with_name("grief_examples.yml")
SELF_HARM = "self_harm"
# Chosen on the development files (docs/evaluation.md): at 0.7 no self-harm line the net found
# was let go (88 of 100 in grief, 104 of 120 self-harm) and grief raised fell from 26 to 14 of
# 200; at 0.6, 8 of 200, with the nearest self-harm line under 0.6; at 0.5 two were let go.
SURE_IT_IS_GRIEF = 0.7


class GriefCheck:
    def __init__(self, model: Any) -> None:
        self._model = model

    @classmethod
    def load(cls, net_examples: Sequence[Path], grief: Path = GRIEF_EXAMPLES) -> GriefCheck:
        outside = read_yaml(grief)
        crisis = list(outside[SELF_HARM])
        for path in net_examples:
            crisis += read_yaml(path).get(SELF_HARM) or []
        grieving = snapshot_examples("grief".__eq__) + outside["not_a_crisis"]
        labels = [1] * len(crisis) + [0] * len(grieving)
        return cls(train_text_classifier(crisis + grieving, labels))

    def is_grief(self, text: str) -> bool:
        return float(self._model.predict_proba([text])[0][0]) >= SURE_IT_IS_GRIEF
