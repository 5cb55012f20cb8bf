"""docs/configuration.md documents every environment variable the core reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# settings attributes (the second one set by plugins, see docs/security.md#hostile-input), not environment variables
NOT_SETTINGS = {"ANNEAL_PLUGIN_RECORDS", "ANNEAL_INPUT_REFUSAL_RESPONDERS"}


def test_every_environment_variable_of_the_core_is_documented():
    names = set()
    for path in (ROOT / "core").rglob("*.py"):
        names |= set(re.findall(r"\bANNEAL_[A-Z_]+\b", path.read_text()))
    names |= {"DATABASE_URL", "REDIS_URL"}
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(n for n in names - NOT_SETTINGS if f"`{n}`" not in documented)
    assert missing == []
