"""Opt-outs in the client's own words (FCC 24-24: revocation by any reasonable means)."""

from pathlib import Path

import pytest
import yaml

from assistant.messaging.consent import asks_to_stop_texts, keyword_of, without_request_to_stop


@pytest.mark.parametrize(
    "text",
    [
        "take me off this list",
        "stop sending these, she passed",
        "please stop texting me",
        "no more texts pls",
        "remove my number",
        "unsubscribe me",
        "i dont want these reminders anymore",
        "leave me alone",
        "STOP sending me reminders",
        "dont text me again",
        "opt me out",
        "I no longer wish to receive these messages",
        "quit messaging me!!",
        "please stop the automated reminders",
        "I don't want to get these messages anymore",
        "how do i turn off these automated messages?",
        "my mother passed away. please no more appointment reminders",
        "sorry, you have the wrong number, please stop",
        "sorry wrong number, please stop texting me",
    ],
)
def test_a_request_for_no_more_texts_is_an_opt_out(text: str) -> None:
    assert asks_to_stop_texts(text)


@pytest.mark.parametrize(
    "text",
    [
        "how do i stop the bleeding",
        "he wont stop throwing up",
        "cancel my appointment",
        "can you text me the address",
        "should we stop these meds",
        "is texting private",
        "can i get reminders by email",
        "when will you send the results",
        "do not send the dog home yet",
        "dont send me home with a drain",
        "please dont send me to collections",
        "can you turn off the lights in the waiting room",
        "i dont want to get chemo this week",
        "stop the pain meds?",
        # The sender's own slip (an outside request file, 2026-12-06): a client who texted us
        # by mistake keeps their reminders.
        "sorry wrong number!!",
        "oops texted the wrong person",
    ],
)
def test_other_uses_of_stop_and_send_are_not(text: str) -> None:
    assert not asks_to_stop_texts(text)


OUTSIDER_LINES = yaml.safe_load(
    (Path(__file__).parents[2] / "data" / "optout_outsider.yml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("text", OUTSIDER_LINES["opt_out"])
def test_opt_outs_written_by_an_outsider_are_opt_outs(text: str) -> None:
    assert asks_to_stop_texts(text)


@pytest.mark.parametrize("text", OUTSIDER_LINES["not_an_opt_out"])
def test_look_alikes_written_by_an_outsider_are_not(text: str) -> None:
    assert not asks_to_stop_texts(text)


SPANISH_LINES = yaml.safe_load(
    (Path(__file__).parents[2] / "data" / "optout_spanish.yml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("text", SPANISH_LINES["opt_out"])
def test_spanish_opt_outs_are_opt_outs(text: str) -> None:
    assert asks_to_stop_texts(text) or keyword_of(text) == "opt_out"


@pytest.mark.parametrize(
    "text",
    [
        *SPANISH_LINES["not_an_opt_out"],
        "alto el perro salto la cerca",
        "no quiero darme de baja, solo cambiar mi numero",
        "me quiero dar de baja del plan de bienestar",
        "quiero cancelar la cita del viernes",
    ],
)
def test_spanish_look_alikes_are_not(text: str) -> None:
    assert not asks_to_stop_texts(text)


@pytest.mark.parametrize("word", ["PARAR", "Baja", "alto.", "STOP"])
def test_spanish_keywords_alone_opt_out(word: str) -> None:
    assert keyword_of(word) == "opt_out"


def test_a_second_outsiders_opt_outs_and_look_alikes() -> None:
    # 240 lines by another outside writer (tests/data/optout_outsider2.yml, 2026-12-07). First
    # read: 92 of 120 opt-outs found, 8 of 120 look-alikes taken. With "discontinue", "cancel
    # all the texts", "take me off of your sms list", "unsubcribe", "no texts at all", "i don't
    # want to keep getting these messages", "please make them stop" and "texts are fine" or
    # "if i ever want to stop ... how": 118 and 3 (docs/evaluation.md, "Ninth round").
    lines = yaml.safe_load(
        (Path(__file__).parents[2] / "data" / "optout_outsider2.yml").read_text(encoding="utf-8")
    )
    found = sum(asks_to_stop_texts(t) or keyword_of(t) == "opt_out" for t in lines["opt_out"])
    taken = sum(asks_to_stop_texts(t) for t in lines["not_an_opt_out"])

    assert found >= 118
    assert taken <= 3


@pytest.mark.parametrize(
    ("text", "opts_out"),
    [
        ("remove me from the 8am slot and put me in the afternoon", False),
        ("take me off the list for the 7am surgery slot if it opens", False),
        ("take me off the list, we got a slot somewhere else", True),
    ],
)
def test_a_visit_slot_is_not_the_texting_list(text: str, opts_out: bool) -> None:
    assert asks_to_stop_texts(text) is opts_out


def test_a_third_outsiders_opt_outs_and_look_alikes() -> None:
    # 300 lines by a third outside writer (tests/data/optout_outsider3.yml, 2026-12-08). First
    # read: 160 of 180 opt-outs found, 7 of 120 look-alikes taken. With "no further texts",
    # "stop sending me the reminder texts", "remove his number from your texts", "would prefer
    # not to receive text messages", "doesnt want the texts", "rather get a call than texts",
    # and "texts work better" or a visit slot read as keeping the texts: 178 and 0
    # (docs/evaluation.md, "Thirteenth round").
    lines = yaml.safe_load(
        (Path(__file__).parents[2] / "data" / "optout_outsider3.yml").read_text(encoding="utf-8")
    )
    found = sum(asks_to_stop_texts(t) or keyword_of(t) == "opt_out" for t in lines["opt_out"])
    taken = sum(asks_to_stop_texts(t) for t in lines["not_an_opt_out"])

    assert found >= 178
    assert taken == 0


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("i dont want texts. take me off", "i ."),
        (
            "Coco was put to sleep on friday, please stop texting me",
            "Coco was put to sleep on friday, please me",
        ),
        (
            "stop texting me. i have been reading about too much morphine",
            "me. i have been reading about too much morphine",
        ),
    ],
)
def test_what_is_left_without_the_request_to_stop(text: str, left: str) -> None:
    assert " ".join(without_request_to_stop(text).split()) == left
