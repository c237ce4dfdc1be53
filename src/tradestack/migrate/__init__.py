"""Migration toolkit: backups, guarded schema changes, database moves, legacy imports."""
