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

    @property
    def topic_correct(self) -> bool:
        return self.expected_template in self.got_templates


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


def summary_line(report: Report) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    faq = next(r for r in report.routes if r.route == "faq")
    return (
        f"SUMMARY messages={report.total} accuracy={report.accuracy:.1%} "
        f"emergency_recall={pct(report.emergency_recall)} under_triage={len(report.under_triage)} "
        f"over_triage={len(report.over_triage)} faq_recall={pct(faq.recall)} "
        f"faq_topic_accuracy={pct(report.faq_topic_accuracy)}"
    )
