"""Treatment protocol definitions (protocols/*.yml): the weeks of each drug, checked on load.

Apart from booking (`protocols.py` books a series; `booking.py` checks a moved visit's
spacing against its protocol), so neither imports the other.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assistant.errors import Conflict, NotFound
from assistant.yaml_files import read_yaml

PROTOCOLS_DIR = Path(__file__).with_name("protocols")
BREAK = "break"


class ProtocolError(Conflict):
    """A protocol that cannot be read, or a series that cannot be scheduled; says why."""


class UnknownProtocol(NotFound, ProtocolError):
    """No protocol has this code."""


@dataclass(frozen=True)
class Protocol:
    code: str
    name: str
    practice_kind: str
    treatment_type: str
    cbc_type: str
    min_days_between_treatments: int
    weeks: tuple[str, ...]  # a drug, or BREAK
    sources: tuple[str, ...]

    def treatments(self) -> list[tuple[int, str]]:
        """(week number from 1, drug) of every treatment week."""
        return [(n, drug) for n, drug in enumerate(self.weeks, start=1) if drug != BREAK]


def load_protocol(code: str) -> Protocol:
    """The protocol named `code`; ProtocolError when there is none or it is malformed."""
    protocols = load_protocols()
    if code not in protocols:
        raise UnknownProtocol(f"no protocol {code!r}; known: {', '.join(sorted(protocols))}")
    return protocols[code]


@cache
def load_protocols(directory: Path = PROTOCOLS_DIR) -> dict[str, Protocol]:
    """Every definition in `directory`, checked, by code."""
    found = {}
    for path in sorted(directory.glob("*.yml")):
        protocol = _parse(path, read_yaml(path))
        found[protocol.code] = protocol
    return found


def _parse(path: Path, data: dict[str, Any]) -> Protocol:
    try:
        protocol = Protocol(
            code=str(data["code"]),
            name=str(data["name"]),
            practice_kind=str(data["practice_kind"]),
            treatment_type=str(data["treatment_type"]),
            cbc_type=str(data["cbc_type"]),
            min_days_between_treatments=int(data["min_days_between_treatments"]),
            weeks=tuple(str(w) for w in data["weeks"]),
            sources=tuple(str(s) for s in data["sources"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"{path.name}: {exc!r}") from exc
    if protocol.code != path.stem:
        raise ProtocolError(f"{path.name}: code {protocol.code!r} must match the file name")
    if not protocol.treatments() or not protocol.sources:
        raise ProtocolError(f"{path.name}: needs treatment weeks and a published source")
    if not 1 <= protocol.min_days_between_treatments <= 7:
        raise ProtocolError(f"{path.name}: min_days_between_treatments must be 1 to 7")
    return protocol
