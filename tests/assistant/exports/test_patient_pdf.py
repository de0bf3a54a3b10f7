"""The patient PDF prints names as written, and a letter its font lacks as a visible mark."""

import io
from datetime import UTC, datetime

import pypdf

from assistant.db.models import Patient, Practice
from assistant.exports.patient_pdf import patient_pdf


def test_accents_and_other_alphabets_print_and_a_missing_letter_shows_as_a_mark() -> None:
    practice = Practice(name="Cedar Veterinary Oncology", timezone="America/Chicago")
    patient = Patient(id=7, name="Łucja Ramírez-O'Connor Ελένη 王", species="dog")

    content = patient_pdf(
        practice=practice,
        patient=patient,
        records=[],
        covering="every resolved case on file",
        generated_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
    )

    text = " ".join(pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    assert "Łucja Ramírez-O'Connor Ελένη \ufffd" in text
    assert "Tue 1 Dec 2026, 9:00 AM CST" in text
    assert "No resolved cases." in text
