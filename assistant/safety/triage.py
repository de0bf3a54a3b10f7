"""Rule-based safety triage of every inbound message, before the dialogue engine sees it.

Signs come from the lexicons (assistant/safety/lexicons/*.yml), found with a medspacy TargetMatcher;
ConText then marks each mention as negated ("no fever"), hypothetical ("what if he gets a fever"),
historical ("last month he had a seizure") or about someone other than the patient. What is left is
current, and the most severe current sign decides the priority.

Missing an emergency is the worst failure, so where the rules are unsure they keep the sign.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.db.models.practice import PRACTICE_KINDS
from assistant.safety.clinical_questions import ClinicalQuestion, ClinicalQuestions
from assistant.safety.clinician_gate import ClinicianGate
from assistant.safety.grief_check import GriefCheck
from assistant.safety.language import other_language
from assistant.safety.lexicon import (
    DEFAULT_LEXICON_DIR,
    ContextRuleSpec,
    Lexicon,
    Repeated,
    SignRule,
    Threshold,
    Together,
    load_context_rules,
    load_lexicon,
)
from assistant.safety.quantities import Reading, longest_hours, most_times, temperature_readings
from assistant.safety.safety_net import DEFAULT_EXAMPLES as NET_EXAMPLES
from assistant.safety.safety_net import NetFlag, SafetyNet

__all__ = ["DEFAULT_LEXICON_DIR", "RedFlag", "Triage", "TriageResult"]

SELF_HARM = "self_harm"
_END_OF_LIFE_WISH = "end_of_life_wish"
_DEATH_REPORTED = "death_reported"
# How many sentences before and after a reported death can tell how it happened.
_STORY_REACH = 2
_RANK = {"emergency": 0, "urgent": 1}
_SPAN_GROUP = "safety_mentions"
_TEMPERATURE = "temperature"
# A combined sign shows the client's words from its first to its last part, unless that is long.
_MAX_COMBINED_CHARS = 160
# The fewest words left, once the judged sentences are left out, that the learned net reads:
# fewer is a fragment ("ok thanks") it would only guess at.
_NET_MIN_WORDS = 3
# Tokens around a mention searched for "5 times" or "since yesterday".
_WINDOW_BEFORE = 10
_WINDOW_AFTER = 12
# The lexicons use regular expressions only; spaCy warns on every message (W036) when medspacy's
# token matcher is empty, so each matcher gets this one token pattern, which no message can match.
_NEVER_MATCHES = [{"ORTH": "\u0000"}]
# Same-length substitutions, so offsets in the normalised text are offsets in the client's text.
_NORMALISE = str.maketrans(
    {"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "\u00a0": " ", "\u0000": " "}
)


@dataclass(frozen=True)
class RedFlag:
    sign: str  # id from the lexicon, e.g. "vet.breathing_trouble", "human.chest_pain", "self_harm"
    priority: str  # "emergency" | "urgent"
    matched: str  # the client's own words that matched (exact substring of the message)


@dataclass(frozen=True)
class TriageResult:
    priority: str | None  # most severe of red_flags
    red_flags: tuple[RedFlag, ...]  # asserted, current signs
    hypothetical: tuple[RedFlag, ...]  # signs only mentioned hypothetically
    self_harm: bool  # any statement about wanting to die or harm oneself
    # Questions only a clinician may answer (medicines, doses, results, prognosis, ...).
    clinical_questions: tuple[ClinicalQuestion, ...] = ()
    learned: bool = False  # the flag is the learned safety net's, not the rules'


@dataclass(frozen=True)
class _Mention:
    """One matched span and what ConText said about it."""

    label: str
    start: int  # token offsets
    end: int
    start_char: int
    end_char: int
    negated: bool  # negated: not current
    historical: bool  # in the past: not current, unless the sign ignores it
    resolved: bool  # "... has stopped": not current for signs that say so
    hypothetical: bool
    someone_else: bool
    # A relative who, from the rest of the message, is not the patient ("my husband has a fever,
    # can I still come in?"). Their urgent signs are dropped; their emergencies are kept, since
    # telling a household to call 911 is right whoever the patient is.
    relative: bool
    # Part of the story of how the patient died, in a message reporting the death for certain.
    past_death: bool = False


@dataclass(frozen=True)
class _Hit:
    start_char: int
    end_char: int
    hypothetical: bool


@dataclass(frozen=True)
class _KindPipeline:
    """The lexicon and spaCy pipeline for one practice kind."""

    lexicon: Lexicon
    nlp: Any  # spacy.Language; spaCy ships no type for the medspacy components


class Triage:
    """Finds emergency and urgent signs in a client's message, per practice kind."""

    def __init__(
        self,
        pipelines: Mapping[str, _KindPipeline],
        questions: ClinicalQuestions,
        net: SafetyNet | None = None,
        faq_gate: ClinicianGate | None = None,
        spanish_net: SafetyNet | None = None,
        grief_gate: ClinicianGate | None = None,
        grief_check: GriefCheck | None = None,
    ) -> None:
        self._pipelines = dict(pipelines)
        self._questions = questions
        self._net = net
        self._faq_gate = faq_gate
        self._spanish_net = spanish_net
        self._grief_gate = grief_gate
        self._grief_check = grief_check
        # One triage serves the inbox workers and the request threads at once, and medspacy's
        # sentence splitter (PyRuSH, PyFastNER) keeps state while it runs: concurrent calls
        # raise IndexError. A call takes about 1.5 ms, so they take turns.
        self._nlp_lock = threading.Lock()

    @classmethod
    def load(cls, lexicon_dir: Path = DEFAULT_LEXICON_DIR, *, net: bool = True) -> Triage:
        """Reads the lexicons and builds one medspacy pipeline per practice kind (~1 second),
        and trains the learned safety nets, clinician gates and grief check behind them
        (~3 seconds) unless `net` is False."""
        _quiet_sentence_splitter()
        pipelines = {}
        for kind in PRACTICE_KINDS:
            lexicon = load_lexicon(kind, lexicon_dir)
            nlp = _build_nlp(lexicon, load_context_rules(kind, lexicon_dir))
            pipelines[kind] = _KindPipeline(lexicon, nlp)
        return cls(
            pipelines,
            ClinicalQuestions.load(lexicon_dir),
            SafetyNet.load() if net else None,
            ClinicianGate.for_faq() if net else None,
            SafetyNet.load_spanish() if net else None,
            ClinicianGate.for_grief() if net else None,
            GriefCheck.load(NET_EXAMPLES) if net else None,
        )

    def asks_a_clinician(self, text: str, instead_of: str = "faq") -> bool:
        """The learned gate's view (clinician_gate.py): a question a clinician must answer,
        said in words the clinical-question rules do not list. Asked only of a message the
        dialogue would answer from an FAQ (`instead_of` "faq") or with grief support
        ("grief")."""
        gate = self._grief_gate if instead_of == "grief" else self._faq_gate
        return gate is not None and gate.asks_a_clinician(text.translate(_NORMALISE))

    def assess(self, text: str, practice_kind: str) -> TriageResult:
        """Triages one message for a "veterinary" or "human" practice. Never raises on odd text."""
        try:
            pipeline = self._pipelines[practice_kind]
        except KeyError:
            raise ValueError(f"unknown practice kind {practice_kind!r}") from None
        if not text or not text.strip():
            return TriageResult(priority=None, red_flags=(), hypothetical=(), self_harm=False)

        normalised = text.translate(_NORMALISE)
        with self._nlp_lock:
            doc = pipeline.nlp(normalised)
        lexicon = pipeline.lexicon
        mentions = _mentions(doc, lexicon, _family_is_someone_else(lexicon, normalised))
        over_threshold = _temperature_mentions(mentions, normalised, lexicon)
        mentions += over_threshold
        # "biscuit passed away last night, he was gasping and then he stopped breathing": how the
        # patient died is not a current emergency.
        mentions, death_story = _death_story_told(doc, mentions, normalised, lexicon)
        # A temperature read and found under every threshold ("temp 101.5" in a dog) has been
        # judged by its number; the net, which cannot read numbers, stays out of it.
        read_below = not over_threshold and any(
            m.label == _TEMPERATURE and _readings(m, normalised) for m in mentions
        )

        # (rank, position, flag): emergencies first, then in the order the client wrote them.
        current: list[tuple[int, int, RedFlag]] = []
        hypothetical: list[tuple[int, int, RedFlag]] = []
        for rule in lexicon.signs:
            hits = _hits(rule, mentions, doc, normalised)
            strict = [h for h in hits if not h.hypothetical]
            chosen = strict or hits
            if not chosen:
                continue
            first = min(chosen, key=lambda h: (h.start_char, -h.end_char))
            flag = RedFlag(rule.sign, rule.priority, text[first.start_char : first.end_char])
            (current if strict else hypothetical).append(
                (_RANK[rule.priority], first.start_char, flag)
            )

        red_flags = tuple(flag for *_, flag in sorted(current, key=lambda t: t[:2]))
        asked_about = tuple(flag for *_, flag in sorted(hypothetical, key=lambda t: t[:2]))
        nothing_found = not red_flags and not asked_about
        only_urgent = bool(red_flags) and all(f.priority == "urgent" for f in red_flags)
        # A temperature read under every threshold keeps the net out: it cannot read numbers.
        if self._net is not None and not read_below and (nothing_found or only_urgent):
            # Anything the client denied, put in the past or said has stopped ("i'm not
            # suicidal", "the bleeding stopped"): the rules have judged those sentences; the
            # net, which cannot read negation, reads only the others ("no vomiting. his gums
            # look grey and he's wobbly": the second).
            net_text = _sentences_not_judged(doc, mentions)
            # How a death happened is not current, but a wish to die said beside it is: the
            # story is read for a crisis only ("im on the roof of the hospital where he died").
            told_text = (
                _sentences_not_judged(doc, mentions, death_story) if death_story else net_text
            )
            net_flag = None
            if nothing_found:
                # Nothing the rules know, not even asked about: the learned net may still see
                # a crisis, a swallowed medicine, a chemo exposure or a complication after
                # surgery said in other words.
                net_flag = _beside_story(
                    lambda words: self._net_flag_alone(words, normalised, practice_kind, mentions),
                    net_text,
                    told_text,
                )
            else:
                # The rules found only urgent signs: the net may still hear an emergency in
                # the client's other words ("stoma pouring out nonstop ... so dizzy i fell
                # over"). It only ever raises the priority: its urgent kinds add nothing here.
                net = self._net
                net_flag = _beside_story(
                    lambda words: net.flag(words, practice_kind), net_text, told_text
                )
                if net_flag is not None and net_flag.priority != "emergency":
                    net_flag = None
            if net_flag is not None:
                words = text[:_MAX_COMBINED_CHARS]
                red_flags = (RedFlag(net_flag.sign, net_flag.priority, words), *red_flags)
        priority = min((f.priority for f in red_flags), key=_RANK.__getitem__, default=None)
        return TriageResult(
            priority=priority,
            red_flags=red_flags,
            hypothetical=asked_about,
            self_harm=any(f.sign == SELF_HARM for f in red_flags),
            clinical_questions=self._questions.find(normalised, practice_kind),
            learned=bool(red_flags) and not current,
        )

    def _net_flag_alone(
        self, net_text: str, normalised: str, practice_kind: str, mentions: Sequence[_Mention]
    ) -> NetFlag | None:
        """The net's flag for a message the rules found nothing in, less its self-harm flag
        on grief or on a wish about where to die."""
        spanish = self._spanish_net is not None and other_language(normalised) == "es"
        net = self._spanish_net if spanish else self._net
        net_flag = net.flag(net_text, practice_kind) if net is not None else None
        if net_flag is None or net_flag.sign != SELF_HARM:
            return net_flag
        if not spanish and self._grief_check is not None and self._grief_check.is_grief(normalised):
            # "I keep replaying his last breath": grief in the net's self-harm words. The
            # dialogue answers it (grief support, a nurse when it asks something).
            return None
        if any(m.label == _END_OF_LIFE_WISH for m in mentions):
            # "mom wants to die at home with all of us around": where to be at the end, said
            # in the net's self-harm words (the rules' self_harm leaves it out too).
            return None
        return net_flag


def _death_story_told(
    doc: Any, mentions: list[_Mention], text: str, lexicon: Lexicon
) -> tuple[list[_Mention], list[tuple[int, int]]]:
    """The mentions, with those in the story of a death already over marked `past_death`, and
    the story's sentences (start and end characters).

    The story is the sentences next to the death's own (and that one) with nothing happening
    now, in a message that reports the patient's death for certain and names no other patient
    (shared.yml `death_story`)."""
    story = lexicon.death_story
    deaths = [m for m in mentions if m.label == _DEATH_REPORTED]
    if story is None or not deaths or _matches(story.another_patient, text):
        return mentions, []
    if any(
        m.negated or m.hypothetical or m.historical or m.someone_else or m.relative for m in deaths
    ):
        return mentions, []
    if any(_matches(story.not_certain, doc[d.start].sent.text) for d in deaths):
        return mentions, []
    # A sentence's own words, less the words that report the death ("she's gone").
    blanked = list(text)
    for d in deaths:
        blanked[d.start_char : d.end_char] = " " * (d.end_char - d.start_char)
    sentences = list(doc.sents)
    number = {s.start: i for i, s in enumerate(sentences)}
    death_sentences = {number[doc[d.start].sent.start] for d in deaths}
    near = {i for d in death_sentences for i in range(d - _STORY_REACH, d + _STORY_REACH + 1)}
    story_sentences = [
        s
        for i, s in enumerate(sentences)
        if i in near
        and not _matches(story.still_happening, "".join(blanked[s.start_char : s.end_char]))
    ]
    starts = {s.start for s in story_sentences}
    marked = [
        dataclasses.replace(m, past_death=True) if doc[m.start].sent.start in starts else m
        for m in mentions
    ]
    return marked, [(s.start_char, s.end_char) for s in story_sentences]


def _matches(patterns: Sequence[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _beside_story(
    read: Callable[[str], NetFlag | None], net_text: str | None, told_text: str | None
) -> NetFlag | None:
    """The net's flag on `net_text`; where a death's story was left out of `told_text`, a flag
    other than a crisis must also be found without the story."""
    flag = read(net_text) if net_text is not None else None
    if flag is None or flag.sign == SELF_HARM or told_text == net_text:
        return flag
    return read(told_text) if told_text is not None else None


def _sentences_not_judged(
    doc: Any, mentions: Sequence[_Mention], death_story: Sequence[tuple[int, int]] = ()
) -> str | None:
    """The message without the sentences holding a sign the client denied, put in the past or
    said has stopped, and without the story of a death: the whole message when there is none,
    None when too little is left."""
    judged = [
        (m.start_char, m.end_char) for m in mentions if m.negated or m.historical or m.resolved
    ] + list(death_story)
    if not judged:
        return str(doc.text)
    rest = " ".join(
        sentence.text
        for sentence in doc.sents
        if not any(start < sentence.end_char and end > sentence.start_char for start, end in judged)
    )
    return rest if len(rest.split()) >= _NET_MIN_WORDS else None


def _quiet_sentence_splitter() -> None:
    """PyRuSH logs each sentence at DEBUG through loguru; client words must stay out of logs.
    Its rule parser (PyFastNER) also logs a warning about one of its own rules on the root
    logger, about nine lines for every message: noise in the api log, and time under load."""
    from loguru import logger

    logger.disable("PyRuSH")
    root = logging.getLogger()
    if not any(isinstance(f, _PyFastNERNoise) for f in root.filters):
        root.addFilter(_PyFastNERNoise())


class _PyFastNERNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "root" and "is not a eligible syntax" in str(record.msg))


def _build_nlp(lexicon: Lexicon, context_rules: Sequence[ContextRuleSpec]) -> Any:
    # Imported here: medspacy and spaCy take a second to import and tests of other modules
    # should not pay for it.
    import medspacy
    from medspacy.context import ConTextRule
    from medspacy.target_matcher import TargetRule

    from assistant.safety import sentences

    nlp = medspacy.load(medspacy_enable=["medspacy_pyrush"])
    nlp.add_pipe(sentences.COMPONENT)
    matcher = nlp.add_pipe(
        "medspacy_target_matcher",
        config={"result_type": "group", "span_group_name": _SPAN_GROUP, "prune": False},
    )
    target_rules = [TargetRule("never matches", "_unused", pattern=_NEVER_MATCHES)]
    for label, patterns, phrases in _target_sources(lexicon):
        for i, pattern in enumerate(patterns):
            target_rules.append(TargetRule(f"{label}#{i}", label, pattern=pattern))
        target_rules.extend(TargetRule(phrase, label) for phrase in phrases)
    matcher.add(target_rules)

    context = nlp.add_pipe(
        "medspacy_context",
        config={
            "rules": None,
            "input_span_type": "group",
            "span_group_name": _SPAN_GROUP,
            "prune_on_target_overlap": True,
            "span_attrs": None,
        },
    )
    rules = [ConTextRule("never matches", "_UNUSED", pattern=_NEVER_MATCHES, direction="PSEUDO")]
    for n, spec in enumerate(context_rules):
        for i, pattern in enumerate(spec.patterns):
            rules.append(
                ConTextRule(
                    # medspacy keys rules by this name: it must be unique.
                    f"{spec.category}#{n}.{i}",
                    spec.category,
                    pattern=pattern,
                    direction=spec.direction,
                    max_scope=spec.max_scope,
                    terminated_by=set(spec.terminated_by),
                )
            )
    context.add(rules)
    return nlp


def _target_sources(lexicon: Lexicon) -> Iterable[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    for concept in lexicon.concepts:
        yield concept.id, concept.patterns, concept.phrases
    for sign in lexicon.signs:
        yield sign.sign, sign.patterns, sign.phrases


def _family_is_someone_else(lexicon: Lexicon, text: str) -> bool:
    return _matches(lexicon.family_not_the_patient_when, text)


def _mentions(doc: Any, lexicon: Lexicon, family_is_someone_else: bool) -> list[_Mention]:
    found = []
    for span in doc.spans.get(_SPAN_GROUP, []):
        categories = {modifier.category.upper() for modifier in span._.modifiers}
        found.append(
            _Mention(
                label=span.label_,
                start=span.start,
                end=span.end,
                start_char=span.start_char,
                end_char=span.end_char,
                negated="NEGATED_EXISTENCE" in categories,
                historical="HISTORICAL" in categories,
                resolved="RESOLVED" in categories,
                hypothetical="HYPOTHETICAL" in categories,
                someone_else=bool(categories & lexicon.not_the_patient),
                relative=family_is_someone_else and "FAMILY" in categories,
            )
        )
    return found


def _readings(mention: _Mention, text: str) -> list[Reading]:
    return temperature_readings(text[mention.start_char : mention.end_char])


def _temperature_mentions(
    mentions: Sequence[_Mention], text: str, lexicon: Lexicon
) -> list[_Mention]:
    """A reading at or above a threshold is a mention of that threshold's concept, in place."""
    derived = []
    for mention in mentions:
        if mention.label != _TEMPERATURE:
            continue
        readings = _readings(mention, text)
        for rule in lexicon.temperatures:
            if any(r.at_least(rule.at_least.f, rule.at_least.c) for r in readings):
                derived.append(_with_label(mention, rule.concept))
    return derived


def _with_label(mention: _Mention, label: str) -> _Mention:
    return _Mention(
        label=label,
        start=mention.start,
        end=mention.end,
        start_char=mention.start_char,
        end_char=mention.end_char,
        negated=mention.negated,
        historical=mention.historical,
        resolved=mention.resolved,
        hypothetical=mention.hypothetical,
        someone_else=mention.someone_else,
        relative=mention.relative,
    )


def _usable(mention: _Mention, rule: SignRule) -> bool:
    """Whether a mention can stand for `rule` at all (hypothetical ones are kept, and marked)."""
    if mention.negated or (mention.resolved and rule.resolvable):
        return False
    if mention.historical and "historical" not in rule.ignore:
        return False
    # A wish to die, or a poison someone else may have swallowed too, counts in any story.
    if mention.past_death and "death_story" not in rule.ignore:
        return False
    if "not_the_patient" in rule.ignore:
        return True
    return not (mention.someone_else or (mention.relative and rule.priority == "urgent"))


def _is_hypothetical(mention: _Mention, rule: SignRule) -> bool:
    return mention.hypothetical and "hypothetical" not in rule.ignore


def _hits(rule: SignRule, mentions: Sequence[_Mention], doc: Any, text: str) -> list[_Hit]:
    usable = [m for m in mentions if _usable(m, rule)]
    hits: list[_Hit] = []

    direct = [m for m in usable if m.label == rule.sign]
    if (
        direct
        and rule.unless_temperature_below
        and _all_readings_below(rule.unless_temperature_below, mentions, text)
    ):
        direct = []
    hits += [_Hit(m.start_char, m.end_char, _is_hypothetical(m, rule)) for m in direct]

    hits += [
        _Hit(m.start_char, m.end_char, _is_hypothetical(m, rule))
        for m in usable
        if m.label in rule.concepts
    ]

    if rule.repeated:
        for m in usable:
            if m.label in rule.repeated.concepts:
                hit = _repeated_hit(m, rule.repeated, rule, doc, text)
                if hit:
                    hits.append(hit)

    for together in rule.together:
        hit = _together_hit(together, usable, rule)
        if hit:
            hits.append(hit)
    return hits


def _all_readings_below(threshold: Threshold, mentions: Sequence[_Mention], text: str) -> bool:
    """True when the message gives current temperature readings and every one is below."""
    readings = [
        r
        for m in mentions
        if m.label == _TEMPERATURE
        and not (m.negated or m.historical or m.hypothetical or m.someone_else or m.relative)
        for r in _readings(m, text)
    ]
    return bool(readings) and not any(r.at_least(threshold.f, threshold.c) for r in readings)


def _repeated_hit(
    mention: _Mention, wanted: Repeated, rule: SignRule, doc: Any, text: str
) -> _Hit | None:
    """The mention, when a count or duration near it reaches the rule's limit."""
    sentence = doc[mention.start].sent
    window_end = sentence.end
    if sentence.end < len(doc):  # "He threw up. It happened 5 times today."
        window_end = doc[sentence.end].sent.end
    lo = max(mention.start - _WINDOW_BEFORE, sentence.start)
    hi = min(mention.end + _WINDOW_AFTER, window_end)
    window = doc[lo:hi]
    snippet = text[window.start_char : window.end_char]

    times = most_times(snippet)
    hours = longest_hours(snippet)
    quantity = None
    if wanted.times is not None and times is not None and times.value >= wanted.times:
        quantity = times
    elif wanted.hours is not None and hours is not None and hours.value >= wanted.hours:
        quantity = hours
    if quantity is None:
        return None
    # Show the nurse the sign with its count or duration: "vomited 5 times".
    start = min(mention.start_char, window.start_char + quantity.start)
    end = max(mention.end_char, window.start_char + quantity.end)
    if end - start > _MAX_COMBINED_CHARS:
        start, end = mention.start_char, mention.end_char
    return _Hit(start, end, _is_hypothetical(mention, rule))


def _together_hit(together: Together, usable: Sequence[_Mention], rule: SignRule) -> _Hit | None:
    groups = [[m for m in usable if m.label in group] for group in together.groups]
    if not all(groups):
        return None
    best: tuple[_Mention, ...] | None = None
    for combo in itertools.product(*groups):
        if together.within is not None and _spread(combo) > together.within:
            continue
        # Prefer a combination that is wholly current over one that is partly hypothetical.
        if best is None or _hypothetical_count(combo, rule) < _hypothetical_count(best, rule):
            best = combo
    if best is None:
        return None
    start = min(m.start_char for m in best)
    end = max(m.end_char for m in best)
    if end - start > _MAX_COMBINED_CHARS:
        start, end = best[0].start_char, best[0].end_char
    return _Hit(start, end, any(_is_hypothetical(m, rule) for m in best))


def _spread(combo: Sequence[_Mention]) -> int:
    """Tokens between the parts of a combined sign (0 when they touch or overlap)."""
    first_end = min(m.end for m in combo)
    last_start = max(m.start for m in combo)
    return max(0, last_start - first_end)


def _hypothetical_count(combo: Sequence[_Mention], rule: SignRule) -> int:
    return sum(_is_hypothetical(m, rule) for m in combo)
