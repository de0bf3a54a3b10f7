"""The messages every column of the benchmark sends: the same texts, in the same order.

Conversations come from the dev set, keeping only lines the stack hands to Rasa: the stack
answers red flags (emergency, urgent) and carrier keywords (STOP, HELP) without Rasa, so those
would compare two different things. Each conversation is one practice's messages, sent one
after another by one sender.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.evaluation.run import PRACTICE_FOR_AUDIENCE, load
from assistant.messaging.consent import keyword_of

# Expected routes the stack answers from its triage rules, before Rasa.
ROUTES_ANSWERED_BEFORE_RASA = frozenset({"emergency", "urgent", "optout"})


@dataclass(frozen=True)
class Message:
    text: str
    audience: str  # "vet" | "human"

    @property
    def practice(self) -> str:
        return PRACTICE_FOR_AUDIENCE[self.audience]


@dataclass(frozen=True)
class Conversation:
    """One sender's fixed sequence of messages; `number` makes the sender distinct."""

    number: int
    messages: tuple[Message, ...]

    @property
    def practice(self) -> str:
        return self.messages[0].practice


def dialogue_messages(
    path: Path, *, red_flag: Callable[[str, str], bool]
) -> tuple[list[Message], int]:
    """The dev set's lines that reach Rasa in the stack, in file order, and how many were left
    out. `red_flag(text, audience)` says whether the stack's triage answers a text itself."""
    kept: list[Message] = []
    dropped = 0
    for item in load(path):
        reaches_rasa = (
            item["route"] not in ROUTES_ANSWERED_BEFORE_RASA
            and keyword_of(item["text"]) is None
            and not red_flag(item["text"], item["audience"])
        )
        if reaches_rasa:
            kept.append(Message(item["text"], item["audience"]))
        else:
            dropped += 1
    return kept, dropped


class ConversationPlan:
    """Deterministic conversations: the n-th alternates practices and takes the next
    `length` messages of that practice's pool, wrapping around."""

    def __init__(self, messages: Sequence[Message], *, length: int) -> None:
        self._pools = {
            audience: [m for m in messages if m.audience == audience]
            for audience in PRACTICE_FOR_AUDIENCE
        }
        if not all(self._pools.values()):
            raise ValueError("the workload needs messages for both practices")
        self._audiences = sorted(self._pools)
        self.length = length

    def conversation(self, number: int) -> Conversation:
        audience = self._audiences[number % len(self._audiences)]
        pool = self._pools[audience]
        start = (number // len(self._audiences)) * self.length
        messages = tuple(pool[(start + i) % len(pool)] for i in range(self.length))
        return Conversation(number, messages)

    def conversations(self, first: int, count: int) -> Iterator[Conversation]:
        for number in range(first, first + count):
            yield self.conversation(number)
