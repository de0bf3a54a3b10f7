import re

import pytest

from assistant.messaging.sms_text import count_segments, split_message

MAX_GSM7 = 3 * 153  # three concatenated GSM-7 parts
MAX_UCS2 = 3 * 67


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("Café à 8h, Ñoño, Øre: £5 ¥3 §2 ¿Qué?", "GSM-7", 1),  # accents in the GSM-7 table
        ("€" * 80, "GSM-7", 1),  # each extension character takes two septets: 160
        ("€" * 81, "GSM-7", 2),
        ("[x]{y}^~|\\" + "a" * 142, "GSM-7", 1),  # 8 extension chars (16) + x, y + 142 = 160
        ("[x]{y}^~|\\" + "a" * 143, "GSM-7", 2),
        # An escape sequence is never split between parts: 152 + (2) + 152 needs three parts,
        # although 306 septets would fill two.
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 3),
        ("Hi 😀", "UCS-2", 1),
        ("ê" + "a" * 69, "UCS-2", 1),  # one character outside GSM-7 makes all of it UCS-2
        ("ê" + "a" * 70, "UCS-2", 2),
        ("It’s time", "UCS-2", 1),  # a curly apostrophe is not GSM-7 either
        ("😀" * 35, "UCS-2", 1),  # an emoji is a surrogate pair: two UTF-16 units
        ("😀" * 36, "UCS-2", 2),
        ("a" * 67 * 3, "GSM-7", 2),
        ("я" * 67 * 3, "UCS-2", 3),
        ("я" * (67 * 3 + 1), "UCS-2", 4),
        # A surrogate pair is not split either: 66 + (2) + 66 needs three parts.
        ("я" * 66 + "😀" + "я" * 66, "UCS-2", 3),
    ],
)
def test_segments_are_counted_as_carriers_bill_them(
    text: str, encoding: str, segments: int
) -> None:
    count = count_segments(text)

    assert (count.encoding, count.segments) == (encoding, segments)


def _fits_three_segments(part: str) -> bool:
    return count_segments(part).segments <= 3


def test_a_short_message_is_left_alone() -> None:
    assert split_message("  Your visit is at 9:00.\n") == ["Your visit is at 9:00."]
    assert split_message("   ") == []


def test_a_1000_character_reply_is_split_between_sentences() -> None:
    sentences = [
        f"Step {n}: give the tablet with food and write down the time you gave it."
        for n in range(1, 16)
    ]
    reply = " ".join(sentences)
    assert len(reply) > 1000

    parts = split_message(reply)

    assert len(parts) == 3
    assert all(_fits_three_segments(p) for p in parts)
    assert all(p.endswith("it.") and p.startswith("Step ") for p in parts)
    assert " ".join(parts) == reply  # nothing lost, nothing added


def test_lines_are_kept_and_a_cut_falls_between_them() -> None:
    lines = [f"- Line {n} of the bloodwork instructions for the morning visit" for n in range(12)]
    reply = "\n".join(lines)

    parts = split_message(reply)

    assert len(parts) == 2
    assert "\n".join(parts) == reply
    assert all(_fits_three_segments(p) for p in parts)


def test_a_cut_never_follows_a_title() -> None:
    first = "This sentence is here to take up most of the first message. " * 7 + "Call us."
    reply = first + " Dr. Smith will call you back today."
    assert len(first) < MAX_GSM7 < len(reply)

    parts = split_message(reply)

    assert parts == [first, "Dr. Smith will call you back today."]


def test_a_sentence_longer_than_a_message_is_split_between_words() -> None:
    sentence = " ".join(f"word{n}" for n in range(150)) + "."

    parts = split_message(sentence)

    assert len(parts) == 3
    assert all(_fits_three_segments(p) for p in parts)
    assert " ".join(parts) == sentence
    assert all(re.fullmatch(r"word\d+", p.split()[0]) for p in parts)  # no word is cut


def test_a_word_longer_than_a_message_is_split_where_it_must() -> None:
    link = "https://example.org/" + "x" * 980

    parts = split_message(f"Open {link} to pay.")

    assert [len(p) for p in parts] == [MAX_GSM7, MAX_GSM7, 1013 - 2 * MAX_GSM7]
    assert parts[0].startswith("Open https://")  # not a message of its own
    assert "".join(parts) == f"Open {link} to pay."


def test_emoji_text_is_split_by_ucs2_sizes() -> None:
    reply = " ".join(f"Día {n}: todo bien 👍." for n in range(40))

    parts = split_message(reply)

    assert all(count_segments(p).encoding == "UCS-2" for p in parts)
    assert all(_fits_three_segments(p) for p in parts)
    assert all(count_segments(p).units > MAX_UCS2 - 25 for p in parts[:-1])  # well filled
    assert " ".join(parts) == reply
