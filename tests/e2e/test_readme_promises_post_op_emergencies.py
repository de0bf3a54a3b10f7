"""README promise about emergencies, followed for complications after surgery said in a
client's own words, through the real stack (rasa, actions, api) to where people see them.

"An emergency or urgent sign is answered at once from the emergency or urgent template
(after-hours variants when the practice is closed; ...), opens an emergency or urgent case and
pages the on-call clinician by SMS through the outbox"; safety triage has "a learned safety net
... for ... a complication after surgery". So a client who texts that a pet or a person shows a
sign the clinical rules (/work/shared/CLINICAL.md) call an emergency after surgery gets an
emergency template on their own phone (through the outbox, handed to Twilio), the on-call
clinician of that practice gets a page for the case, and the case is in that practice's nurse
queue as an emergency. A routine recovery question that shares the words (pink stitches, a drain
giving less each day) gets neither the emergency template nor a page.

Written from the README, CLINICAL.md, the end-to-end harness and the api's own answers, not
from the code.
"""

import re
import sqlite3
import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    HUMAN,
    KINDS,
    OUTBOX_POLL_SECONDS,
    VET,
    Stack,
    case_detail,
    handed_to_twilio,
    sms_number,
    template_category,
    wait,
)

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]


# --- the messages --------------------------------------------------------------------------
# Each is (sender, words). Senders are fictional 555-01XX numbers in area codes no other test
# texts from, one per message, so that no conversation carries into another.

# Veterinary emergencies after surgery (CLINICAL.md, veterinary emergency list: pale or white
# gums, collapse, cannot be roused, fast breathing at rest, blue or grey gums, a seizure, heavy
# bleeding, a swollen tight belly with unproductive retching, a cat straining with little urine
# while vomiting or weak, 104 F with weakness). Scenarios lean on:
# https://veterinaryhospitalofalvin.com/post-surgical-care.html (pale gums: internal bleeding),
# https://www.petscare.com/ie/news/faq/when-should-i-be-concerned-about-my-dog-after-surgery
# (pale gums, rapid breathing, distended abdomen, collapse),
# https://petkareclinic.com/splenectomy/ (bleeding after a splenectomy),
# http://hiddenvalleyac.com/bloat-gastric-dilation-and-volvulusgdv.pml (a belly tight like a
# drum, unproductive retching),
# https://animalworld155.blogspot.com/2012/12/complications-of-thyroidectomy-in-cats_5.html
# (seizures from low calcium after a cat's thyroidectomy),
# https://winenfood.com/post-amputation-dog-care-complications-to-watch (after amputation).
VET_EMERGENCIES = [
    (
        "+12065550101",
        "probably nothing but bella had her spleen out on tuesday and tonight her gums look "
        "really pale, almost white?? shes wobbly when she gets up",
    ),
    (
        "+12065550102",
        "dukes amputation site is bleeding thru the bandage and the towel under him, ive been "
        "pressing on it for 15 min and it just keeps coming",
    ),
    (
        "+12065550103",
        "This is Mrs Okafor. Pumpkin (my cat) had her thyroid surgery on Friday and she just had "
        "a fit on the kitchen floor, legs stiff and paddling and drooling. She has never done "
        "that before",
    ),
    (
        "+12065550104",
        "lulu is 3 days out from her mastectomy and shes lying down but breathing super fast "
        "like her whole belly is heaving, counted over 60 a minute and she wont settle",
    ),
    (
        "+12065550105",
        "my husband just called, zeus collapsed in the yard and cant get back up. hes our "
        "greyhound, had the limb spare surgery 5 days ago",
    ),
    (
        "+12065550106",
        "ranger (great dane) had the spleen mass taken out monday. past hour his belly has "
        "swelled up tight as a drum and he keeps trying to throw up but nothing comes out",
    ),
    (
        "+12065550107",
        "oliver had the lump cut off his side last week and all evening hes been in and out of "
        "the litter box straining, barely a drop comes out, threw up twice and hes so weak",
    ),
    (
        "+12065550108",
        "took coco's temp 104.7 just now, she had her mammary tumors removed 4 days ago. shes "
        "really weak, wont even lift her head off the bed",
    ),
    (
        "+12065550109",
        "sorry for texting so late, sadie had part of her jaw removed wed and now her tongue and "
        "gums look kind of grey blue and shes breathing with her mouth open",
    ),
    (
        "+12065550110",
        "i cant wake bruno up. he had his anal gland tumor out yesterday and slept since we got "
        "home but now he doesnt respond at all when i shake him or say his name",
    ),
    (
        "+12065550111",
        "theres blood pouring out of mochis incision, she's a cat, had her mastectomy thursday, "
        "i think she pulled a stitch, its all over the couch and wont stop",
    ),
    (
        "+12065550112",
        "texting for my dad bc he doesnt text. his dog max got his back leg amputated 4 days "
        "ago and dad says max is on his side breathing really hard and fast and his gums are "
        "white",
    ),
]

# Veterinary look-alikes: routine recovery questions with the same words (CLINICAL.md: an
# incision that is only pink, a drain giving less each day, a dog that gets up, normal gums;
# not bruising, which CLINICAL.md lists as urgent when unexplained). Scenarios lean on
# https://eatsip365.com/dog-amputation-complication-signs-to-know (pink suture line) and
# https://xzhbc.com/dogs/dog-health/40036.html (adapting to three legs after an amputation).
VET_LOOK_ALIKES = [
    (
        "+14125550101",
        "biscuit had her mastectomy last wednesday, the skin right along the stitches is a "
        "little pink, is that normal healing?",
    ),
    (
        "+14125550102",
        "the drain in rosies side is dripping less every day, today only a couple of drops on "
        "her towel. when do you usually take it out?",
    ),
    (
        "+14125550103",
        "tank is 4 days past his amputation and still a bit wobbly getting up on 3 legs, but he "
        "gets up fine and is eating and wagging. how long till he has his balance back?",
    ),
    (
        "+14125550104",
        "milos gums are nice and pink and his breathing is normal, he just sleeps a lot since "
        "the splenectomy. how long till he has his energy back?",
    ),
]

# Surgical emergencies (CLINICAL.md, surgical emergency list: neck swelling that grows,
# tightness, noisy breathing or trouble swallowing after thyroid surgery; a drain bulb filling
# fast with bright red blood; bleeding that soaks the dressing; the wound opening with tissue
# showing; fever with confusion or shaking chills; chest pain, shortness of breath, coughing
# blood; calf pain with shortness of breath; a severe allergic reaction; very hard to wake).
# Scenarios lean on:
# https://myheadandnecksurgery-thyroid.ca/when-should-seek-medical-attention.php (neck
# hematoma: growing swelling, trouble swallowing or breathing),
# https://umcvc.org/health-library/ack8254 (thyroidectomy: bright red blood soaking through),
# https://ppe.myhealth.alberta.ca/breast-cancer-surgery/at-home/when-to-call-your-surgeon
# (breast surgery and drains: bright red bleeding that does not stop),
# https://diseases-conditions.blurtit.com/249230/the-jackson-pratt-drain-is-what-is-in-my-husband-and-the-drainage-is-bloody-is-this
# (a bulb filling quickly with pure red blood, bandages soaked with blood),
# https://www.clancyclark.com/when-do-i-call-my-surgeon-after-surgery/ (incision opening,
# chills), http://www.emedicinehealth.com/pain_after_surgery/page4_em.htm (confusion, chest
# pain, shortness of breath after surgery),
# https://kshitijchaudhary.com/2016/04/20/when-should-the-doctor-or-clinic-be-contacted-after-surgery/
# (calf pain, chest pain or shortness of breath: clots),
# http://www.sw.org/HealthLibrary?page=Whipple%20Procedure,%20Care%20After (Whipple),
# http://pocketwoc.com/archives/features/know-when-to-call-the-doctor (ostomy).
HUMAN_EMERGENCIES = [
    (
        "+15035550101",
        "had my thyroid out yesterday and the side of my neck keeps getting bigger by the hour, "
        "feels tight and its getting harder to swallow. probably just normal swelling right?",
    ),
    (
        "+15035550102",
        "My wife had her thyroidectomy this morning and came home this afternoon. Now she's "
        "making a whistling sound every time she breathes in and says her throat feels tight",
    ),
    (
        "+15035550103",
        "the JP drain from my mastectomy filled up with bright red blood in like 20 min, i "
        "emptied it and its already filling up again",
    ),
    (
        "+15035550104",
        "i coughed and felt something pop and now my belly incision from the colon surgery is "
        "open and i can see something pink inside it",
    ),
    (
        "+15035550105",
        "my dad had the whipple 9 days ago, tonight hes burning up and confused, doesnt know "
        "what day it is and keeps calling me by my brothers name",
    ),
    (
        "+15035550106",
        "temp is 102.8 and i cant stop shaking, teeth chattering under 3 blankets. had part of "
        "my colon out last week, i have an ileostomy now",
    ),
    (
        "+15035550107",
        "im 6 days out from my lumpectomy + lymph nodes and all of a sudden theres a sharp pain "
        "in my chest when i breathe in and i cant catch my breath walking to the bathroom",
    ),
    (
        "+15035550108",
        "left calf has been sore and swollen since yesterday and now im short of breath just "
        "sitting on the couch. bowel resection was 2 weeks ago",
    ),
    (
        "+15035550109",
        "sorry to bother you, i coughed up bright red blood twice in the last hour. i'm home "
        "from my whipple surgery since saturday",
    ),
    (
        "+15035550110",
        "the dressing on my mastectomy side is soaked through with blood, i changed it an hour "
        "ago and its soaked again, been holding pressure and its still coming",
    ),
    (
        "+15035550111",
        "mom started the antibiotic they sent her home with after her breast surgery and now "
        "her lips and tongue are swelling up, hives everywhere, she says her throat feels funny",
    ),
    (
        "+15035550112",
        "my husband had his colon surgery monday and took his pain pills after lunch, i can "
        "barely wake him up, he opens his eyes and goes right back out and hes snoring weird",
    ),
    # An ostomy with no output and vomiting: a complete blockage, an emergency beyond
    # CLINICAL.md (docs/clinical-rules.md, `human.stoma_blocked`; the UOAA ileostomy blockage
    # card: "if there is no output from the stoma, go to the emergency room immediately").
    (
        "+15035550113",
        "nothing has come out of my ileostomy since last night, my belly is swollen and "
        "cramping and ive thrown up 3 times. had the colon surgery 10 days ago",
    ),
    # An ostomy pouring out (an urgent sign to the rules) with a fall from dizziness: the
    # learned net raises it to an emergency (README, safety triage; docs/clinical-rules.md).
    (
        "+15035550114",
        "hey my stoma is pouring out liquid nonstop, emptied the bag 12 times today, and i got "
        "so dizzy i fell over in the kitchen",
    ),
    # A denied sign first, then an overdose in words no rule lists: the learned net reads the
    # sentences the rules did not judge (README, safety triage).
    (
        "+15035550115",
        "no fever. my dad got up confused and took everything in his morning cup and his "
        "evening cup, we found both empty and now hes snoring really loud",
    ),
]

# Surgical look-alikes: routine recovery questions with the same words (CLINICAL.md: a lump at
# the site when nothing else is wrong is routine; drain output falling is what a drain log is
# for). Scenarios lean on https://www.alexeshazenmd.com/top-surgery-post-op-care (drain output
# falling, fluid turning light yellow),
# https://docobook.com/parathyroidectomy-patient-discharge.html (the ridge under a healing
# incision), https://umcvc.org/health-library/ack8254 (a hoarse voice after a thyroidectomy
# is normal) and the Alberta page above ("what's common after surgery").
HUMAN_LOOK_ALIKES = [
    (
        "+16155550101",
        "my incision from the thyroid surgery is a little pink at the edges, i can swallow and "
        "breathe fine, just wondering if the pink is normal?",
    ),
    (
        "+16155550102",
        "JP drain was 80 ml the first day, 45 yesterday and 25 today and its kind of straw "
        "colored now, is that the right direction?",
    ),
    (
        "+16155550103",
        "there's a firm ridge under my lumpectomy scar, nothing else is wrong, no redness or "
        "anything. is that a normal part of healing?",
    ),
    (
        "+16155550104",
        "my voice is still a bit hoarse 4 days after my thyroidectomy, otherwise feeling good. "
        "how long does that usually last",
    ),
]


def cases(practice: str, messages: list[tuple[str, str]], name: str) -> list[Any]:
    """One pytest case per message, with an id naming the practice and its number."""
    return [
        pytest.param(practice, sender, words, id=f"{name}-{i:02d}")
        for i, (sender, words) in enumerate(messages, start=1)
    ]


# --- helpers -------------------------------------------------------------------------------


def outbox_rows(stack: Stack, where: str = "1", *args: object) -> list[dict[str, Any]]:
    """Outbox rows, oldest first, as {column: value} (read-only SQL)."""
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        db.row_factory = sqlite3.Row
        query = f"SELECT * FROM outbox_message WHERE {where} ORDER BY id"
        return [dict(row) for row in db.execute(query, args).fetchall()]


def is_emergency(template_id: str | None) -> bool:
    return "emergency" in template_category(template_id)


def text_in(stack: Stack, practice: str, sender: str, words: str) -> list[tuple[str, str]]:
    """The client's SMS, signed as Twilio signs it; (template, text) of each reply."""
    replies = stack.text(words, sender=sender, to=sms_number(stack, practice))
    return [(str(t), str(text)) for t, text in replies]


def case_of(nurse: httpx.Client, words: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(summary, detail) of the open case in the nurse's queue that holds the client's words."""
    queue = nurse.get("/api/v1/nurse/queue")
    assert queue.status_code == 200, queue.text
    # Newest first: the shared stack's queue holds every other test's cases too.
    for summary in sorted(queue.json(), key=lambda c: c["id"], reverse=True):
        detail = case_detail(nurse, summary["id"])
        if any(m["direction"] == "in" and m["body"] == words for m in detail["messages"]):
            return summary, detail
    return None


def paged_case(row: dict[str, Any]) -> int | None:
    """The case a page is about: a page names the case's page on the dashboard."""
    found = re.search(r"/nurse/cases/(\d+)\b", row["body"])
    return int(found.group(1)) if found else None


def pages(stack: Stack) -> list[dict[str, Any]]:
    """Every page queued so far (the outbox's `page` rows), oldest first."""
    return outbox_rows(stack, "kind = 'page'")


def practice_name(stack: Stack, slug: str) -> str:
    [practice] = [p for p in httpx.get(f"{stack.api}/api/v1/practices").json() if p["slug"] == slug]
    return str(practice["name"])


# --- 1. an emergency after surgery: the emergency template, a page, an emergency case --------


@pytest.mark.parametrize(
    ("practice", "sender", "words"),
    cases(VET, VET_EMERGENCIES, "vet") + cases(HUMAN, HUMAN_EMERGENCIES, "human"),
)
def test_an_emergency_after_surgery_is_answered_at_once_and_pages_the_on_call(
    rasa_up: Stack, nurses: dict[str, httpx.Client], practice: str, sender: str, words: str
) -> None:
    stack = rasa_up

    replies = text_in(stack, practice, sender, words)

    found = case_of(nurses[practice], words)
    summary = found[0] if found else None
    wait(
        lambda: any(handed_to_twilio(r) for r in outbox_rows(stack, "to_number = ?", sender)),
        what=f"a reply to {sender} handed to Twilio",
    )

    def the_page() -> list[dict[str, Any]]:
        return [p for p in pages(stack) if summary and paged_case(p) == summary["id"]]

    # The page goes through the outbox like the reply; waiting for it (instead of a fixed
    # pause) ends as soon as it is handed to Twilio, or fails below after the timeout.
    try:
        wait(lambda: any(handed_to_twilio(p) for p in the_page()), what="the page", timeout=15)
    except AssertionError:
        pass
    paged = the_page()
    seen = (
        f"replies {[t for t, _ in replies]}; case "
        f"{summary and {k: summary[k] for k in ('id', 'priority', 'category')}}; "
        f"pages {[(p['to_number'], p['status']) for p in paged]}"
    )
    # The client is told at once, from an approved emergency template of the practice's kind
    # (the after-hours variant when the practice is closed).
    emergency = [t for t, _ in replies if is_emergency(t)]
    assert emergency, f"no emergency template for an emergency after surgery: {seen}"
    assert all(t.startswith(KINDS[practice]) for t in emergency), seen
    # ... on their own phone: through the outbox, handed to Twilio.
    to_client = outbox_rows(stack, "to_number = ? AND kind = 'reply'", sender)
    assert [r for r in to_client if r["template_id"] in emergency and handed_to_twilio(r)], (
        to_client
    )
    # The nurses of that practice see an emergency case with the client's words, and the
    # other practice's do not.
    assert summary is not None, f"no case in the nurse queue: {seen}"
    assert summary["priority"] == "emergency", f"not an emergency case: {seen}"
    other = nurses[HUMAN if practice == VET else VET].get("/api/v1/nurse/queue").json()
    assert summary["id"] not in {c["id"] for c in other}, other
    # The on-call clinician is paged by SMS for that case, through the outbox.
    assert paged, f"no page to the on-call clinician for the case: {seen}"
    assert all(p["to_number"] not in (sender, sms_number(stack, practice)) for p in paged), seen
    assert any(handed_to_twilio(p) for p in paged), paged
    assert practice_name(stack, practice) in paged[0]["body"], paged[0]


# --- 2. a routine recovery question in the same words: no emergency, no page -----------------


@pytest.mark.parametrize(
    ("practice", "sender", "words"),
    cases(VET, VET_LOOK_ALIKES, "vet-routine") + cases(HUMAN, HUMAN_LOOK_ALIKES, "human-routine"),
)
def test_a_routine_recovery_question_gets_no_emergency_template_and_no_page(
    rasa_up: Stack, nurses: dict[str, httpx.Client], practice: str, sender: str, words: str
) -> None:
    stack = rasa_up
    paged_before = {paged_case(p) for p in pages(stack)}

    replies = text_in(stack, practice, sender, words)

    time.sleep(OUTBOX_POLL_SECONDS + 1)
    # A page for a case never paged before is this message's (the tests run one at a time;
    # an older case that nobody acknowledged is paged again, which is not new).
    new_pages = [p for p in pages(stack) if paged_case(p) not in paged_before]
    found = case_of(nurses[practice], words)
    summary = found[0] if found else None
    seen = (
        f"replies {[t for t, _ in replies]}; case "
        f"{summary and {k: summary[k] for k in ('id', 'priority', 'category')}}; "
        f"new pages {[(p['to_number'], p['body']) for p in new_pages]}"
    )
    assert replies, f"no answer at all: {seen}"
    assert not [t for t, _ in replies if is_emergency(t)], f"emergency template: {seen}"
    assert not new_pages, f"the on-call clinician was paged: {seen}"
    assert summary is None or summary["priority"] != "emergency", seen
