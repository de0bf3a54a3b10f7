"""A death the family reports is grief, not an emergency; a death feared, or a second patient, is.

The signs in the story of how a patient died ("she had a seizure and then she stopped breathing
in my lap") are not current (shared.yml `death_story`). Every case here keeps an emergency that
must not be lost to that rule.
"""

import pytest

from assistant.safety import Triage
from tests.assistant.safety.test_safety_net import raised, read_each_at_its_kind


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "veterinary",
            "Pepper passed away last night. she had a seizure and then she stopped breathing "
            "in my lap. please cancel her chemo",
        ),
        # "biscuit" ends in "it", which is not "it passed" (the seizure passed).
        (
            "veterinary",
            "our dog biscuit passed away last night. he was gasping and then he stopped",
        ),
        ("veterinary", "we lost duke tonight. he collapsed in the yard and his gums went white"),
        ("veterinary", "hi its Jo, Nala's gone. she was gasping and then she went limp in my arms"),
        (
            "human",
            "my husband died this morning at home. his breathing got loud and rattly and then "
            "it stopped",
        ),
        (
            "human",
            "just wanted to let dr kim know my dad passed on sunday. he collapsed in the kitchen "
            "and the paramedics couldnt bring him back",
        ),
    ],
)
def test_how_a_patient_died_is_not_a_current_emergency(
    triage: Triage, kind: str, text: str
) -> None:
    result = triage.assess(text, kind)

    assert result.priority is None, result.red_flags


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        # The death is not said for certain.
        ("veterinary", "i think he died, he's not breathing and his gums are blue"),
        ("veterinary", "is she dead?? she collapsed and her gums are white"),
        ("veterinary", "we might have to put her to sleep, she collapsed and her gums are white"),
        ("human", "i thought we lost him but he's still gasping for air"),
        # Something is happening now.
        ("veterinary", "Max passed away last night and now Bella is gasping too"),
        # Another pet, or the sender's own body.
        ("veterinary", "our other dog died last month. bella collapsed in the yard this morning"),
        ("human", "my mom died last month. i had chest pain and passed out last night"),
        # Not a death: "passed" a clot, a seizure that passed, stairs not made.
        ("human", "she just passed a huge clot and the bleeding won't stop"),
        ("veterinary", "the seizure passed, then he collapsed and can't get up"),
        ("veterinary", "she didn't make it up the stairs, she collapsed"),
        # Unconscious now is told like a death.
        ("veterinary", "he had a seizure and never came out of it, he's lying there limp"),
        # Not sure the patient is alive.
        ("veterinary", "i cant find a heartbeat on milo, is he alive?"),
        ("human", "i cant feel a pulse on my dad, is he alive"),
        # A poison a second pet may have eaten too.
        ("veterinary", "Max passed away this morning. Bella ate a bottle of ibuprofen last night"),
    ],
)
def test_an_emergency_beside_a_death_is_kept(triage: Triage, kind: str, text: str) -> None:
    assert triage.assess(text, kind).priority == "emergency"


@pytest.mark.parametrize("kind", ["veterinary", "human"])
def test_a_wish_to_die_beside_a_death_is_a_crisis(triage: Triage, kind: str) -> None:
    result = triage.assess("he died in my arms last night. i don't want to live without him", kind)

    assert result.priority == "emergency"
    assert result.self_harm


def test_outside_death_reports_are_grief_and_feared_deaths_emergencies(triage: Triage) -> None:
    # 120 death reports and 80 feared deaths written by a helper who had not read the project
    # (tests/data/dev_death_reports.yml). On 2026-12-07 the triage sent 84 of the reports to
    # emergency or urgent, and 78 of the feared deaths to emergency; with the death story and
    # two signs added, 10 and 80 (docs/evaluation.md, "Eleventh round").
    read = read_each_at_its_kind(triage, "dev_death_reports.yml")
    reports = read["vet_death_reported"] + read["human_death_reported"]
    feared = read["vet_death_feared"] + read["human_death_feared"]

    assert feared.count("emergency") == len(feared) == 80
    assert raised(reports) <= 12


@pytest.mark.parametrize("kind", ["veterinary", "human"])
def test_an_uncounted_overdose_beside_a_death_is_a_crisis(triage: Triage, kind: str) -> None:
    result = triage.assess(
        "she passed this morning. i took a bunch of my sleeping pills after, not sure how many",
        kind,
    )

    assert result.priority == "emergency"
    assert result.self_harm
