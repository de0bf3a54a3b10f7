"""Every template the coordination rules name is approved and sendable for its practice kind:
a missing one would only show as an error in the log, and nothing would be sent."""

import pytest

from assistant.coordination.grief import END_OF_LIFE_STAGES
from assistant.coordination.visits import NOT_REMINDED
from assistant.settings import ROOT
from assistant.templates import TemplateRegistry
from assistant.templates.lint import LONGEST_RECORD_VALUES

REGISTRY = TemplateRegistry.load(ROOT / "templates")
VET_KEYS = [
    "coordination.previsit",
    "coordination.labs_needed",
    "coordination.treatment_summary",
    *(f"coordination.grief_{stage}" for stage in END_OF_LIFE_STAGES),
]
HUMAN_KEYS = [
    "coordination.preop_tests",
    "coordination.preop_fasting",
    "coordination.authorization_approved",
    "coordination.referral_medical",
    "coordination.referral_radiation",
]
PRACTICE_PLACEHOLDERS = ("practice_name", "practice_phone", "emergency_phone", "emergency_name")
# The demo veterinary visit types that have their own reminder (the others use the general one).
OWN_REMINDERS = ["chemo_treatment", "cbc_recheck", "radiation_session"]


@pytest.mark.parametrize(
    ("key", "kind"),
    [(key, "veterinary") for key in VET_KEYS]
    + [(f"coordination.previsit_{code}", "veterinary") for code in OWN_REMINDERS]
    + [(key, "human") for key in HUMAN_KEYS],
)
def test_the_template_is_sendable_and_fills_from_the_records(key: str, kind: str) -> None:
    template = REGISTRY.resolve(key, kind)

    assert template is not None, f"no sendable {key} for {kind} practices"
    record_values = {name: "x" for name in LONGEST_RECORD_VALUES} | {"drug": "vincristine"}
    practice_values = {
        name: "x"
        for name in (
            "practice_name",
            "practice_phone",
            "emergency_phone",
            "emergency_name",
            "hours",
        )
    }
    assert template.render(record_values | practice_values)


def test_reminders_ask_for_c_or_r() -> None:
    for code in OWN_REMINDERS + ["generic"]:
        key = "coordination.previsit" if code == "generic" else f"coordination.previsit_{code}"
        template = REGISTRY.resolve(key, "veterinary")
        assert template is not None
        assert template.text.endswith("Reply C to confirm or R to reschedule.")
    assert "nurse_followup_call" in NOT_REMINDED
