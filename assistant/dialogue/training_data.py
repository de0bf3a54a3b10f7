"""The dialogue's NLU training examples (data/nlu, Rasa's YAML), read as plain messages."""

import re
from pathlib import Path

import yaml

from assistant.settings import ROOT

NLU_DIR = ROOT / "data" / "nlu"
# "[friday](date)" in Rasa's examples is the word "friday".
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def nlu_examples(directory: Path = NLU_DIR) -> list[str]:
    """Every training example of every intent, entity annotations removed."""
    texts = []
    for path in sorted(directory.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(_ENTITY.sub(r"\1", line[2:]))
    return texts
