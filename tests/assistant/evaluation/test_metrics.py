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
        " faq_recall=50.0% faq_topic_accuracy=n/a faq_answered_or_offered=n/a"
        " urgent_or_higher=n/a faq_replies=0"
        " faq_wrong_answers=0 faq_wrong_needing_clinician=0"
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


def test_an_faq_answer_to_a_message_that_needed_none_is_a_wrong_answer() -> None:
    outcomes = [
        Outcome("a", "vet", "faq", "faq", "faq.hours", ("faq.hours",), category="faq"),
        Outcome("b", "vet", "faq", "faq", "faq.parking", ("faq.hours",), category="faq"),
        # A dose question answered with the parking directions: the worst kind.
        Outcome("c", "vet", "clinical", "faq", None, ("faq.parking",), category="medicine"),
        Outcome("d", "vet", "urgent", "urgent", None, ("urgent.nurse_calls",), category="medicine"),
        Outcome("e", "vet", "urgent", "clinical", None, ("clinical.nurse",), category="medicine"),
    ]

    report = score(outcomes)

    assert [o.text for o in report.faq_replies] == ["a", "b", "c"]
    assert [o.text for o in report.faq_wrong_answers] == ["b", "c"]
    assert report.urgent_or_higher == 0.5
    assert "faq_replies=3 faq_wrong_answers=2 faq_wrong_needing_clinician=1" in summary_line(report)
    medicine = next(c for c in report.by_category() if c.category == "medicine")
    assert (medicine.support, medicine.under_triage, medicine.faq_wrong) == (3, 2, 1)
    assert medicine.route_correct == 1 / 3


def test_an_offered_answer_counts_as_reached_but_not_as_sent() -> None:
    offered = Outcome(
        "wen u open",
        "vet",
        "faq",
        "faq",
        "faq.hours",
        ("fallback.did_you_mean",),
        suggested_templates=("faq.hours",),
    )
    wrong_offer = Outcome(
        "parking?",
        "vet",
        "faq",
        "faq",
        "faq.parking",
        ("fallback.did_you_mean",),
        suggested_templates=("faq.hours",),
    )

    report = score([offered, wrong_offer])

    assert report.faq_topic_accuracy == 0.0
    assert report.faq_answered_or_offered == 0.5
    assert report.faq_wrong_answers == []  # a question is not an answer
