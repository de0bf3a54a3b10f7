"""Pictures clients send by MMS: fetched from Twilio with the account's credentials, kept
with the message for the practice's staff, and then deleted from Twilio.

The webhook only records where each picture is (`record_pictures`); a background job fetches
them (`PictureFetcher.run`), so a slow or failing download never holds up the answer to the
client. Only the words of a message go to triage and the dialogue; a person looks at the
picture.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assistant.db.models import InboxMessage, Picture

logger = logging.getLogger(__name__)

# MMS carries at most 5 MB; a phone's photo is JPEG, PNG, GIF, HEIC or WebP. No SVG: a
# browser runs the scripts an SVG can hold.
MAX_BYTES = 5 * 1024 * 1024
PICTURE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif")
# A failed download or deletion is tried again after these waits, then given up.
RETRY_AFTER = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))


def _looks_like(content_type: str, head: bytes) -> bool:
    """The file starts as its declared kind of picture does: a label alone is not trusted,
    since whatever is kept is shown in staff's browsers."""
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if content_type == "image/webp":
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    # HEIC and HEIF: an ISO media file whose brand names an image.
    return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif")


def record_pictures(session: Session, row: InboxMessage) -> list[Picture]:
    """One pending picture per MediaUrl of a stored inbound message (flushed, not committed)."""
    pictures = [
        Picture(practice_id=row.practice_id, inbox_message_id=row.id, provider_url=url)
        for url in row.media_urls
    ]
    session.add_all(pictures)
    session.flush()
    return pictures


def pictures_of_messages(session: Session, message_ids: list[int]) -> dict[int, list[Picture]]:
    """The pictures that came with each conversation message, by message id."""
    found: dict[int, list[Picture]] = {}
    rows = session.execute(
        select(InboxMessage.message_id, Picture)
        .join(Picture, Picture.inbox_message_id == InboxMessage.id)
        .where(InboxMessage.message_id.in_(message_ids))
        .order_by(Picture.id)
    )
    for message_id, picture in rows:
        if message_id is not None:
            found.setdefault(message_id, []).append(picture)
    return found


class _Refused(Exception):
    """The provider gave something we do not keep (not a picture, or too large)."""


@dataclass
class PictureFetcher:
    """Fetches pending pictures, and deletes the provider's copy of each once it is kept."""

    account_sid: str | None
    auth_token: str | None
    allowed_url_prefixes: list[str]
    transport: httpx.BaseTransport | None = None  # tests put a fake Twilio here
    timeout: float = 20.0

    def run(self, session: Session, *, now: datetime, limit: int = 20) -> int:
        """Fetch (or delete) what is due; commits after each picture. Returns how many."""
        due = session.scalars(
            select(Picture)
            .where(
                or_(
                    Picture.status == "pending",
                    # Kept, or refused, but Twilio still holds its copy.
                    Picture.status.in_(("stored", "refused"))
                    & Picture.provider_deleted_at.is_(None),
                ),
                Picture.attempts <= len(RETRY_AFTER),
                or_(Picture.next_attempt_at.is_(None), Picture.next_attempt_at <= now),
            )
            .order_by(Picture.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        with self._client() as client:
            for picture in due:
                if picture.status == "pending":
                    self._fetch(client, picture, now)
                else:
                    self._delete_provider_copy(client, picture, now)
                session.commit()
        return len(due)

    def _client(self) -> httpx.Client:
        auth = (self.account_sid, self.auth_token) if self.account_sid and self.auth_token else None
        # httpx drops the credentials when a redirect leaves the host (Twilio redirects a
        # picture to its storage), so they only ever reach Twilio's API.
        return httpx.Client(
            auth=auth, follow_redirects=True, timeout=self.timeout, transport=self.transport
        )

    def _allowed(self, url: str) -> bool:
        return any(url.startswith(prefix) for prefix in self.allowed_url_prefixes)

    def _fetch(self, client: httpx.Client, picture: Picture, now: datetime) -> None:
        if not self._allowed(picture.provider_url):
            self._give_up(picture, "failed", "the picture's address is not Twilio's", now)
            return
        picture.attempts += 1
        try:
            content_type, data = self._download(client, picture.provider_url)
        except _Refused as exc:
            self._give_up(picture, "refused", str(exc), now)
            return
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code < 500:
                self._give_up(picture, "failed", f"Twilio answered {exc.response.status_code}", now)
                return
            self._retry_later(picture, f"Twilio answered {exc.response.status_code}", now)
            return
        except httpx.HTTPError as exc:
            self._retry_later(picture, f"could not reach Twilio ({type(exc).__name__})", now)
            return
        picture.status = "stored"
        picture.content_type = content_type
        picture.data = data
        picture.size = len(data)
        picture.fetched_at = now
        picture.problem = None
        picture.attempts = 0
        picture.next_attempt_at = None
        self._delete_provider_copy(client, picture, now)

    def _download(self, client: httpx.Client, url: str) -> tuple[str, bytes]:
        with client.stream("GET", url) as response:
            response.raise_for_status()
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in PICTURE_TYPES:
                raise _Refused(f"not a picture ({content_type or 'no type'}); not kept")
            declared = int(response.headers.get("content-length") or 0)
            if declared > MAX_BYTES:
                raise _Refused(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not kept")
            data = bytearray()
            for chunk in response.iter_bytes():
                data.extend(chunk)
                if len(data) > MAX_BYTES:
                    raise _Refused(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not kept")
        if not _looks_like(content_type, bytes(data[:16])):
            raise _Refused(f"not a picture (its bytes are not {content_type}); not kept")
        return content_type, bytes(data)

    def _delete_provider_copy(self, client: httpx.Client, picture: Picture, now: datetime) -> None:
        """Twilio keeps an MMS picture until it is deleted: once we hold it (or refused it),
        nothing of the client's should stay there."""
        picture.attempts += 1
        try:
            response = client.delete(picture.provider_url)
        except httpx.HTTPError as exc:
            self._schedule(picture, now)
            logger.warning("picture %s: Twilio's copy not deleted yet (%s)", picture.id, exc)
            return
        if response.is_success or response.status_code == 404:
            picture.provider_deleted_at = now
            picture.attempts = 0
            picture.next_attempt_at = None
            return
        self._schedule(picture, now)
        logger.warning(
            "picture %s: Twilio answered %s to deleting its copy", picture.id, response.status_code
        )

    def _retry_later(self, picture: Picture, problem: str, now: datetime) -> None:
        picture.problem = problem
        if picture.attempts > len(RETRY_AFTER):
            self._give_up(picture, "failed", problem, now)
            return
        self._schedule(picture, now)
        logger.warning("picture %s: %s; trying again", picture.id, problem)

    def _schedule(self, picture: Picture, now: datetime) -> None:
        wait = RETRY_AFTER[min(picture.attempts, len(RETRY_AFTER)) - 1]
        picture.next_attempt_at = now + wait

    def _give_up(self, picture: Picture, status: str, problem: str, now: datetime) -> None:
        picture.status = status
        picture.problem = problem
        picture.attempts = 0
        picture.next_attempt_at = None
        logger.warning("picture %s %s: %s", picture.id, status, problem)
