"""The LLM provider port: one OpenAI-compatible chat client, budgets, health and switching."""
