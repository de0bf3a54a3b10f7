"""Questions only a clinician may answer (medicines, doses, results, prognosis, treatment
decisions), found by the rules in `lexicons/clinical_questions.yml`. They are not red flags:
they make sure such a question reaches a nurse even when the dialogue engine took it for an
FAQ (see `TurnHandler`)."""

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.safety.lexicon import DEFAULT_LEXICON_DIR, expand_macros
from assistant.yaml_files import read_yaml

FILE_NAME = "clinical_questions.yml"


@dataclass(frozen=True)
class ClinicalQuestion:
    topic: str  # e.g. "other_medicine", "prognosis"
    matched: str  # the client's own words that matched


@dataclass(frozen=True)
class _Topic:
    id: str
    kinds: frozenset[str] | None
    patterns: tuple[re.Pattern[str], ...]
    # The topic does not apply when one of these matches (a refill request names a medicine).
    unless: tuple[re.Pattern[str], ...]


class ClinicalQuestions:
    def __init__(self, topics: list[_Topic]) -> None:
        self._topics = topics

    @classmethod
    def load(cls, lexicon_dir: Path = DEFAULT_LEXICON_DIR) -> "ClinicalQuestions":
        document = read_yaml(lexicon_dir / FILE_NAME)
        macros: dict[str, str] = document.get("macros") or {}
        topics = []
        for raw in document["topics"]:
            kinds = raw.get("kinds")
            topics.append(
                _Topic(
                    id=raw["id"],
                    kinds=frozenset(kinds) if kinds else None,
                    patterns=_compile(raw["patterns"], macros),
                    unless=_compile(raw.get("unless") or [], macros),
                )
            )
        return cls(topics)

    def find(self, text: str, practice_kind: str) -> tuple[ClinicalQuestion, ...]:
        """One entry per topic that matches, with the first words that matched it."""
        found = []
        for topic in self._topics:
            if topic.kinds is not None and practice_kind not in topic.kinds:
                continue
            if any(pattern.search(text) for pattern in topic.unless):
                continue
            for pattern in topic.patterns:
                match = pattern.search(text)
                if match:
                    found.append(ClinicalQuestion(topic.id, match.group(0)))
                    break
        return tuple(found)


def _compile(patterns: list[str], macros: dict[str, str]) -> tuple[re.Pattern[str], ...]:
    return tuple(
        re.compile(rf"\b(?:{expand_macros(p, macros)})\b", re.IGNORECASE) for p in patterns
    )
