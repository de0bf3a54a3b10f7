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
        " faq_recall=50.0% faq_topic_accuracy=n/a"
    )


def test_faq_topic_accuracy_counts_only_lines_that_name_their_answer() -> None:
    outcomes = [
        Outcome("a", "vet", "faq", "faq", "faq.hours", ("faq.hours",)),
        Outcome("b", "vet", "faq", "faq", "faq.parking", ("faq.hours",)),
        Outcome("c", "vet", "faq", "clinical", "faq.hair_loss", ("clinical.nurse_will_answer",)),
        Outcome("d", "vet", "faq", "faq"),  # names no answer: route only
    ]

    report = score(outcomes)

    assert report.faq_topic_accuracy == 1 / 3
    assert [o.text for o in report.wrong_topic] == ["b", "c"]
    assert "faq_recall=75.0% faq_topic_accuracy=33.3%" in summary_line(report)
