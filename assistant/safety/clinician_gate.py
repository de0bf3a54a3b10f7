"""Clinician gates: learned checks that a message the dialogue would answer with an approved
FAQ or with grief support is not a question only a clinician may answer.

The clinical-question rules (clinical_questions.py) catch the medicines and phrasings they
list; people ask "is that ok with the chlorambucil" or "could the lomustine have caused this,
she died last night" in words no rule lists, and a wrong approved answer to such a question is
as serious as an unapproved one (issue 16). Each gate is a classifier trained at start-up, in
about a second, on the dialogue's own clinical_question and report_symptom examples (data/nlu,
as copied in dialogue_examples.yml) and outside-written ones (faq_gate_examples.yml), against
the examples of the route it guards: faq/* (and outside-written FAQ questions) for the FAQ gate,
grief for the grief gate. When the dialogue plans that route's answer and the gate finds a
clinical question likely enough, a nurse answers: instead of the FAQ answer, beside the grief
support (TurnHandler).

Measured in docs/evaluation.md, "An FAQ gate" and "A grief gate".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.safety.dialogue_snapshot import snapshot_examples
from assistant.safety.text_classifier import train_text_classifier
from assistant.yaml_files import read_yaml

DEFAULT_EXAMPLES = Path(__file__).with_name("faq_gate_examples.yml")
CLINICAL_INTENTS = frozenset({"clinical_question", "report_symptom"})
# Chosen on held-out outside lines and the development sets (docs/evaluation.md, "An FAQ
# gate"): trained on data/nlu alone, 0.8 caught 105 of 240 outside clinical questions and
# gated 7 of 264 outside FAQ questions (0.6: 153 and 14); through the whole stack it moved 2
# of 256 development FAQ lines to a nurse and 1 outside clinical line from an FAQ to a nurse.
FAQ_THRESHOLD = 0.8
# Chosen on the development sets (docs/evaluation.md, "A grief gate"), when in doubt a nurse:
# 0.5 finds 51 of 53 and 28 of 31 clinical lines and takes 0 of 12 and 3 of 30 grief lines to
# a nurse as well (0.7: 48 and 27; 0 and 1).
GRIEF_THRESHOLD = 0.5


class ClinicianGate:
    def __init__(self, model: Any, threshold: float) -> None:
        self._model = model
        self._threshold = threshold

    @classmethod
    def for_faq(cls, examples: Path = DEFAULT_EXAMPLES) -> ClinicianGate:
        outside = read_yaml(examples)["faq"]
        faq = snapshot_examples(lambda intent: intent.startswith("faq")) + outside
        return cls._trained(faq, examples, FAQ_THRESHOLD)

    @classmethod
    def for_grief(cls, examples: Path = DEFAULT_EXAMPLES) -> ClinicianGate:
        grief = snapshot_examples("grief".__eq__)
        return cls._trained(grief, examples, GRIEF_THRESHOLD)

    @classmethod
    def _trained(cls, guarded: list[str], examples: Path, threshold: float) -> ClinicianGate:
        outside = read_yaml(examples)["clinical"]
        clinical = snapshot_examples(CLINICAL_INTENTS.__contains__) + outside
        labels = [1] * len(clinical) + [0] * len(guarded)
        return cls(train_text_classifier(clinical + guarded, labels), threshold)

    def asks_a_clinician(self, text: str) -> bool:
        return float(self._model.predict_proba([text])[0][1]) >= self._threshold
