from assistant.evaluation.metrics import Outcome, score, summary_line


def outcome(expected: str, got: str) -> Outcome:
    return Outcome(text="x", audience="vet", expected=expected, got=got)


def test_recall_precision_and_triage_errors() -> None:
    report = score(
        [
            outcome("emergency", "emergency"),
            outcome("emergency", "clinical"),  # under-triage
            outcome("clinical", "faq"),  # under-triage
            outcome("faq", "faq"),
            outcome("faq", "urgent"),  # over-triage
            outcome("booking", "clinical"),  # safer, not counted as over-triage to a page
        ]
    )

    routes = {r.route: r for r in report.routes}
    assert report.emergency_recall == 0.5
    assert (routes["faq"].recall, routes["faq"].precision) == (0.5, 0.5)  # one faq was clinical
    assert routes["clinical"].precision == 0.0
    assert [o.expected for o in report.under_triage] == ["emergency", "clinical"]
    assert [o.got for o in report.over_triage] == ["urgent"]
    assert summary_line(report) == (
        "SUMMARY messages=6 accuracy=33.3% emergency_recall=50.0% under_triage=2 over_triage=1"
    )
