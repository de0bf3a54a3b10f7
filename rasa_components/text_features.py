"""The TF-IDF features both of our classifiers read a message by: character n-grams within
words forgive typos ("apointment", "vomitting"), words and word pairs keep some word order."""

import hashlib
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_union


def text_features() -> FeatureUnion:
    return make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    )


def code_fingerprint(component_file: str) -> str:
    """A hash of a component's code and of this file's, for Rasa's training cache: it knows a
    component by its config and inputs only, so a change of code must train it again."""
    files = (Path(component_file), Path(__file__))
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
