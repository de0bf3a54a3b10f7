"""The dialogue's NLU training examples (data/nlu, Rasa's YAML), read as plain messages."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.settings import ROOT
from assistant.yaml_files import read_yaml

NLU_DIR = ROOT / "data" / "nlu"
# "[friday](date)" in Rasa's examples is the word "friday".
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def nlu_examples(directory: Path = NLU_DIR) -> list[str]:
    """Every training example of every intent, entity annotations removed."""
    return _examples(directory, lambda item: True)


def intent_examples(wanted: Callable[[str], bool], directory: Path = NLU_DIR) -> list[str]:
    """The examples of the intents `wanted` accepts ("faq/hours" for a retrieval intent)."""
    return _examples(directory, lambda item: "intent" in item and wanted(item["intent"]))


def _examples(directory: Path, keep: Callable[[dict[str, Any]], bool]) -> list[str]:
    texts = []
    for path in sorted(directory.glob("*.yml")):
        for item in read_yaml(path).get("nlu") or []:
            if not keep(item):
                continue
            for line in (item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(_ENTITY.sub(r"\1", line[2:]))
    return texts
