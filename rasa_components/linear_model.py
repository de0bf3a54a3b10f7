"""What our two pipeline components share: TF-IDF features and a logistic regression over them,
saved in the model archive. Character n-grams within words forgive typos ("apointment",
"vomitting"), words and word pairs keep some word order.
"""

import hashlib
import logging
from pathlib import Path
from typing import Any

import joblib
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

logger = logging.getLogger(__name__)


def linear_classifier(strength: float, class_weight: str | dict[str, float]) -> Pipeline:
    """The features, then a logistic regression whose probabilities are the confidences.

    The regression has one best fit; newton-cg reaches it in about half the time lbfgs took on
    the FAQ's 66 topics (6 s against 11 s, the same weights to 0.0002; docs/evaluation.md,
    "Sixth round")."""
    return make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        ),
        LogisticRegression(
            C=strength, solver="newton-cg", max_iter=3000, class_weight=class_weight
        ),
    )


def word_features(classifier: Pipeline) -> TfidfVectorizer:
    """The word and word-pair half of a `linear_classifier`'s features."""
    words: TfidfVectorizer = classifier[0].transformer_list[1][1]
    return words


def code_fingerprint(component_file: str) -> str:
    """A hash of a component's code and of this file's, for Rasa's training cache: it knows a
    component by its config and inputs only, so a change of code must train it again."""
    files = (Path(component_file), Path(__file__))
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def save(model_storage: ModelStorage, resource: Resource, file: str, saved: dict[str, Any]) -> None:
    with model_storage.write_to(resource) as directory:
        joblib.dump(saved, directory / file)


def load_saved(model_storage: ModelStorage, resource: Resource, file: str) -> dict[str, Any] | None:
    """What `save` wrote into the model archive, or None when the component was not trained."""
    try:
        with model_storage.read_from(resource) as directory:
            # Our own model file, written by `save` into the model archive.
            saved: dict[str, Any] = joblib.load(directory / file)
    except ValueError:
        logger.warning("%s: no trained model in the archive", file)
        return None
    return saved
