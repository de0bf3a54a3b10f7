"""Words about the body, medicines, exposures and the sender's safety (the unsure-FAQ gate)."""

import pytest

from assistant.safety.health_words import mentions_health


@pytest.mark.parametrize(
    "text",
    [
        "his tongue looks kinda funny",
        "the dog ate something off the counter",
        "i dont see the point anymore",
        "she took too many of her pills",
        "belly looks bigger",
    ],
)
def test_health_words_are_found(text: str) -> None:
    assert mentions_health(text)


@pytest.mark.parametrize(
    "text",
    [
        "how do i empty the drain",
        "when is bloodwork due",
        "what number do i call",
        "where do i park for my lumpectomy",
        "can i get a chewy order sent",
        "how long does chemo take",
    ],
)
def test_faq_topic_words_are_not(text: str) -> None:
    assert not mentions_health(text)
