"""Coordination rules: what each patient needs next, and what the practice must be told."""
