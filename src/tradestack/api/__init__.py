"""The HTTP API (FastAPI): versioned REST under /api/v1, served identically in every shape."""
