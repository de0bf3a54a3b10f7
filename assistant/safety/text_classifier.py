"""The small text classifier behind the triage rules: the learned safety net and the FAQ gate."""

from collections.abc import Sequence
from typing import Any


def train_text_classifier(texts: Sequence[str], labels: Sequence[object]) -> Any:
    """A TF-IDF and balanced logistic-regression pipeline fitted to `texts` (about a second).
    Character n-grams forgive typos; word pairs keep "my pills" apart from "his pills"."""
    # Imported here: scikit-learn takes a moment to import, and only the triage needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        ),
        LogisticRegression(C=10, max_iter=2000, class_weight="balanced"),
    )
    model.fit(list(texts), list(labels))
    return model
