"""How numbers and times are shown to a trader: one set of rules for the CLI, API and dashboard."""
