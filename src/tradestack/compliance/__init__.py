"""The compliance view: manual actions on record, and the audit trail exported for a period."""
