"""One patient's resolved cases as a PDF for the practice's chart, drawn with fpdf2.

The DejaVu Sans font is embedded (only the letters used), so names like "Ramírez" and most
scripts print as written; a character the font lacks prints as the replacement mark (the
CSV keeps every character)."""

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.fonts import TTFFont

from assistant.db.models import Patient, Practice
from assistant.exports.case_records import CaseRecord
from assistant.exports.timeline import TimelineRow, timeline

FONTS = Path(__file__).parent / "fonts"
FONT = "dejavu"
REPLACEMENT = "\ufffd"
# fontTools logs each font table it drops while fpdf2 subsets the font, at INFO: a dozen lines
# per PDF in the api's log, none of use.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


class _RecordPdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="Letter")
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        font = self.fonts[FONT]
        assert isinstance(font, TTFFont)  # added from a TrueType file just above
        self._known = font.cmap

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, f"Page {self.page_no()}/{{nb}}", align="C")

    def paragraph(
        self, text: str, *, size: float = 10, bold: bool = False, height: float = 5
    ) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        printable = "".join(
            c if ord(c) in self._known or c in "\r\n" else REPLACEMENT for c in text
        )
        self.multi_cell(0, height, printable, new_x="LMARGIN", new_y="NEXT")


def patient_pdf(
    *,
    practice: Practice,
    patient: Patient,
    records: Sequence[CaseRecord],
    covering: str,
    generated_at: datetime,
) -> bytes:
    """`covering`: what the export covers, in words ("all resolved cases", a period)."""
    zone = ZoneInfo(practice.timezone)
    pdf = _RecordPdf()
    pdf.set_title(f"Messages: {patient.name}")
    pdf.set_creator(practice.name)
    pdf.add_page()
    pdf.paragraph(f"{practice.name}: messages about {patient.name}", size=15, bold=True, height=8)
    about = [f"Patient record {patient.source_id or patient.id}"]
    if patient.species:
        about.append(patient.species)
    if patient.date_of_birth:
        about.append(f"born {patient.date_of_birth.day} {patient.date_of_birth:%b %Y}")
    pdf.paragraph(", ".join(about))
    pdf.paragraph(f"Covers {covering}; made {_when(generated_at.astimezone(zone))}.")
    if not records:
        pdf.ln(4)
        pdf.paragraph("No resolved cases.")
    for record in records:
        pdf.ln(4)
        _case_heading(pdf, record, zone)
        for row in timeline([record], practice.timezone):
            _message(pdf, row)
    return bytes(pdf.output())


def _case_heading(pdf: _RecordPdf, record: CaseRecord, zone: ZoneInfo) -> None:
    case, by = record.case, record.resolved_by
    pdf.paragraph(f"Case {case.id}: {case.category}, {case.priority}", size=12, bold=True, height=6)
    resolved = _when(case.resolved_at.astimezone(zone)) if case.resolved_at else "not resolved"
    who = f" by {by.name} ({by.role})" if by else ""
    pdf.paragraph(f"Resolved {resolved}{who}: {case.resolution_note or '(no note)'}", size=9)


def _message(pdf: _RecordPdf, row: TimelineRow) -> None:
    delivery = f", text {row.delivery.replace('_', ' ')}" if row.delivery else ""
    who = row.who if row.who == row.role else f"{row.who} ({row.role})"
    pdf.ln(1.5)
    pdf.paragraph(f"{_when(row.at)}, {row.direction}, {who}{delivery}", size=8)
    pdf.paragraph(row.text, size=10)


def _when(moment: datetime) -> str:
    """'Tue 1 Dec 2026, 8:03 AM CST'."""
    hour = moment.hour % 12 or 12
    return f"{moment:%a} {moment.day} {moment:%b %Y}, {hour}:{moment:%M %p %Z}"
