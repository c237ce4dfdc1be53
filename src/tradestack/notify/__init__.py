"""Notifications: a notifier port, its adapters (log, webhook, Telegram) and the fan-out."""
