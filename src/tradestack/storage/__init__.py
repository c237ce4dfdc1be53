"""Persistence: SQLAlchemy 2 tables, the async engine factory, repositories and migrations."""
