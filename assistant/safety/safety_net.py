"""The learned safety net behind the rule-based triage.

The rules (lexicons) catch the words they list; people in a crisis, or who found the dog with
an empty pill bottle, often say it in words no rule lists. This classifier is trained at
start-up, in about a second, on examples of six such situations (safety_net_examples.yml: a
crisis, a swallowed medicine or poison, chemotherapy contact at home, a complication after
surgery; safety_net_signs.yml: the emergency and urgent signs in lay words; more contact,
swallowed medicine and self-harm in safety_net_exposure.yml, safety_net_swallowed.yml and
safety_net_self_harm.yml) against every example of the assistant's other intents (data/nlu, as
copied in dialogue_examples.yml: dialogue_snapshot.py),
and flags a message the rules found nothing in when one of the six is likely enough, or raises
to an emergency a message the rules found only urgent signs in (assistant/safety/triage.py). It
only ever adds a flag: what the rules decided, including "negated" and "hypothetical", stands. A
message in Spanish is read by a second net (load_spanish) that also learned Spanish examples
of the same six.

Measured on the development sets (docs/evaluation.md, "A learned safety net"; for Spanish,
"Spanish triage and opt-outs").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.safety.dialogue_snapshot import snapshot_examples
from assistant.safety.text_classifier import train_text_classifier
from assistant.yaml_files import read_yaml

# Crisis, swallowed medicine, chemo contact and complications after surgery; then emergency and
# urgent signs in lay words; then more chemo contact, swallowed medicine and self-harm, beside
# look-alikes that share their words. Each file maps a kind to its messages; not_a_crisis may
# be in any.
DEFAULT_EXAMPLES = (
    Path(__file__).with_name("safety_net_examples.yml"),
    Path(__file__).with_name("safety_net_signs.yml"),
    Path(__file__).with_name("safety_net_exposure.yml"),
    Path(__file__).with_name("safety_net_swallowed.yml"),
    Path(__file__).with_name("safety_net_self_harm.yml"),
)
# The same seven kinds in Spanish. A second net learns them beside the English ones and reads
# only Spanish messages: in the English net, Spanish words ("chocolate", "no quiere") moved
# English messages across the line (docs/evaluation.md, "Spanish triage and opt-outs").
SPANISH_EXAMPLES = (*DEFAULT_EXAMPLES, Path(__file__).with_name("safety_net_spanish.yml"))
NOT_A_CRISIS = "not_a_crisis"
# The lowest probability that flags a message, per kind. Chosen on the development sets (78
# crisis, swallowed-medicine and exposure lines, 21 urgent or emergency post-operative lines,
# 585 non-urgent lines): 0.55 and 0.8 found 60, 20 and flagged 9 others; 0.6 and 0.8 found
# 56, 20 and 4; 0.5 and 0.7 found 63, 20 and 12 (docs/evaluation.md, "A learned safety net").
# A complication after surgery needs more certainty: routine recovery questions share its words.
# Emergency and urgent signs in lay words flag from 0.5, or whichever kind is likeliest when the
# net is SURE_OF_SOMETHING that the message is one of the six. Held out five ways from their
# own examples (280 signs, 200 routine messages sharing their words), rules and net found 262
# signs and flagged 10 routine ones; each kind at 0.55 alone, 252 and 9; at 0.4, 268 and 13;
# the rules alone 224 and 5 (docs/evaluation.md, "Signs in lay words").
THRESHOLD = 0.55
THRESHOLDS = {"post_op_warning": 0.8, "emergency_sign": 0.5, "urgent_sign": 0.5}
SURE_OF_SOMETHING = 0.9
# What a flag of each kind means at each kind of practice: the rules' own sign and priority,
# so the turn answers it exactly as it answers the rules' flag.
SIGNS = {
    ("self_harm", "veterinary"): ("self_harm", "emergency"),
    ("self_harm", "human"): ("self_harm", "emergency"),
    ("swallowed_something", "veterinary"): ("vet.poisoning", "emergency"),
    ("swallowed_something", "human"): ("swallowed_medicine", "emergency"),
    ("chemo_exposure", "veterinary"): ("vet.chemo_spill", "urgent"),
    ("chemo_exposure", "human"): ("human.chemo_exposure", "urgent"),
    # A complication after surgery in other words: a nurse calls within the hour. Some are
    # emergencies; the rules name those they know.
    ("post_op_warning", "veterinary"): ("post_op_warning", "urgent"),
    ("post_op_warning", "human"): ("post_op_warning", "urgent"),
    # The rules' emergency and urgent lists in words no lexicon lists (safety_net_signs.yml).
    ("emergency_sign", "veterinary"): ("emergency_sign", "emergency"),
    ("emergency_sign", "human"): ("emergency_sign", "emergency"),
    ("urgent_sign", "veterinary"): ("urgent_sign", "urgent"),
    ("urgent_sign", "human"): ("urgent_sign", "urgent"),
}


@dataclass(frozen=True)
class NetFlag:
    sign: str
    priority: str
    probability: float


class SafetyNet:
    def __init__(self, model: Any) -> None:
        self._model = model
        self._classes = list(model.classes_)

    @classmethod
    def load(cls, examples: Sequence[Path] = DEFAULT_EXAMPLES) -> SafetyNet:
        texts, labels = [], []
        for path in examples:
            for label, lines in read_yaml(path).items():
                texts += lines
                labels += [label] * len(lines)
        for text in snapshot_examples():
            texts.append(text)
            labels.append(NOT_A_CRISIS)
        return cls(train_text_classifier(texts, labels))

    @classmethod
    def load_spanish(cls) -> SafetyNet:
        """The net for Spanish messages: the English examples and the Spanish ones."""
        return cls.load(SPANISH_EXAMPLES)

    def flag(self, text: str, practice_kind: str) -> NetFlag | None:
        """The likeliest situation that is likely enough, or None."""
        probabilities = dict(zip(self._classes, self._model.predict_proba([text])[0], strict=True))
        label = max((c for c in self._classes if c != NOT_A_CRISIS), key=probabilities.__getitem__)
        probability = float(probabilities[label])
        # Kinds share words ("puffed up" after an amputation is a complication and an urgent
        # sign): when the net is all but sure it is one of them, the likeliest names it.
        anything = 1.0 - float(probabilities[NOT_A_CRISIS])
        if probability < THRESHOLDS.get(label, THRESHOLD) and anything < SURE_OF_SOMETHING:
            return None
        sign, priority = SIGNS[(label, practice_kind)]
        return NetFlag(sign, priority, probability)
