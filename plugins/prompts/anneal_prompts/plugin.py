"""Entry point of the prompts plugin (filled in by the plugin work)."""

anneal_requires = ">=0.1,<0.2"
