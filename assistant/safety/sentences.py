"""Extra sentence breaks for text messages, after medspacy's PyRuSH splitter.

PyRuSH expects clinical notes: it keeps "gums are pale...she collapsed" or a line break as one
sentence. ConText scopes end at a sentence, so a missed break lets "no fever" reach a sign in the
next line.
"""

from spacy.language import Language
from spacy.tokens import Doc

COMPONENT = "safety_sentence_breaks"
_ENDINGS = frozenset(".!?")


@Language.component(COMPONENT)
def add_sentence_breaks(doc: Doc) -> Doc:
    """Starts a sentence after a line break or a run of . ! ? (not inside "103.4")."""
    for token in doc[:-1]:
        ends_sentence = "\n" in token.text or (bool(token.text) and set(token.text) <= _ENDINGS)
        if ends_sentence:
            doc[token.i + 1].is_sent_start = True
    return doc
