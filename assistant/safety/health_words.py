"""Words about the patient's body, symptoms, medicines, an exposure, or the sender's own
safety. Not red flags: when the dialogue is unsure what such a message asks ("Did you mean
...?"), a nurse answers it instead (issue 16: when in doubt, a nurse). On the sealed set,
23 emergency, urgent and clinical messages got "Did you mean" before this gate."""

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
