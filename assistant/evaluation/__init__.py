"""Measure routing on a labelled set of messages (DESIGN.md's evaluation file)."""
