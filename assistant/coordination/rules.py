"""Every coordination rule the outreach scheduler runs, in the order it runs them."""

from assistant.coordination.grief import grief_support
from assistant.coordination.surgical import SURGICAL_RULES
from assistant.coordination.visits import lab_readiness, previsit_reminders, treatment_summaries
from assistant.outreach.scheduler import Rule

# Grief support first: on a day a pet dies, its family hears from us about that only.
ALL_RULES: tuple[Rule, ...] = (
    grief_support,
    lab_readiness,
    previsit_reminders,
    treatment_summaries,
    *SURGICAL_RULES,
)
