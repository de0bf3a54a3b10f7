"""Clinical questions that only a clinician may answer, found by rules, and FAQ questions that
must not be mistaken for them."""

import pytest

from assistant.safety.clinical_questions import ClinicalQuestions

QUESTIONS = ClinicalQuestions.load()


@pytest.mark.parametrize(
    ("kind", "text", "topic"),
    [
        ("veterinary", "is it ok to give her benadryl while shes on chemo", "other_medicine"),
        ("veterinary", "can he have fish oil with the lomustine", "other_medicine"),
        ("human", "do i keep taking my metformin the day before surgery", "other_medicine"),
        ("veterinary", "why did they lower his dose this time", "dose"),
        ("veterinary", "she puked once this morning but seems fine", "symptom_report"),
        ("human", "my temp was 100.1 last night after surgery", "symptom_report"),
        ("veterinary", "she missed a dose of her cytoxan yesterday", "dose"),
        (
            "veterinary",
            "can he get his rabies shot booster during chemo",
            "vaccines_and_procedures_during_treatment",
        ),
        ("human", "my path report says close margins what happens now", "results_meaning"),
        ("veterinary", "his alt was high on the bloodwork is that bad", "results_meaning"),
        ("veterinary", "how long will she live with this", "prognosis"),
        ("human", "whats the chance it comes back", "prognosis"),
        ("veterinary", "should we stop chemo, hes miserable", "treatment_decision"),
        ("human", "will i need radiation after my lumpectomy", "treatment_decision"),
        ("human", "is the lump under my scar normal", "change_at_the_site"),
        ("human", "drain put out 25 ml today is that low enough to pull it", "drain_readiness"),
        ("human", "what do i do if the drain falls out at night", "drain_readiness"),
        # An outside FAQ file's dose and product questions the FAQ answered (2026-12-06).
        ("veterinary", "forgot lola's prednisone this morning, how much do i give tonight", "dose"),
        ("veterinary", "do i double it tonight", "dose"),
        ("veterinary", "can i put aloe on the radiation spot on her hip", "other_medicine"),
        (
            "human",
            "his final pathology report showed up in the portal and i don't understand any of it",
            "results_meaning",
        ),
        ("human", "can someone explain what my biopsy report says", "results_meaning"),
    ],
)
def test_finds_the_question_and_quotes_the_clients_words(kind: str, text: str, topic: str) -> None:
    found = QUESTIONS.find(text, kind)

    assert topic in [q.topic for q in found]
    assert all(q.matched and q.matched.lower() in text.lower() for q in found)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("veterinary", "do i need gloves to give him his cytoxan"),
        ("veterinary", "no fever, no vomiting, just wondering when you open"),
        ("veterinary", "how do i take my dogs temperature at home"),
        ("veterinary", "can u refill his gabapentin, we have 4 left"),
        ("veterinary", "do i bring her prednisone with us to the visit"),
        ("veterinary", "will his hair come back after chemo"),
        ("veterinary", "what does palliative care mean"),
        ("veterinary", "is it ok to return the leftover pills to you"),
        ("human", "what time do i stop drinking before surgery tomorrow"),
        ("human", "when can i shower after surgery"),
        ("human", "how long does pathology take"),
        ("human", "when does the drain come out"),
        ("veterinary", "why do you check his white count before every chemo"),
        ("veterinary", "how much do we give him for breakfast before his scan"),
        ("human", "will the surgeon go over the pathology with me"),
        ("human", "when will the biopsy results come back"),
    ],
)
def test_faq_questions_are_left_to_the_faq(kind: str, text: str) -> None:
    assert QUESTIONS.find(text, kind) == ()


def test_surgical_only_topics_do_not_apply_at_the_vet() -> None:
    assert QUESTIONS.find("is the lump under his scar normal", "veterinary") == ()
