"""Triage of messages from owners of dogs and cats on chemotherapy or after surgery."""

import pytest

from assistant.safety import Triage
from assistant.safety.lexicon import load_lexicon

KIND = "veterinary"

# (message, priority, signs that must be among the red flags)
FLAGGED = [
    # Trouble breathing, fast breathing at rest
    ("my dog cant breath", "emergency", {"vet.breathing_trouble"}),
    ("shes breathing really fast even when shes resting", "emergency", {"vet.breathing_trouble"}),
    (
        "he's breathing super heavy and fast while sleeping, is this ok?",
        "emergency",
        {"vet.breathing_trouble"},
    ),
    ("bella's struggling to breathe", "emergency", {"vet.breathing_trouble"}),
    ("he keeps coughing and struggling for breath", "emergency", {"vet.breathing_trouble"}),
    ("my cat is hiding and breathing with her mouth open", "emergency", {"vet.breathing_trouble"}),
    (
        "idk if this is an emergency but she's breathing weird",
        "emergency",
        {"vet.breathing_trouble"},
    ),
    # Blue, grey, pale or white gums
    ("his gums are pale", "emergency", {"vet.gum_colour"}),
    ("is it normal for her gums to be this pale?", "emergency", {"vet.gum_colour"}),
    ("blue gums!!", "emergency", {"vet.gum_colour"}),
    ("idk what to do if this keeps up his gums look pale", "emergency", {"vet.gum_colour"}),
    ("no he collapsed again", "emergency", {"vet.collapse"}),
    ("gums r white", "emergency", {"vet.gum_colour"}),
    ("probably nothing but his gums look pale", "emergency", {"vet.gum_colour"}),
    ("her tongue looks kinda blue", "emergency", {"vet.gum_colour"}),
    ("his gums look white-ish", "emergency", {"vet.gum_colour"}),
    ("my husband noticed his gums look really pale", "emergency", {"vet.gum_colour"}),
    ("No vomiting but his gums are white", "emergency", {"vet.gum_colour"}),
    ("he's not eating and his gums are pale", "emergency", {"vet.gum_colour"}),
    ("he's not himself, gums are white", "emergency", {"vet.gum_colour"}),
    # Collapse, cannot stand, cannot be roused
    ("he collapsed in the yard", "emergency", {"vet.collapse"}),
    ("she wont get up", "emergency", {"vet.collapse"}),
    ("my dog fell over and can't stand up", "emergency", {"vet.collapse"}),
    ("I can't wake him up", "emergency", {"vet.collapse"}),
    ("cant get him to stand", "emergency", {"vet.collapse"}),
    ("she's laying there and won't move", "emergency", {"vet.collapse"}),
    ("my wife says he collapsed", "emergency", {"vet.collapse"}),
    ("he was fine yesterday but today he collapsed", "emergency", {"vet.collapse"}),
    ("He hasn't been eating much and now he collapsed", "emergency", {"vet.collapse"}),
    # Seizure
    ("hes had a siezure", "emergency", {"vet.seizure"}),
    ("she's having a seizer right now!!", "emergency", {"vet.seizure"}),
    ("she had 3 seizures today", "emergency", {"vet.seizure"}),
    ("he had two fits this morning", "emergency", {"vet.seizure"}),
    ("he's shaking and paddling his legs", "emergency", {"vet.seizure"}),
    ("dont think its an emergency but he had a seizure an hour ago", "emergency", {"vet.seizure"}),
    ("he's never had a seizure before and he just had one", "emergency", {"vet.seizure"}),
    ("the seizure stopped after 2 minutes", "emergency", {"vet.seizure"}),
    # Heavy or uncontrolled bleeding
    (
        "his nose is bleeding and wont stop",
        "emergency",
        {"vet.heavy_bleeding", "vet.bruising_bleeding"},
    ),
    ("theres blood everywhere from his leg", "emergency", {"vet.heavy_bleeding"}),
    (
        "his leg is bleeding through the towel and i cant get it to stop",
        "emergency",
        {"vet.heavy_bleeding"},
    ),
    ("my dog is bleeding from his mouth and won't stop", "emergency", {"vet.heavy_bleeding"}),
    # Swollen, tight belly with unproductive retching
    (
        "his belly is swollen and tight and he keeps trying to throw up but nothing comes out",
        "emergency",
        {"vet.bloat"},
    ),
    ("dry heaving for an hour", "emergency", {"vet.bloat"}),
    # Trauma
    ("my dog got hit by a car", "emergency", {"vet.trauma"}),
    ("attacked by a huge dog, deep bite wounds", "emergency", {"vet.trauma"}),
    ("she fell down the stairs and wont put weight on anything", "emergency", {"vet.trauma"}),
    # A pet or a person (a child) swallowed chemotherapy pills
    ("he ate his chemo pills", "emergency", {"vet.chemo_ingestion"}),
    (
        "my dog got into the pill bottle and ate all of his cyclophosphamide",
        "emergency",
        {"vet.chemo_ingestion"},
    ),
    ("my puppy ate my chemo pills", "emergency", {"vet.chemo_ingestion"}),
    ("the other dog ate a few of Max's chemo pills", "emergency", {"vet.chemo_ingestion"}),
    (
        "my kid found the chemo capsules and we think she ate one",
        "emergency",
        {"swallowed_medicine"},
    ),
    ("my son swallowed a pill", "emergency", {"swallowed_medicine"}),
    ("my toddler ate one of the dog's chemo capsules", "emergency", {"swallowed_medicine"}),
    (
        "my 2 year old might have swallowed one of the dogs chemo pills",
        "emergency",
        {"swallowed_medicine"},
    ),
    (
        "i accidentally took his chemo pill instead of my vitamin",
        "emergency",
        {"vet.chemo_ingestion"},
    ),
    # A cat straining with little or no urine while vomiting or weak
    (
        "my cat is straining in the litter box and nothing comes out, and she threw up twice",
        "emergency",
        {"vet.urinary_blockage"},
    ),
    (
        "i think he's blocked, he keeps going to the litter box",
        "emergency",
        {"vet.urinary_blockage"},
    ),
    # 104 F (40 C) or more with weakness
    (
        "his temp is 104.5 and he's really lethargic",
        "emergency",
        {"vet.fever_with_weakness", "vet.fever"},
    ),
    ("temp 40.3 C, very weak", "emergency", {"vet.fever_with_weakness"}),
    (
        "he's at 104 degrees and wont get up",
        "emergency",
        {"vet.fever_with_weakness", "vet.collapse"},
    ),
    ("temp 104.1 rectal, he's lethargic", "emergency", {"vet.fever_with_weakness"}),
    # Statements about wanting to die reach the crisis line in both practices
    ("i want to die without him", "emergency", {"self_harm"}),
    # Fever of 103 F (39.5 C) or more
    ("his temp is 103.4", "urgent", {"vet.fever"}),
    ("temp 103F after chemo on monday", "urgent", {"vet.fever"}),
    ("she's 39.8 C", "urgent", {"vet.fever"}),
    ("39,8°C", "urgent", {"vet.fever"}),
    ("temperature 39.6", "urgent", {"vet.fever"}),
    ("his temperature is 104 degrees", "urgent", {"vet.fever"}),
    ("he has a fever", "urgent", {"vet.fever"}),
    ("he feels really hot and is shaking", "urgent", {"vet.fever"}),
    # Vomiting: blood, cannot keep water or medicine down, > 4 times a day, > 24 hours
    ("he threw up blood", "urgent", {"vet.vomiting_blood"}),
    ("vomitting with some blood in it", "urgent", {"vet.vomiting_blood"}),
    ("not sure if its normal but hes vomitting blood", "urgent", {"vet.vomiting_blood"}),
    ("he cant keep water down", "urgent", {"vet.vomiting_cant_keep_down"}),
    ("she threw up her anti nausea pill", "urgent", {"vet.vomiting_cant_keep_down"}),
    ("vomited 5 times today", "urgent", {"vet.vomiting_persistent"}),
    ("throwing up since yesterday", "urgent", {"vet.vomiting_persistent"}),
    ("puking all night", "urgent", {"vet.vomiting_persistent"}),
    ("threw up 4x since breakfast", "urgent", {"vet.vomiting_persistent"}),
    ("vomited x6", "urgent", {"vet.vomiting_persistent"}),
    ("5th time he's thrown up today", "urgent", {"vet.vomiting_persistent"}),
    ("she's been vomiting on and off for 2 days", "urgent", {"vet.vomiting_persistent"}),
    (
        "Hi, sorry to bother you, Max has been throwing up every hour since 3am",
        "urgent",
        {"vet.vomiting_persistent"},
    ),
    # Diarrhoea bloody or black, or more than 48 hours
    ("she has diarrhea and its kinda bloody", "urgent", {"vet.diarrhoea_bloody"}),
    ("pooped black tarry stuff", "urgent", {"vet.diarrhoea_bloody"}),
    ("diarrhea for 3 days now", "urgent", {"vet.diarrhoea_persistent"}),
    ("diarrhea since saturday", "urgent", {"vet.diarrhoea_persistent"}),
    # Not eating for more than 24 hours, not drinking
    ("hasn't eaten in 2 days", "urgent", {"vet.not_eating"}),
    ("my cat hasnt eaten since yesterday", "urgent", {"vet.not_eating"}),
    ("hasnt touched his food since sunday", "urgent", {"vet.not_eating"}),
    ("won't eat anything for a day now", "urgent", {"vet.not_eating"}),
    ("he won't drink any water", "urgent", {"vet.not_drinking"}),
    # Blood in the urine, straining to urinate
    ("he's peeing blood", "urgent", {"vet.urine_blood"}),
    ("his pee is pink", "urgent", {"vet.urine_blood"}),
    ("he keeps straining to pee and only a little comes out", "urgent", {"vet.straining_urine"}),
    ("he hasnt peed all day and is straining", "urgent", {"vet.straining_urine"}),
    # Injection site
    ("theres a red swollen spot where they gave the chemo shot", "urgent", {"vet.injection_site"}),
    ("her leg is swollen where the iv was", "urgent", {"vet.injection_site"}),
    ("her leg where the chemo went in is red and puffy", "urgent", {"vet.injection_site"}),
    (
        "the leg where they gave the doxorubicin is red and swollen",
        "urgent",
        {"vet.injection_site"},
    ),
    # Incision
    ("his incision is red and oozing", "urgent", {"vet.incision"}),
    ("the incison is opening up", "urgent", {"vet.incision"}),
    ("lump near his incision got bigger", "urgent", {"vet.incision"}),
    ("he licked his stitches out", "urgent", {"vet.incision"}),
    ("the cut looks more swollen than yesterday", "urgent", {"vet.incision"}),
    # Bruising, red dots, nosebleeds
    ("theres bruises all over his belly", "urgent", {"vet.bruising_bleeding"}),
    ("little red dots on her gums", "urgent", {"vet.bruising_bleeding"}),
    ("he had a nosebleed this morning", "urgent", {"vet.bruising_bleeding"}),
    ("his nose bled for a bit and then stopped", "urgent", {"vet.bruising_bleeding"}),
    # Chemotherapy spill or skin contact
    ("I spilled his chemo pills on the counter", "urgent", {"vet.chemo_spill"}),
    ("I touched his cyclophosphamide without gloves", "urgent", {"vet.chemo_spill"}),
    ("the capsule broke open and the powder got on my hands", "urgent", {"vet.chemo_spill"}),
    # A swollen belly on its own
    ("his belly looks really bloated and hard", "urgent", {"vet.swollen_belly"}),
    # Several signs: all kept, the most severe decides
    (
        "temp 103.5 and also bloody diarrhea and not eating for 2 days",
        "urgent",
        {"vet.fever", "vet.diarrhoea_bloody", "vet.not_eating"},
    ),
    (
        "vomited 5 times and now his gums look pale",
        "emergency",
        {"vet.gum_colour", "vet.vomiting_persistent"},
    ),
]

# Negated, historical, hypothetical or about someone else: not a current red flag.
# (message, the sign reported as hypothetical, or None)
NOT_CURRENT = [
    ("no fever, eating fine", None),
    ("fever-free for 2 days now", None),
    ("he's not vomiting anymore", None),
    ("hasn't thrown up since tuesday", None),
    ("no blood in his pee anymore", None),
    ("the incision looks great, no redness or swelling", None),
    ("the bleeding from his dewclaw stopped", None),
    ("what if he gets a fever?", "vet.fever"),
    ("should i worry if his gums look pale?", "vet.gum_colour"),
    ("can chemo cause seizures?", "vet.seizure"),
    ("should we stop the cytoxan if he strains to pee?", "vet.straining_urine"),
    ("what if his temp goes over 104 and he gets weak?", "vet.fever_with_weakness"),
    ("last month he had a seizure, should we change his meds", None),
    ("he had a seizure 2 years ago", None),
    ("he was vomiting last week but he's fine now", None),
    ("my husband has a fever, can he still drop the dog off", None),
    ("i have a fever, can my husband bring him to chemo instead?", None),
    ("my daughter's nose is bleeding, I'll be late for the appointment", None),
    ("my kid has a fever so I'll bring the dog tomorrow", None),
    ("my husband has covid and a fever of 102, can I still bring her in", None),
]

# Routine questions, admin and small talk: never a red flag.
NOT_URGENT = [
    "is hair loss normal",
    "hair loss chemo dog",
    "will her whiskers fall out",
    "my doodle's coat is thinning since starting chop",
    "how do i clean up his poop after chemo",
    "is her saliva toxic after chemo",
    "how long is the chemo in his urine",
    "what do i do with the litter after my cat's chemo",
    "can my dog lick my face after chemo",
    "is it safe for my kids to be around him after his treatment",
    "im pregnant is it safe to clean up after my dog on chemo",
    "what side effects should i expect",
    "will he throw up after chemo",
    "is lethargy a normal side effect",
    "is it normal for him to be tired after chemo",
    "is it normal for her to eat less for a day after chemo",
    "what should i watch for after chemo",
    "how do i take his temperature",
    "how to check for fever in dogs at home",
    "how do i know if my dog has a fever",
    "whats a normal temp for a dog",
    "what temp is too high for a dog",
    "his temp is 101.5",
    "his temp is 102.9 is that a fever",
    "what happens on chemo day",
    "can i feed him breakfast before his chemo",
    "does he need blood work before every chemo",
    "his blood work came back normal",
    "can he get his rabies vaccine during chemo",
    "what does low neutrophils mean on his bloodwork",
    "is it ok to give him fish oil with his chemo",
    "can we skip this week's dose, we're traveling",
    "i need to reschedule bella's appointment to next tuesday",
    "what time is his chemo on thursday",
    "how much do i owe for the last visit",
    "can i pay my bill online",
    "hi!",
    "thank you so much, you guys are the best",
    "he's doing great, eating and playing like normal",
    "he seems a little tired today but he's eating fine",
    "how do i give his pills with gloves",
    "do i need gloves to give his chemo pill",
    "i gave him his chemo pill this morning",
    "he ate his chemo pill in cheese like a good boy",
    "when do his stitches come out",
    "can he go without the cone now, the incision looks good",
    "he passed away last night. thank you for everything",
    "should we continue treatment or stop",
    "he threw up once yesterday but is fine now and eating",
    "he threw up twice this morning",
    "she vomited once after breakfast, otherwise fine",
    "he had some diarrhea yesterday but it's normal today",
    "his poop is a little soft today",
    "it's so hot outside, can he go for a walk after chemo",
    "is it normal that he pants a lot on prednisone",
    "we had him on a seizure medication before, can he take it with chemo",
    "does vincristine cause constipation",
    "my other dog bit him while playing, small scratch",
    "is it normal to have a firm lump under the scar, nothing else is wrong",
]


@pytest.mark.parametrize(("text", "priority", "expected"), FLAGGED)
def test_red_flags_are_caught(triage: Triage, text: str, priority: str, expected: set[str]) -> None:
    result = triage.assess(text, KIND)

    assert result.priority == priority
    assert expected <= {f.sign for f in result.red_flags}
    for flag in result.red_flags:
        assert flag.matched and flag.matched in text


@pytest.mark.parametrize(("text", "hypothetical_sign"), NOT_CURRENT)
def test_signs_that_are_not_current_do_not_trigger(
    triage: Triage, text: str, hypothetical_sign: str | None
) -> None:
    result = triage.assess(text, KIND)

    assert result.priority is None
    assert result.red_flags == ()
    if hypothetical_sign:
        assert hypothetical_sign in {f.sign for f in result.hypothetical}


@pytest.mark.parametrize("text", NOT_URGENT)
def test_routine_messages_raise_no_flag(triage: Triage, text: str) -> None:
    result = triage.assess(text, KIND)

    assert result.priority is None
    assert result.red_flags == ()
    assert not result.self_harm


def test_every_lexicon_sign_is_exercised() -> None:
    tested = set().union(*(expected for _, _, expected in FLAGGED))
    assert {s.sign for s in load_lexicon(KIND).signs} <= tested
