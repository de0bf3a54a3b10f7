"""How long a text is in SMS segments, and how to cut a long one into messages that read well.

A text made only of GSM-7 characters travels 160 to a segment (153 when concatenated, the rest
is the joining header); one character outside GSM-7 (an emoji, a curly quote, Cyrillic) turns the
whole message into UCS-2: 70 UTF-16 units to a segment, 67 when concatenated.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

# GSM 03.38 basic character set (the escape character itself is left out: nobody types it).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as escape + character, so it costs two septets.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
# Longer bodies become several messages: a phone shows each as it arrives, in order.
MAX_SEGMENTS_PER_MESSAGE = 3

# Full stops that do not end a sentence: never cut a message right after one.
_ABBREVIATIONS = ("dr.", "mr.", "mrs.", "ms.", "st.", "vs.", "e.g.", "i.e.", "no.", "approx.")
_SENTENCE_BREAK = re.compile(r"((?<=[.!?…])\s+|\s*\n\s*)")
_WORD_BREAK = re.compile(r"(\s+)")

# Splits one piece too long for a message into smaller ones: (text, max_segments) -> messages.
_Splitter = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _char_units(ch: str, gsm7: bool) -> int:
    if gsm7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1  # a surrogate pair in UTF-16


def count_segments(text: str) -> SegmentCount:
    """The number of segments a carrier bills for `text`, as Twilio counts them.

    An escape sequence (GSM-7) or a surrogate pair (UCS-2) is never split between two
    segments, so a part can hold one unit less than its nominal size.
    """
    gsm7 = is_gsm7(text)
    units = [_char_units(ch, gsm7) for ch in text]
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm7 else (UCS2_SINGLE, UCS2_PART)
    total = sum(units)
    encoding = "GSM-7" if gsm7 else "UCS-2"
    if total == 0:
        return SegmentCount(encoding, 0, 0)
    if total <= single:
        return SegmentCount(encoding, total, 1)
    segments, filled = 1, 0
    for size in units:
        if filled + size > part:
            segments += 1
            filled = 0
        filled += size
    return SegmentCount(encoding, total, segments)


def fits(text: str, max_segments: int = MAX_SEGMENTS_PER_MESSAGE) -> bool:
    return count_segments(text).segments <= max_segments


def split_message(text: str, max_segments: int = MAX_SEGMENTS_PER_MESSAGE) -> list[str]:
    """`text` as one or more messages of at most `max_segments` segments each.

    Cuts fall between sentences (or lines); a sentence too long for one message is cut
    between words, and a word too long for one message between characters. Text is kept
    as written: nothing is added, dropped or reworded, except whitespace at a cut.
    """
    text = text.strip()
    if not text:
        return []
    if fits(text, max_segments):
        return [text]
    return _pack(_sentences(text), max_segments, _split_sentence)


def _sentences(text: str) -> list[str]:
    """Sentences, each with the whitespace that followed it, abbreviations kept attached."""
    parts = _SENTENCE_BREAK.split(text)
    pieces: list[str] = []
    for index in range(0, len(parts), 2):
        piece = parts[index] + (parts[index + 1] if index + 1 < len(parts) else "")
        if pieces and _ends_with_abbreviation(pieces[-1]):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return [piece for piece in pieces if piece.strip()]


def _ends_with_abbreviation(piece: str) -> bool:
    words = piece.split()
    return bool(words) and words[-1].lower() in _ABBREVIATIONS


def _split_sentence(sentence: str, max_segments: int) -> list[str]:
    words = [w for w in _WORD_BREAK.split(sentence) if w]
    # Keep each word's following whitespace with it, so joining them restores the text.
    pieces: list[str] = []
    for word in words:
        if word.isspace() and pieces:
            pieces[-1] += word
        elif not word.isspace():
            pieces.append(word)
    return _pack(pieces, max_segments, _split_word)


def _split_word(word: str, max_segments: int) -> list[str]:
    return _pack(list(word), max_segments, None)


def _pack(
    pieces: list[str],
    max_segments: int,
    split_further: _Splitter | None,
) -> list[str]:
    """Greedily join `pieces` into messages that fit.

    A piece too long for a message of its own is split further, together with the text
    before it, so no message is left short.
    """
    messages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = current + piece
        if fits(candidate.strip(), max_segments):
            current = candidate
        elif split_further is None or fits(piece.strip(), max_segments):
            if current.strip():
                messages.append(current.strip())
            current = piece
        else:
            *whole, last = split_further(candidate.strip(), max_segments)
            messages.extend(whole)
            current = last + piece[len(piece.rstrip()) :]
    if current.strip():
        messages.append(current.strip())
    return messages
