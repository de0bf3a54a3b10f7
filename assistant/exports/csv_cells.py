"""What every CSV export shares: UTF-8 with a byte-order mark, so spreadsheet programs read
"Ramírez" as written, and no cell a spreadsheet would run as a formula. Clients write these
words, so a cell starting with = + - @ (or a tab or carriage return) gets a leading apostrophe,
OWASP's advice against CSV injection."""

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")
