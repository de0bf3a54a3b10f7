"""CSV exports keep every word a client wrote, and no cell runs as a spreadsheet formula."""

import csv
import io

import pytest

from assistant.exports.csv_cells import csv_bytes, safe_cell


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 312 555 0100", "'+1 312 555 0100"),
        ("-5 mg", "'-5 mg"),
        ("@nurse", "'@nurse"),
        ('she ate, then "vomited"', 'she ate, then "vomited"'),
        ("Zoë Ramírez O'Connor", "Zoë Ramírez O'Connor"),
    ],
)
def test_formula_starts_get_an_apostrophe_and_other_text_is_kept(text: str, cell: str) -> None:
    assert safe_cell(text) == cell


def test_commas_quotes_new_lines_and_accents_survive_a_round_trip() -> None:
    text = 'line one, with "quotes"\nline two: Ramírez'

    content = csv_bytes(("a", "b"), [[text, 3]])

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows == [["a", "b"], [text, "3"]]
