"""Which rows an import brought in: a source id, and not one of the demo's own (the demo's
records come in through the import too, with the demo's prefix)."""

from typing import Any

from sqlalchemy import ColumnElement, and_

from assistant.demo.seed import DEMO_SOURCE_PREFIX


def imported_here(model: Any) -> ColumnElement[bool]:
    return and_(model.source_id.is_not(None), model.source_id.not_like(f"{DEMO_SOURCE_PREFIX}%"))
