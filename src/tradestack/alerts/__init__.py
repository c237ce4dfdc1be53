"""Alerts: ``alert.raised`` events as people read them."""
