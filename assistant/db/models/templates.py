"""Approvals of reply templates recorded in the database (who, when, which text)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.base import Base, UTCDateTime, utcnow


class TemplateApproval(Base):
    """One clinician's approval of one version of a template. The approval in force is the one
    in `templates/`; these rows are its history, with the approved words, so a later edit can
    be shown as a diff."""

    __tablename__ = "template_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # sha256 of the approved content (title and text; see `content_sha256`).
    text_sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    title: Mapped[str | None] = mapped_column(String(120))
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
