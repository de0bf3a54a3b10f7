"""The README's table of settings states their defaults; the code must keep them."""

import re

from assistant.settings import ROOT, Settings


def test_the_deadline_check_runs_as_often_as_the_readme_says() -> None:
    # The end-to-end tests run it every 5 seconds to save time, so the default is checked here.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [stated] = re.findall(r"\| `SLA_CHECK_SECONDS` \| `(\d+)` \|", readme)

    assert Settings.model_fields["sla_check_seconds"].default == float(stated) == 30
