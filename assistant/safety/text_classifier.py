"""The small text classifier behind the triage rules: the learned safety net and the FAQ gate.

Five of them are fitted whenever the triage loads: about 8 of the 14 seconds an api process took
to start, paid again by every test that starts one. A fitted classifier is kept on disk under
`var/cache/text-classifiers`, named by a hash of its examples, this file and scikit-learn's
version, so it is fitted again exactly when one of those changed; the same examples always fit
the same model. Where the cache cannot be written, the classifier is fitted as before.
"""

import hashlib
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.settings import ROOT

logger = logging.getLogger(__name__)

CACHE_DIR = ROOT / "var" / "cache" / "text-classifiers"


def train_text_classifier(texts: Sequence[str], labels: Sequence[object]) -> Any:
    """A TF-IDF and balanced logistic-regression pipeline fitted to `texts` (about a second),
    or the same pipeline from the cache."""
    path = CACHE_DIR / f"{_cache_key(texts, labels)}.pickle"
    try:
        # Written by this project only (owner-only files, below), as the Rasa model is.
        return pickle.loads(path.read_bytes())  # noqa: S301
    except FileNotFoundError:
        pass
    except Exception as error:  # noqa: BLE001 (a damaged or unreadable entry is fitted again)
        logger.warning("fitting again: could not read %s: %s", path, error)
    model = _fit(texts, labels)
    _store(path, model)
    return model


def _fit(texts: Sequence[str], labels: Sequence[object]) -> Any:
    """Character n-grams forgive typos; word pairs keep "my pills" apart from "his pills"."""
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


def _cache_key(texts: Sequence[str], labels: Sequence[object]) -> str:
    import sklearn

    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    digest.update(sklearn.__version__.encode())
    digest.update(json.dumps([list(texts), [repr(label) for label in labels]]).encode())
    return digest.hexdigest()[:32]


def _store(path: Path, model: Any) -> None:
    """Write the fitted model where the next start finds it; several processes may start at
    once, so each writes its own file and renames it into place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(model, out)
        os.replace(temporary, path)
    except OSError as error:
        logger.warning("could not keep a fitted text classifier in %s: %s", path.parent, error)
