"""Red flags in the words outsiders use: lay, indirect, relatives' and Spanish wording.

Each group follows a published source named in the lexicon entry's `clinical:` text and in
docs/clinical-rules.md. Recall comes first, but plain questions must not page anyone.
"""

import pytest

from assistant.safety import Triage

V, H = "veterinary", "human"

# (kind, message, priority, signs that must be among the red flags)
FLAGGED = [
    # 1. Self-harm without the obvious words (ASQ, C-SSRS, NIMH/988 warning signs)
    (H, "some nights i wish i could go to sleep and not wake up", "emergency", {"self_harm"}),
    (H, "honestly everyone would be better off without me", "emergency", {"self_harm"}),
    (H, "my family would be better off if i wasnt here", "emergency", {"self_harm"}),
    (H, "i feel like im just a burden to everyone", "emergency", {"self_harm"}),
    (H, "i cant do this anymore", "emergency", {"self_harm"}),
    (H, "I can't keep doing this", "emergency", {"self_harm"}),
    (H, "i can't keep going like this", "emergency", {"self_harm"}),
    (H, "whats the point anymore", "emergency", {"self_harm"}),
    (H, "what's the point of any of this", "emergency", {"self_harm"}),
    (H, "im so tired of fighting", "emergency", {"self_harm"}),
    (H, "honestly sick of living like this", "emergency", {"self_harm"}),
    (H, "i've been saving up my pain pills", "emergency", {"self_harm"}),
    (H, "been stockpiling my oxy just in case", "emergency", {"self_harm"}),
    (H, "i gave away my dog and my guitar this week", "emergency", {"self_harm"}),
    (H, "giving away all my stuff to my sister", "emergency", {"self_harm"}),
    (H, "got my pathology results, cancer is back. i'm done.", "emergency", {"self_harm"}),
    (H, "biopsy came back and it spread to my liver... i give up", "emergency", {"self_harm"}),
    (V, "my own biopsy came back, i have cancer too. i'm done", "emergency", {"self_harm"}),
    (V, "i cant take it anymore, first my husband now my dog", "emergency", {"self_harm"}),
    # 2. Overdose signs a relative sees (SAMHSA toolkit, CDC)
    (
        H,
        "my husband took extra oxycodone and now his breathing is slow and shallow",
        "emergency",
        {"human.overdose_signs"},
    ),
    (H, "her lips are blue and she's gurgling", "emergency", {"human.overdose_signs"}),
    (
        H,
        "his pupils are tiny pinpoints after his pain pills",
        "emergency",
        {"human.overdose_signs"},
    ),
    (
        H,
        "dad is snoring weird and i cant wake him up",
        "emergency",
        {"human.overdose_signs", "human.hard_to_wake"},
    ),
    (
        H,
        "mom took too many pain pills and keeps nodding off",
        "emergency",
        {"human.overdose_signs"},
    ),
    (H, "i think he overdosed on his percocet", "emergency", {"human.overdose_signs"}),
    (H, "he's making a gurgling sound n wont answer me", "emergency", {"human.overdose_signs"}),
    (
        H,
        "she's so sleepy after her pain meds i can't keep her awake",
        "emergency",
        {"human.hard_to_wake"},
    ),
    # 3. A pet that ate a person's medicine or a household poison (ASPCA APCC, Pet Poison Helpline)
    (V, "my dog ate my efudex cream", "emergency", {"vet.poisoning"}),
    (V, "dog chewed a tube of carac!!", "emergency", {"vet.poisoning"}),
    (V, "cat licked my arm where i put my 5-fu cream", "emergency", {"vet.poisoning"}),
    (V, "he ate 3 advil off the counter", "emergency", {"vet.poisoning"}),
    (V, "she got into my motrin bottle", "emergency", {"vet.poisoning"}),
    (V, "bella swallowed an aleve", "emergency", {"vet.poisoning"}),
    (V, "my dog got into my tylenol", "emergency", {"vet.poisoning"}),
    (V, "cat ate a tylenol i dropped", "emergency", {"vet.poisoning"}),
    (V, "dog ate my adderall", "emergency", {"vet.poisoning"}),
    (V, "he ate my sons adhd meds", "emergency", {"vet.poisoning"}),
    (V, "she ate a xanax", "emergency", {"vet.poisoning"}),
    (V, "dog ate my husband's xanax", "emergency", {"vet.poisoning"}),
    (V, "pretty sure he ate my zoloft", "emergency", {"vet.poisoning"}),
    (V, "my dog ate some of my blood pressure pills", "emergency", {"vet.poisoning"}),
    (V, "dog chewed up my synthroid", "emergency", {"vet.poisoning"}),
    (V, "dog ate my birth control", "emergency", {"vet.poisoning"}),
    (V, "he ate an ambien", "emergency", {"vet.poisoning"}),
    (V, "dog ate my nicotine gum", "emergency", {"vet.poisoning"}),
    (V, "he ate a pack of sugar free gum", "emergency", {"vet.poisoning"}),
    (V, "dog ate rat poison in the garage", "emergency", {"vet.poisoning"}),
    (V, "cat drank antifreeze", "emergency", {"vet.poisoning"}),
    (V, "my dog ate grapes", "emergency", {"vet.poisoning"}),
    (V, "dog ate a handful of raisins", "emergency", {"vet.poisoning"}),
    (V, "cat chewed on a lily", "emergency", {"vet.poisoning"}),
    (V, "dog ate a whole bar of dark chocolate", "emergency", {"vet.poisoning"}),
    (V, "my tylenol bottle was chewed open by the dog", "emergency", {"vet.poisoning"}),
    (V, "se comió unas pastillas mías", "emergency", {"vet.poisoning"}),
    (V, "mi perro se comió chocolate", "emergency", {"vet.poisoning"}),
    # 4. Operation-specific complications (discharge pages, UKONS v3)
    (
        H,
        "my voice is hoarse and breathing is noisy after thyroid surgery",
        "emergency",
        {"human.shortness_of_breath"},
    ),
    (
        H,
        "my hands are cramping and my fingers are locking up after thyroid surgery",
        "emergency",
        {"human.severe_low_calcium"},
    ),
    (
        H,
        "fingers curling and muscle cramps everywhere since parathyroid surgery",
        "emergency",
        {"human.severe_low_calcium"},
    ),
    (
        H,
        "my hands went stiff like claws and i cant open them",
        "emergency",
        {"human.severe_low_calcium"},
    ),
    (
        H,
        "i've held pressure for 15 minutes and it's still bleeding",
        "emergency",
        {"human.heavy_bleeding"},
    ),
    (H, "pressing on it 20 min still bleeding", "emergency", {"human.heavy_bleeding"}),
    (
        H,
        "severe belly pain and fever 5 days after bowel surgery",
        "emergency",
        {"human.abdominal_infection"},
    ),
    (H, "my stomach is killing me and temp is 101.8", "emergency", {"human.abdominal_infection"}),
    (H, "my ileostomy bag is filling every hour and i'm dizzy", "urgent", {"human.stoma_problem"}),
    (H, "ostomy output is like water and i feel lightheaded", "urgent", {"human.stoma_problem"}),
    (H, "no output from my stoma since yesterday and cramping", "urgent", {"human.stoma_problem"}),
    (H, "my colostomy hasnt put out anything all day", "urgent", {"human.stoma_problem"}),
    (
        H,
        "haven't pooped or passed gas in 3 days and throwing up",
        "urgent",
        {"human.bowel_obstruction"},
    ),
    (H, "no gas no poop belly swollen", "urgent", {"human.bowel_obstruction"}),
    (
        H,
        "haven't passed gas since surgery, my belly is swollen and hard",
        "urgent",
        {"human.bowel_obstruction"},
    ),
    (H, "drain stopped draining and now it's swollen around it", "urgent", {"human.drain_problem"}),
    (H, "there's swelling around my drain", "urgent", {"human.drain_problem"}),
    # 5. Chemotherapy exposure at home (St. Jude, NCIS safe-handling pages)
    (
        H,
        "i dropped my capecitabine pill and my toddler picked it up",
        "urgent",
        {"human.chemo_exposure"},
    ),
    (
        H,
        "crushed one of my chemo pills by accident on the counter",
        "urgent",
        {"human.chemo_exposure"},
    ),
    (H, "my pregnant daughter touched my chemo pills", "urgent", {"human.chemo_exposure"}),
    (H, "my grandson was playing with my xeloda bottle", "urgent", {"human.chemo_exposure"}),
    (V, "i dropped his palladia and the kids were around", "urgent", {"vet.chemo_spill"}),
    (V, "my daughter picked up one of his chemo pills", "urgent", {"vet.chemo_spill"}),
    (V, "i'm pregnant and i crushed his cyclophosphamide", "urgent", {"vet.chemo_spill"}),
    # 6. Spanish red flags (MedlinePlus en español, ACEP "Cuándo llamar para pedir ayuda")
    (H, "mi mamá no puede respirar", "emergency", {"human.shortness_of_breath"}),
    (H, "le cuesta respirar desde anoche", "emergency", {"human.shortness_of_breath"}),
    (V, "no puede respirar bien", "emergency", {"vet.breathing_trouble"}),
    (V, "sus encías están azules", "emergency", {"vet.gum_colour"}),
    (V, "tiene las encias palidas", "emergency", {"vet.gum_colour"}),
    (V, "tuvo una convulsión", "emergency", {"vet.seizure"}),
    (V, "le dio un ataque y se puso tieso", "emergency", {"vet.seizure"}),
    (H, "mi esposo tuvo convulsiones", "emergency", {"human.seizure"}),
    (H, "se desmayó en el baño", "emergency", {"human.fainting"}),
    (V, "se desmayó y no despierta", "emergency", {"vet.collapse"}),
    (H, "no despierta", "emergency", {"human.hard_to_wake"}),
    (H, "sangra mucho y no para de sangrar", "emergency", {"human.heavy_bleeding"}),
    (V, "la herida no para de sangrar", "emergency", {"vet.heavy_bleeding"}),
    (H, "tengo dolor de pecho", "emergency", {"human.chest_pain"}),
    (H, "quiero morir", "emergency", {"self_harm"}),
    (H, "ya no quiero vivir", "emergency", {"self_harm"}),
    (V, "no quiero vivir sin mi perro", "emergency", {"self_harm"}),
    (H, "mi hijo se tragó unas pastillas de mi esposo", "emergency", {"swallowed_medicine"}),
    (H, "vomita sangre", "emergency", {"human.vomiting_blood"}),
    (V, "vomita sangre", "urgent", {"vet.vomiting_blood"}),
    (H, "no sé si es normal pero vomita sangre", "emergency", {"human.vomiting_blood"}),
    (H, "tiene fiebre de 39.5", "urgent", {"human.fever"}),
    (H, "tengo fiebre 101", "urgent", {"human.fever"}),
    (V, "tiene fiebre de 104 y está muy débil", "emergency", {"vet.fever_with_weakness"}),
    (H, "tengo 39 grados de fiebre", "urgent", {"human.fever"}),
    (H, "labios morados y no responde", "emergency", {"human.overdose_signs"}),
]

# Negated, hypothetical or someone else's: no current red flag (message, hypothetical sign or None)
NOT_CURRENT = [
    (H, "no trouble breathing, just tired", None),
    (V, "what if he eats a grape", "vet.poisoning"),
    (V, "he didnt eat the chocolate, i got it away in time", None),
    (V, "i ate some chocolate lol can he have a treat", None),
    (H, "no tiene fiebre", None),
    (H, "si tiene fiebre, qué hago?", "human.fever"),
    (V, "sin fiebre, come bien", None),
    (H, "what should i do if a chemo pill breaks?", None),
]

# Plain questions that must page nobody (and raise no crisis).
NOT_URGENT = [
    (H, "i can't do this paperwork anymore, where do i mail the form"),
    (H, "im so tired of fighting with the insurance company"),
    (H, "i'm done with my antibiotics, should i finish the probiotic too"),
    (H, "what's the point of the drain?"),
    (H, "i'm so constipated from the pain meds, any tips?"),
    (H, "i'm pregnant, is it safe to touch my husband's chemo pills?"),
    (H, "i dropped off my chemo prescription at cvs"),
    (H, "how often should i empty my ileostomy bag"),
    (H, "what's the max dose of tylenol i can take with the oxy"),
    (V, "is chocolate bad for dogs"),
    (V, "can i give him tylenol for pain?"),
    (V, "he ate his dinner and his prozac in cheese"),
    (V, "he ate his thyroid pill this morning"),
    (V, "his biopsy came back bad. i give up on the lomustine, whats next"),
    (V, "we have lilies in the garden, are they safe for dogs?"),
    (V, "Lily ate her breakfast fine today"),
    (V, "our chocolate lab ate his kibble"),
    (H, "¿a qué hora abren mañana?"),
]


@pytest.mark.parametrize(("kind", "text", "priority", "expected"), FLAGGED)
def test_outsider_wording_is_caught(
    triage: Triage, kind: str, text: str, priority: str, expected: set[str]
) -> None:
    result = triage.assess(text, kind)

    assert result.priority == priority
    assert expected <= {f.sign for f in result.red_flags}
    assert result.self_harm == ("self_harm" in expected)
    for flag in result.red_flags:
        assert flag.matched and flag.matched in text


@pytest.mark.parametrize(("kind", "text", "hypothetical_sign"), NOT_CURRENT)
def test_negated_or_hypothetical_outsider_wording_does_not_trigger(
    triage: Triage, kind: str, text: str, hypothetical_sign: str | None
) -> None:
    result = triage.assess(text, kind)

    assert result.priority is None
    assert result.red_flags == ()
    if hypothetical_sign:
        assert hypothetical_sign in {f.sign for f in result.hypothetical}


@pytest.mark.parametrize(("kind", "text"), NOT_URGENT)
def test_plain_questions_in_outsider_wording_page_nobody(
    triage: Triage, kind: str, text: str
) -> None:
    result = triage.assess(text, kind)

    assert result.priority is None
    assert result.red_flags == ()
    assert not result.self_harm
