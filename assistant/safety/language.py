"""Messages in a language the assistant does not answer in. The dialogue model and the FAQ
answers are English, so such a message goes to a person at once (with a short English and
Spanish reply) instead of through an English model that would guess. Safety triage reads it
first: its lexicons hold Spanish red-flag wording.

py3langid (a maintained fork of langid.py, BSD licence, its model inside the wheel) names the
language; it is trusted only when sure, never on a word or two ("si", "hola", "ok"), and never
when most of the words are ones our own English examples and templates use."""

import re
from functools import lru_cache
from pathlib import Path

import py3langid.langid as langid

from assistant.settings import ROOT

ANSWERED_IN = "en"
# The languages most spoken at home in the United States after English (US Census ACS), plus
# the neighbours langid confuses them with. Limiting the choice keeps short texts stable.
CANDIDATES = (
    "en", "es", "zh", "tl", "vi", "ar", "fr", "ko", "ru", "pt", "ht", "de", "it", "pl", "ja", "hi",
)  # fmt: skip
# Sure enough: no English line of the development set or the training data reached it.
MIN_PROBABILITY = 0.9
MIN_WORDS = 3
# langid misreads some short English ("how much do i owe" as Polish at 0.997, "order me a
# pizza" as Italian): a message whose words are mostly ones our English training examples and
# templates use is English, whatever langid says.
ENGLISH_SHARE = 0.5
ENGLISH_SOURCES = (ROOT / "data" / "nlu", ROOT / "templates")
SPANISH_IN_OUR_DATA = frozenset(
    "necesito un una interprete intérprete por favor español espanol hablo habla mi el la los"
    " las que de y en es".split()
)
_WORD = re.compile(r"[^\W\d_]+")
# Chinese, Japanese and Korean are written without spaces: their characters count as words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Every word of the training examples and the templates: the English we understand."""
    words: set[str] = set()
    for folder in ENGLISH_SOURCES:
        for path in folder.rglob("*.yml"):
            words.update(w.lower() for w in _WORD.findall(path.read_text(encoding="utf-8")))
    # The Spanish of the interpreter examples ("necesito un interprete") is not English.
    return frozenset(words - SPANISH_IN_OUR_DATA)


@lru_cache(maxsize=1)
def _identifier() -> langid.LanguageIdentifier:
    model = Path(langid.__file__).parent / langid.MODEL_FILE
    identifier = langid.LanguageIdentifier.from_pickled_model(model, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def load() -> None:
    """Read the model and our vocabulary now (api start-up), not on the first client's turn."""
    _identifier()
    _english_words()


def other_language(text: str) -> str | None:
    """The language code of a message surely not in English, else None."""
    found = [word.lower() for word in _WORD.findall(text)]
    if len(found) + len(_CJK.findall(text)) < MIN_WORDS:
        return None
    known = _english_words()
    if found and sum(word in known for word in found) / len(found) >= ENGLISH_SHARE:
        return None
    language, probability = _identifier().classify(text)
    if language == ANSWERED_IN or probability < MIN_PROBABILITY:
        return None
    return str(language)
