"""Load test of a running assistant (the production profile): nothing lost, nothing repeated,
nothing double-booked.

    .venv/bin/python -m bench.load_test --api http://127.0.0.1:8000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/assistant_prod

Two phases, against the api over HTTP as Twilio and browsers reach it:

1. **burst**: many senders at once (demo contacts of both practices and unknown numbers), each
   posting a few signed Twilio webhooks without waiting for the answers, some of them posted
   again with the same MessageSid as Twilio retries do (at the same moment and a little later),
   while web-chat senders take turns;
2. **booking race**: verified owners and patients ask for a visit by text, wait until they are
   all offered times, then all pick the first one at the same moment, and again while they
   lose the race.

Then it reads the database: every MessageSid stored once and answered (`lost` counts those
not answered, web turns that failed, and turns without a reply), exactly one set of replies
per inbound message (`repeated`), and no two live appointments of one clinician that overlap
(`double_booked`). It prints the figures as JSON and returns them.
"""

import argparse
import json
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

import httpx
import yaml
from sqlalchemy import Engine, bindparam, text
from twilio.request_validator import RequestValidator

from assistant.channels.web_chat import chat_message
from assistant.db.engine import make_engine
from assistant.demo.seed import DATA_FILE
from assistant.evaluation.run import load as load_labelled
from assistant.messaging.consent import keyword_of
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from assistant.scheduling.claims import cells
from assistant.settings import ROOT

DEV_SET = ROOT / "tests" / "data" / "dev_set.jsonl"
PRACTICE_FOR_AUDIENCE = {"vet": "cedar-vet-oncology", "human": "harbor-surgical-oncology"}
# Single words that answer a reminder or a referral ("C" confirms a visit): not load, changes.
STATE_CHANGING_WORDS = {"c", "r", "book", "yes", "y", "no", "n", "stop", "start", "help"}
# Fictional numbers (555-0100..0199) under area codes no demo contact uses.
UNKNOWN_AREA_CODES = ("202", "206", "213", "303", "305", "404", "415", "503", "512", "602")
LIVE_APPOINTMENT = "a.status NOT IN ('cancelled', 'rescheduled')"
OFFERS = ("both.booking.offer_times", "both.booking.slot_just_taken")
WEBHOOK_TRIES = 3  # Twilio retries a webhook that failed; so does this test


@dataclass(frozen=True)
class Practice:
    slug: str
    kind: str
    sms_number: str


@dataclass(frozen=True)
class Booker:
    """A demo contact who can pass the identity check and book a visit by text."""

    phone: str
    practice: str
    request: str  # the first message: what to book
    identity: str  # the answer to the identity question
    patient: str  # the answer to "which pet / patient?"


@dataclass
class Ledger:
    """What the test sent and what it saw, filled from many threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sids: dict[str, str] = field(default_factory=dict)  # MessageSid -> sender
    rejected: list[str] = field(default_factory=list)  # never accepted by the webhook
    retries: int = 0
    web_turns: int = 0
    web_failed: list[str] = field(default_factory=list)
    web_latencies: list[float] = field(default_factory=list)
    web_conversations: set[str] = field(default_factory=set)
    booking: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        with self.lock:
            self.booking[outcome] = self.booking.get(outcome, 0) + 1


class LoadTest:
    def __init__(
        self,
        *,
        api: str,
        engine: Engine,
        public_base_url: str,
        auth_token: str,
        senders: int,
        messages: int,
        retries: int,
        web_senders: int,
        web_turns: int,
        bookers: int,
        timeout: float,
        seed: int,
    ) -> None:
        self.api = api.rstrip("/")
        self.engine = engine
        self.signed_url = f"{public_base_url.rstrip('/')}/twilio/sms"
        self.validator = RequestValidator(auth_token)
        self.senders = senders
        self.messages = messages
        self.retries = retries
        self.web_senders = web_senders
        self.web_turns = web_turns
        self.bookers = bookers
        self.timeout = timeout
        self.random = random.Random(seed)
        self.ledger = Ledger()
        self.http = httpx.Client(
            timeout=60, limits=httpx.Limits(max_connections=200, max_keepalive_connections=50)
        )

    # ---- the run ---------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        practices = {
            p["slug"]: Practice(p["slug"], p["kind"], p["sms_number"])
            for p in self.http.get(f"{self.api}/api/v1/practices").json()
        }
        demo = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
        bookers = _bookers(demo, self.bookers)
        booker_phones = {b.phone for b in bookers}
        known = [
            (contact["phone"], spec["slug"])
            for spec in demo["practices"]
            for contact in spec["contacts"]
            if contact["phone"] not in booker_phones
        ]
        texts = _texts()
        started = datetime.now(UTC)
        clock = time.monotonic()

        senders = self._sms_senders(known, practices)
        with ThreadPoolExecutor(max_workers=len(senders) + self.web_senders + 8) as pool:
            retry_jobs: list[Future[None]] = []
            jobs = [
                pool.submit(self._texter, phone, practices[slug], texts[slug], pool, retry_jobs)
                for phone, slug in senders
            ]
            jobs += [
                pool.submit(self._web_chatter, n, self.random.choice(list(practices)), texts)
                for n in range(self.web_senders)
            ]
            for job in jobs:
                job.result()
            for job in list(retry_jobs):
                job.result()
        web_done_s = time.monotonic() - clock
        burst_sids = list(self.ledger.sids)
        self._wait_until_answered(burst_sids, clock + self.timeout)
        burst_s = max(web_done_s, self._last_answer_s(burst_sids, started))
        burst_turns = len(burst_sids) + self.ledger.web_turns

        booking_started = time.monotonic()
        if bookers:
            race = threading.Barrier(len(bookers))
            with ThreadPoolExecutor(max_workers=len(bookers)) as pool:
                for job in [
                    pool.submit(self._book, b, practices[b.practice], race) for b in bookers
                ]:
                    job.result()
        booking_s = time.monotonic() - booking_started

        unanswered = self._wait_until_answered(
            list(self.ledger.sids), time.monotonic() + self.timeout
        )
        checks = self._check(started)
        sms_latency = self._sms_latencies()
        result: dict[str, Any] = {
            "sent": len(self.ledger.sids) + len(self.ledger.rejected) + self.ledger.web_turns,
            "lost": len(unanswered)
            + len(self.ledger.rejected)
            + len(self.ledger.web_failed)
            + checks["without_reply"],
            "repeated": checks["repeated"],
            "double_booked": checks["double_booked"],
            "duration_s": round(time.monotonic() - clock, 1),
            "sms": len(self.ledger.sids),
            "sms_retries_posted": self.ledger.retries,
            "sms_stored": checks["stored"],
            "sms_not_answered": len(unanswered),
            "webhooks_rejected": len(self.ledger.rejected),
            "web_turns": self.ledger.web_turns,
            "web_failed": len(self.ledger.web_failed),
            "turns_without_reply": checks["without_reply"],
            "burst_turns": burst_turns,
            "burst_s": round(burst_s, 1),
            "burst_turns_per_s": round(burst_turns / burst_s, 2) if burst_s else None,
            "sms_reply_p50_s": sms_latency[0],
            "sms_reply_p95_s": sms_latency[1],
            "web_turn_p50_s": _percentiles(self.ledger.web_latencies)[0],
            "web_turn_p95_s": _percentiles(self.ledger.web_latencies)[1],
            "booking_s": round(booking_s, 1),
            "booking": dict(sorted(self.ledger.booking.items())),
            "live_appointments": checks["live_appointments"],
            "claims_missing": checks["claims_missing"],
            "claims_stale": checks["claims_stale"],
            "conversations": checks["conversations"],
            # Emergency and urgent turns are answered from the triage rules, without Rasa.
            "routes": checks["routes"],
        }
        self.http.close()
        return result

    # ---- senders ---------------------------------------------------------------------------

    def _sms_senders(
        self, known: list[tuple[str, str]], practices: dict[str, Practice]
    ) -> list[tuple[str, str]]:
        """`senders` numbers: the demo contacts first, then unknown fictional numbers."""
        chosen = known[: self.senders]
        taken = {phone for phone, _ in known}
        slugs = sorted(practices)
        while len(chosen) < self.senders:
            area = self.random.choice(UNKNOWN_AREA_CODES)
            phone = f"+1{area}55501{self.random.randrange(100):02d}"
            if phone not in taken:
                taken.add(phone)
                chosen.append((phone, slugs[len(chosen) % len(slugs)]))
        return chosen

    def _texter(
        self,
        phone: str,
        practice: Practice,
        texts: list[str],
        pool: ThreadPoolExecutor,
        retry_jobs: list[Future[None]],
    ) -> None:
        """One sender's messages, one after another, without waiting for the answers."""
        for _ in range(self.messages):
            form = self._form(phone, practice, self.random.choice(texts))
            with self.ledger.lock:
                retry = self.ledger.retries < self.retries and self.random.random() < 0.25
                if retry:
                    self.ledger.retries += 1
                    # Half in flight with the first delivery, half a little later.
                    delay = self.random.choice((0.0, self.random.uniform(0.5, 3.0)))
                    retry_jobs.append(pool.submit(self._retry_later, form, delay))
            self._post_webhook(form)
            time.sleep(self.random.uniform(0.0, 0.4))

    def _retry_later(self, form: dict[str, str], delay: float) -> None:
        time.sleep(delay)
        self._post_webhook(form, first=False)

    def _form(self, phone: str, practice: Practice, body: str) -> dict[str, str]:
        return {
            "MessageSid": f"SMload{uuid.uuid4().hex[:26]}",
            "AccountSid": "ACload",
            "From": phone,
            "To": practice.sms_number,
            "Body": body,
            "NumMedia": "0",
        }

    def _post_webhook(self, form: dict[str, str], *, first: bool = True) -> bool:
        """Post a signed webhook as Twilio does, trying again after a failure."""
        signature = self.validator.compute_signature(self.signed_url, form)
        for attempt in range(WEBHOOK_TRIES):
            try:
                response = self.http.post(
                    f"{self.api}/twilio/sms",
                    data=form,
                    headers={"X-Twilio-Signature": signature},
                    timeout=15,
                )
                if response.status_code == 200:
                    if first:
                        with self.ledger.lock:
                            self.ledger.sids[form["MessageSid"]] = form["From"]
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(1 + attempt)
        if first:
            with self.ledger.lock:
                self.ledger.rejected.append(form["MessageSid"])
        return False

    def _web_chatter(self, n: int, slug: str, texts: dict[str, list[str]]) -> None:
        chat_token = None  # the api issues one with the chat's first answer
        for _ in range(self.web_turns):
            started = time.monotonic()
            turn: dict[str, Any] = {}
            body = chat_message(self.random.choice(texts[slug]), chat_token)
            try:
                response = self.http.post(f"{self.api}/api/v1/chat/{slug}/messages", json=body)
                if response.status_code == 200:
                    turn = response.json()
                    chat_token = turn["chat_token"]
            except (httpx.HTTPError, ValueError):
                pass
            with self.ledger.lock:
                self.ledger.web_turns += 1
                if turn.get("conversation_id"):
                    self.ledger.web_conversations.add(turn["conversation_id"])
                if turn.get("replies"):
                    self.ledger.web_latencies.append(time.monotonic() - started)
                else:
                    self.ledger.web_failed.append(f"web-{n}")

    def _book(self, booker: Booker, practice: Practice, race: threading.Barrier) -> None:
        """Ask for a visit, prove who this is, then pick the first time offered, with every
        other booker at the same moment; pick again while the time was just taken."""
        replies = self._text_and_wait(booker.phone, practice, booker.request)
        raced = False
        for _ in range(8):
            if any(t in OFFERS for t in replies):
                if not raced:
                    raced = True
                    try:
                        race.wait(timeout=self.timeout)
                    except threading.BrokenBarrierError:
                        pass  # another booker never got offers: go on alone
                replies = self._text_and_wait(booker.phone, practice, "1")
                if "both.booking.slot_just_taken" in replies:
                    self.ledger.count("lost_race")
                continue
            # Asked who this is, or asked again: an earlier message of this sender (in a
            # burst of an earlier run) may have been read as a wrong answer.
            if any(
                t.endswith(("booking.ask_identity", "booking.identity_failed")) for t in replies
            ):
                replies = self._text_and_wait(booker.phone, practice, booker.identity)
            elif "both.booking.which_patient" in replies:
                replies = self._text_and_wait(booker.phone, practice, booker.patient)
            else:
                break
        outcome = "booked" if "both.booking.booked" in replies else "not_booked"
        self.ledger.count(outcome)
        if not raced:
            race.abort()  # nobody waits for a booker who will not come

    def _text_and_wait(self, phone: str, practice: Practice, body: str) -> list[str]:
        """One SMS; the templates of the replies to it once the inbox has answered it."""
        form = self._form(phone, practice, body)
        if not self._post_webhook(form):
            return []
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            with self.engine.connect() as db:
                row = db.execute(
                    text(
                        "SELECT status, message_id FROM inbox_message"
                        " WHERE provider_message_id = :sid"
                    ),
                    {"sid": form["MessageSid"]},
                ).one_or_none()
                if row is not None and row.status == "processed":
                    return [
                        template
                        for (template,) in db.execute(
                            text(
                                "SELECT template_id FROM message m WHERE m.direction = 'out'"
                                " AND m.conversation_id = (SELECT conversation_id FROM message"
                                "   WHERE id = :inbound) AND m.id > :inbound"
                                " AND NOT EXISTS (SELECT 1 FROM message later"
                                "   WHERE later.conversation_id = m.conversation_id"
                                "   AND later.direction = 'in'"
                                "   AND later.id > :inbound AND later.id < m.id)"
                                " ORDER BY m.id"
                            ),
                            {"inbound": row.message_id},
                        )
                        if template
                    ]
            time.sleep(0.3)
        return []

    # ---- waiting and checking --------------------------------------------------------------

    def _wait_until_answered(self, sids: list[str], deadline: float) -> list[str]:
        """The MessageSids still not answered when every one is, or at `deadline`."""
        waiting = sids
        while waiting:
            with self.engine.connect() as db:
                done = {
                    sid
                    for (sid,) in db.execute(
                        text(
                            "SELECT provider_message_id FROM inbox_message"
                            " WHERE provider_message_id IN :sids AND status = 'processed'"
                        ).bindparams(bindparam("sids", expanding=True)),
                        {"sids": waiting},
                    )
                }
            waiting = [sid for sid in waiting if sid not in done]
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        return waiting

    def _last_answer_s(self, sids: list[str], started: datetime) -> float:
        """Seconds from the start to the last of these SMS answered."""
        with self.engine.connect() as db:
            last = db.scalar(
                text(
                    "SELECT max(processed_at) FROM inbox_message WHERE provider_message_id IN :sids"
                ).bindparams(bindparam("sids", expanding=True)),
                {"sids": sids or [""]},
            )
        return (_as_utc(last) - started).total_seconds() if last else 0.0

    def _sms_latencies(self) -> tuple[float | None, float | None]:
        with self.engine.connect() as db:
            rows = db.execute(
                text(
                    "SELECT received_at, processed_at FROM inbox_message"
                    " WHERE provider_message_id IN :sids AND processed_at IS NOT NULL"
                ).bindparams(bindparam("sids", expanding=True)),
                {"sids": list(self.ledger.sids) or [""]},
            ).all()
        return _percentiles(
            [(_as_utc(done) - _as_utc(received)).total_seconds() for received, done in rows]
        )

    def _check(self, started: datetime) -> dict[str, Any]:
        sids = list(self.ledger.sids) or [""]
        with self.engine.connect() as db:
            stored = db.execute(
                text(
                    "SELECT s.provider_message_id, count(*), max(s.message_id),"
                    " max(m.conversation_id), max(s.processed_at)"
                    " FROM inbox_message s LEFT JOIN message m ON m.id = s.message_id"
                    " WHERE s.provider_message_id IN :sids GROUP BY s.provider_message_id"
                ).bindparams(bindparam("sids", expanding=True)),
                {"sids": sids},
            ).all()
            stored_twice = sum(row[1] - 1 for row in stored)
            sms_inbound = {row[2] for row in stored if row[2] is not None}
            sms_conversations = {row[3] for row in stored if row[3] is not None}
            conversations = sms_conversations | self.ledger.web_conversations
            inbound = db.execute(
                text(
                    "SELECT id, conversation_id, created_at FROM message"
                    " WHERE direction = 'in' AND created_at >= :started"
                    " AND conversation_id IN :conversations"
                ).bindparams(bindparam("conversations", expanding=True)),
                {"started": started, "conversations": list(conversations) or [""]},
            ).all()
            # A turn writes all its replies at the moment it is answered: an SMS when its
            # inbox row is processed (a retry after Rasa was down answers later, possibly
            # after a red flag that passed it), a web-chat message when it arrives. Each
            # such moment holds one reply set; proactive messages and staff replies are
            # not replies to a message.
            answered_at = [(row[3], row[4]) for row in stored if row[3] and row[4]]
            answered_at += [(c, at) for _, c, at in inbound if c in self.ledger.web_conversations]
            reply_sets = {
                (c, at)
                for c, at in db.execute(
                    text(
                        "SELECT DISTINCT o.conversation_id, o.created_at FROM message o"
                        " WHERE o.direction = 'out' AND o.author_staff_id IS NULL"
                        " AND o.created_at >= :started AND o.conversation_id IN :conversations"
                        " AND NOT EXISTS (SELECT 1 FROM outbox_message p"
                        "   WHERE p.kind = 'proactive' AND p.conversation_id = o.conversation_id"
                        "   AND p.created_at = o.created_at)"
                    ).bindparams(bindparam("conversations", expanding=True)),
                    {"started": started, "conversations": list(conversations) or [""]},
                )
            }
            turns = set(answered_at)
            # A held conversation (a nurse took it over) gets no reply by design; none here.
            without_reply = len(turns - reply_sets)
            # A reply set at a moment no turn was answered: a message answered twice.
            repeated_sets = len(reply_sets - turns) + len(answered_at) - len(turns)
            # An SMS stored as two conversation messages: an inbound row no inbox row names.
            unlinked = sum(
                1 for i, c, _ in inbound if c in sms_conversations and i not in sms_inbound
            )
            web_inbound = sum(1 for _, c, _ in inbound if c in self.ledger.web_conversations)
            # Outbox replies that belong to no turn's reply set: a turn sent twice.
            stray_outbox = db.scalar(
                text(
                    "SELECT count(*) FROM (SELECT DISTINCT o.conversation_id, o.created_at"
                    " FROM outbox_message o WHERE o.kind IN ('reply', 'consent')"
                    " AND o.created_at >= :started AND o.conversation_id IN :conversations"
                    " AND NOT EXISTS (SELECT 1 FROM message m WHERE m.direction = 'out'"
                    "   AND m.conversation_id = o.conversation_id"
                    "   AND m.created_at = o.created_at)) AS stray"
                ).bindparams(bindparam("conversations", expanding=True)),
                {"started": started, "conversations": list(sms_conversations) or [""]},
            )
            routes: dict[str, int] = {
                route: count
                for route, count in db.execute(
                    text(
                        "SELECT coalesce(route, 'none'), count(*) FROM message"
                        " WHERE direction = 'in' AND created_at >= :started"
                        " AND conversation_id IN :conversations GROUP BY 1 ORDER BY 1"
                    ).bindparams(bindparam("conversations", expanding=True)),
                    {"started": started, "conversations": list(conversations) or [""]},
                )
            }
            double_booked = db.scalar(
                text(
                    "SELECT count(*) FROM appointment a JOIN appointment b"
                    " ON a.clinician_id = b.clinician_id AND a.id < b.id"
                    " AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
                    f" WHERE {LIVE_APPOINTMENT}"
                    f" AND {LIVE_APPOINTMENT.replace('a.', 'b.')}"
                )
            )
            live = db.execute(
                text(
                    "SELECT a.id, a.starts_at, a.ends_at,"
                    " (SELECT count(*) FROM appointment_time_claim c"
                    "  WHERE c.appointment_id = a.id)"
                    f" FROM appointment a WHERE {LIVE_APPOINTMENT}"
                )
            ).all()
            stale = db.scalar(
                text(
                    "SELECT count(*) FROM appointment_time_claim c JOIN appointment a"
                    " ON a.id = c.appointment_id WHERE a.status IN ('cancelled', 'rescheduled')"
                )
            )
        claims_missing = sum(
            1 for _, start, end, held in live if held != len(cells(_as_utc(start), _as_utc(end)))
        )
        return {
            "stored": len(stored),
            "repeated": stored_twice
            + unlinked
            + repeated_sets
            + int(stray_outbox or 0)
            + max(0, web_inbound - self.ledger.web_turns),
            "without_reply": without_reply,
            "double_booked": int(double_booked or 0),
            "live_appointments": len(live),
            "claims_missing": claims_missing,
            "claims_stale": int(stale or 0),
            "conversations": len(conversations),
            "routes": routes,
        }


def _texts() -> dict[str, list[str]]:
    """Messages people send each practice (the labelled dev set), without carrier keywords
    and one-word answers that would confirm or move demo visits."""
    texts: dict[str, list[str]] = {slug: [] for slug in PRACTICE_FOR_AUDIENCE.values()}
    for item in load_labelled(DEV_SET):
        body = item["text"].strip()
        if keyword_of(body) is not None or body.lower().strip(".!") in STATE_CHANGING_WORDS:
            continue
        texts[PRACTICE_FOR_AUDIENCE[item["audience"]]].append(body)
    return texts


def _bookers(demo: dict[str, Any], count: int) -> list[Booker]:
    """Up to `count` demo contacts who can book, alternating between the two practices."""
    per_practice: list[list[Booker]] = []
    for spec in demo["practices"]:
        contacts = {c["ref"]: c for c in spec["contacts"] if c.get("consent") == "opted_in"}
        found: list[Booker] = []
        for patient in spec["patients"]:
            for ref in patient.get("contacts", {}):
                contact = contacts.get(ref)
                owns = [p for p in spec["patients"] if ref in p.get("contacts", {})]
                if (
                    contact is None
                    or len(owns) != 1
                    or any(b.phone == contact["phone"] for b in found)
                ):
                    continue
                found.append(_booker(spec, contact, patient))
        per_practice.append(found)
    mixed = [b for pair in zip(*per_practice, strict=False) for b in pair]
    return mixed[:count]


def _booker(spec: dict[str, Any], contact: dict[str, Any], patient: dict[str, Any]) -> Booker:
    if spec["kind"] == "veterinary":
        return Booker(
            phone=contact["phone"],
            practice=spec["slug"],
            request=f"i need to book a recheck for {patient['name'].lower()}",
            identity=f"{patient['name']} {contact['last_name']}",
            patient=patient["name"],
        )
    born = patient["date_of_birth"]
    return Booker(
        phone=contact["phone"],
        practice=spec["slug"],
        request="i need to book a post-op visit",
        identity=f"{born.month:02d}/{born.day:02d}/{born.year}",
        patient=patient["name"],
    )


def _percentiles(values: Iterable[float]) -> tuple[float | None, float | None]:
    ordered = sorted(values)
    if len(ordered) < 2:
        return (round(ordered[0], 2), round(ordered[0], 2)) if ordered else (None, None)
    cuts = quantiles(ordered, n=20, method="inclusive")
    return round(cuts[9], 2), round(cuts[18], 2)


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_load_test(
    *,
    api: str,
    database_url: str,
    public_base_url: str | None = None,
    auth_token: str = DRY_RUN_AUTH_TOKEN,
    senders: int = 40,
    messages: int = 3,
    retries: int = 10,
    web_senders: int = 8,
    web_turns: int = 3,
    bookers: int = 8,
    timeout: float = 180,
    seed: int | None = None,
    report: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run both phases against `api`, check the database at `database_url`; the figures."""
    engine = make_engine(database_url)
    try:
        result = LoadTest(
            api=api,
            engine=engine,
            public_base_url=public_base_url or api,
            auth_token=auth_token,
            senders=senders,
            messages=messages,
            retries=retries,
            web_senders=web_senders,
            web_turns=web_turns,
            bookers=bookers,
            timeout=timeout,
            seed=seed if seed is not None else time.time_ns(),
        ).run()
    finally:
        engine.dispose()
    report(json.dumps(result, indent=2))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_test", description=__doc__)
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--database-url", required=True, help="the api's DATABASE_URL")
    parser.add_argument(
        "--public-base-url", help="the api's PUBLIC_BASE_URL, which webhooks are signed for"
    )
    parser.add_argument("--auth-token", default=DRY_RUN_AUTH_TOKEN, help="TWILIO_AUTH_TOKEN")
    parser.add_argument("--senders", type=int, default=40, help="SMS senders in the burst")
    parser.add_argument("--messages", type=int, default=3, help="SMS per sender")
    parser.add_argument("--retries", type=int, default=10, help="Twilio retries to post")
    parser.add_argument("--web-senders", type=int, default=8)
    parser.add_argument("--web-turns", type=int, default=3, help="turns per web sender")
    parser.add_argument("--bookers", type=int, default=8, help="owners racing to book")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for answers")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--output", type=Path, help="also write the figures here (JSON)")
    args = parser.parse_args(argv)
    result = run_load_test(
        api=args.api,
        database_url=args.database_url,
        public_base_url=args.public_base_url,
        auth_token=args.auth_token,
        senders=args.senders,
        messages=args.messages,
        retries=args.retries,
        web_senders=args.web_senders,
        web_turns=args.web_turns,
        bookers=args.bookers,
        timeout=args.timeout,
        seed=args.seed,
    )
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    clean = result["lost"] == result["repeated"] == result["double_booked"] == 0
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
