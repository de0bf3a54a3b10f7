"""Per-route recall and precision, emergency recall, under- and over-triage."""

from collections import Counter
from dataclasses import dataclass

from assistant.conversation.routes import ROUTES_BY_SEVERITY

# Labels whose message needs a clinician: getting a less severe route is under-triage.
CLINICAL_LABELS = ("emergency", "urgent", "clinical")


@dataclass(frozen=True)
class Outcome:
    text: str
    audience: str
    expected: str
    got: str
    # For FAQ lines that name the answer they expect (`faq.hours`): the template keys sent.
    expected_template: str | None = None
    got_templates: tuple[str, ...] = ()
    # What kind of message it is (`self-harm`, `optout-own-words`...), for per-category scores.
    category: str | None = None
    # The answers "Did you mean: <title>?" offered instead of answering (`faq.hours`).
    suggested_templates: tuple[str, ...] = ()

    @property
    def topic_correct(self) -> bool:
        return self.expected_template in self.got_templates

    @property
    def topic_answered_or_offered(self) -> bool:
        """The right answer was sent, or offered with "Did you mean" (YES sends it)."""
        return self.topic_correct or self.expected_template in self.suggested_templates

    @property
    def answered_with_faq(self) -> bool:
        return any(template.startswith("faq.") for template in self.got_templates)

    @property
    def faq_answer_wrong(self) -> bool:
        """An FAQ answer went out, and the message should never have had one, or it named
        the answer it asked for and got another. (An FAQ line that names no answer cannot be
        judged.)"""
        if not self.answered_with_faq:
            return False
        if self.expected != "faq":
            return True
        return self.expected_template is not None and not self.topic_correct


@dataclass(frozen=True)
class RouteScore:
    route: str
    support: int
    recall: float | None
    precision: float | None


@dataclass(frozen=True)
class Report:
    total: int
    accuracy: float
    routes: list[RouteScore]
    emergency_recall: float | None
    under_triage: list[Outcome]
    over_triage: list[Outcome]
    # Of the FAQ lines naming their answer, the share answered with that answer.
    faq_topic_accuracy: float | None
    wrong_topic: list[Outcome]
    # Every message's outcome, in the order sent.
    outcomes: tuple[Outcome, ...] = ()

    @property
    def urgent_or_higher(self) -> float | None:
        """Of the urgent messages, the share routed urgent or emergency."""
        urgent = [o for o in self.outcomes if o.expected == "urgent"]
        if not urgent:
            return None
        return sum(o.got in ("urgent", "emergency") for o in urgent) / len(urgent)

    @property
    def faq_answered_or_offered(self) -> float | None:
        """Of the FAQ lines naming their answer, the share that got it or were offered it."""
        with_topic = [o for o in self.outcomes if o.expected_template is not None]
        if not with_topic:
            return None
        return sum(o.topic_answered_or_offered for o in with_topic) / len(with_topic)

    @property
    def faq_replies(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.answered_with_faq]

    @property
    def faq_wrong_answers(self) -> list[Outcome]:
        """FAQ answers that did not answer the message: the worst of them needed a clinician."""
        return [o for o in self.outcomes if o.faq_answer_wrong]

    def by_category(self) -> list["CategoryScore"]:
        categories = sorted({o.category for o in self.outcomes if o.category})
        scores = []
        for category in categories:
            members = [o for o in self.outcomes if o.category == category]
            scores.append(
                CategoryScore(
                    category=category,
                    support=len(members),
                    route_correct=sum(o.got == o.expected for o in members) / len(members),
                    under_triage=sum(o in self.under_triage for o in members),
                    faq_wrong=sum(o.faq_answer_wrong for o in members),
                )
            )
        return scores


@dataclass(frozen=True)
class CategoryScore:
    category: str
    support: int
    route_correct: float
    under_triage: int
    faq_wrong: int


def severity(route: str) -> int:
    """0 for the most severe route; unknown routes count as the least severe."""
    return (
        ROUTES_BY_SEVERITY.index(route) if route in ROUTES_BY_SEVERITY else len(ROUTES_BY_SEVERITY)
    )


def score(outcomes: list[Outcome]) -> Report:
    expected = Counter(o.expected for o in outcomes)
    predicted = Counter(o.got for o in outcomes)
    correct = Counter(o.expected for o in outcomes if o.got == o.expected)
    routes = [
        RouteScore(
            route=route,
            support=expected[route],
            recall=correct[route] / expected[route] if expected[route] else None,
            precision=correct[route] / predicted[route] if predicted[route] else None,
        )
        for route in ROUTES_BY_SEVERITY
    ]
    under = [
        o
        for o in outcomes
        if o.expected in CLINICAL_LABELS and severity(o.got) > severity(o.expected)
    ]
    over = [
        o
        for o in outcomes
        if severity(o.got) < severity(o.expected) and o.got in ("emergency", "urgent")
    ]
    emergencies = expected["emergency"]
    with_topic = [o for o in outcomes if o.expected_template is not None]
    return Report(
        total=len(outcomes),
        accuracy=sum(correct.values()) / len(outcomes) if outcomes else 0.0,
        routes=routes,
        emergency_recall=correct["emergency"] / emergencies if emergencies else None,
        under_triage=under,
        over_triage=over,
        faq_topic_accuracy=sum(o.topic_correct for o in with_topic) / len(with_topic)
        if with_topic
        else None,
        wrong_topic=[o for o in with_topic if not o.topic_correct],
        outcomes=tuple(outcomes),
    )


def as_markdown(report: Report) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    lines = ["| route | messages | recall | precision |", "|---|---:|---:|---:|"]
    lines += [
        f"| {r.route} | {r.support} | {pct(r.recall)} | {pct(r.precision)} |" for r in report.routes
    ]
    return "\n".join(lines)


def confusion_markdown(report: Report) -> str:
    """Expected route (rows) by route given (columns): counts only."""
    routes = [
        r for r in ROUTES_BY_SEVERITY if any(o.expected == r or o.got == r for o in report.outcomes)
    ]
    counts = Counter((o.expected, o.got) for o in report.outcomes)
    lines = ["| expected \\ got | " + " | ".join(routes) + " |"]
    lines.append("|---|" + "---:|" * len(routes))
    for expected in routes:
        row = [str(counts[(expected, got)] or "") for got in routes]
        lines.append(f"| {expected} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def category_markdown(report: Report) -> str:
    """Per-category scores: counts and rates only, never a message's words."""
    lines = [
        "| category | messages | right route | under-triaged | wrong FAQ answer |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {c.category} | {c.support} | {c.route_correct:.1%} | {c.under_triage} | {c.faq_wrong} |"
        for c in report.by_category()
    ]
    return "\n".join(lines)


def summary_line(report: Report) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    faq = next(r for r in report.routes if r.route == "faq")
    wrong = report.faq_wrong_answers
    return (
        f"SUMMARY messages={report.total} accuracy={report.accuracy:.1%} "
        f"emergency_recall={pct(report.emergency_recall)} under_triage={len(report.under_triage)} "
        f"over_triage={len(report.over_triage)} faq_recall={pct(faq.recall)} "
        f"faq_topic_accuracy={pct(report.faq_topic_accuracy)} "
        f"faq_answered_or_offered={pct(report.faq_answered_or_offered)} "
        f"urgent_or_higher={pct(report.urgent_or_higher)} "
        f"faq_replies={len(report.faq_replies)} faq_wrong_answers={len(wrong)} "
        f"faq_wrong_needing_clinician={sum(o.expected in CLINICAL_LABELS for o in wrong)}"
    )
