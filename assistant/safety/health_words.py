"""Words about the patient's body, symptoms, medicines, an exposure, or the sender's own
safety. Not red flags: when the dialogue is unsure what such a message asks ("Did you mean
...?" or a request to rephrase), a nurse answers it instead (issue 16: when in doubt, a
nurse). On the sealed set, 23 emergency, urgent and clinical messages got "Did you mean"
before this gate.

In a language the assistant does not answer in, the same question decides how soon a person
reads the message (turn.py): Spanish has its own list; in a language with no list we cannot
tell, so the answer is yes."""

import re

# Topic nouns the FAQ answers cover (chemo, drain, incision, pills, temperature) are left
# out: a doubtful "how do I empty the drain" is still offered its answer.
_HEALTH = re.compile(
    r"\b(?:"
    # symptoms and signs
    r"pain\w*|hurt\w*|aches?|aching|sore|bleed\w*|blood(?!\s?work|\s?test)|bled|bruis\w*"
    r"|swell\w*|swollen|vomit\w*|throw\w* up|threw up|puk\w*|nause\w*|diarr?h\w*"
    r"|constipat\w*|fever\w*|chills|shak(?:e|es|ing|y)|trembl\w*|shiver\w*"
    r"|breath\w*|cough\w*|wheez\w*|chok\w*|gasp\w*|panting|rash\w*|itch\w*|hives|redness"
    r"|pus|ooz\w*|lumps?|seiz\w*|collaps\w*|faint\w*|dizz\w*|numb|numbness|tingl\w*"
    r"|cramp\w*|spasm\w*|weak|weakness|letharg\w*|limp\w*|not eating|won'?t eat|not drinking"
    r"|confus\w*|unresponsive|gums?|tongue|lips|belly|stomach|abdom\w*|chest|throat"
    # exposures and medicine taken wrongly
    r"|ate|eaten|swallow\w*|chew(?:ed|ing)|got into|licked|spill\w*|overdos\w*|poison\w*"
    r"|toxic|too many|extra (?:pills?|dose)"
    # the sender's own safety
    r"|die|dying|dead|death|suicid\w*|kill\w*|end it|give up|gave up|hopeless|pointless"
    r"|anymore|any more|can'?t go on|can'?t do this|no point|better off"
    r")\b",
    re.IGNORECASE,
)


def mentions_health(text: str) -> bool:
    return _HEALTH.search(text) is not None


# Spanish lay words for the same (MedlinePlus en español symptom pages, ACEP "Cuándo llamar
# para pedir ayuda"), with and without accents; the body, not the topic: "quimio" and "cita"
# alone are how a Spanish booking or FAQ question reads. A pet's or a relative's death alone
# is grief, not a danger now; wanting to die is.
_SPANISH_HEALTH = re.compile(
    r"\b(?:"
    # symptoms and signs
    r"dolor\w*|duel[ea]\w*|sangr\w*|moret[oó]n\w*|hinch\w*|inflamad\w*|inflad\w*"
    r"|v[oó]mit\w*|devuelv\w*|arque\w*|n[aá]usea\w*|diarrea\w*|estre[ñn]id\w*"
    r"|fiebre|calentura|temperatura|escalofr[ií]o\w*|tembl\w*|temblor\w*"
    r"|respir\w*|ahog\w*|jade\w*|falta(?:ba)? el aire|tos|tose\w*|tosiendo|asfixi\w*"
    r"|ronchas?|comez[oó]n|picaz[oó]n|pus|supura\w*|convuls\w*|ataques?|desmay\w*"
    r"|mare[oa]\w*|inconscien\w*|no despierta|despertar|confundid\w*|desorientad\w*"
    r"|d[eé]bil\w*|cojea\w*|hormigueo|calambres?|entumid\w*|paralizad\w*"
    r"|enc[ií]as?|labios?|lengua|panza|barriga|est[oó]mago|abdomen|vientre|pecho|garganta"
    r"|pantorrilla|herida\w*|incisi[oó]n|cicatriz|puntos|drenaje|orin\w*|pip[ií]|pis|vejiga"
    r"|pop[oó]|heces|excremento|no (?:quiere )?come|no ha comido|no ha probado|no (?:quiere )?toma"
    r"|no (?:est[aá] )?tomando agua|term[oó]metro|grados"
    # exposures and medicine taken wrongly
    r"|se (?:lo |la |los |las )?(?:comi[oó]|trag[oó]|tom[oó])|trag[oó]|mordi[oó]|veneno\w*"
    r"|envenen\w*|intoxic\w*|sobredosis|de m[aá]s|doble dosis|derram\w*|se cay[oó]"
    r"|pastillas?|c[aá]psulas?|sin guantes|embarazada"
    # the sender's own safety
    r"|morir\w*|morirme|matar\w*|suicid\w*|quitarme la vida|ganas de vivir|no aguanto"
    r"|ya no puedo m[aá]s|acabar con todo|una carga|sin sentido|no vale la pena|no le veo sentido"
    r"|pegar(?:me|se|le)? un tiro|cansad[oa] de todo"
    r")\b",
    re.IGNORECASE,
)
# Languages with a word list of their own; for any other, may_be_about_health is True.
_HEALTH_BY_LANGUAGE = {"en": _HEALTH, "es": _SPANISH_HEALTH}


def may_be_about_health(text: str, language: str) -> bool:
    """Whether a message in `language` may be about health: True when we cannot tell."""
    pattern = _HEALTH_BY_LANGUAGE.get(language)
    return pattern is None or pattern.search(text) is not None
