"""Measure routing on a labelled set of messages (the evaluation file in docs/architecture.md)."""
