"""Updating a row only where a value differs, for code that reports or audits what changed."""

from collections.abc import Mapping
from typing import Any


def assign_changed(row: Any, values: Mapping[str, Any]) -> list[str]:
    """Sets each attribute whose value differs; returns the names of those that did."""
    changed = [field for field, value in values.items() if getattr(row, field) != value]
    for field in changed:
        setattr(row, field, values[field])
    return changed
