"""Who is on call, and who backs them up, for a span of time."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.base import Base, UTCDateTime


class OnCallShift(Base):
    __tablename__ = "on_call_shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    # Paged when the on-call person has not acknowledged a case in time.
    backup_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
