"""A fitted text classifier is kept on disk and read back on the next start, fitted again only
when its examples change, and still fitted where the cache cannot be written."""

from pathlib import Path

import pytest

from assistant.safety import text_classifier

TEXTS = ["he ate my pills", "she swallowed a sock", "what time do you open", "where do i park"] * 3
LABELS = ["swallowed", "swallowed", "other", "other"] * 3


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(text_classifier, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache"


def test_the_second_load_reads_the_same_model_from_the_cache(cache: Path) -> None:
    first = text_classifier.train_text_classifier(TEXTS, LABELS)
    kept = list(cache.iterdir())
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o077 == 0

    second = text_classifier.train_text_classifier(TEXTS, LABELS)
    assert second is not first
    probe = ["my dog swallowed pills", "are you open today"]
    assert (second.predict_proba(probe) == first.predict_proba(probe)).all()
    assert list(second.predict(probe)) == ["swallowed", "other"]


def test_changed_examples_are_fitted_again(cache: Path) -> None:
    text_classifier.train_text_classifier(TEXTS, LABELS)
    text_classifier.train_text_classifier(
        [*TEXTS, "he chewed the blister pack"], [*LABELS, "swallowed"]
    )
    assert len(list(cache.iterdir())) == 2


def test_an_unreadable_cache_entry_is_fitted_again(cache: Path) -> None:
    text_classifier.train_text_classifier(TEXTS, LABELS)
    (entry,) = cache.iterdir()
    entry.write_bytes(b"not a model")
    model = text_classifier.train_text_classifier(TEXTS, LABELS)
    assert list(model.predict(["she swallowed pills"])) == ["swallowed"]


def test_without_a_writable_cache_the_model_is_still_fitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setattr(text_classifier, "CACHE_DIR", blocked / "cache")
    model = text_classifier.train_text_classifier(TEXTS, LABELS)
    assert list(model.predict(["she swallowed pills"])) == ["swallowed"]
