"""Triage of messages from surgical oncology patients and the people texting for them."""

# (message, priority, signs that must be among the red flags)
FLAGGED = [
    # CLINICAL.md's emergencies in more words (an outside file, 2026-12-06)
    (
        "my incision opened when i coughed and i can see something pinkish yellow underneath",
        "emergency",
        {"human.wound_opened_tissue_showing"},
    ),
    (
        "my wound came apart and theres yellow fatty stuff poking out",
        "emergency",
        {"human.wound_opened_tissue_showing"},
    ),
    ("mom has a fever of 100.9 and she doesn't recognize me", "emergency", {"human.sepsis_signs"}),
    (
        "chills so bad the bed is shaking, 38.4 on the thermometer",
        "emergency",
        {"human.sepsis_signs"},
    ),
    (
        "after my neck dissection i can barely swallow and the swelling under my jaw is bigger",
        "emergency",
        {"human.neck_swelling"},
    ),
    # Chest pain
    ("i have chest pain", "emergency", {"human.chest_pain"}),
    ("my chest hurts really bad", "emergency", {"human.chest_pain"}),
    ("theres a lot of pressure in my chest", "emergency", {"human.chest_pain"}),
    ("probably nothing but my chest feels tight", "emergency", {"human.chest_pain"}),
    ("my mom had chest pain last night but it's better now", "emergency", {"human.chest_pain"}),
    ("somebody help chest pain", "emergency", {"human.chest_pain"}),
    (
        "my wife is having chest pain, should i reschedule my appointment",
        "emergency",
        {"human.chest_pain"},
    ),
    ("feels like an elephant on my chest", "emergency", {"human.chest_pain"}),
    ("my heart hurts and my left arm is numb", "emergency", {"human.chest_pain"}),
    # Shortness of breath
    ("i can barely breathe", "emergency", {"human.shortness_of_breath"}),
    ("i feel short of breath", "emergency", {"human.shortness_of_breath"}),
    ("cant breath good since this morning", "emergency", {"human.shortness_of_breath"}),
    ("having trouble breathing", "emergency", {"human.shortness_of_breath"}),
    (
        "not sure if it's normal but i'm really short of breath",
        "emergency",
        {"human.shortness_of_breath"},
    ),
    # Coughing blood
    ("I keep coughing up blood", "emergency", {"human.coughing_blood"}),
    ("coughed and there was blood in my phlegm", "emergency", {"human.coughing_blood"}),
    # Fainting
    ("i fainted in the bathroom", "emergency", {"human.fainting"}),
    ("my husband passed out after his shower", "emergency", {"human.fainting"}),
    ("feel like i'm going to pass out", "emergency", {"human.fainting"}),
    # Calf pain with shortness of breath
    (
        "my calf is sore and i'm short of breath",
        "emergency",
        {"human.pulmonary_embolism", "human.shortness_of_breath", "human.calf_pain"},
    ),
    # After neck or thyroid surgery
    (
        "my neck is swelling after thyroid surgery and it feels tight",
        "emergency",
        {"human.neck_swelling"},
    ),
    (
        "my neck looks bigger than yesterday and its hard to swallow",
        "emergency",
        {"human.neck_swelling"},
    ),
    ("theres a whistling sound when i breathe", "emergency", {"human.neck_swelling"}),
    ("my throat feels like its closing", "emergency", {"human.neck_swelling"}),
    # Bleeding that soaks the dressing or will not stop
    ("soaked through my bandage with blood", "emergency", {"human.heavy_bleeding"}),
    ("my incision wont stop bleeding", "emergency", {"human.heavy_bleeding"}),
    # Drain bulb filling fast with bright red blood
    (
        "the drain bulb is filling up fast with bright red blood",
        "emergency",
        {"human.drain_bright_red"},
    ),
    ("the fluid in my drain bulb is bright red now", "emergency", {"human.drain_bright_red"}),
    (
        "drain output went from 30 to 150 in an hour and it's bright red",
        "emergency",
        {"human.drain_bright_red"},
    ),
    # Wound opening with tissue showing
    (
        "my incision split open and i can see fat",
        "emergency",
        {"human.wound_opened_tissue_showing"},
    ),
    # Fever with confusion or shaking chills
    ("i have chills and feel really confused", "emergency", {"human.sepsis_signs"}),
    ("fever of 101.8 and shaking chills", "emergency", {"human.sepsis_signs", "human.fever"}),
    ("temp 38.9 and my mom is confused", "emergency", {"human.sepsis_signs"}),
    ("my husband is confused and has a fever of 102", "emergency", {"human.sepsis_signs"}),
    ("i can't stop shaking and i have a fever", "emergency", {"human.sepsis_signs"}),
    # Severe allergic reaction
    (
        "my lips are swelling and i have hives after the new antibiotic",
        "emergency",
        {"human.allergic_reaction", "human.hives"},
    ),
    # Very hard to wake
    ("hes very hard to wake up", "emergency", {"human.hard_to_wake"}),
    ("i can barely wake him, he keeps dozing off", "emergency", {"human.hard_to_wake"}),
    ("my arm and leg on one side went weak", "emergency", {"human.stroke_signs"}),
    ("i can't wake my husband up, he took his pain pills", "emergency", {"human.hard_to_wake"}),
    # Wanting to die or to harm oneself
    ("i don't want to live anymore", "emergency", {"self_harm"}),
    ("sometimes i think about killing myself", "emergency", {"self_harm"}),
    ("I'm so depressed, I just want it all to end", "emergency", {"self_harm"}),
    ("if this pain doesn't stop i'm going to kill myself", "emergency", {"self_harm"}),
    # Beyond CLINICAL.md (flagged in the lexicon for clinician review)
    ("my son swallowed one of my oxycodone", "emergency", {"swallowed_medicine"}),
    ("i'm throwing up blood", "emergency", {"human.vomiting_blood"}),
    ("my dad's face is drooping and his speech is slurred", "emergency", {"human.stroke_signs"}),
    ("i just had a seizure", "emergency", {"human.seizure"}),
    ("my stool is black and tarry", "urgent", {"human.black_or_bloody_stool"}),
    ("i broke out in hives", "urgent", {"human.hives"}),
    ("hives all over my body", "emergency", {"human.allergic_reaction"}),
    # Temperature of 100.4 F (38.0 C) or more
    ("i have a fever of 101.5", "urgent", {"human.fever"}),
    ("temp is 100.9 what do i do", "urgent", {"human.fever"}),
    ("temp 38.2", "urgent", {"human.fever"}),
    ("i'm at 38.5", "urgent", {"human.fever"}),
    ("took my temp, 101", "urgent", {"human.fever"}),
    ("my temp was 100.4 an hour ago and still 100.4", "urgent", {"human.fever"}),
    ("running a fever tonight", "urgent", {"human.fever"}),
    ("i have the chills", "urgent", {"human.fever"}),
    ("no fever but chills", "urgent", {"human.fever"}),
    ("feeling feverish", "urgent", {"human.fever"}),
    ("feeling hot and shivery", "urgent", {"human.fever"}),
    # Incision redness, warmth, pus, smell, red streaks, opening
    ("my incision is red", "urgent", {"human.incision_problem"}),
    ("my incision is red and warm and theres some pus", "urgent", {"human.incision_problem"}),
    ("there's yellow stuff leaking from my wound", "urgent", {"human.incision_problem"}),
    ("i think my wound opened up a little", "urgent", {"human.incision_problem"}),
    ("my stitches are coming apart", "urgent", {"human.incision_problem"}),
    ("there are red streaks going up from my incision", "urgent", {"human.incision_problem"}),
    ("the incision smells really bad", "urgent", {"human.incision_problem"}),
    ("the skin around my drain site is red", "urgent", {"human.incision_problem"}),
    ("No fever but my incision is oozing pus", "urgent", {"human.incision_problem"}),
    (
        "hi so since last night my mom's incision has been oozing and it smells kind of bad, "
        "she says it's fine but im worried",
        "urgent",
        {"human.incision_problem"},
    ),
    # Drain fell out, lost suction, stopped draining, newly bloody
    ("drain fell out", "urgent", {"human.drain_problem"}),
    ("my drain stopped draining", "urgent", {"human.drain_problem"}),
    ("the bulb won't stay flat, i think it lost suction", "urgent", {"human.drain_problem"}),
    ("the drainage turned bloody today", "urgent", {"human.drain_problem"}),
    ("drain hasn't put anything out since this morning", "urgent", {"human.drain_problem"}),
    (
        "drain fluid was clear before and now it's turning bloody",
        "urgent",
        {"human.drain_problem"},
    ),
    # Pain not controlled by the prescribed medicine
    ("i have pain that my pain pills arent helping", "urgent", {"human.pain_uncontrolled"}),
    ("pain is 10/10 even after the oxy", "urgent", {"human.pain_uncontrolled"}),
    # Vomiting that will not stop
    ("i keep throwing up and can't keep anything down", "urgent", {"human.vomiting_persistent"}),
    ("vomited 6 times since last night", "urgent", {"human.vomiting_persistent"}),
    ("i can't keep my pills down", "urgent", {"human.vomiting_persistent"}),
    # Unable to urinate
    ("cant pee since i got home from surgery", "urgent", {"human.urinary_retention"}),
    ("haven't peed in 10 hours", "urgent", {"human.urinary_retention"}),
    # Calf swelling or pain without breathing trouble
    ("my calf is swollen and tender", "urgent", {"human.calf_pain"}),
    ("my left leg is swollen and red", "urgent", {"human.calf_pain"}),
    # Tingling lips or fingers after thyroid surgery
    (
        "my lips and fingers are tingling after my thyroid surgery",
        "urgent",
        {"human.thyroid_tingling"},
    ),
    ("numbness around my mouth and my hands are cramping", "urgent", {"human.thyroid_tingling"}),
    # Red, hot, swollen arm on the side of the lymph node removal
    (
        "my arm on the side where they took the lymph nodes is red and hot",
        "urgent",
        {"human.arm_infection"},
    ),
    (
        "my arm is red and swollen on the side they took the lymph nodes",
        "urgent",
        {"human.arm_infection"},
    ),
    # Signs outsiders describe (more in test_outsider_wording.py)
    ("his pupils are tiny and his lips look blue", "emergency", {"human.overdose_signs"}),
    (
        "my fingers keep locking up after my thyroid surgery",
        "emergency",
        {"human.severe_low_calcium"},
    ),
    ("terrible stomach pain and a fever of 101.5", "emergency", {"human.abdominal_infection"}),
    ("my stoma stopped working and i'm cramping", "urgent", {"human.stoma_problem"}),
    (
        "nothing in my ileostomy bag since last night and i threw up twice",
        "emergency",
        {"human.stoma_blocked"},
    ),
    (
        "nothing has come out of my ileostomy since yesterday, belly swollen and ive thrown up",
        "emergency",
        {"human.stoma_blocked"},
    ),
    ("nothing's come out of the stoma since this morning", "urgent", {"human.stoma_problem"}),
    (
        "my granddaughter was in my purse and my oxycodone and capecitabine are gone",
        "emergency",
        {"swallowed_medicine"},
    ),
    (
        "cant get my husband to wake up properly and he has a fever",
        "emergency",
        {"human.hard_to_wake"},
    ),
    ("temp 100.9 and im shivering so bad under 3 blankets", "emergency", {"human.sepsis_signs"}),
    ("i can only dribble when i pee since the surgery", "urgent", {"human.urinary_retention"}),
    (
        "havent had a bowel movement in 4 days and i threw up",
        "urgent",
        {"human.bowel_obstruction"},
    ),
    ("my toddler grabbed my chemo pills off the table", "urgent", {"human.chemo_exposure"}),
]

# (message, the sign reported as hypothetical, or None)
NOT_CURRENT = [
    ("no fever, incision looks good", None),
    ("i'm not short of breath, just tired", None),
    ("no chest pain", None),
    ("the bleeding stopped and the dressing is dry", None),
    ("my incision is healing well, no redness", None),
    ("i have a slight fever of 99.5", None),
    ("what if i get a fever?", "human.fever"),
    ("when should i call if my incision gets red?", "human.incision_problem"),
    ("the discharge sheet says call if bleeding soaks the dressing", "human.heavy_bleeding"),
    ("i had a blood clot in my calf 5 years ago", None),
    ("i used to have panic attacks with chest pain", None),
    ("i had trouble breathing after my last surgery, will that happen again?", None),
    ("my mother died of a heart attack, does that affect my anesthesia?", None),
    ("my sister had a stroke last year", None),
    ("my friend had chest pain after her surgery, is that common?", None),
    ("my dog has been vomiting all day, can i still come to my appointment", None),
    ("my husband has a fever, can i still come to my appointment", None),
    ("my kids have the flu with fevers, should i postpone my surgery", None),
]

NOT_URGENT = [
    "temp 99.1 this morning",
    "my temp is 98.6",
    "temperature 100",
    "when can i shower after surgery",
    "can i shower with the drain in",
    "is it ok to get my stitches wet",
    "how do i empty my drain",
    "the bulb is half full do i empty it now",
    "how do i record the drain output",
    "a little bit of pink fluid in the drain, is that normal",
    "how long does pathology take",
    "when will i get my path results",
    "what does my pathology report mean",
    "will i need radiation after surgery",
    "when can i drive after surgery",
    "how much can i lift after surgery",
    "can i pick up my dog after my surgery",
    "when can i go back to the gym",
    "do i have to fast before surgery",
    "can i drink water before my surgery",
    "what time do i stop eating the night before",
    "is coffee ok before surgery",
    "should i stop my blood thinner before surgery",
    "when do my stitches come out",
    "when does the drain come out",
    "the steri strips fell off, is that ok",
    "can i get the steri strips wet",
    "what should i bring on surgery day",
    "where do i park",
    "what are your hours",
    "i need a work note for my employer",
    "can you send my fmla paperwork",
    "i got a bill from anesthesia, what is it for",
    "I'm confused about my bill",
    "has my insurance approved the surgery",
    "i need to reschedule my follow up",
    "can i move my appointment to friday",
    "hello",
    "thanks so much!",
    "i'm feeling much better today",
    "is it normal to have a small lump under the incision? nothing else is wrong",
    "is bruising around the incision normal?",
    "my chest incision is a little sore",
    "i'm a little sore around the incision but the pain meds help",
    "can i take tylenol with my pain pills",
    "my pain is about a 4 out of 10",
    "i threw up once after anesthesia but feel fine now",
    "my throat is a little sore from the breathing tube",
    "what are signs of infection i should watch for",
    "when should i go to the ER after surgery?",
    "my back is killing me from the hospital bed",
    "can i take my seizure meds the morning of surgery",
]
