"""The trading assistant: read-only tools by function calling, writes only through confirmations."""
