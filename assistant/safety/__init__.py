"""Safety triage: finds emergency and urgent signs in every inbound message, by rule."""

from assistant.safety.triage import RedFlag, Triage, TriageResult

__all__ = ["RedFlag", "Triage", "TriageResult"]
