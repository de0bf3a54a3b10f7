"""Messages in a language the assistant does not answer in. The dialogue model and the FAQ
answers are English, so such a message goes to a person at once (with a short English and
Spanish reply) instead of through an English model that would guess. Safety triage reads it
first: its lexicons hold Spanish red-flag wording.

py3langid (a maintained fork of langid.py, BSD licence, its model inside the wheel) names the
language; it is trusted only when sure, and never on a word or two ("si", "hola", "ok")."""

import re
from functools import lru_cache
from pathlib import Path

import py3langid.langid as langid

ANSWERED_IN = "en"
# The languages most spoken at home in the United States after English (US Census ACS), plus
# the neighbours langid confuses them with. Limiting the choice keeps short texts stable.
CANDIDATES = (
    "en", "es", "zh", "tl", "vi", "ar", "fr", "ko", "ru", "pt", "ht", "de", "it", "pl", "ja", "hi",
)  # fmt: skip
# Sure enough: no English line of the development set or the training data reached it.
MIN_PROBABILITY = 0.9
MIN_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+")
# Chinese, Japanese and Korean are written without spaces: their characters count as words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=1)
def _identifier() -> langid.LanguageIdentifier:
    model = Path(langid.__file__).parent / langid.MODEL_FILE
    identifier = langid.LanguageIdentifier.from_pickled_model(model, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def other_language(text: str) -> str | None:
    """The language code of a message surely not in English, else None."""
    words = len(_WORD.findall(text)) + len(_CJK.findall(text))
    if words < MIN_WORDS:
        return None
    language, probability = _identifier().classify(text)
    if language == ANSWERED_IN or probability < MIN_PROBABILITY:
        return None
    return str(language)
