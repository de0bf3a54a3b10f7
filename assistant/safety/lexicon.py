"""Reads the triage lexicons (YAML data files) into checked, typed rules.

The files are the clinical content and are approved by clinicians; this module only gives their
shorthand a meaning (macros, spaces, word boundaries) and refuses a file that would silently match
nothing or refer to a concept that does not exist.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.db.models.practice import PRACTICE_KINDS
from assistant.yaml_files import read_yaml

DEFAULT_LEXICON_DIR = Path(__file__).parent / "lexicons"

PRIORITIES = ("emergency", "urgent")
IGNORABLE_CONTEXT = frozenset({"hypothetical", "historical", "not_the_patient", "death_story"})
CONTEXT_DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")

_MACRO = re.compile(r"<([A-Z][A-Z0-9_]*)>")
# Like \b, but also right for patterns that start or end with punctuation (",", "°").
_START = r"(?:(?<!\w)|(?!\w))"
_END = r"(?:(?!\w)|(?<!\w))"


class LexiconError(ValueError):
    """A lexicon file is malformed; raised at start-up, never mid-conversation."""


@dataclass(frozen=True)
class Threshold:
    """A temperature in both units, each compared with readings given in that unit."""

    f: float
    c: float


@dataclass(frozen=True)
class Repeated:
    """A concept that is a sign only with a count or duration nearby ("vomited 5 times")."""

    concepts: tuple[str, ...]
    times: int | None
    hours: float | None


@dataclass(frozen=True)
class Together:
    """Every group needs one current mention; all within `within` tokens when set."""

    groups: tuple[tuple[str, ...], ...]
    within: int | None


@dataclass(frozen=True)
class SignRule:
    sign: str
    priority: str
    clinical: str
    patterns: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    repeated: Repeated | None = None
    together: tuple[Together, ...] = ()
    unless_temperature_below: Threshold | None = None
    ignore: frozenset[str] = frozenset()
    resolvable: bool = False


@dataclass(frozen=True)
class ConceptRule:
    id: str
    patterns: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemperatureRule:
    concept: str
    at_least: Threshold


@dataclass(frozen=True)
class DeathStory:
    """Regexes that tell whether a death the family reports is over and certain (shared.yml)."""

    # In the death's own sentence: the death is not said for certain ("i think he's dead?").
    not_certain: tuple[str, ...]
    # In a sign's sentence: something is happening now, so the sign is current.
    still_happening: tuple[str, ...]
    # Anywhere in the message: another patient who may be the one with the sign (each kind's file).
    another_patient: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Everything one practice kind is triaged with: its own file plus shared.yml."""

    kind: str
    not_the_patient: frozenset[str]
    concepts: tuple[ConceptRule, ...]
    signs: tuple[SignRule, ...]
    temperatures: tuple[TemperatureRule, ...]
    # Regexes: when one matches, a family member named in the message is not the patient.
    family_not_the_patient_when: tuple[str, ...] = ()
    death_story: DeathStory | None = None

    def sign(self, sign_id: str) -> SignRule:
        for rule in self.signs:
            if rule.sign == sign_id:
                return rule
        raise KeyError(sign_id)


@dataclass(frozen=True)
class ContextRuleSpec:
    category: str
    direction: str
    patterns: tuple[str, ...]
    max_scope: int | None = None
    terminated_by: frozenset[str] = field(default_factory=frozenset)


def load_lexicon(kind: str, lexicon_dir: Path = DEFAULT_LEXICON_DIR) -> Lexicon:
    """The lexicon for `kind` ("veterinary" or "human"), merged with shared.yml and checked."""
    if kind not in PRACTICE_KINDS:
        raise ValueError(f"unknown practice kind {kind!r}")
    shared = _read(lexicon_dir / "shared.yml")
    own = _read(lexicon_dir / f"{kind}.yml")
    _only_keys(shared, {"macros", "concepts", "signs", "death_story"}, "shared.yml")
    _only_keys(
        own,
        {
            "kind",
            "not_the_patient",
            "family_not_the_patient_when",
            "another_patient",
            "macros",
            "temperatures",
            "concepts",
            "signs",
        },
        f"{kind}.yml",
    )
    if own.get("kind") != kind:
        raise LexiconError(f"{kind}.yml: `kind` must be {kind!r}")
    macros = {**_macros(shared), **_macros(own)}

    concepts = [
        _concept(c, macros) for c in [*shared.get("concepts", []), *own.get("concepts", [])]
    ]
    signs = [_sign(s, macros) for s in [*shared.get("signs", []), *own.get("signs", [])]]
    temperatures = [_temperature(t) for t in own.get("temperatures", [])]
    not_the_patient = frozenset(own.get("not_the_patient", []))
    family_cues = tuple(
        compile_pattern(p, macros) for p in _strings(own, "family_not_the_patient_when")
    )

    death_story = None
    if "death_story" in shared:
        raw = shared["death_story"] or {}
        _only_keys(raw, {"not_certain", "still_happening"}, "death_story")
        death_story = DeathStory(
            not_certain=tuple(compile_pattern(p, macros) for p in _strings(raw, "not_certain")),
            still_happening=tuple(
                compile_pattern(p, macros) for p in _strings(raw, "still_happening")
            ),
            another_patient=tuple(
                compile_pattern(p, macros) for p in _strings(own, "another_patient")
            ),
        )

    lexicon = Lexicon(
        kind=kind,
        not_the_patient=not_the_patient,
        concepts=tuple(concepts),
        signs=tuple(signs),
        temperatures=tuple(temperatures),
        family_not_the_patient_when=family_cues,
        death_story=death_story,
    )
    _check_references(lexicon)
    return lexicon


def load_context_rules(kind: str, lexicon_dir: Path = DEFAULT_LEXICON_DIR) -> list[ContextRuleSpec]:
    """The ConText rules (context.yml) that apply to `kind`."""
    data = _read(lexicon_dir / "context.yml")
    macros = _macros(_read(lexicon_dir / "shared.yml"))
    specs = []
    for raw in data.get("rules", []):
        _only_keys(
            raw,
            {"category", "direction", "patterns", "max_scope", "terminated_by", "kinds"},
            "context rule",
        )
        if kind not in raw.get("kinds", PRACTICE_KINDS):
            continue
        direction = str(raw["direction"]).upper()
        if direction not in CONTEXT_DIRECTIONS:
            raise LexiconError(
                f"context rule direction {direction!r} is not one of {CONTEXT_DIRECTIONS}"
            )
        specs.append(
            ContextRuleSpec(
                category=str(raw["category"]).upper(),
                direction=direction,
                patterns=tuple(compile_pattern(p, macros) for p in _strings(raw, "patterns")),
                max_scope=raw.get("max_scope"),
                terminated_by=frozenset(str(c).upper() for c in raw.get("terminated_by", [])),
            )
        )
    return specs


def compile_pattern(pattern: str, macros: Mapping[str, str]) -> str:
    """Expands the lexicon shorthand into a regular expression (and checks that it compiles)."""
    expanded = expand_macros(pattern, macros)
    # A space in a lexicon means "one or more spaces", " ?" means "maybe a space".
    expanded = expanded.replace(" ?", r"\s*").replace(" ", r"\s+")
    regex = f"{_START}(?:{expanded}){_END}"
    try:
        re.compile(regex, re.IGNORECASE)
    except re.error as exc:
        raise LexiconError(f"pattern {pattern!r} does not compile: {exc}") from exc
    return regex


def expand_macros(pattern: str, macros: Mapping[str, str], depth: int = 0) -> str:
    """Replaces each <NAME> in `pattern` with its macro, macros within macros included."""
    if depth > 5:
        raise LexiconError(f"macros nest too deep in {pattern!r}")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise LexiconError(f"unknown macro <{name}> in {pattern!r}")
        return expand_macros(macros[name], macros, depth + 1)

    return _MACRO.sub(replace, pattern)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"cannot read lexicon {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise LexiconError(f"{path} must hold a mapping")
    return data


def _macros(data: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (data.get("macros") or {}).items()}


def _concept(raw: Mapping[str, Any], macros: Mapping[str, str]) -> ConceptRule:
    _only_keys(raw, {"id", "patterns", "phrases"}, f"concept {raw.get('id')}")
    rule = ConceptRule(
        id=str(raw["id"]),
        patterns=tuple(compile_pattern(p, macros) for p in _strings(raw, "patterns")),
        phrases=_strings(raw, "phrases"),
    )
    if not (rule.patterns or rule.phrases):
        raise LexiconError(f"concept {rule.id} has no patterns or phrases")
    return rule


def _sign(raw: Mapping[str, Any], macros: Mapping[str, str]) -> SignRule:
    name = f"sign {raw.get('sign')}"
    _only_keys(
        raw,
        {
            "sign",
            "priority",
            "clinical",
            "patterns",
            "phrases",
            "concepts",
            "repeated",
            "together",
            "unless_temperature_below",
            "ignore",
            "resolvable",
        },
        name,
    )
    if raw.get("priority") not in PRIORITIES:
        raise LexiconError(f"{name}: priority must be one of {PRIORITIES}")
    if not str(raw.get("clinical", "")).strip():
        raise LexiconError(f"{name}: `clinical` must quote the CLINICAL.md line it implements")
    ignore = frozenset(raw.get("ignore", []))
    if not ignore <= IGNORABLE_CONTEXT:
        raise LexiconError(f"{name}: `ignore` may only hold {sorted(IGNORABLE_CONTEXT)}")

    repeated = None
    if "repeated" in raw:
        r = raw["repeated"]
        _only_keys(r, {"concepts", "times", "hours"}, f"{name} repeated")
        repeated = Repeated(
            concepts=_strings(r, "concepts"),
            times=int(r["times"]) if "times" in r else None,
            hours=float(r["hours"]) if "hours" in r else None,
        )
        if repeated.times is None and repeated.hours is None:
            raise LexiconError(f"{name}: `repeated` needs `times` or `hours`")

    together = []
    for t in raw.get("together", []):
        _only_keys(t, {"groups", "within"}, f"{name} together")
        groups = tuple(tuple(str(c) for c in group) for group in t["groups"])
        if len(groups) < 2 or not all(groups):
            raise LexiconError(f"{name}: `together` needs two or more non-empty groups")
        together.append(Together(groups=groups, within=t.get("within")))

    below = raw.get("unless_temperature_below")
    rule = SignRule(
        sign=str(raw["sign"]),
        priority=str(raw["priority"]),
        clinical=str(raw["clinical"]),
        patterns=tuple(compile_pattern(p, macros) for p in _strings(raw, "patterns")),
        phrases=_strings(raw, "phrases"),
        concepts=_strings(raw, "concepts"),
        repeated=repeated,
        together=tuple(together),
        unless_temperature_below=_threshold(below, name) if below is not None else None,
        ignore=ignore,
        resolvable=bool(raw.get("resolvable", False)),
    )
    if not (rule.patterns or rule.phrases or rule.concepts or rule.repeated or rule.together):
        raise LexiconError(
            f"{name} can never match: no patterns, phrases, concepts or combinations"
        )
    return rule


def _temperature(raw: Mapping[str, Any]) -> TemperatureRule:
    _only_keys(raw, {"concept", "at_least"}, "temperature")
    return TemperatureRule(
        concept=str(raw["concept"]), at_least=_threshold(raw["at_least"], "temperature")
    )


def _threshold(raw: Any, name: str) -> Threshold:
    if not isinstance(raw, Mapping) or set(raw) != {"f", "c"}:
        raise LexiconError(f"{name}: a temperature needs both `f` and `c`")
    return Threshold(f=float(raw["f"]), c=float(raw["c"]))


def _check_references(lexicon: Lexicon) -> None:
    sign_ids = [s.sign for s in lexicon.signs]
    duplicates = {s for s in sign_ids if sign_ids.count(s) > 1}
    if duplicates:
        raise LexiconError(f"{lexicon.kind}: duplicate sign ids {sorted(duplicates)}")
    # Combinations may name concepts, temperature concepts, the temperature reading itself, or a
    # sign's own words (the sign's patterns and phrases, not its combinations).
    known = (
        {c.id for c in lexicon.concepts}
        | {t.concept for t in lexicon.temperatures}
        | {s.sign for s in lexicon.signs if s.patterns or s.phrases}
    )
    for sign in lexicon.signs:
        used: list[str] = list(sign.concepts)
        if sign.repeated:
            used += sign.repeated.concepts
        for t in sign.together:
            used += [c for group in t.groups for c in group]
        missing = sorted(set(used) - known)
        if missing:
            raise LexiconError(f"{lexicon.kind}: sign {sign.sign} refers to unknown {missing}")


def _strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = raw.get(key) or []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise LexiconError(f"`{key}` must be a list")
    for value in values:
        if not isinstance(value, str):
            # A pattern holding ": " (as in "(?: up)") reads as a YAML mapping unless quoted.
            raise LexiconError(f"`{key}` entry {value!r} is not a string; quote it")
    return tuple(values)


def _only_keys(raw: Any, allowed: set[str], name: str) -> None:
    if not isinstance(raw, Mapping):
        raise LexiconError(f"{name} must be a mapping")
    unknown = set(raw) - allowed
    if unknown:
        raise LexiconError(f"{name}: unknown keys {sorted(unknown)}")
