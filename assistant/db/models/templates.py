"""Approvals of reply templates recorded in the database (who, when, which text)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.base import Base, UTCDateTime, utcnow


class TemplateApproval(Base):
    __tablename__ = "template_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text_sha256: Mapped[str] = mapped_column(String(64))
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
